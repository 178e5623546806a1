// Sobol and random designs, Sobol indices with bootstrap intervals, and
// Morris screening (see sensitivity.h).
#include "sensitivity.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace remc::sens {
namespace {

// ---------------------------------------------------------------------------
// Argument checks

void require(bool ok, const std::string& message) {
  if (!ok) throw std::invalid_argument("sensitivity: " + message);
}

// Rejects matrices whose row count would overflow the int row API or whose
// size would overflow a vector of doubles.
void require_fits(std::int64_t rows, std::int64_t cols, const char* what) {
  const std::int64_t max_rows = std::numeric_limits<int>::max();
  const std::int64_t max_values = std::numeric_limits<std::ptrdiff_t>::max() / std::int64_t{sizeof(double)};
  require(rows <= max_rows && rows * cols <= max_values,
          std::string(what) + " is too large (" + std::to_string(rows) + " x " + std::to_string(cols) + ")");
}

// ---------------------------------------------------------------------------
// Portable random numbers. std::uniform_*_distribution may differ between
// standard libraries, so these conversions are ours.

// Uniform double in [0, 1) from the top 53 bits of one 64-bit draw.
double unit_real(std::uint64_t bits) { return static_cast<double>(bits >> 11) * 0x1.0p-53; }

// Uniform integer in [0, bound) without modulo bias: draws below 2^64 mod bound
// are rejected, leaving a range that is a whole number of copies of [0, bound).
std::uint64_t uniform_below(std::mt19937_64& rng, std::uint64_t bound) {
  const std::uint64_t reject_below = (0 - bound) % bound;  // 2^64 mod bound
  for (;;) {
    const std::uint64_t r = rng();
    if (r >= reject_below) return r % bound;
  }
}

// SplitMix64 (Steele, Lea & Flood 2014, OOPSLA, "Fast splittable
// pseudorandom number generators"): a bijective 64-bit mixer whose output
// bits look independent, used as a stateless hash. The added golden-ratio
// constant keeps hash(0) away from 0.
std::uint64_t hash64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// ---------------------------------------------------------------------------
// Sobol direction numbers

constexpr int kBits = 32;  // resolution of the unscrambled sequence: points are k / 2^32

// One row of Joe & Kuo's table: the primitive polynomial
// x^s + a_1 x^(s-1) + ... + a_(s-1) x + 1 over GF(2), with `a` holding
// a_1 ... a_(s-1) as bits (a_1 most significant), and the initial direction
// numbers m_1 ... m_s (m_k odd, m_k < 2^k).
struct JoeKuoRow {
  int degree;
  std::uint32_t a;
  std::array<std::uint32_t, 9> m;
};

// Dimensions 2..64 of S. Joe and F. Y. Kuo, "Constructing Sobol sequences
// with better two-dimensional projections", SIAM J. Sci. Comput. 30 (2008)
// 2635-2654; data file new-joe-kuo-6.21201 from
// https://web.maths.unsw.edu.au/~fkuo/sobol/ (columns s, a, m_i of rows
// d = 2..64). Dimension 1 (m_k = 1 for all k) is not in the file.
constexpr std::array<JoeKuoRow, kSobolMaxDimensions - 1> kJoeKuo = {{
    {1, 0, {1}},                                   // d = 2
    {2, 1, {1, 3}},                                // d = 3
    {3, 1, {1, 3, 1}},                             // d = 4
    {3, 2, {1, 1, 1}},                             // d = 5
    {4, 1, {1, 1, 3, 3}},                          // d = 6
    {4, 4, {1, 3, 5, 13}},                         // d = 7
    {5, 2, {1, 1, 5, 5, 17}},                      // d = 8
    {5, 4, {1, 1, 5, 5, 5}},                       // d = 9
    {5, 7, {1, 1, 7, 11, 19}},                     // d = 10
    {5, 11, {1, 1, 5, 1, 1}},                      // d = 11
    {5, 13, {1, 1, 1, 3, 11}},                     // d = 12
    {5, 14, {1, 3, 5, 5, 31}},                     // d = 13
    {6, 1, {1, 3, 3, 9, 7, 49}},                   // d = 14
    {6, 13, {1, 1, 1, 15, 21, 21}},                // d = 15
    {6, 16, {1, 3, 1, 13, 27, 49}},                // d = 16
    {6, 19, {1, 1, 1, 15, 7, 5}},                  // d = 17
    {6, 22, {1, 3, 1, 15, 13, 25}},                // d = 18
    {6, 25, {1, 1, 5, 5, 19, 61}},                 // d = 19
    {7, 1, {1, 3, 7, 11, 23, 15, 103}},            // d = 20
    {7, 4, {1, 3, 7, 13, 13, 15, 69}},             // d = 21
    {7, 7, {1, 1, 3, 13, 7, 35, 63}},              // d = 22
    {7, 8, {1, 3, 5, 9, 1, 25, 53}},               // d = 23
    {7, 14, {1, 3, 1, 13, 9, 35, 107}},            // d = 24
    {7, 19, {1, 3, 1, 5, 27, 61, 31}},             // d = 25
    {7, 21, {1, 1, 5, 11, 19, 41, 61}},            // d = 26
    {7, 28, {1, 3, 5, 3, 3, 13, 69}},              // d = 27
    {7, 31, {1, 1, 7, 13, 1, 19, 1}},              // d = 28
    {7, 32, {1, 3, 7, 5, 13, 19, 59}},             // d = 29
    {7, 37, {1, 1, 3, 9, 25, 29, 41}},             // d = 30
    {7, 41, {1, 3, 5, 13, 23, 1, 55}},             // d = 31
    {7, 42, {1, 3, 7, 3, 13, 59, 17}},             // d = 32
    {7, 50, {1, 3, 1, 3, 5, 53, 69}},              // d = 33
    {7, 55, {1, 1, 5, 5, 23, 33, 13}},             // d = 34
    {7, 56, {1, 1, 7, 7, 1, 61, 123}},             // d = 35
    {7, 59, {1, 1, 7, 9, 13, 61, 49}},             // d = 36
    {7, 62, {1, 3, 3, 5, 3, 55, 33}},              // d = 37
    {8, 14, {1, 3, 1, 15, 31, 13, 49, 245}},       // d = 38
    {8, 21, {1, 3, 5, 15, 31, 59, 63, 97}},        // d = 39
    {8, 22, {1, 3, 1, 11, 11, 11, 77, 249}},       // d = 40
    {8, 38, {1, 3, 1, 11, 27, 43, 71, 9}},         // d = 41
    {8, 47, {1, 1, 7, 15, 21, 11, 81, 45}},        // d = 42
    {8, 49, {1, 3, 7, 3, 25, 31, 65, 79}},         // d = 43
    {8, 50, {1, 3, 1, 1, 19, 11, 3, 205}},         // d = 44
    {8, 52, {1, 1, 5, 9, 19, 21, 29, 157}},        // d = 45
    {8, 56, {1, 3, 7, 11, 1, 33, 89, 185}},        // d = 46
    {8, 67, {1, 3, 3, 3, 15, 9, 79, 71}},          // d = 47
    {8, 70, {1, 3, 7, 11, 15, 39, 119, 27}},       // d = 48
    {8, 84, {1, 1, 3, 1, 11, 31, 97, 225}},        // d = 49
    {8, 97, {1, 1, 1, 3, 23, 43, 57, 177}},        // d = 50
    {8, 103, {1, 3, 7, 7, 17, 17, 37, 71}},        // d = 51
    {8, 115, {1, 3, 1, 5, 27, 63, 123, 213}},      // d = 52
    {8, 122, {1, 1, 3, 5, 11, 43, 53, 133}},       // d = 53
    {9, 8, {1, 3, 5, 5, 29, 17, 47, 173, 479}},    // d = 54
    {9, 13, {1, 3, 3, 11, 3, 1, 109, 9, 69}},      // d = 55
    {9, 16, {1, 1, 1, 5, 17, 39, 23, 5, 343}},     // d = 56
    {9, 22, {1, 3, 1, 5, 25, 15, 31, 103, 499}},   // d = 57
    {9, 25, {1, 1, 1, 11, 11, 17, 63, 105, 183}},  // d = 58
    {9, 44, {1, 1, 5, 11, 9, 29, 97, 231, 363}},   // d = 59
    {9, 47, {1, 1, 5, 15, 19, 45, 41, 7, 383}},    // d = 60
    {9, 52, {1, 3, 7, 7, 31, 19, 83, 137, 221}},   // d = 61
    {9, 55, {1, 1, 1, 3, 23, 15, 111, 223, 83}},   // d = 62
    {9, 59, {1, 1, 5, 13, 31, 15, 55, 25, 161}},   // d = 63
    {9, 62, {1, 1, 3, 13, 25, 47, 39, 87, 257}},   // d = 64
}};

// v_1 ... v_32 of one dimension (0-based `dim`) as 32-bit binary fractions:
// v_k = m_k / 2^k is stored as m_k << (32 - k).
using Directions = std::array<std::uint32_t, kBits>;

Directions directions_for(int dim) {
  Directions v{};
  if (dim == 0) {
    for (int k = 0; k < kBits; ++k) v[k] = std::uint32_t{1} << (kBits - 1 - k);  // van der Corput
    return v;
  }
  const JoeKuoRow& row = kJoeKuo[static_cast<std::size_t>(dim - 1)];
  const int s = row.degree;
  for (int k = 0; k < s; ++k) v[k] = row.m[static_cast<std::size_t>(k)] << (kBits - 1 - k);
  for (int k = s; k < kBits; ++k) {
    // Bratley & Fox 1988 (ACM TOMS 14:88, Algorithm 659), eq. for v_k:
    // v_k = a_1 v_(k-1) ^ ... ^ a_(s-1) v_(k-s+1) ^ v_(k-s) ^ (v_(k-s) >> s).
    std::uint32_t value = v[k - s] ^ (v[k - s] >> s);
    for (int j = 1; j < s; ++j) {
      if ((row.a >> (s - 1 - j)) & 1u) value ^= v[k - j];
    }
    v[k] = value;
  }
  return v;
}

// Index of the lowest zero bit of i: the direction number that changes
// between Gray codes of i and i + 1.
int lowest_zero_bit(std::uint32_t i) {
  int bit = 0;
  while (i & 1u) {
    i >>= 1;
    ++bit;
  }
  return bit;
}

// ---------------------------------------------------------------------------
// Owen scrambling

// Nested uniform scramble (Owen 1995, "Randomly permuted (t,m,s)-nets and
// (t,s)-sequences", Lecture Notes in Statistics 106:299): bit k of the
// fraction is flipped by a random bit chosen per node of the binary tree
// of prefixes, i.e. per value of the k bits above it. Points that share a
// prefix share its flips, so nets stay nets while each point becomes uniform.
// The tree is never stored: a node's random bit is a hash of the dimension
// key and the node's heap index (1 followed by the prefix bits). The root's
// flip is a random digital shift of the top bit, so no separate shift is
// needed. Bits beyond the 32 of the sequence are filled with 21 random bits
// from the node below the last level, as an infinitely deep scramble would.
double owen_scrambled_unit(std::uint32_t x, std::uint64_t dim_key) {
  std::uint32_t out = 0;
  for (int level = 0; level < kBits; ++level) {
    const std::uint64_t prefix = level == 0 ? 0 : (x >> (kBits - level));
    const std::uint64_t node = (std::uint64_t{1} << level) | prefix;
    const std::uint32_t flip = static_cast<std::uint32_t>(hash64(dim_key ^ hash64(node)) >> 63);
    const int bit = kBits - 1 - level;
    out |= (((x >> bit) & 1u) ^ flip) << bit;
  }
  const std::uint64_t leaf = (std::uint64_t{1} << kBits) | x;
  const std::uint64_t tail = hash64(dim_key ^ hash64(leaf)) >> (64 - 21);
  return static_cast<double>((std::uint64_t{out} << 21) | tail) * 0x1.0p-53;
}

// Independent scramble key per (seed, dimension).
std::uint64_t dimension_key(std::uint64_t seed, int dim) {
  return hash64(hash64(seed) ^ hash64(0x5ca3b1e000000000ull + static_cast<std::uint64_t>(dim)));
}

// ---------------------------------------------------------------------------
// Bootstrap

// The stream of resampled row indices shared by bootstrap_interval and
// sobol_indices, so both see the same draws for a seed.
class IndexResampler {
 public:
  explicit IndexResampler(std::uint64_t seed) : rng_(seed) {}
  void draw(int n, std::vector<int>& rows) {
    rows.resize(static_cast<std::size_t>(n));
    for (int& row : rows) row = static_cast<int>(uniform_below(rng_, static_cast<std::uint64_t>(n)));
  }

