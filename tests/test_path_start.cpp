// PathStart (kernels/path_start.h) on W lanes must give each lane exactly the
// bits its path gets alone: the CPU takes every lane's first attempt at once
// and redraws rejected lanes one at a time, while CUDA walks each path's
// sequence. Covered: every law, truncation that rejects most first attempts,
// beta (always redrawn), project fates read from drawn parameters, and an
// initial law whose rounding leaves mass over.
#include <gtest/gtest.h>

#include <cmath>

#include <cstdint>
#include <cstring>

#include "path_start.h"
#include "test_util.h"

namespace {

using remc::DistKind;
using remc::DistSpec;
using remc_test::dist_spec;
using remc_test::truncated_spec;
using remc::ScalarLanes;
using remc::VectorLanes;

std::uint32_t bits(float x) {
  std::uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

remc::Model start_model() {
  remc::Model md;
  const DistSpec laws[] = {
      dist_spec(DistKind::kFixed, 2.5f),
      dist_spec(DistKind::kNormal, 0.0f, 1.0f),
      // P(0.5 <= Z <= 3) = 0.31: about 11 of 16 lanes are drawn again.
      truncated_spec(dist_spec(DistKind::kNormal, 0.0f, 1.0f), 0.5f, 3.0f),
      dist_spec(DistKind::kLognormal, 24.0f, 0.5f),
      truncated_spec(dist_spec(DistKind::kLognormal, 1.0f, 1.0f), 0.5f, 2.0f),
      dist_spec(DistKind::kUniform, -1.0f, 3.0f),
      truncated_spec(dist_spec(DistKind::kUniform, 0.0f, 1.0f), 0.2f, 0.4f),
      dist_spec(DistKind::kTriangular, 0.0f, 0.3f, 1.0f),  // both branches of the inverse CDF
      dist_spec(DistKind::kBeta, 2.0f, 3.0f),
      truncated_spec(dist_spec(DistKind::kBeta, 0.5f, 0.5f), 0.1f, 0.3f),
      dist_spec(DistKind::kBernoulli, 0.4f),
      dist_spec(DistKind::kUniform, 0.0f, 0.6f),  // a project's failure probability
  };
  md.uncertain_count = static_cast<int>(sizeof laws / sizeof laws[0]);
  for (int i = 0; i < md.uncertain_count; ++i) {
    md.uncertain[i] = laws[i];
    md.uncertain_slot[i] = remc::kSlotParamBase + (i == 3 ? 20u : static_cast<std::uint32_t>(i));  // any order
  }
  md.projects = 4;
  for (int p = 0; p < md.projects; ++p) {
    remc::ProjectModel& pr = md.project[p];
    pr.online_month.value = 12.0f * static_cast<float>(p);
    pr.delay_median_months.value = p == 2 ? 0.0f : 18.0f;  // project 2: no delay
    pr.delay_sigma.value = 0.6f;
    pr.fail_prob.value = 0.25f;
    pr.fate_slot = remc::kSlotProjectFateBase + 100u * static_cast<std::uint32_t>(p);
  }
  md.project[0].delay_median_months.draw = 3;  // the lognormal above
  md.project[1].fail_prob.draw = 11;           // the uniform(0, 0.6) above
  md.project[3].on_restriction = true;
  md.regime.count = 4;
  // Sums to 0.9 in float: u above it falls back to state 2, the last with mass.
  md.regime.initial[0] = 0.3f;
  md.regime.initial[1] = 0.3f;
  md.regime.initial[2] = 0.3f;
  md.regime.initial[3] = 0.0f;
  return md;
}

template <int W>
void expect_lanes_match_single_paths(std::uint32_t seed, std::uint64_t first, int groups) {
  const remc::Model md = start_model();
  int regime_counts[4] = {};
  for (int g = 0; g < groups; ++g) {
    const std::uint64_t path0 = first + static_cast<std::uint64_t>(g) * W;
    remc::PathStart<VectorLanes<W>> lanes;
    lanes.draw(md, seed, path0);
    for (int lane = 0; lane < W; ++lane) {
      remc::PathStart<ScalarLanes> one;
      one.draw(md, seed, path0 + static_cast<std::uint64_t>(lane));
      for (int i = 0; i < md.uncertain_count; ++i)
        ASSERT_EQ(bits(lanes.draws[i][lane]), bits(one.draws[i])) << "parameter " << i << ", path " << path0 + lane;
      for (int p = 0; p < md.projects; ++p) {
        ASSERT_EQ(bits(lanes.start[p][lane]), bits(one.start[p])) << "project " << p << ", path " << path0 + lane;
        ASSERT_EQ(bits(lanes.delay[p][lane]), bits(one.delay[p])) << "project " << p << ", path " << path0 + lane;
        ASSERT_EQ(bits(lanes.failed[p][lane]), bits(one.failed[p])) << "project " << p << ", path " << path0 + lane;
      }
      ASSERT_EQ(lanes.regime[lane], one.regime) << "path " << path0 + lane;
      ASSERT_GE(one.regime, 0);
      ++regime_counts[one.regime];
    }
  }
  // Initial states follow their law, the rounding fallback included (state 2
  // takes u in (0.6, 1]: 40 % of paths), and the excluded state never occurs.
  // Each share within 5 binomial standard errors, sqrt(p (1 - p) / n).
  const double n = static_cast<double>(groups) * W;
  const double expected[3] = {0.3, 0.3, 0.4};
  for (int k = 0; k < 3; ++k) {
    const double se = std::sqrt(expected[k] * (1 - expected[k]) / n);
    EXPECT_NEAR(regime_counts[k] / n, expected[k], 5 * se) << "initial state " << k;
  }
  EXPECT_EQ(regime_counts[3], 0);
}

// Both start so that one group straddles path 2^32, where the lanes' high
// path words differ.
TEST(PathStart, SixteenLanesMatchSinglePaths) {
  expect_lanes_match_single_paths<16>(20261129u, (std::uint64_t{1} << 32) - 40, 256);
}

TEST(PathStart, EightLanesMatchSinglePaths) {
  expect_lanes_match_single_paths<8>(7u, (std::uint64_t{1} << 32) - 44, 256);
}

// Every draw of a truncated law lies within its bounds (the scalar rejection
// loop that rejected lanes go through).
TEST(PathStart, TruncatedDrawsStayInBounds) {
  const remc::Model md = start_model();
  for (std::uint64_t path = 0; path < 4096; ++path) {
    remc::PathStart<ScalarLanes> one;
    one.draw(md, 99u, path);
    for (int i = 0; i < md.uncertain_count; ++i) {
      const DistSpec& d = md.uncertain[i];
      if (!d.truncated) continue;
      ASSERT_GE(one.draws[i], d.lo) << "parameter " << i;
      ASSERT_LE(one.draws[i], d.hi) << "parameter " << i;
    }
  }
}

}  // namespace
