// Builds the AggregationPlan from a config: one histogram (and threshold list)
// per metric and material, with default ranges derived from the model and
// [output] overrides applied. Also the cell arithmetic shared by the
// aggregator and the result writer. Defaults are documented in
// docs/hdf5-schema.md ("Histogram defaults").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine.h"
#include "metrics.h"
#include "run_config.h"

namespace remc {

// The plan for `config`: specs in catalogue order, one per (metric, material)
// for per-material metrics and one per metric otherwise. Throws ConfigError
// for bad overrides (unknown metric or material, lo >= hi, log with lo <= 0,
// too many thresholds).
AggregationPlan make_plan(const RunConfig& config);

// The default histogram of `metric` (material `material`, ignored for global
// metrics) with `bins` bins, before overrides; no thresholds.
HistSpec default_hist(const Model& model, const MetricInfo& metric, int material, int bins);

// Whether every value gets a bin of its own width: finite edges and a
// finite, positive bins-per-unit scale in float. A range whose width
// overflows float (linear -2e38 2e38), or a log range whose logs round
// together (log 100 100.00002), would put every value in one bin.
bool has_usable_bins(const HistSpec& spec);

// Thresholds used for `metric` when [output] sets none (may be empty).
std::vector<float> default_thresholds(const std::string& metric);

// The threshold a metric keeps whatever the config gives, because `remc
// info` reports it: 0.1 for max_shortage_frac, 0 for months_at_price_cap.
std::optional<float> always_kept_threshold(const std::string& metric);

// The thresholds a metric keeps of those given: sorted, without duplicates,
// and with its always-kept one. load_config and make_plan both hold this
// against kMaxThresholds.
std::vector<float> kept_thresholds(const std::string& metric, std::vector<float> given);

// The quantile levels reported: the nine standard levels (0.01 ... 0.99)
// and any configured ones, sorted, without duplicates.
std::vector<double> quantile_levels(const OutputOptions& output);

// Expected-shortfall tail fractions: mean of the worst 5 % and 1 % (the
// largest values, or the smallest for metrics whose worst_is_low is set).
const std::vector<double>& tail_levels();

// Number of cells of `metric` along its material axis (1 for global ones)
// and along its second axis (months, regimes, or 1 for summaries).
int material_extent(const OutputLayout& layout, const MetricInfo& metric);
int inner_extent(const OutputLayout& layout, const MetricInfo& metric);

// The cell of `metric` for material `material` (0 for global metrics) and
// `index` along the inner axis: month for series, regime for months_in_regime,
// 0 for summaries.
int cell_of(const OutputLayout& layout, const MetricInfo& metric, int material, int index);

// The spec index of `metric` for `material`.
int spec_of(const AggregationPlan& plan, const MetricInfo& metric, int material);

}  // namespace remc
