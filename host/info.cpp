// `remc info RESULT.h5`: the headline risk table per material and the run's
// provenance, read from the result file.
#include "info.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "checkpoint.h"
#include "errors.h"
#include "result_reader.h"
#include "result_writer.h"
#include "run_state.h"
#include "target_report.h"
#include "study_parts.h"
#include "study_run.h"
#include "text_table.h"

namespace remc {

namespace {

std::string format(const char* pattern, double a, double b = 0.0) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, a, b);
  return text;
}

// Index of `level` in `levels` (within float rounding), or -1.
int find_level(const std::vector<double>& levels, double level) {
  for (std::size_t i = 0; i < levels.size(); ++i)
    if (std::fabs(levels[i] - level) < 1e-6) return static_cast<int>(i);
  return -1;
}

// A quantile read from a histogram: marked when its bin (the bound on its
// error) is wider than 5 % of the value.
std::string quantile(double q, double resolution, bool* coarse) {
  const bool wide = resolution > 0.05 * std::fabs(q);
  *coarse = *coarse || wide;
  return format("%.3g", q) + (wide ? " *" : "");
}

// The share of paths whose ex-China price reached its cap in some month, per
// material where any did: their peak price ratio is the cap, so the upper
// quantiles of that share restate the cap rather than forecast a price.
void print_price_cap_share(const ResultReader& result, const std::string& path,
                           const std::vector<std::string>& materials, std::ostream& out) {
  const std::string group = "/summary/months_at_price_cap/";
  if (!result.has(group + "exceedance")) return;  // a file from before the metric
  const std::vector<double> thresholds = result.doubles(group + "threshold");
  // Exactly 0, the threshold always kept (a user's -1e-7 is not it).
  const auto zero = std::find(thresholds.begin(), thresholds.end(), 0.0);
  if (zero == thresholds.end()) return;
  const auto at_0 = zero - thresholds.begin();
  const std::vector<double> share = result.doubles(group + "exceedance");
  check_dataset_size(path, group + "exceedance", share.size(), materials.size() * thresholds.size());
  std::string listed;
  for (std::size_t m = 0; m < materials.size(); ++m) {
    const double p = share[m * thresholds.size() + static_cast<std::size_t>(at_0)];
    if (p > 0) listed += (listed.empty() ? "" : ", ") + materials[m] + " " + format("%.3g %%", 100 * p);
  }
  if (listed.empty()) return;
  out << "\n  price at its cap ([price] max) in some month: " << listed
      << "\n  (those paths' peak price ratio is the cap: quantiles within that top share restate it)\n";
}

}  // namespace

void check_dataset_size(const std::string& path, const std::string& name, std::size_t size, std::size_t expected) {
  if (size != expected)
    throw UsageError("info: " + path + ": " + name + " has " + std::to_string(size) + " values, the file's " +
                     "coordinates give " + std::to_string(expected) + " (a damaged file?)");
}

