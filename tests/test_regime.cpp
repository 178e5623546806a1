// Tests of the export-control regime chain (kernels/regime.h): the effective
// transition row on hand-computed cases, the chain's occupancy against the
// analytic two-state law (the chain alone, and as the path kernel records it
// from a config), and the small-mean Poisson sampler.
//
// Statistical checks use kSigmas = 5 standard errors (false-failure rate
// ~6e-7 per check, normal approximation) with fixed seeds.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "config.h"
#include "regime.h"
#include "rng.h"
#include "simulate_paths.h"
#include "test_util.h"

namespace {

using remc::RegimeModel;
using remc_test::binomial_se;
using remc_test::kSigmas;

// Row entries are probabilities in [0, 1] built from a handful of float
// operations; 4 * FLT_EPSILON (4.8e-7) is a few float ULPs at 1.
constexpr float kProbTol = 4.0f * FLT_EPSILON;

RegimeModel three_states() {
  RegimeModel rg;
  rg.count = 3;
  const float p0[3][3] = {{0.90f, 0.08f, 0.02f}, {0.10f, 0.80f, 0.10f}, {0.05f, 0.15f, 0.80f}};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) rg.transition[i][j] = p0[i][j];
  return rg;
}

void expect_row(const float* row, std::vector<double> expected) {
  double sum = 0.0;
  for (std::size_t j = 0; j < expected.size(); ++j) {
    EXPECT_NEAR(row[j], expected[j], kProbTol) << "entry " << j;
    EXPECT_GE(row[j], 0.0f) << "entry " << j;
    sum += row[j];
  }
  EXPECT_NEAR(sum, 1.0, kProbTol);
}

TEST(Regime, EffectiveRowUnscaledIsBaseRow) {
  const RegimeModel rg = three_states();
  float row[remc::kMaxRegimes];
  // tension 0 (beta irrelevant), e_mult = d_mult = 1: the base row.
  remc::effective_row(rg, 1, 0.0f, 0.7f, 1.0f, 1.0f, row);
  expect_row(row, {0.10, 0.80, 0.10});
}

TEST(Regime, EffectiveRowScalesEscalationAndDeescalation) {
  const RegimeModel rg = three_states();
  float row[remc::kMaxRegimes];
  // From state 1, tension 2, beta 0.5, e_mult 1.2, d_mult 0.5:
  //   escalation   1 -> 2: 0.10 * (1 + 0.5 * 2) * 1.2 = 0.24
  //   de-escalation 1 -> 0: 0.10 * 0.5              = 0.05
  //   diagonal: 1 - 0.24 - 0.05                      = 0.71
  remc::effective_row(rg, 1, 2.0f, 0.5f, 1.2f, 0.5f, row);
  expect_row(row, {0.05, 0.71, 0.24});
  // From state 0 (no de-escalation), tension 1, beta 1, e_mult 0.5 (monitoring):
  //   0 -> 1: 0.08 * 2 * 0.5 = 0.08;  0 -> 2: 0.02 * 2 * 0.5 = 0.02;  diagonal 0.90.
  remc::effective_row(rg, 0, 1.0f, 1.0f, 0.5f, 3.0f, row);
  expect_row(row, {0.90, 0.08, 0.02});
  // From the top state (no escalation), d_mult 2 (dialogue):
  //   2 -> 0: 0.05 * 2 = 0.10;  2 -> 1: 0.15 * 2 = 0.30;  diagonal 0.60.
  remc::effective_row(rg, 2, 5.0f, 1.0f, 4.0f, 2.0f, row);
  expect_row(row, {0.10, 0.30, 0.60});
}

TEST(Regime, EffectiveRowRescalesExcessOffDiagonalMass) {
  const RegimeModel rg = three_states();
  float row[remc::kMaxRegimes];
  // From state 0, tension 10, beta 1: escalations 0.08 * 11 = 0.88 and
  // 0.02 * 11 = 0.22, sum 1.10 > 1 -> rescaled to 0.8 and 0.2, diagonal 0.
  remc::effective_row(rg, 0, 10.0f, 1.0f, 1.0f, 1.0f, row);
  expect_row(row, {0.0, 0.8, 0.2});
  // From state 2, d_mult 6: 0.30 and 0.90, sum 1.2 -> 0.25 and 0.75, diagonal 0.
  remc::effective_row(rg, 2, 0.0f, 0.0f, 1.0f, 6.0f, row);
  expect_row(row, {0.25, 0.75, 0.0});
  // From state 1, e_mult 4 and d_mult 8: 0.40 up and 0.80 down, sum 1.2 ->
  // 1/3 up, 2/3 down, diagonal 0.
  remc::effective_row(rg, 1, 0.0f, 0.0f, 4.0f, 8.0f, row);
  expect_row(row, {2.0 / 3.0, 0.0, 1.0 / 3.0});
}

