// The catalogue of outputs: name, units and description of every metric the
// kernels write (kernels/outputs.h), in layout order. The aggregator, the HDF5
// writer, `remc info` and docs/hdf5-schema.md all take names from here.
#pragma once

#include <string>
#include <vector>

namespace remc {

enum class MetricScope {
  kMonthlyMaterial,  // cells per (material, month): /series/NAME
  kMonthlyGlobal,    // cells per month: /series/NAME
  kSummaryMaterial,  // cells per material: /summary/NAME
  kSummaryGlobal,    // one cell: /summary/NAME
  kRegimeMonths,     // one cell per regime: /summary/months_in_regime
};

struct MetricInfo {
  const char* name;
  MetricScope scope;
  int index;  // enum value within its scope (kernels/outputs.h)
  const char* units;
  const char* description;
  // The worst outcomes are the smallest values (stock left, capacity online,
  // how soon a shortage comes), not the largest: expected shortfall then
  // averages the lowest tail.
  bool worst_is_low = false;
};

// Every metric, in the order of OutputLayout's cells.
const std::vector<MetricInfo>& metric_catalogue();

// The entry with this name, or nullptr.
const MetricInfo* find_metric(const std::string& name);

}  // namespace remc
