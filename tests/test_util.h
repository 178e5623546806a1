// Shared helpers for the statistical kernel tests: a law to draw from, sample
// moments in double, the normal law, and the chi-square tail for
// goodness-of-fit checks.
//
// Tolerance convention (STYLE.md, "Statistical tests"): every statistical
// check uses a fixed seed and a band of kSigmas standard errors. For a
// normally distributed estimator, P(|Z| > 5) = 5.7e-7, so one check fails by
// chance with probability ~6e-7; the whole suite has a few dozen such checks,
// i.e. a false-failure rate of about 1e-5 per fresh seed. With the seeds
// fixed the outcome is deterministic: a failure means a change in the code.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include "distributions.h"

namespace remc_test {

constexpr double kSigmas = 5.0;
constexpr double kPi = 3.14159265358979323846;

// A law with parameters a, b, c (their meaning per kind: kernels/distributions.h), untruncated.
inline remc::DistSpec dist_spec(remc::DistKind kind, float a, float b = 0.0f, float c = 0.0f) {
  remc::DistSpec d;
  d.kind = kind;
  d.a = a;
  d.b = b;
  d.c = c;
  return d;
}

// d with draws outside [lo, hi] rejected.
inline remc::DistSpec truncated_spec(remc::DistSpec d, float lo, float hi) {
  d.truncated = true;
  d.lo = lo;
  d.hi = hi;
  return d;
}

// Mean, variance and fourth central moment of a sample, in double, by two
// passes (the values are kept, so there is no cancellation to worry about).
struct Moments {
  double n = 0.0;
  double mean = 0.0;
  double var = 0.0;  // divisor n (the n-1 correction is far below the tolerance)
  double m4 = 0.0;

  // Standard error of the sample mean, from the sample variance.
  double se_mean() const { return std::sqrt(var / n); }
  // Standard error of the sample variance: Var(s^2) ~ (mu4 - sigma^4) / n,
  // estimated with the sample fourth central moment.
  double se_var() const { return std::sqrt((m4 - var * var) / n); }
};

inline Moments moments(const std::vector<double>& x) {
  Moments m;
  m.n = static_cast<double>(x.size());
  double s = 0.0;
  for (double v : x) s += v;
  m.mean = s / m.n;
  double s2 = 0.0, s4 = 0.0;
  for (double v : x) {
    const double d = v - m.mean;
    s2 += d * d;
    s4 += d * d * d * d;
  }
  m.var = s2 / m.n;
  m.m4 = s4 / m.n;
  return m;
}

// Standard error of a binomial proportion p estimated from n trials.
inline double binomial_se(double p, double n) { return std::sqrt(p * (1.0 - p) / n); }

inline double normal_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * kPi); }
inline double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Upper tail P(X > x) of a chi-square law with an odd number of degrees of
// freedom dof = 2n + 1, in closed form (Abramowitz & Stegun 26.4.4):
//   Q = 2 (1 - Phi(s)) + 2 phi(s) * sum_{k=1..n} s^(2k-1) / (1 * 3 * ... * (2k-1)),  s = sqrt(x).
// Exact up to rounding; used to turn a chi-square statistic into a p-value
// instead of trusting a tabulated critical value.
inline double chi2_sf_odd(double x, int dof) {
  const double s = std::sqrt(x);
  double q = std::erfc(s / std::sqrt(2.0));  // = 2 (1 - Phi(s))
  double term = s;                            // s^(2k-1) / (2k-1)!!
  double sum = 0.0;
  for (int k = 1; 2 * k + 1 <= dof; ++k) {
    sum += term;
    term *= x / static_cast<double>(2 * k + 1);
  }
  return q + 2.0 * normal_pdf(s) * sum;
}

// Pearson statistic of observed counts against equal expected counts.
inline double chi2_equiprobable(const std::vector<std::int64_t>& counts) {
  double total = 0.0;
  for (auto c : counts) total += static_cast<double>(c);
  const double expected = total / static_cast<double>(counts.size());
  double stat = 0.0;
  for (auto c : counts) {
    const double d = static_cast<double>(c) - expected;
    stat += d * d / expected;
  }
  return stat;
}

}  // namespace remc_test
