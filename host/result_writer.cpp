// HDF5 result writer: root provenance and coordinates, one group per metric,
// the regime group; written to a temporary file and renamed (result_writer.h).
#include "result_writer.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>

#include "aggregation_plan.h"
#include "build_info.h"
#include "config_values.h"
#include "errors.h"
#include "expression_args.h"
#include "h5_file.h"
#include "h5_variables.h"
#include "metrics.h"

namespace remc {

namespace {

// Thresholds as the shortest decimals that round to their floats: a threshold
// given as 0.3 is compared in single precision (0.300000012), but its
// coordinate reads 0.3, so `.sel(threshold=0.3)` finds it.
std::vector<double> thresholds_as_written(const HistSpec& spec) {
  std::vector<double> t;
  for (int i = 0; i < spec.threshold_count; ++i)
    t.push_back(std::strtod(format_float(spec.thresholds[i]).c_str(), nullptr));
  return t;
}

using h5::Axis;
using h5::Dataset;
using h5::Group;
using h5::write_coordinate;
using h5::write_variable;
using S = MetricScope;

std::vector<std::int64_t> index_range(std::size_t n) {
  std::vector<std::int64_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(i);
  return v;
}

// Values of the coordinates that several groups share.
struct SharedCoordinates {
  std::vector<std::string> time, material, regime;
  std::vector<double> quantile, tail;
};

SharedCoordinates shared_coordinates(const RunConfig& config, const AggregateResults& r) {
  const OutputLayout& layout = r.plan.layout;
  SharedCoordinates v;
  v.time = month_labels(config.run.start_year, config.run.start_month, layout.months);
  v.material = config.material_names;
  v.material.resize(layout.materials);
  v.regime = config.regime_names;
  v.regime.resize(layout.regimes);
  for (int k = 0; k < layout.regimes; ++k)
    if (v.regime[k].empty()) v.regime[k] = "state" + std::to_string(k);
  v.quantile = r.quantile_levels;
  v.tail = r.tail_levels;
  return v;
}

// Writes the shared coordinate `name` into `group`. Every group that uses one
// holds its own copy (the root holds them all): xarray opens one group at a
// time and labels a dimension only with a coordinate of that group.
Dataset write_shared(const Group& group, const std::string& name, const SharedCoordinates& v) {
  if (name == "time") return write_coordinate(group, name, v.time, "1", "simulated month, YYYY-MM");
  if (name == "material") return write_coordinate(group, name, v.material, "1", "material name");
  if (name == "regime") return write_coordinate(group, name, v.regime, "1", "export-control regime, in escalation order");
  if (name == "regime_from") return write_coordinate(group, name, v.regime, "1", "regime in the previous month");
  if (name == "regime_to") return write_coordinate(group, name, v.regime, "1", "regime in this month");
  if (name == "quantile") return write_coordinate(group, name, v.quantile, "1", "quantile level (probability)");
  return write_coordinate(group, "tail", v.tail, "1",
                          "tail fraction: expected shortfall is the mean of the worst `tail` share of paths");
}

// Copies width values per cell from a [cell][stride] array, cells in order.
template <class T>
std::vector<T> gather(const std::vector<T>& per_cell, const std::vector<int>& cells, std::size_t stride,
                      std::size_t width) {
  std::vector<T> out;
  out.reserve(cells.size() * width);
  for (int c : cells)
    for (std::size_t j = 0; j < width; ++j) out.push_back(per_cell[static_cast<std::size_t>(c) * stride + j]);
  return out;
}

// Writes /series/NAME or /summary/NAME.
void write_metric(const Group& parent, const MetricInfo& metric, const AggregateResults& r,
                  const SharedCoordinates& shared) {
  const AggregationPlan& plan = r.plan;
  const OutputLayout& layout = plan.layout;
  const int materials = material_extent(layout, metric);
  const int inner = inner_extent(layout, metric);
  const bool per_material = metric.scope == S::kMonthlyMaterial || metric.scope == S::kSummaryMaterial;

  const Group g = parent.create_group(metric.name);
  g.set_attribute("units", metric.units);
  g.set_attribute("description", metric.description);
  const std::string units = metric.units;
  const std::string what = metric.description;

  // Outer axes and their cells, row-major.
  std::optional<Dataset> material_coordinate, inner_coordinate;
  std::vector<Axis> outer;
  if (per_material) {
    material_coordinate = write_shared(g, "material", shared);
    outer.push_back({&*material_coordinate, static_cast<hsize_t>(materials)});
  }
  if (metric.scope == S::kMonthlyMaterial || metric.scope == S::kMonthlyGlobal || metric.scope == S::kRegimeMonths) {
    inner_coordinate = write_shared(g, metric.scope == S::kRegimeMonths ? "regime" : "time", shared);
    outer.push_back({&*inner_coordinate, static_cast<hsize_t>(inner)});
  }
  std::vector<int> cells;
  for (int m = 0; m < materials; ++m)
    for (int i = 0; i < inner; ++i) cells.push_back(cell_of(layout, metric, m, i));
  std::vector<const HistSpec*> specs;  // per material
  int max_bins = 0;
  for (int m = 0; m < materials; ++m) {
    specs.push_back(&plan.specs[spec_of(plan, metric, m)]);
    max_bins = std::max(max_bins, specs.back()->bins);
  }
  const HistSpec& first = *specs.front();
  const auto with = [&](const Axis& a) {
    std::vector<Axis> axes = outer;
    axes.push_back(a);
    return axes;
  };

  // Coordinates of this metric alone.
  const Dataset bin = write_coordinate(g, "bin", index_range(max_bins + 2), "1",
                                       "histogram counter: 0 underflow, 1..bins regular bins, bins+1 overflow");
  const Dataset edge = write_coordinate(g, "edge", index_range(max_bins + 1), "1", "bin edge index, 0..bins");
  std::optional<Dataset> threshold;
  if (first.threshold_count > 0)
    threshold = write_coordinate(g, "threshold", thresholds_as_written(first), units, "exceedance threshold");

  write_variable(g, "count", gather(r.count, cells, 1, 1), outer, "1", "number of paths");
  write_variable(g, "mean", gather(r.mean, cells, 1, 1), outer, units, "mean of " + what);
  write_variable(g, "std", gather(r.std_dev, cells, 1, 1), outer, units, "standard deviation (n - 1) of " + what);
  write_variable(g, "stderr", gather(r.std_error, cells, 1, 1), outer, units,
                 "standard error of the mean: std / sqrt(count)");
  write_variable(g, "min", gather(r.min, cells, 1, 1), outer, units, "smallest value over paths");
  write_variable(g, "max", gather(r.max, cells, 1, 1), outer, units, "largest value over paths");

  const std::size_t nq = r.quantile_levels.size();
  const Dataset quantile = write_shared(g, "quantile", shared);
  const Axis quantile_axis{&quantile, nq};
  write_variable(g, "quantiles", gather(r.quantile, cells, nq, nq), with(quantile_axis), units,
                 "quantiles, interpolated within histogram bins (log bins in log x)");
  write_variable(g, "resolution", gather(r.resolution, cells, nq, nq), with(quantile_axis), units,
                 "width of the histogram bin holding each quantile: a bound on its histogram error");

  // Histogram counts, rows padded with zeros to the widest material's bins.
  std::vector<std::uint64_t> hist;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const HistSpec& spec = *specs[i / inner];
    const std::uint64_t* counts = r.hist.data() + plan.hist_offset[cells[i]];
    for (int k = 0; k < max_bins + 2; ++k) hist.push_back(k < spec.bins + 2 ? counts[k] : 0);
  }
  write_variable(g, "hist", hist, with({&bin, static_cast<hsize_t>(max_bins + 2)}), "1",
                 "paths per histogram counter: 0 underflow (x < lo), 1..bins regular bins, bins+1 overflow (x >= hi)",
                 true);

