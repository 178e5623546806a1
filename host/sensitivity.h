// Global sensitivity analysis: which inputs of a model drive its output.
//
// Three pieces, all host-side and standard-library only:
//   - sample designs on the unit cube: Sobol low-discrepancy points (plain or
//     Owen-scrambled) and plain pseudo-random points;
//   - variance-based (Sobol) indices from Saltelli's A / B / A_B^i design,
//     with percentile-bootstrap confidence intervals;
//   - Morris elementary-effects screening, for many factors and few runs.
//
// Everything is deterministic for a seed, and the random streams are built
// from std::mt19937_64 and our own integer/real conversions rather than
// std::uniform_*_distribution, whose output differs between standard
// libraries: the same seed gives the same design on every platform.
//
// Unit coordinates only: mapping [0,1) to a factor's real range or
// distribution is the caller's job (u -> lo + u (hi - lo), or an inverse CDF).
#pragma once

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

namespace remc::sens {

// Sobol dimensions available: 1 (van der Corput) plus 63 rows of Joe & Kuo's
// table. A Saltelli design with Sobol points needs 2d of them, so d <= 32.
constexpr int kSobolMaxDimensions = 64;

// Points 1..n of the d-dimensional Sobol sequence (Joe & Kuo 2008 direction
// numbers, Gray-code order), row-major n x d, values in [0, 1). Point 0 (the
// origin) is skipped so no point sits on the corner.
//
// scrambled = true applies a nested uniform (Owen 1995) scramble seeded by
// `seed` and then starts at point 0 instead: a scrambled point 0 is not on
// the corner, and keeping it makes the first 2^m points a scrambled (t,m,d)-net
// (Owen 2022, "On dropping the first Sobol' point"). Deterministic for a seed;
// the seed is ignored when unscrambled.
// Throws std::invalid_argument unless n >= 1 and 1 <= d <= kSobolMaxDimensions.
std::vector<double> sobol_points(int n, int d, bool scrambled, std::uint64_t seed);

// Plain pseudo-random points (std::mt19937_64 seeded by `seed`, 53 bits per
// coordinate), row-major n x d, values in [0, 1).
// Throws std::invalid_argument unless n >= 1 and d >= 1.
std::vector<double> random_points(int n, int d, std::uint64_t seed);

// Saltelli's design for first-order and total indices of d factors from n
// base samples: a base matrix of n x 2d unit points (scrambled Sobol seeded
// by `seed` when `sobol`, else random_points), A = its first d columns,
// B = its last d columns, and for each i the matrix A_B^i = A with column i
// taken from B. Rows in evaluation order: A (n rows), B (n rows),
// A_B^1 (n rows), ..., A_B^d (n rows): n (d + 2) rows of d unit coordinates.
struct SaltelliDesign {
  int n = 0, d = 0;
  std::vector<double> unit;  // n (d + 2) x d, row-major, in [0,1)
  int row_a(int j) const { return j; }
  int row_b(int j) const { return n + j; }
  int row_ab(int i, int j) const { return (2 + i) * n + j; }
  int rows() const { return n * (d + 2); }
};
// Throws std::invalid_argument unless n >= 2, d >= 1 and, with `sobol`,
// 2d <= kSobolMaxDimensions.
SaltelliDesign saltelli_design(int n, int d, bool sobol, std::uint64_t seed);

// First-order and total Sobol indices with percentile-bootstrap intervals.
struct SobolIndices {
  std::vector<double> first, first_lo, first_hi;
  std::vector<double> total, total_lo, total_hi;
  double variance = 0.0;  // V, sample variance of the 2n values f_A and f_B
  double mean = 0.0;      // mean of the same 2n values
};

// S_i = mean(f_B (f_ABi - f_A)) / V (Saltelli et al. 2010) and
// ST_i = mean((f_A - f_ABi)^2) / (2 V) (Jansen 1999), from `y`: the model at
// every design row, in design order (design.rows() values).
// Intervals: nonparametric bootstrap over the n base rows (one draw of row
// indices serves f_A, f_B and every f_ABi, so the estimates stay paired),
// `resamples` times, percentile interval at `confidence` (e.g. 0.95), seeded
// by `seed`. The estimates are not clipped to [0, 1]: a first-order index
// slightly below 0 is the honest estimate of a near-zero effect.
// Throws std::invalid_argument for a malformed design or y, resamples < 1,
// confidence outside (0, 1), or an output with zero variance.
SobolIndices sobol_indices(const SaltelliDesign& design, const std::vector<double>& y, int resamples, double confidence,
                           std::uint64_t seed);

// Morris one-at-a-time design: r trajectories of k + 1 points each.
struct MorrisDesign {
  int r = 0, k = 0, levels = 0;
  double delta = 0.0;        // levels / (2 (levels - 1))
  std::vector<double> unit;  // r (k + 1) x k, row-major, on the grid {0, 1/(levels-1), ..., 1}
  std::vector<int> moved;    // per row: factor changed from the previous row, -1 for a trajectory's first row
  std::vector<double> step;  // per row: +delta or -delta for the moved factor (0 for first rows)
  int rows() const { return r * (k + 1); }
};

// Morris (1991) trajectories on a p-level grid (p = `levels`, even). Each
// trajectory starts at a uniformly drawn grid point and moves every factor
// once, in a random order, by +delta if its level is in the lower half of the
// grid and -delta otherwise (the only move that stays inside [0,1]).
// Deterministic for a seed.
// Throws std::invalid_argument unless r >= 1, k >= 1 and levels is even >= 2.
MorrisDesign morris_design(int r, int k, int levels, std::uint64_t seed);

// Per factor: mu (mean elementary effect), mu* (mean absolute EE, Campolongo
// et al. 2007), sigma (sample standard deviation of the EE, r - 1
// denominator; 0 with a single trajectory) and the standard error of mu*,
// sd(|EE|) / sqrt(r) (the r trajectories are independent; 0 with one). EE =
// (y_row - y_prev) / step, in output units per unit of the factor's [0,1] range.
struct MorrisStats {
  std::vector<double> mu, mu_star, sigma, mu_star_stderr;
};
// Throws std::invalid_argument for a malformed design or y.size() != rows().
MorrisStats morris_statistics(const MorrisDesign& design, const std::vector<double>& y);

// Percentile bootstrap (Efron & Tibshirani 1993, ch. 13): `resamples` times,
// draws n indices from {0, ..., n-1} with replacement, evaluates `statistic`
// on them, and returns the (1 - confidence)/2 and (1 + confidence)/2
// quantiles of the results as (lo, hi). The index draws for a seed are the
// ones sobol_indices uses for the same seed and n.
// Throws std::invalid_argument unless n >= 1, resamples >= 1 and
// 0 < confidence < 1.
std::pair<double, double> bootstrap_interval(int n, const std::function<double(const std::vector<int>&)>& statistic,
                                             int resamples, double confidence, std::uint64_t seed);

}  // namespace remc::sens
