// Precision targets (`remc run --target EXPR=HALFWIDTH`): the expression
// grammar, and a target's estimate and 95 % confidence half-width from the
// aggregation state (moment trees and exact exceedance counts).
//
// Grammar (blanks around tokens are ignored):
//   mean(METRIC, MATERIAL, YYYY-MM)        per-material monthly series
//   mean(METRIC, MATERIAL)                 per-material summary
//   mean(METRIC, YYYY-MM)                  global monthly series
//   mean(METRIC)                           global summary
//   p_exceed(METRIC, MATERIAL, YYYY-MM, X) P(value > X), X one of the metric's
//   p_exceed(METRIC, MATERIAL, X)          exceedance thresholds ([output]
//   p_exceed(METRIC, YYYY-MM, X)           thresholds.METRIC)
//   p_exceed(METRIC, X)
// Half-widths: mean 1.96 * sqrt(m2 / (n - 1)) / sqrt(n) (the result's
// `stderr`); p_exceed 1.96 * sqrt(p (1 - p) / n) with p = count(x > X) / n.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine.h"
#include "moment_tree.h"
#include "run_config.h"

namespace remc {

// z of a two-sided 95 % normal confidence interval.
constexpr double kTargetZ = 1.96;

struct Target {
  std::string expression;  // as given, before the '='
  double halfwidth = 0.0;  // wanted 95 % half-width, > 0
  bool exceedance = false; // p_exceed (else mean)
  int cell = 0;            // the plan cell the expression names
  int threshold = 0;       // index into the cell's thresholds (p_exceed only)
  std::string units;       // of the estimate: the metric's for mean, "1" for p_exceed
};

// Parses one --target argument "EXPR=HALFWIDTH" (split at the last '=')
// against the config and its plan. Throws UsageError naming the argument
// and what is wrong.
Target parse_target(const std::string& argument, const RunConfig& config, const AggregationPlan& plan);

struct TargetStatus {
  double estimate = 0.0;   // mean, or P(value > X)
  double halfwidth = 0.0;  // achieved 95 % half-width (NaN before 2 paths)
  std::uint64_t paths = 0; // n
  bool met = false;        // halfwidth <= target, with a positive standard error
};

// The target's status from per-cell moment trees and exceedance counts
// ([cell][kMaxThresholds], CountTotals::exceed). A sample without spread
// (all values equal, or p = 0 or 1) has a standard error of 0 whatever the
// truth, so it never counts as met.
TargetStatus evaluate_target(const Target& target, const std::vector<MomentTree>& trees,
                             const std::vector<std::uint64_t>& exceed);

// Whether every target is met by these statistics.
bool all_targets_met(const std::vector<Target>& targets, const std::vector<MomentTree>& trees,
                     const std::vector<std::uint64_t>& exceed);

}  // namespace remc
