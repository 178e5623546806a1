// China's export-control regime chain and the tension that drives it
// (MODEL.md section 2). Templates over the value type: float for one path,
// a GCC vector for W paths (kernels/lanes.h); both compute the same steps.
#pragma once

#include <cmath>

#include "hd.h"
#include "lane_math.h"
#include "lanes.h"
#include "model.h"
#include "model_limits.h"

namespace remc {

// Inverse-CDF Poisson draw for the small monthly means of suppression events.
// Lanes that have found their count stop changing; the loop ends when all have.
template <class F>
REMC_HD_INLINE auto poisson_small(F mean, F u) {
  using I = decltype(to_int(mean));
  const auto positive = mean > 0.0f;
  F p = exp_lanes(-mean);
  F cdf = p;
  I k = splat<I>(0);
  auto active = mask_and(positive, u > cdf);
  // u can be exactly 1 while the float cdf saturates just below it: stop
  // once the terms no longer change the sum (the far tail) instead of
  // running on to the cap of 64.
  for (int i = 1; i <= 64 && any(active); ++i) {
    p = p * (mean / static_cast<float>(i));
    const F next = cdf + p;
    k = select(active, splat<I>(i), k);
    active = mask_and(active, next != cdf);
    cdf = select(active, next, cdf);
    active = mask_and(active, u > cdf);
  }
  return select(positive, k, splat<I>(0));
}

// The effective transition row from state i (MODEL.md section 2):
// escalations scaled by (1 + beta * tension) * e_mult, de-escalations by
// d_mult, the off-diagonal mass capped at 1 and the diagonal taking the rest.
template <class I, class F>
REMC_HD_INLINE void effective_row(const RegimeModel& rg, I i, F tension, F beta, F e_mult, F d_mult,
                                  F row[kMaxRegimes]) {
  const F up = (1.0f + beta * tension) * e_mult;
  F off_sum = splat<F>(0.0f);
  const I base_index = i * kMaxRegimes;
  for (int j = 0; j < rg.count; ++j) {
    const F base = gather(&rg.transition[0][0] + j, base_index);
    const F p = select(i < j, base * up, select(i > j, base * d_mult, splat<F>(0.0f)));
    row[j] = p;
    off_sum = off_sum + p;
  }
  const F scale = select(off_sum > 1.0f, 1.0f / off_sum, splat<F>(1.0f));
  for (int j = 0; j < rg.count; ++j) row[j] = select(i == j, 1.0f - off_sum * scale, row[j] * scale);
}

// Next state from state i for a uniform u in (0,1]: walks the effective row
// to the first state whose cumulative probability reaches u; stays when u is
// beyond the rounded sum.
template <class I, class F>
REMC_HD_INLINE I next_regime(const RegimeModel& rg, I i, F tension, F beta, F e_mult, F d_mult, F u) {
  F row[kMaxRegimes];
  effective_row(rg, i, tension, beta, e_mult, d_mult, row);
  F cdf = splat<F>(0.0f);
  I next = i;
  auto found = u < 0.0f;  // all false
  for (int j = 0; j < rg.count; ++j) {
    cdf = cdf + row[j];
    const auto hit = mask_and(mask_not(found), u <= cdf);
    next = select(hit, splat<I>(j), next);
    found = mask_or(found, hit);
  }
  return next;
}

}  // namespace remc