TEST(Regime, EffectiveRowsSumToOneOverAGrid) {
  const RegimeModel rg = three_states();
  float row[remc::kMaxRegimes];
  for (int i = 0; i < 3; ++i)
    for (float tension : {0.0f, 0.5f, 3.0f, 40.0f})
      for (float e_mult : {0.3f, 1.0f, 2.5f})
        for (float d_mult : {0.0f, 1.0f, 9.0f}) {
          remc::effective_row(rg, i, tension, 0.8f, e_mult, d_mult, row);
          double sum = 0.0;
          for (int j = 0; j < 3; ++j) {
            EXPECT_GE(row[j], 0.0f);
            sum += row[j];
          }
          EXPECT_NEAR(sum, 1.0, kProbTol) << "state " << i << " tension " << tension;
        }
}

// next_regime returns j for u in (cdf_{j-1}, cdf_j] of the effective row.
TEST(Regime, NextRegimeWalksTheCumulativeRow) {
  const RegimeModel rg = three_states();
  // Base row from state 1: [0.10, 0.80, 0.10] -> cdf 0.10, 0.90, 1.00.
  EXPECT_EQ(remc::next_regime(rg, 1, 0.0f, 0.0f, 1.0f, 1.0f, 0.05f), 0);
  EXPECT_EQ(remc::next_regime(rg, 1, 0.0f, 0.0f, 1.0f, 1.0f, 0.11f), 1);
  EXPECT_EQ(remc::next_regime(rg, 1, 0.0f, 0.0f, 1.0f, 1.0f, 0.89f), 1);
  EXPECT_EQ(remc::next_regime(rg, 1, 0.0f, 0.0f, 1.0f, 1.0f, 0.95f), 2);
  // Scaled row from state 1 (see above): [0.05, 0.71, 0.24] -> cdf 0.05, 0.76, 1.
  EXPECT_EQ(remc::next_regime(rg, 1, 2.0f, 0.5f, 1.2f, 0.5f, 0.07f), 1);
  EXPECT_EQ(remc::next_regime(rg, 1, 2.0f, 0.5f, 1.2f, 0.5f, 0.77f), 2);
}

// Two-state chain P0 = [[1-a, a], [b, 1-b]], run path by path as the
// simulator does (uniform u0 of slot kSlotRegime at each month). From state
// 0, P(state 1 at month t) = a/(a+b) * (1 - (1-a-b)^t); after 200 months
// (1-a-b)^200 < 1e-24, so the chain has forgotten its start. Each path is an
// independent Bernoulli trial at each month, so the SE of the occupancy
// frequency over N paths is the binomial sqrt(p (1 - p) / N).
struct TwoStateCase {
  float a, b;           // base escalation and de-escalation probabilities
  float tension, beta;  // escalation scale (1 + beta * tension) * e_mult
  float e_mult, d_mult;
};

void check_two_state_chain(const TwoStateCase& c, std::uint32_t seed) {
  RegimeModel rg;
  rg.count = 2;
  rg.transition[0][0] = 1.0f - c.a;
  rg.transition[0][1] = c.a;
  rg.transition[1][0] = c.b;
  rg.transition[1][1] = 1.0f - c.b;
  const double a = static_cast<double>(c.a) * (1.0 + static_cast<double>(c.beta) * c.tension) * c.e_mult;
  const double b = static_cast<double>(c.b) * c.d_mult;
  const double stationary = a / (a + b);

  const int kPaths = 20000;
  const int checkpoints[] = {1, 5, 20, 200};
  std::vector<int> in_state1(4, 0);
  for (int p = 0; p < kPaths; ++p) {
    const remc::PathRng rng(seed, remc::kStreamSimulation, static_cast<std::uint64_t>(p));
    int state = 0;
    int next_check = 0;
    for (int t = 1; t <= 200; ++t) {
      const float u = rng.uniforms(static_cast<std::uint32_t>(t), remc::kSlotRegime).u[0];
      state = remc::next_regime(rg, state, c.tension, c.beta, c.e_mult, c.d_mult, u);
      if (t == checkpoints[next_check]) in_state1[static_cast<std::size_t>(next_check++)] += state;
    }
  }
  for (int k = 0; k < 4; ++k) {
    const int t = checkpoints[k];
    const double p = stationary * (1.0 - std::pow(1.0 - a - b, t));
    const double freq = static_cast<double>(in_state1[static_cast<std::size_t>(k)]) / kPaths;
    EXPECT_NEAR(freq, p, kSigmas * binomial_se(p, kPaths)) << "month " << t << ", stationary " << stationary;
  }
}

TEST(Regime, TwoStateChainOccupancyMatchesAnalyticLaw) {
  // a = 0.05, b = 0.2: stationary a/(a+b) = 0.2; at t = 1, 5, 20: 0.05, 0.1525, 0.1994.
  check_two_state_chain({0.05f, 0.2f, 0.0f, 0.0f, 1.0f, 1.0f}, 101u);
}

TEST(Regime, TwoStateChainWithTensionAndMultipliers) {
  // Effective a = 0.05 * (1 + 0.5 * 2) * 1.5 = 0.15, b = 0.2 * 0.5 = 0.1:
  // stationary 0.6, reached at rate 1 - a - b = 0.75 per month.
  check_two_state_chain({0.05f, 0.2f, 2.0f, 0.5f, 1.5f, 0.5f}, 102u);
}

