// China's export-control regime chain and the tension that drives it
// (MODEL.md section 2).
#pragma once

#include <cmath>

#include "hd.h"
#include "model.h"
#include "model_limits.h"

namespace remc {

// Inverse-CDF Poisson draw for the small monthly means of suppression events.
REMC_HD_INLINE int poisson_small(float mean, float u) {
  if (mean <= 0.0f) return 0;
  float p = expf(-mean);
  float cdf = p;
  int k = 0;
  // u can be exactly 1 while the float cdf saturates just below it: stop
  // once the terms no longer change the sum (the far tail) instead of
  // running on to the cap.
  while (u > cdf && k < 64) {
    ++k;
    p *= mean / static_cast<float>(k);
    const float next = cdf + p;
    if (next == cdf) break;
    cdf = next;
  }
  return k;
}

// The effective transition row from state i (MODEL.md section 2):
// escalations scaled by (1 + beta * tension) * e_mult, de-escalations by
// d_mult, the off-diagonal mass capped at 1 and the diagonal taking the rest.
REMC_HD_INLINE void effective_row(const RegimeModel& rg, int i, float tension, float beta, float e_mult, float d_mult,
                                  float row[kMaxRegimes]) {
  float off_sum = 0.0f;
  for (int j = 0; j < rg.count; ++j) {
    float p = 0.0f;
    if (j > i) p = rg.transition[i][j] * (1.0f + beta * tension) * e_mult;
    if (j < i) p = rg.transition[i][j] * d_mult;
    row[j] = p;
    off_sum += p;
  }
  const float scale = off_sum > 1.0f ? 1.0f / off_sum : 1.0f;
  for (int j = 0; j < rg.count; ++j) row[j] = j == i ? 1.0f - off_sum * scale : row[j] * scale;
}

// Next state from state i for a uniform u in (0,1]: walks the effective row.
REMC_HD_INLINE int next_regime(const RegimeModel& rg, int i, float tension, float beta, float e_mult, float d_mult,
                               float u) {
  float row[kMaxRegimes];
  effective_row(rg, i, tension, beta, e_mult, d_mult, row);
  float cdf = 0.0f;
  for (int j = 0; j < rg.count; ++j) {
    cdf += row[j];
    if (u <= cdf) return j;
  }
  return i;  // u beyond the rounded cumulative sum: stay
}

}  // namespace remc