int info_command(const std::string& path, std::ostream& out) {
  if (is_study_file(path)) {
    print_study_info(path, out);
    return 0;
  }
  if (is_study_part(path)) {
    print_study_part_info(path, out);
    return 0;
  }
  // A file of another kind is the wrong argument (exit 2), like a missing one,
  // and so is a damaged one whose datasets contradict each other; a remc
  // result that HDF5 cannot read is a runtime error (exit 1).
  if (is_checkpoint(path))
    throw UsageError("info: " + path + ": a remc checkpoint, not a result; continue the run with remc run --resume " +
                     path);
  if (!h5::has_filetype(path, kResultFiletype))
    throw UsageError("info: " + path + ": not a remc result or study file");
  const ResultReader result(path);
  const ResultProvenance p = result.provenance();
  const std::vector<std::string> materials = result.strings("/material");
  const std::vector<double> quantile_levels = result.doubles("/quantile");
  const std::size_t nq = quantile_levels.size();

  const std::vector<double> thresholds = result.doubles("/summary/max_shortage_frac/threshold");
  const int at_10 = find_level(thresholds, 0.1);
  if (at_10 < 0)
    throw UsageError("info: " + path + ": /summary/max_shortage_frac has no threshold 0.1 (a damaged file?)");
  // A dataset whose size contradicts the file's own coordinates is a damaged
  // (or edited) file: refused, like a file of another kind, before any reading.
  const auto sized = [&](const std::string& name, std::size_t expected) {
    std::vector<double> v = result.doubles(name);
    check_dataset_size(path, name, v.size(), expected);
    return v;
  };
  const std::size_t M = materials.size();
  const std::vector<double> exceed = sized("/summary/max_shortage_frac/exceedance", M * thresholds.size());
  const std::vector<double> exceed_error = sized("/summary/max_shortage_frac/exceedance_stderr", M * thresholds.size());
  const std::vector<double> shortage = sized("/summary/cum_shortage/mean", M);
  const std::vector<double> shortage_error = sized("/summary/cum_shortage/stderr", M);
  const std::vector<double> exceed_count = sized("/summary/max_shortage_frac/count", M);
  const std::vector<double> peak = sized("/summary/peak_price_ratio/quantiles", M * nq);
  const std::vector<double> peak_resolution = sized("/summary/peak_price_ratio/resolution", M * nq);
  const double restricted = sized("/summary/months_restricted/mean", 1).front();
  const double restricted_error = sized("/summary/months_restricted/stderr", 1).front();
  const int median = find_level(quantile_levels, 0.5), p95 = find_level(quantile_levels, 0.95);

  out << "remc result " << path << ": " << p.paths << (p.paths == 1 ? " path, " : " paths, ") << p.months
      << " months from " << p.start << "\n";
  if (has_run_state(result.file())) {
    const RunState state = read_run_state(result.file());
    out << "partial result: shard " << state.shard.index << "/" << state.shard.count << ", paths "
        << state.first_path << ".." << state.first_path + state.paths << " of " << state.total_paths
        << " (combine the shards with remc merge)\n";
  }
  if (result.file().has_attribute("missing"))
    out << "merged without some shards: missing " << result.file().string_attribute("missing") << "\n";
  out << "\n";
  std::vector<std::vector<std::string>> rows = {
      {"material", "P(shortage > 10 % in any month)", "cumulative shortage", "peak price / ref", "peak price / ref"},
      {"", "± stderr", "mean ± stderr (t)", "median", "95th percentile"}};
  bool bounded = false, coarse = false;
  for (std::size_t m = 0; m < materials.size(); ++m) {
    const std::size_t e = m * thresholds.size() + static_cast<std::size_t>(at_10);
    const std::size_t q50 = m * nq + static_cast<std::size_t>(median), q95 = m * nq + static_cast<std::size_t>(p95);
    rows.push_back({materials[m], probability_with_error(exceed[e], exceed_error[e], exceed_count[m], &bounded),
                    with_error(shortage[m], shortage_error[m]),
                    median < 0 ? "n/a" : quantile(peak[q50], peak_resolution[q50], &coarse),
                    p95 < 0 ? "n/a" : quantile(peak[q95], peak_resolution[q95], &coarse)});
  }
  print_table(rows, out);
  if (bounded)
    out << "\n  (< x %), (> x %): no path, or every path, went above 10 %; x is a one-sided 95 % bound";
  if (coarse)
    out << "\n  *: the quantile's histogram bin, which bounds its error, is wider than 5 % of it"
           " (finer bins: [output] hist.peak_price_ratio)";
  if (bounded || coarse) out << "\n";
  print_price_cap_share(result, path, materials, out);

  out << "\n  expected months restricted (any regime above the first): " << with_error(restricted, restricted_error)
      << " of " << p.months << "\n\n";
  if (result.has("/targets/expression")) {
    print_target_report(result, out);
    out << "\n";
  }

  std::vector<std::vector<std::string>> provenance = {
      {"version", p.remc_version + (p.git_sha.empty() ? "" : " (git " + p.git_sha + ")")},
      {"config file", p.config_file},
      {"seed", std::to_string(p.seed)},
      {"paths", std::to_string(p.paths)},
      {"backend", p.backend},
      {"device", p.device},
      {"threads", std::to_string(p.threads)},
      {"created", p.created_utc},
      {"wall time", format("%.1f s", p.wall_seconds)},
  };
  out << "provenance\n";
  for (auto& row : provenance) row[0] += ":";
  // Left-align both columns: values are text.
  std::size_t key_width = 0;
  for (const auto& row : provenance) key_width = std::max(key_width, row[0].size());
  for (const auto& row : provenance) out << "  " << row[0] << std::string(key_width - row[0].size() + 1, ' ') << row[1] << "\n";
  return 0;
}

}  // namespace remc