// The same law through the whole path kernel, from a config: the smallest
// config's chain open -> closed 0.1, closed -> open 0.2 (no tension), started
// open. Month 0 has no move, so the recorded state of month t has made t
// moves: P(closed at t) = 1/3 (1 - 0.7^t). Within 5 binomial standard errors.
TEST(Regime, SimulatedPathsRecordTheAnalyticOccupancy) {
  const remc::RunConfig c = remc::load_config(std::string(REMC_SOURCE_DIR) + "/tests/data/config_minimal.ini");
  ASSERT_EQ(c.model.regime.count, 2);
  const int kPaths = 16384;
  const std::vector<float> out = remc_test::simulate_paths(c.model, 103u, 0, kPaths);
  const remc::OutputLayout layout = remc_test::layout_of(c.model);
  for (int t : {0, 1, 5, 11}) {
    int closed = 0;
    for (int p = 0; p < kPaths; ++p) {
      const float state = out[static_cast<std::size_t>(layout.monthly_global(remc::kRegime, t)) * kPaths + p];
      ASSERT_TRUE(state == 0.0f || state == 1.0f) << "month " << t << ", path " << p;
      closed += state == 1.0f;
    }
    const double expected = (1.0 - std::pow(0.7, t)) / 3.0;
    EXPECT_NEAR(static_cast<double>(closed) / kPaths, expected, kSigmas * binomial_se(expected, kPaths))
        << "month " << t;
  }
}

// poisson_small against the Poisson law: sample mean within 5 SE (SE =
// sqrt(mean / N)), sample variance within 5 SE (sample fourth moment), and
// P(X = k) within 5 binomial SE for every k with an expected count of at
// least 500 (where the normal approximation of the binomial is good).
TEST(Regime, PoissonSmallMatchesPoissonLaw) {
  const int kDraws = 200000;
  for (float mean : {0.1f, 2.0f}) {
    std::vector<double> x(kDraws);
    std::vector<int> counts(70, 0);
    for (int i = 0; i < kDraws / 4; ++i) {
      const remc::PathRng rng(7u, remc::kStreamSimulation, static_cast<std::uint64_t>(i));
      const remc::Uniform4 u = rng.uniforms(3u, remc::kSlotRegime);
      for (int j = 0; j < 4; ++j) {
        const int k = remc::poisson_small(mean, u.u[j]);
        x[static_cast<std::size_t>(4 * i + j)] = k;
        ++counts[static_cast<std::size_t>(k)];
      }
    }
    const remc_test::Moments m = remc_test::moments(x);
    const double mu = mean;
    EXPECT_NEAR(m.mean, mu, kSigmas * std::sqrt(mu / kDraws)) << "mean " << mean;
    EXPECT_NEAR(m.var, mu, kSigmas * m.se_var()) << "mean " << mean;
    double pk = std::exp(-mu);
    for (int k = 0; pk * kDraws >= 500.0; ++k) {
      const double freq = static_cast<double>(counts[static_cast<std::size_t>(k)]) / kDraws;
      EXPECT_NEAR(freq, pk, kSigmas * binomial_se(pk, kDraws)) << "P(X = " << k << "), mean " << mean;
      pk *= mu / (k + 1);
    }
  }
}

TEST(Regime, PoissonSmallEdgeCases) {
  EXPECT_EQ(remc::poisson_small(0.0f, 0.5f), 0);
  EXPECT_EQ(remc::poisson_small(-1.0f, 0.5f), 0);
  // u at or below e^-mean is zero events; just above it, one.
  EXPECT_EQ(remc::poisson_small(2.0f, 0.13f), 0);  // e^-2 = 0.1353
  EXPECT_EQ(remc::poisson_small(2.0f, 0.14f), 1);
}

// Poisson upper tail P(X >= k), summed in double from the pmf.
double poisson_tail(double mu, int k) {
  double pmf = std::exp(-mu), below = 0.0;
  for (int j = 0; j < k; ++j) {
    below += pmf;
    pmf *= mu / (j + 1);
  }
  double tail = 0.0;
  for (int j = k; j < k + 400; ++j) {
    tail += pmf;
    pmf *= mu / (j + 1);
  }
  return tail > 0.0 ? tail : 1.0 - below;
}

// Regression test: u01<float> returns exactly 1.0f for the top raw words
// (probability 2^-25 per draw), while the float CDF of Poisson(0.1) stalls at
// 0.99999994; poisson_small used to run on to its cap and return 64 events.
// Every value it returns must have a tail mass P(X >= k) far above zero;
// 1e-12 is well below the float resolution of u (2^-25 = 3e-8).
TEST(Regime, PoissonSmallNeverReturnsTheLoopCapForUNearOne) {
  for (float mean : {0.1f, 0.5f, 1.0f, 2.0f, 5.0f, 10.0f})
    for (float u : {1.0f, 1.0f - FLT_EPSILON / 2.0f, 1.0f - FLT_EPSILON}) {
      const int k = remc::poisson_small(mean, u);
      EXPECT_GE(poisson_tail(mean, k), 1e-12) << "poisson_small(" << mean << ", " << u << ") = " << k;
    }
}

}  // namespace