 private:
  std::mt19937_64 rng_;
};

// Quantile q of sorted values, linear between order statistics
// (Hyndman & Fan 1996, Am. Stat. 50:361, definition 7).
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double h = q * static_cast<double>(sorted.size() - 1);
  const std::size_t below = static_cast<std::size_t>(std::floor(h));
  if (below + 1 >= sorted.size()) return sorted.back();
  return sorted[below] + (h - static_cast<double>(below)) * (sorted[below + 1] - sorted[below]);
}

// Percentile interval (Efron & Tibshirani 1993, An Introduction to the
// Bootstrap, ch. 13): the alpha/2 and 1 - alpha/2 quantiles of the
// bootstrap replicates, alpha = 1 - confidence.
std::pair<double, double> percentile_interval(std::vector<double> replicates, double confidence) {
  std::sort(replicates.begin(), replicates.end());
  const double alpha = 1.0 - confidence;
  return {sorted_quantile(replicates, alpha / 2), sorted_quantile(replicates, 1.0 - alpha / 2)};
}

void require_bootstrap(int resamples, double confidence) {
  require(resamples >= 1, "bootstrap resamples must be >= 1, got " + std::to_string(resamples));
  require(confidence > 0.0 && confidence < 1.0,
          "confidence must be strictly between 0 and 1, got " + std::to_string(confidence));
}

