// Tests of the lane types (kernels/lanes.h) and the polynomial math
// (kernels/lane_math.h): accuracy against double precision, and the central
// promise of the lane template, that a path computed W at a time in SIMD
// lanes has exactly the bits of the same path computed alone.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "cli_util.h"
#include "config.h"
#include "lane_math.h"
#include "rng.h"
#include "simulate.h"
#include "simulate_paths.h"

namespace {

using remc::ScalarLanes;
using remc::VectorLanes;

// Distance between x and the exact value y, in units of the float spacing at y.
double ulps(float x, double y) {
  const float yf = static_cast<float>(y);
  const double spacing = std::nextafter(std::fabs(yf), INFINITY) - std::fabs(yf);
  return std::fabs(static_cast<double>(x) - y) / spacing;
}

std::uint32_t bits(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

// Stated accuracy (lane_math.h): within 2 ulp. The Cephes polynomials are
// about 1 ulp; the grid covers each function's whole domain.
TEST(LaneMath, ExpWithinTwoUlpOnItsDomain) {
  double worst = 0.0;
  for (double x = -87.0; x <= 88.0; x += 0.000731) worst = std::fmax(worst, ulps(remc::exp_lanes(static_cast<float>(x)), std::exp(static_cast<double>(static_cast<float>(x)))));
  EXPECT_LE(worst, 2.0);
  // Outside [-87, 88] the argument is clamped: finite, positive results.
  EXPECT_EQ(remc::exp_lanes(-1000.0f), remc::exp_lanes(-87.0f));
  EXPECT_EQ(remc::exp_lanes(1000.0f), remc::exp_lanes(88.0f));
  EXPECT_EQ(remc::exp_lanes(0.0f), 1.0f);
  // NaN in, NaN out, in scalar and in vector lanes (and no undefined shift on
  // the way: scripts/sanitize runs this under UBSan).
  EXPECT_TRUE(std::isnan(remc::exp_lanes(NAN)));
  const VectorLanes<16>::F v = remc::exp_lanes(remc::splat<VectorLanes<16>::F>(NAN));
  for (int i = 0; i < 16; ++i) EXPECT_TRUE(std::isnan(v[i])) << "lane " << i;
}

TEST(LaneMath, LogWithinTwoUlpForPositiveFloats) {
  double worst = 0.0;
  // From the smallest subnormal to near the largest float, ~1e5 points per decade.
  for (double x = 1.5e-45; x < 3e38; x *= 1.0000231) {
    const float xf = static_cast<float>(x);
    const double exact = std::log(static_cast<double>(xf));
    if (std::fabs(exact) < 1e-30) continue;
    worst = std::fmax(worst, ulps(remc::log_lanes(xf), exact));
  }
  EXPECT_LE(worst, 2.0);
  EXPECT_EQ(remc::log_lanes(1.0f), 0.0f);
}

TEST(LaneMath, Log1pKeepsRelativeAccuracyNearZero) {
  for (float x : {1e-8f, 3e-6f, -2e-5f, 0.05f, -0.5f, 2.0f, 100.0f}) {
    const double exact = std::log1p(static_cast<double>(x));
    EXPECT_LE(ulps(remc::log1p_lanes(x), exact), 4.0) << x;
  }
}

// sin and cos of 2 pi v: absolute error at most 2^-23 (the float spacing
// at 1), over every v = k / 2^24.
TEST(LaneMath, SinCosOfTurnsWithinFloatSpacing) {
  double worst = 0.0;
  for (std::uint32_t k = 0; k <= (1u << 24); k += 3) {
    const float v = static_cast<float>(k) / 16777216.0f;
    float c, s;
    remc::sincos_2pi(v, &c, &s);
    const double a = 2.0 * M_PI * static_cast<double>(v);
    worst = std::fmax(worst, std::fmax(std::fabs(c - std::cos(a)), std::fabs(s - std::sin(a))));
  }
  EXPECT_LE(worst, std::ldexp(1.0, -23));
}

// The same functions on lanes give the scalar bits in every lane.
template <class L>
void expect_lanes_match_scalar() {
  using F = typename L::F;
  for (int start = 0; start < 4096; start += L::width) {
    F x, y, v;
    float xs[L::width], ys[L::width], vs[L::width];
    for (int i = 0; i < L::width; ++i) {
      xs[i] = -80.0f + 0.0391f * static_cast<float>(start + i);
      ys[i] = std::ldexp(1.0f + 0.013f * static_cast<float>((start + i) % 77), (start + i) % 200 - 100);
      vs[i] = static_cast<float>(start + i) / 4096.0f;
      remc::set_lane(x, i, xs[i]);
      remc::set_lane(y, i, ys[i]);
      remc::set_lane(v, i, vs[i]);
    }
    const F e = remc::exp_lanes(x), l = remc::log_lanes(y);
    F c, s;
    remc::sincos_2pi(v, &c, &s);
    for (int i = 0; i < L::width; ++i) {
      float c1, s1;
      remc::sincos_2pi(vs[i], &c1, &s1);
      ASSERT_EQ(bits(remc::lane(e, i)), bits(remc::exp_lanes(xs[i])));
      ASSERT_EQ(bits(remc::lane(l, i)), bits(remc::log_lanes(ys[i])));
      ASSERT_EQ(bits(remc::lane(c, i)), bits(c1));
      ASSERT_EQ(bits(remc::lane(s, i)), bits(s1));
    }
  }
}

TEST(LaneMath, VectorLanesMatchScalar) {
  expect_lanes_match_scalar<VectorLanes<8>>();
  expect_lanes_match_scalar<VectorLanes<16>>();
}

// Philox and the normal transform on W lanes equal W scalar generators,
// including across the 2^32 boundary of the path index (carry into the
// counter's high word).
template <class L>
void expect_rng_lanes_match_scalar() {
  const std::uint64_t first = 0xFFFFFFF8ull;
  const remc::LaneRng<L> lanes(7u, 0u, first);
  const auto raw = lanes.raw(11u, 2048u);
  const auto z = lanes.normals(5u, 16u);
  for (int i = 0; i < L::width; ++i) {
    const remc::PathRng one(7u, 0u, first + static_cast<std::uint64_t>(i));
    const auto r1 = one.raw(11u, 2048u);
    const auto z1 = one.normals(5u, 16u);
    for (int w = 0; w < 4; ++w) {
      ASSERT_EQ(raw.v[w][i], r1.v[w]) << "lane " << i << " word " << w;
      ASSERT_EQ(bits(z.z[w][i]), bits(z1.z[w])) << "lane " << i << " normal " << w;
    }
  }
}

TEST(LaneRng, VectorLanesMatchScalar) {
  expect_rng_lanes_match_scalar<VectorLanes<8>>();
  expect_rng_lanes_match_scalar<VectorLanes<16>>();
}

// Every output of every path of the baseline model (all its distributions,
// regimes, projects and stockpiles in play), simulated one path at a time
// and W paths at a time: identical bits. 64 paths, 120 months.
template <class L>
std::vector<float> simulate(const remc::Model& md, int paths) {
  return remc_test::simulate_paths<L>(md, 2024, 4096, paths);
}

TEST(LaneSimulator, VectorLanesGiveTheScalarPathsBitForBit) {
  const remc::RunConfig cfg = remc::load_config(remc::test::source_path("configs/baseline.ini"));
  const int paths = 64;
  const std::vector<float> scalar = simulate<ScalarLanes>(cfg.model, paths);
  for (const std::vector<float>& lanes : {simulate<VectorLanes<8>>(cfg.model, paths), simulate<VectorLanes<16>>(cfg.model, paths)}) {
    ASSERT_EQ(lanes.size(), scalar.size());
    int mismatches = 0;
    for (std::size_t i = 0; i < scalar.size(); ++i) mismatches += bits(lanes[i]) != bits(scalar[i]);
    EXPECT_EQ(mismatches, 0) << "of " << scalar.size() << " values";
  }
}

}  // namespace