  // Bin edges and scale per material (or once for a global metric).
  std::vector<Axis> material_axes;
  if (per_material) material_axes.push_back({&*material_coordinate, static_cast<hsize_t>(materials)});
  std::vector<double> edges;
  std::vector<std::int64_t> bins, log_scale;
  for (const HistSpec* spec : specs) {
    for (int k = 0; k <= max_bins; ++k) edges.push_back(k <= spec->bins ? bin_edge(*spec, k) : std::nan(""));
    bins.push_back(spec->bins);
    log_scale.push_back(spec->log_scale ? 1 : 0);
  }
  std::vector<Axis> edge_axes = material_axes;
  edge_axes.push_back({&edge, static_cast<hsize_t>(max_bins + 1)});
  write_variable(g, "bin_edges", edges, edge_axes, units, "edges of the regular bins (NaN past `bins`)");
  write_variable(g, "bins", bins, material_axes, "1", "number of regular histogram bins");
  write_variable(g, "log_scale", log_scale, material_axes, "1", "1: bins equal in log x; 0: linear");

  if (threshold) {
    const auto nt = static_cast<std::size_t>(first.threshold_count);
    const Axis threshold_axis{&*threshold, nt};
    write_variable(g, "exceedance", gather(r.exceedance, cells, kMaxThresholds, nt), with(threshold_axis), "1",
                   "P(X > threshold), share of paths above each threshold");
    write_variable(g, "exceedance_stderr", gather(r.exceedance_stderr, cells, kMaxThresholds, nt),
                   with(threshold_axis), "1", "binomial standard error sqrt(p (1 - p) / count)");
  }
  const std::size_t ntail = r.tail_levels.size();
  const Dataset tail = write_shared(g, "tail", shared);
  const Dataset es = write_variable(
      g, "expected_shortfall", gather(r.expected_shortfall, cells, ntail, ntail), with({&tail, ntail}), units,
      std::string("mean of the worst `tail` share of values: the ") + (metric.worst_is_low ? "smallest" : "largest") +
          ", from the histogram (uniform within bins)");
  es.set_attribute("worst_tail", metric.worst_is_low ? "low" : "high");
}

void write_regime(const Group& g, const AggregateResults& r, const SharedCoordinates& shared) {
  const OutputLayout& layout = r.plan.layout;
  const auto T = static_cast<hsize_t>(layout.months), K = static_cast<hsize_t>(layout.regimes);
  const Dataset time = write_shared(g, "time", shared);
  const Dataset regime = write_shared(g, "regime", shared);
  const Dataset from = write_shared(g, "regime_from", shared);
  const Dataset to = write_shared(g, "regime_to", shared);
  write_variable(g, "occupancy", r.occupancy, {{&time, T}, {&regime, K}}, "1",
                 "share of paths in each regime in each month");
  write_variable(g, "transitions", r.transitions, {{&time, T}, {&from, K}, {&to, K}}, "1",
                 "paths moving from regime_from (previous month) to regime_to (this month); month 0 is all zero");
}

void write_root_attributes(const Group& root, const RunConfig& config, const AggregateResults& r,
                           const Provenance& p) {
  root.set_attribute("filetype", kResultFiletype);
  root.set_attribute("format_version", kResultFormatVersion);
  root.set_attribute("remc_version", p.remc_version.empty() ? std::string(REMC_VERSION) : p.remc_version);
  const std::string sha = p.git_sha.empty() ? std::string(REMC_GIT_SHA) : p.git_sha;
  if (!sha.empty()) root.set_attribute("git_sha", sha);
  root.set_attribute("config", config.resolved_text);
  root.set_attribute("config_file", config.config_file);
  root.set_attribute("seed", static_cast<std::int64_t>(config.run.seed));
  root.set_attribute("paths", static_cast<std::int64_t>(r.paths));
  root.set_attribute("months", static_cast<std::int64_t>(r.plan.layout.months));
  root.set_attribute("start", month_label(config.run.start_year, config.run.start_month));
  root.set_attribute("backend", p.backend);
  root.set_attribute("device", p.device);
  root.set_attribute("threads", static_cast<std::int64_t>(p.threads));
  root.set_attribute("block_paths", static_cast<std::int64_t>(p.block_paths));
  root.set_attribute("created_utc", p.created_utc.empty() ? utc_now_iso8601() : p.created_utc);
  root.set_attribute("wall_seconds", p.wall_seconds);
  root.set_attribute("rng", p.rng);
}

// Everything inside the file; all handles close when this returns.
void write_contents(const h5::File& file, const RunConfig& config, const AggregateResults& r, const Provenance& p) {
  write_root_attributes(file, config, r, p);
  const SharedCoordinates shared = shared_coordinates(config, r);
  for (const char* name : {"time", "material", "quantile", "tail"}) write_shared(file, name, shared);
  const Group regime = file.create_group("regime");
  regime.set_attribute("description", "export-control regimes: occupancy, transitions, months in each regime");
  const Group series = file.create_group("series");
  series.set_attribute("description", "per-month outputs: statistics over paths for each month");
  const Group summary = file.create_group("summary");
  summary.set_attribute("description", "per-path summaries over the horizon: statistics over paths");
  for (const MetricInfo& metric : metric_catalogue()) {
    if (metric.scope == S::kMonthlyGlobal && metric.index == kRegime) continue;  // occupancy instead
    const bool monthly = metric.scope == S::kMonthlyMaterial || metric.scope == S::kMonthlyGlobal;
    write_metric(metric.scope == S::kRegimeMonths ? regime : monthly ? series : summary, metric, r, shared);
  }
  write_regime(regime, r, shared);
}

}  // namespace

std::string utc_now_iso8601() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::vector<std::string> month_labels(int start_year, int start_month, int months) {
  std::vector<std::string> labels;
  for (int t = 0; t < months; ++t) {
    const int index = start_month - 1 + t;
    labels.push_back(month_label(start_year + index / 12, index % 12 + 1));
  }
  return labels;
}

void write_result(const std::string& path, const RunConfig& config, const AggregateResults& results,
                  const Provenance& provenance, const std::function<void(const h5::File&)>& extra) {
  const std::filesystem::path target(path);
  const std::filesystem::path folder = target.has_parent_path() ? target.parent_path() : ".";
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw RuntimeError("cannot write results to " + path + ": folder " + folder.string() + " does not exist");
  h5::write_atomically(path, "results to", [&](const h5::File& file) {
    write_contents(file, config, results, provenance);
    if (extra) extra(file);
  });
}

}  // namespace remc