// ---------------------------------------------------------------------------
// Sobol indices

// Read-only view of the model outputs in Saltelli design order.
struct SaltelliOutputs {
  const SaltelliDesign& design;
  const std::vector<double>& y;
  double a(int j) const { return y[static_cast<std::size_t>(design.row_a(j))]; }
  double b(int j) const { return y[static_cast<std::size_t>(design.row_b(j))]; }
  double ab(int i, int j) const { return y[static_cast<std::size_t>(design.row_ab(i, j))]; }
};

struct Estimates {
  std::vector<double> first, total;
  double variance = 0.0, mean = 0.0;
};

// All indices from the base rows listed in `rows` (each listed row counts
// once per listing, so a bootstrap draw is just a different list).
Estimates estimate(const SaltelliOutputs& out, const std::vector<int>& rows) {
  const int d = out.design.d;
  const double count = static_cast<double>(rows.size());
  Estimates e;
  // Mean and variance of the 2n values f_A and f_B, in two passes for accuracy.
  double sum = 0.0;
  for (int j : rows) sum += out.a(j) + out.b(j);
  e.mean = sum / (2 * count);
  double squares = 0.0;
  for (int j : rows) {
    const double da = out.a(j) - e.mean, db = out.b(j) - e.mean;
    squares += da * da + db * db;
  }
  e.variance = squares / (2 * count - 1);
  e.first.assign(static_cast<std::size_t>(d), 0.0);
  e.total.assign(static_cast<std::size_t>(d), 0.0);
  if (!(e.variance > 0.0)) return e;
  for (int i = 0; i < d; ++i) {
    double first_sum = 0.0, total_sum = 0.0;
    for (int j : rows) {
      const double change = out.ab(i, j) - out.a(j);
      // Saltelli et al. 2010, Comput. Phys. Commun. 181:259, Table 2 (b), with
      // f_B centred: E[change] = 0, so the expectation is unchanged, but the
      // estimate no longer picks up noise proportional to the output's mean.
      first_sum += (out.b(j) - e.mean) * change;
      // Jansen 1999, Comput. Phys. Commun. 117:35 (Saltelli et al. 2010, Table 2 (f)).
      total_sum += change * change;
    }
    e.first[static_cast<std::size_t>(i)] = first_sum / count / e.variance;
    e.total[static_cast<std::size_t>(i)] = total_sum / count / (2 * e.variance);
  }
  return e;
}

