// A study's outputs: scalar statistics of a run, written as small expressions
// in the study file's `outputs` key (docs/studies.md):
//
//   p_exceed(METRIC, [MATERIAL,] [YYYY-MM,] X)   P(value > X); a monthly series needs the month
//   p_exceed_any(METRIC, [MATERIAL,] X)          P(value > X in at least one month); monthly series only
//   mean(METRIC, [MATERIAL,] [YYYY-MM])          mean value
//   quantile(METRIC, [MATERIAL,] [YYYY-MM,] Q)   Q-quantile, 0 < Q < 1
//   expected_shortfall(METRIC, [MATERIAL,] [YYYY-MM,] L)
//                                                mean of the worst 1 - L of paths (the upper
//                                                tail above the L-quantile), 0 < L < 1
//
// MATERIAL is required for per-material metrics and absent for global ones;
// a per-material summary cost without a material means its total over
// materials (shortage_cost -> total_shortage_cost). Each output reduces to one
// value per path (kernels/study.h's PathExtract) and a statistic of those.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "run_config.h"
#include "study.h"

namespace remc {

enum class OutputStat { kPExceed, kPExceedAny, kMean, kQuantile, kExpectedShortfall };

struct StudyOutput {
  std::string text;        // normalised: "stat(arg, arg, ...)" with single spaces after commas
  OutputStat stat = OutputStat::kMean;
  PathExtract extract;     // the per-path value
  double threshold = 0.0;  // p_exceed, p_exceed_any: X
  double level = 0.0;      // quantile: Q; expected_shortfall: L
  bool worst_is_low = false;  // expected_shortfall averages the lowest values (MetricInfo::worst_is_low)
  std::string units;       // of the statistic: "1" for probabilities, else the metric's
  std::string description; // one line, for the HDF5 attribute
};

// Parses one expression against the base config (its materials, months and
// layout). Throws ValueError with the reason (the caller adds file, section
// and key).
StudyOutput parse_study_output(const std::string& text, const RunConfig& config);

// Splits the `outputs` value at top-level ';' and parses each.
std::vector<StudyOutput> parse_study_outputs(const std::string& list, const RunConfig& config);

// The statistic of one design point's per-path values, with its standard
// error. Probabilities and means: the sample mean and sd / sqrt(n).
// Quantiles: the sample quantile (type 7 interpolation); its standard error
// from the distribution-free order-statistic interval (the ranks n q +- sqrt(n
// q (1 - q)), half the distance between those order statistics). Expected
// shortfall: the mean of the values at or above the L-quantile; standard
// error sqrt((var(tail) + L (ES - VaR)^2) / (n (1 - L))), the asymptotic
// variance of the estimator.
struct Estimate {
  double value = 0.0;
  double stderr_ = 0.0;
};
Estimate estimate(const StudyOutput& output, const float* values, std::uint64_t n);

// An expected shortfall of a metric whose worst values are its smallest is
// the usual (upper-tail) estimator applied to the negated values, negated
// back; upper_tail_of gives that usual form of the output.
bool averages_lower_tail(const StudyOutput& output);
StudyOutput upper_tail_of(StudyOutput output);

// The mean of per-path terms term(0 .. n - 1) and its standard error
// sd / sqrt(n) (two passes, so no cancellation; 0 below 2 terms). Means,
// probabilities and paired differences all reduce to this.
template <class Term>
Estimate mean_of_terms(std::uint64_t n, const Term& term) {
  Estimate e;
  if (n == 0) return e;
  const double dn = static_cast<double>(n);
  double sum = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) sum += term(i);
  e.value = sum / dn;
  double m2 = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double d = term(i) - e.value;
    m2 += d * d;
  }
  e.stderr_ = n > 1 ? std::sqrt(m2 / (dn - 1.0) / dn) : 0.0;
  return e;
}

// The statistic alone (no standard error): estimate().value up to the order
// of a sum; faster
// for resampling (selection instead of sorting). Reorders `values`.
double statistic(const StudyOutput& output, std::vector<float>& values);

// The per-path values an output averages (indicator or value), for paired
// differences of means: value[i] becomes the indicator for p_exceed*.
bool output_is_mean(const StudyOutput& output);
double path_term(const StudyOutput& output, float value);

}  // namespace remc
