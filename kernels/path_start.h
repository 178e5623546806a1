// What a path draws once, before its first month: the uncertain parameters
// (MODEL.md section 7), each project's fate (section 3) and the initial
// regime. A template over the lane type like the path kernel: one path per
// CUDA thread, W consecutive paths per call on the CPU, every lane computing
// exactly what its path alone would (tests/test_path_start.cpp).
#pragma once

#include <cstdint>

#include "distributions.h"
#include "hd.h"
#include "lane_math.h"
#include "lanes.h"
#include "model.h"
#include "model_limits.h"
#include "projects.h"
#include "rng.h"

namespace remc {

template <class L>
struct PathStart {
  using F = typename L::F;
  using I = typename L::I;

  F draws[kMaxUncertain];
  F start[kMaxProjects];   // month the project starts producing
  F delay[kMaxProjects];   // its drawn delay, months
  F failed[kMaxProjects];  // 1 if it never comes online
  I regime;

  // Lane i draws for path first_path + i.
  REMC_HD void draw(const Model& md, std::uint32_t seed, std::uint64_t first_path) {
    const LaneRng<L> rng(seed, kStreamSimulation, first_path);
    for (int i = 0; i < md.uncertain_count; ++i) draws[i] = draw_parameter(md, i, rng, seed, first_path);
    for (int p = 0; p < md.projects; ++p) draw_fate(md.project[p], p, rng);
    regime = initial_regime(md.regime, rng.uniforms(kMonthPerPath, kSlotRegime).u[0]);
  }

 private:
  // Truncation by rejection takes a different number of attempts on each
  // path. One path walks its sequence. W paths take every lane's first
  // attempt at once (for all laws but beta it needs only the first two
  // uniforms of the sequence, one Philox block); a lane whose attempt falls
  // outside the bounds, and every lane of a beta law (gamma rejection), is
  // then drawn again on its own from the start, which repeats that first
  // attempt and goes on.
  REMC_HD F draw_parameter(const Model& md, int i, const LaneRng<L>& rng, std::uint32_t seed,
                           std::uint64_t first_path) const {
    const DistSpec& d = md.uncertain[i];
    const std::uint32_t slot = md.uncertain_slot[i];
    if constexpr (L::width == 1) {
      UniformSequence seq(rng, slot);
      return sample(d, seq);
    } else {
      F x = splat<F>(0.0f);
      int redo = (1 << L::width) - 1;  // lanes to draw one at a time, bit i for lane i
      if (d.kind != DistKind::kBeta) {
        const Uniforms4<L> u = rng.uniforms(kMonthPerPath, slot);
        x = detail::sample_from_uniforms(d, u.u[0], u.u[1]);
        redo = d.truncated ? lane_sign_bits(mask_not(mask_and(x >= d.lo, x <= d.hi))) : 0;
      }
      for (int lane = 0; redo != 0 && lane < L::width; ++lane) {
        if (!((redo >> lane) & 1)) continue;
        const PathRng one(seed, kStreamSimulation, first_path + static_cast<std::uint64_t>(lane));
        UniformSequence seq(one, slot);
        set_lane(x, lane, sample(d, seq));
      }
      return x;
    }
  }

  // Failure, lognormal delay and start month of project p.
  REMC_HD void draw_fate(const ProjectModel& pr, int p, const LaneRng<L>& rng) {
    const Words4<L> r = rng.raw(kMonthPerPath, pr.fate_slot);
    const auto fails = u01(r.v[0]) <= pr.fail_prob.get(draws);
    F z, unused;
    box_muller(r.v[1], r.v[2], &z, &unused);
    const F median = pr.delay_median_months.get(draws);
    delay[p] = select(median > 0.0f, median * exp_lanes(pr.delay_sigma.get(draws) * z), splat<F>(0.0f));
    const F planned = pr.online_month.get(draws) + delay[p];
    start[p] = pr.on_restriction ? splat<F>(kNeverStarts) : select(fails, splat<F>(kNeverStarts), planned);
    failed[p] = select(fails, splat<F>(1.0f), splat<F>(0.0f));
  }

  // Walks the initial law with uniform u; if rounding leaves u above its sum,
  // takes the last state with positive mass (never a state the config excludes).
  REMC_HD static I initial_regime(const RegimeModel& rg, F u) {
    I k_of = splat<I>(-1);
    float cdf = 0.0f;
    for (int k = 0; k < rg.count; ++k) {
      cdf += rg.initial[k];
      k_of = select(mask_and(k_of < 0, u <= cdf), splat<I>(k), k_of);
    }
    for (int k = rg.count - 1; k >= 0; --k)
      if (rg.initial[k] > 0.0f) k_of = select(k_of < 0, splat<I>(k), k_of);
    return k_of;
  }
};

}  // namespace remc