void require_saltelli(const SaltelliDesign& design, const std::vector<double>& y) {
  require(design.n >= 2 && design.d >= 1, "Saltelli design needs n >= 2 and d >= 1, got n = " +
                                              std::to_string(design.n) + ", d = " + std::to_string(design.d));
  require_fits(std::int64_t{design.n} * (design.d + 2), design.d, "Saltelli design");
  const std::size_t rows = static_cast<std::size_t>(design.rows());
  require(design.unit.size() == rows * static_cast<std::size_t>(design.d),
          "Saltelli design holds " + std::to_string(design.unit.size()) + " coordinates, expected " +
              std::to_string(rows * static_cast<std::size_t>(design.d)));
  require(y.size() == rows,
          "expected " + std::to_string(rows) + " model outputs (one per design row), got " + std::to_string(y.size()));
  for (std::size_t row = 0; row < rows; ++row) {
    require(std::isfinite(y[row]), "model output at design row " + std::to_string(row) + " is not finite");
  }
}

// ---------------------------------------------------------------------------
// Morris

void require_morris(const MorrisDesign& design, const std::vector<double>& y) {
  require(design.r >= 1 && design.k >= 1, "Morris design needs r >= 1 and k >= 1, got r = " + std::to_string(design.r) +
                                              ", k = " + std::to_string(design.k));
  require_fits(std::int64_t{design.r} * (design.k + 1), design.k, "Morris design");
  const std::size_t rows = static_cast<std::size_t>(design.rows());
  require(design.unit.size() == rows * static_cast<std::size_t>(design.k) && design.moved.size() == rows &&
              design.step.size() == rows,
          "Morris design arrays do not match r (k + 1) rows of k factors");
  require(y.size() == rows,
          "expected " + std::to_string(rows) + " model outputs (one per design row), got " + std::to_string(y.size()));
  for (std::size_t row = 0; row < rows; ++row) {
    const int factor = design.moved[row];
    const bool first_row = row % static_cast<std::size_t>(design.k + 1) == 0;
    require(first_row ? factor == -1 : (factor >= 0 && factor < design.k && design.step[row] != 0.0),
            "Morris design row " + std::to_string(row) + " has an invalid moved factor or step");
    require(std::isfinite(y[row]), "model output at design row " + std::to_string(row) + " is not finite");
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Public API

std::vector<double> sobol_points(int n, int d, bool scrambled, std::uint64_t seed) {
  require(n >= 1, "number of points must be >= 1, got " + std::to_string(n));
  require(d >= 1 && d <= kSobolMaxDimensions,
          "Sobol dimension must be in [1, " + std::to_string(kSobolMaxDimensions) + "], got " + std::to_string(d));
  require_fits(n, d, "Sobol point set");
  std::vector<double> points(static_cast<std::size_t>(n) * static_cast<std::size_t>(d));
  // Scrambled sequences keep point 0 (see the header); plain ones skip the origin.
  const std::uint32_t first = scrambled ? 0u : 1u;
  for (int dim = 0; dim < d; ++dim) {
    const Directions v = directions_for(dim);
    const std::uint64_t key = dimension_key(seed, dim);
    // Antonov & Saleev 1979 (USSR Comput. Math. Math. Phys. 19:252): in Gray-code
    // order, point i + 1 is point i with one direction number XORed in.
    std::uint32_t x = 0;
    for (std::uint32_t i = 0; i < first; ++i) x ^= v[static_cast<std::size_t>(lowest_zero_bit(i))];
    for (int p = 0; p < n; ++p) {
      const std::size_t at = static_cast<std::size_t>(p) * static_cast<std::size_t>(d) + static_cast<std::size_t>(dim);
      points[at] = scrambled ? owen_scrambled_unit(x, key) : static_cast<double>(x) * 0x1.0p-32;
      x ^= v[static_cast<std::size_t>(lowest_zero_bit(first + static_cast<std::uint32_t>(p)))];
    }
  }
  return points;
}

std::vector<double> random_points(int n, int d, std::uint64_t seed) {
  require(n >= 1, "number of points must be >= 1, got " + std::to_string(n));
  require(d >= 1, "dimension must be >= 1, got " + std::to_string(d));
  require_fits(n, d, "random point set");
  std::mt19937_64 rng(seed);
  std::vector<double> points(static_cast<std::size_t>(n) * static_cast<std::size_t>(d));
  for (double& u : points) u = unit_real(rng());
  return points;
}

SaltelliDesign saltelli_design(int n, int d, bool sobol, std::uint64_t seed) {
  require(n >= 2, "Saltelli design needs n >= 2 base samples, got " + std::to_string(n));
  require(d >= 1, "Saltelli design needs d >= 1 factors, got " + std::to_string(d));
  require(!sobol || 2 * std::int64_t{d} <= kSobolMaxDimensions,
          "Saltelli design with Sobol points supports d <= " + std::to_string(kSobolMaxDimensions / 2) +
              " factors, got " + std::to_string(d));
  require_fits(std::int64_t{n} * (d + 2), d, "Saltelli design");
  const std::vector<double> base = sobol ? sobol_points(n, 2 * d, true, seed) : random_points(n, 2 * d, seed);
  SaltelliDesign design;
  design.n = n;
  design.d = d;
  design.unit.resize(static_cast<std::size_t>(design.rows()) * static_cast<std::size_t>(d));
  const std::size_t width = static_cast<std::size_t>(d);
  auto row_of = [&](int row) { return design.unit.data() + width * static_cast<std::size_t>(row); };
  for (int j = 0; j < n; ++j) {
    const double* a = base.data() + 2 * width * static_cast<std::size_t>(j);  // base row j is (A_j, B_j)
    const double* b = a + width;
    std::copy(a, a + width, row_of(design.row_a(j)));
    std::copy(b, b + width, row_of(design.row_b(j)));
    for (int i = 0; i < d; ++i) {
      double* ab = row_of(design.row_ab(i, j));
      std::copy(a, a + width, ab);
      ab[i] = b[i];
    }
  }
  return design;
}

SobolIndices sobol_indices(const SaltelliDesign& design, const std::vector<double>& y, int resamples, double confidence,
                           std::uint64_t seed) {
  require_saltelli(design, y);
  require_bootstrap(resamples, confidence);
  const SaltelliOutputs out{design, y};
  std::vector<int> rows(static_cast<std::size_t>(design.n));
  std::iota(rows.begin(), rows.end(), 0);
  const Estimates point = estimate(out, rows);
  require(point.variance > 0.0, "model output has zero variance; Sobol indices are undefined");

  const std::size_t d = static_cast<std::size_t>(design.d);
  std::vector<std::vector<double>> first_draws(d), total_draws(d);
  IndexResampler resampler(seed);
  for (int b = 0; b < resamples; ++b) {
    resampler.draw(design.n, rows);
    const Estimates e = estimate(out, rows);
    if (!(e.variance > 0.0)) continue;  // a draw of identical outputs carries no information on the ratios
    for (std::size_t i = 0; i < d; ++i) {
      first_draws[i].push_back(e.first[i]);
      total_draws[i].push_back(e.total[i]);
    }
  }
  require(!first_draws[0].empty(), "every bootstrap resample has zero output variance");

  SobolIndices result;
  result.first = point.first;
  result.total = point.total;
  result.variance = point.variance;
  result.mean = point.mean;
  for (std::size_t i = 0; i < d; ++i) {
    const auto first = percentile_interval(first_draws[i], confidence);
    const auto total = percentile_interval(total_draws[i], confidence);
    result.first_lo.push_back(first.first);
    result.first_hi.push_back(first.second);
    result.total_lo.push_back(total.first);
    result.total_hi.push_back(total.second);
  }
  return result;
}

MorrisDesign morris_design(int r, int k, int levels, std::uint64_t seed) {
  require(r >= 1, "Morris design needs r >= 1 trajectories, got " + std::to_string(r));
  require(k >= 1, "Morris design needs k >= 1 factors, got " + std::to_string(k));
  require(levels >= 2 && levels % 2 == 0, "Morris levels must be even and >= 2, got " + std::to_string(levels));
  require_fits(std::int64_t{r} * (k + 1), k, "Morris design");
  MorrisDesign design;
  design.r = r;
  design.k = k;
  design.levels = levels;
  // Morris 1991 (Technometrics 33:161): delta = p / (2 (p - 1)), i.e. half the
  // grid's levels, so levels pair up as (l, l + p/2) and each is equally likely.
  design.delta = static_cast<double>(levels) / (2.0 * (levels - 1));
  const int half = levels / 2;
  const double spacing = 1.0 / (levels - 1);
  const std::size_t width = static_cast<std::size_t>(k);
  design.unit.reserve(static_cast<std::size_t>(design.rows()) * width);
  design.moved.reserve(static_cast<std::size_t>(design.rows()));
  design.step.reserve(static_cast<std::size_t>(design.rows()));

  std::mt19937_64 rng(seed);
  std::vector<int> level(width), order(width);
  auto emit_row = [&](int moved, double step) {
    for (int l : level) design.unit.push_back(l * spacing);
    design.moved.push_back(moved);
    design.step.push_back(step);
  };
  for (int t = 0; t < r; ++t) {
    // A uniform grid point: from level l exactly one of l +- p/2 is on the grid.
    for (int& l : level) l = static_cast<int>(uniform_below(rng, static_cast<std::uint64_t>(levels)));
    // Fisher-Yates shuffle of the factor order (ours, for portable output).
    std::iota(order.begin(), order.end(), 0);
    for (std::size_t i = width - 1; i > 0; --i) std::swap(order[i], order[uniform_below(rng, i + 1)]);
    emit_row(-1, 0.0);
    for (int factor : order) {
      int& l = level[static_cast<std::size_t>(factor)];
      const bool up = l < half;
      l += up ? half : -half;
      emit_row(factor, up ? design.delta : -design.delta);
    }
  }
  return design;
}

MorrisStats morris_statistics(const MorrisDesign& design, const std::vector<double>& y) {
  require_morris(design, y);
  const std::size_t k = static_cast<std::size_t>(design.k);
  std::vector<std::vector<double>> effects(k);
  for (std::size_t row = 0; row < y.size(); ++row) {
    const int factor = design.moved[row];
    if (factor < 0) continue;
    effects[static_cast<std::size_t>(factor)].push_back((y[row] - y[row - 1]) / design.step[row]);
  }
  MorrisStats stats;
  for (std::size_t i = 0; i < k; ++i) {
    const std::vector<double>& ee = effects[i];
    require(!ee.empty(), "factor " + std::to_string(i) + " never moves in the Morris design");
    const double count = static_cast<double>(ee.size());
    double sum = 0.0, abs_sum = 0.0;
    for (double e : ee) {
      sum += e;
      abs_sum += std::fabs(e);
    }
    const double mu = sum / count, mu_star = abs_sum / count;
    double squares = 0.0, abs_squares = 0.0;
    for (double e : ee) {
      squares += (e - mu) * (e - mu);
      abs_squares += (std::fabs(e) - mu_star) * (std::fabs(e) - mu_star);
    }
    stats.mu.push_back(mu);
    // Campolongo, Cariboni & Saltelli 2007 (Environ. Model. Softw. 22:1509): mu*,
    // the mean of |EE|, so effects of opposite sign do not cancel.
    stats.mu_star.push_back(mu_star);
    stats.sigma.push_back(ee.size() > 1 ? std::sqrt(squares / (count - 1)) : 0.0);
    stats.mu_star_stderr.push_back(ee.size() > 1 ? std::sqrt(abs_squares / (count - 1) / count) : 0.0);
  }
  return stats;
}

std::pair<double, double> bootstrap_interval(int n, const std::function<double(const std::vector<int>&)>& statistic,
                                             int resamples, double confidence, std::uint64_t seed) {
  require(n >= 1, "bootstrap needs n >= 1 observations, got " + std::to_string(n));
  require_bootstrap(resamples, confidence);
  require(static_cast<bool>(statistic), "bootstrap statistic is empty");
  IndexResampler resampler(seed);
  std::vector<int> rows;
  std::vector<double> replicates;
  replicates.reserve(static_cast<std::size_t>(resamples));
  for (int b = 0; b < resamples; ++b) {
    resampler.draw(n, rows);
    replicates.push_back(statistic(rows));
    require(std::isfinite(replicates.back()), "bootstrap statistic returned a non-finite value");
  }
  return percentile_interval(std::move(replicates), confidence);
}

}  // namespace remc::sens
