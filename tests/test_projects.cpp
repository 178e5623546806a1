// Tests of capacity projects (kernels/projects.h) and of the project-fate
// draw as the path simulator makes it (kernels/simulate.h): ramp and trigger
// arithmetic on hand cases, then failure frequency and delay median of a
// one-project model run through the real PathSimulator.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "model.h"
#include "outputs.h"
#include "projects.h"
#include "rng.h"
#include "simulate.h"
#include "simulate_paths.h"
#include "test_util.h"

namespace {

using remc::ramp_fraction;
using remc::start_after_trigger;
using remc_test::kSigmas;

TEST(Projects, RampFractionHandCases) {
  // No ramp: full capacity from month ceil(start) on.
  EXPECT_EQ(ramp_fraction(10.0f, 0.0f, 9), 0.0f);
  EXPECT_EQ(ramp_fraction(10.0f, 0.0f, 10), 1.0f);
  EXPECT_EQ(ramp_fraction(10.0f, 0.0f, 500), 1.0f);
  EXPECT_EQ(ramp_fraction(10.5f, 0.0f, 10), 0.0f);
  EXPECT_EQ(ramp_fraction(10.5f, 0.0f, 11), 1.0f);
  // Four-month ramp from month 10: 1/4, 2/4, 3/4, then full from 10 + 4 - 1 = 13.
  EXPECT_FLOAT_EQ(ramp_fraction(10.0f, 4.0f, 10), 0.25f);
  EXPECT_FLOAT_EQ(ramp_fraction(10.0f, 4.0f, 11), 0.50f);
  EXPECT_FLOAT_EQ(ramp_fraction(10.0f, 4.0f, 12), 0.75f);
  EXPECT_EQ(ramp_fraction(10.0f, 4.0f, 13), 1.0f);
  EXPECT_EQ(ramp_fraction(10.0f, 4.0f, 40), 1.0f);
  // Fractional start 10.5: month 11 is 0.5 months in, (0.5 + 1) / 4 = 0.375.
  EXPECT_FLOAT_EQ(ramp_fraction(10.5f, 4.0f, 11), 0.375f);
  // An existing plant that started 5 months before month 0 with a 12-month
  // ramp: (0 - (-5) + 1) / 12 = 0.5 at month 0.
  EXPECT_FLOAT_EQ(ramp_fraction(-5.0f, 12.0f, 0), 0.5f);
  // Failed or untriggered projects never produce.
  EXPECT_EQ(ramp_fraction(remc::kNeverStarts, 0.0f, remc::kMaxMonths - 1), 0.0f);
  EXPECT_EQ(ramp_fraction(remc::kNeverStarts, 6.0f, remc::kMaxMonths - 1), 0.0f);
}

TEST(Projects, StartAfterTriggerHandCases) {
  // Triggered project, restriction first seen at month 10, lag 3, planned
  // lead time 6, drawn delay 2.5: 10 + 3 + 6 + 2.5 = 21.5.
  EXPECT_FLOAT_EQ(start_after_trigger(remc::kNeverStarts, true, 10.0f, 3.0f, 6.0f, 2.5f, 0.7f), 21.5f);
  // Pending projects (docs/model.md 4.3): only the part of the delay still
  // ahead at `now` is scaled, left = min(delay, start - max(now, planned)),
  // start -= (1 - factor) * left; the planned lead time is not shortened.
  // Planned 24 + delay 16 = 40, trigger at 10: left = min(16, 40 - 24) = 16,
  // 40 - 0.3 * 16 = 35.2.
  EXPECT_FLOAT_EQ(start_after_trigger(40.0f, false, 10.0f, 3.0f, 24.0f, 16.0f, 0.7f), 35.2f);
  // Planned 12 + delay 20 = 32, trigger at 20 (8 months of delay already
  // past): left = min(20, 32 - 20) = 12, 32 - 0.3 * 12 = 28.4.
  EXPECT_FLOAT_EQ(start_after_trigger(32.0f, false, 20.0f, 3.0f, 12.0f, 20.0f, 0.7f), 28.4f);
  // Fractional: planned 12 + delay 0.5 = 12.5, trigger at 2, factor 0.5:
  // left = 0.5, 12.5 - 0.5 * 0.5 = 12.25.
  EXPECT_FLOAT_EQ(start_after_trigger(12.5f, false, 2.0f, 0.0f, 12.0f, 0.5f, 0.5f), 12.25f);
  // No delay: nothing to shorten.
  EXPECT_EQ(start_after_trigger(24.0f, false, 10.0f, 3.0f, 24.0f, 0.0f, 0.7f), 24.0f);
  // Already started (or starting this month): unchanged.
  EXPECT_EQ(start_after_trigger(8.0f, false, 10.0f, 3.0f, 6.0f, 2.0f, 0.7f), 8.0f);
  EXPECT_EQ(start_after_trigger(10.0f, false, 10.0f, 3.0f, 6.0f, 2.0f, 0.7f), 10.0f);
  // Factor 1 leaves a pending start where it was.
  EXPECT_FLOAT_EQ(start_after_trigger(40.0f, false, 10.0f, 3.0f, 24.0f, 16.0f, 1.0f), 40.0f);
}

// A one-material, one-project model: the importer's single project with
// capacity 1000 t/yr, planned online month 12, lognormal delay (median 24,
// sigma 0.5), failure probability 0.3, no ramp, full utilisation. One regime
// in which China exports nothing, so the recorded importer capacity is that
// project's alone; no trigger (accelerate_at = kMaxRegimes by default).
constexpr float kFailProb = 0.3f;
constexpr float kOnlineMonth = 12.0f;
constexpr float kDelayMedian = 24.0f;
constexpr float kDelaySigma = 0.5f;
constexpr float kCapacityTpy = 1000.0f;
constexpr int kMonths = 120;

constexpr std::uint32_t kFateSlot = remc::kSlotProjectFateBase + 7u;  // any slot of its kind

remc::Model one_project_model() {
  remc::Model md;
  md.months = kMonths;
  md.materials = 1;
  md.projects = 1;
  md.sectors = 1;
  md.regime.count = 1;
  md.regime.transition[0][0] = 1.0f;
  md.regime.initial[0] = 1.0f;  // allowances stay 0: China supplies nothing
  remc::ProjectModel& pr = md.project[0];
  pr.region = 0;
  pr.capacity_tpy[0].value = kCapacityTpy;
  pr.online_month.value = kOnlineMonth;
  pr.delay_median_months.value = kDelayMedian;
  pr.delay_sigma.value = kDelaySigma;
  pr.fail_prob.value = kFailProb;
  pr.ramp_months.value = 0.0f;
  pr.utilisation.value = 1.0f;
  pr.fate_slot = kFateSlot;
  pr.utilisation_slot = remc::kSlotProjectUtilBase;
  md.material[0].noise_slot = remc::kSlotMaterialBase;
  md.demand[0][0].base_tpy.value = 1200.0f;
  md.demand[0][0].sector_share[0] = 1.0f;
  remc::PriceModel& pm = md.price[0];
  pm.ref.value = pm.initial.value = pm.china_ref.value = pm.china_initial.value = 10.0f;
  pm.eta.value = 0.25f;
  pm.theta.value = 0.5f;
  pm.min.value = 1.0f;
  pm.max.value = 1000.0f;
  return md;
}

// Runs paths [first, first + count) of the model in one block and returns,
// per path, the first month with importer capacity online (-1: never).
// Also checks that capacity is 0 before that month and exactly the project's
// capacity from then on.
std::vector<int> online_months(const remc::Model& md, std::uint32_t seed, std::uint64_t first, int count) {
  const std::vector<float> out = remc_test::simulate_paths(md, seed, first, count);
  const remc::OutputLayout layout = remc_test::layout_of(md);

  std::vector<int> online(static_cast<std::size_t>(count), -1);
  for (int p = 0; p < count; ++p) {
    for (int t = 0; t < md.months; ++t) {
      const float cap = out[static_cast<std::size_t>(layout.monthly_material(remc::kCapacityTpy, 0, t)) * count +
                            static_cast<std::size_t>(p)];
      if (online[static_cast<std::size_t>(p)] < 0) {
        if (cap != 0.0f) {
          EXPECT_EQ(cap, kCapacityTpy) << "path " << first + p << " month " << t;
          online[static_cast<std::size_t>(p)] = t;
        }
      } else {
        EXPECT_EQ(cap, kCapacityTpy) << "capacity went offline: path " << first + p << " month " << t;
      }
    }
  }
  return online;
}

// The fate draw written out as docs/model.md section 3 (item 2) specifies it.
struct Fate {
  bool failed;
  float delay;
};
Fate fate(std::uint32_t seed, std::uint64_t path) {
  const remc::PathRng rng(seed, remc::kStreamSimulation, path);
  const auto r = rng.raw(remc::kMonthPerPath, kFateSlot);
  float z, unused;
  remc::box_muller(r.v[1], r.v[2], &z, &unused);
  return {remc::u01(r.v[0]) <= kFailProb, kDelayMedian * remc::exp_lanes(kDelaySigma * z)};
}

// Statistical design. N = 20000 independent paths, tolerances kSigmas = 5
// binomial standard errors (false-failure rate ~6e-7 per check).
//
// 1. Read from the simulator's output, a path never shows capacity within 120
//    months if it failed or if 12 + delay > 119 (first producing month is
//    ceil(start)). So P(never) = 0.3 + 0.7 * P(delay > 107), with
//    P(delay > 107) = 1 - Phi(ln(107/24) / 0.5) = 0.0014: the expectation is
//    computed exactly rather than ignoring the late paths.
// 2. Month resolution is no obstacle for the median: the threshold month
//    12 + 24 = 36 is an integer, so ceil(12 + delay) <= 36 exactly when
//    delay <= 24. Among the n paths that did not fail, the number with
//    online month <= 36 is Binomial(n, 1/2) if 24 is the median delay:
//    |count - n/2| <= 5 sqrt(n/4), free of any assumption on the delay law.
//    Which paths failed is read from the fate draw itself (slot 2048 + p),
//    after checking path by path that the output agrees with that draw.
// 3. The log delays from the same draws: mean ln 24 within 5 sigma/sqrt(n) and
//    variance sigma^2 within 5 SE (sample fourth moment).
TEST(Projects, SimulatedFateMatchesFailureProbabilityAndDelayMedian) {
  const remc::Model md = one_project_model();
  const std::uint32_t seed = 2025u;
  const int kPaths = 20000;
  const int kBlock = 2000;
  std::vector<int> online;
  for (int b = 0; b < kPaths / kBlock; ++b) {
    const std::vector<int> block = online_months(md, seed, static_cast<std::uint64_t>(b) * kBlock, kBlock);
    online.insert(online.end(), block.begin(), block.end());
  }

  int never = 0, non_failed = 0, by_month_36 = 0, mismatches = 0;
  std::vector<double> log_delay;
  for (int p = 0; p < kPaths; ++p) {
    const Fate f = fate(seed, static_cast<std::uint64_t>(p));
    const int got = online[static_cast<std::size_t>(p)];
    // Expected first producing month: ceil(start), if within the horizon.
    const float start = kOnlineMonth + f.delay;
    const int expected = (f.failed || start > static_cast<float>(kMonths - 1)) ? -1 : static_cast<int>(std::ceil(start));
    if (got != expected) ++mismatches;
    if (got < 0) ++never;
    if (!f.failed) {
      ++non_failed;
      if (got >= 0 && got <= 36) ++by_month_36;
      log_delay.push_back(std::log(static_cast<double>(f.delay)));
    }
  }
  EXPECT_EQ(mismatches, 0) << "paths whose output disagrees with their fate draw";

  const double late = 1.0 - remc_test::normal_cdf(std::log(107.0 / 24.0) / 0.5);
  const double p_never = 0.3 + 0.7 * late;
  EXPECT_NEAR(static_cast<double>(never) / kPaths, p_never, kSigmas * remc_test::binomial_se(p_never, kPaths));

  const double n = non_failed;
  EXPECT_NEAR(by_month_36, n / 2.0, kSigmas * std::sqrt(n / 4.0));

  const remc_test::Moments m = remc_test::moments(log_delay);
  EXPECT_NEAR(m.mean, std::log(24.0), kSigmas * 0.5 / std::sqrt(m.n));
  EXPECT_NEAR(m.var, 0.25, kSigmas * m.se_var());
}

// A path's outputs depend on its global index only, not on the block that
// simulates it: paths 1990..2009 simulated one per block equal the same paths
// inside the 2000-path blocks above.
TEST(Projects, PathOutputsIndependentOfBlockLayout) {
  const remc::Model md = one_project_model();
  const std::uint32_t seed = 2025u;
  const std::vector<int> a = online_months(md, seed, 0, 2000);
  const std::vector<int> b = online_months(md, seed, 2000, 2000);
  for (int p = 1990; p < 2010; ++p) {
    const int in_block = p < 2000 ? a[static_cast<std::size_t>(p)] : b[static_cast<std::size_t>(p - 2000)];
    EXPECT_EQ(online_months(md, seed, static_cast<std::uint64_t>(p), 1)[0], in_block) << "path " << p;
  }
}

}  // namespace
