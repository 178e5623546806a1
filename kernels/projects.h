// Capacity projects (MODEL.md section 3): start month and monthly output factor.
#pragma once

#include <cmath>

#include "hd.h"

namespace remc {

constexpr float kNeverStarts = 3.0e38f;  // start month of a failed or untriggered project

// Fraction of capacity producing at month t for a project starting at `start`:
// 0 before the start, then a linear ramp reaching 1 after `ramp_months`.
REMC_HD_INLINE float ramp_fraction(float start, float ramp_months, int t) {
  const float since = static_cast<float>(t) - start;
  if (since < 0.0f) return 0.0f;
  if (ramp_months <= 0.0f) return 1.0f;
  return min_f(1.0f, (since + 1.0f) / ramp_months);
}

// Start month once a restriction first occurs at `now`: emergency projects
// start their clock (lag, then their planned lead time and delay); a pending
// project has the part of its delay still ahead of it multiplied by `factor`
// (its planned lead time is not shortened).
REMC_HD_INLINE float start_after_trigger(float start, bool on_restriction, float now, float lag, float planned,
                                         float delay, float factor) {
  if (on_restriction) return now + lag + planned + delay;
  if (start <= now) return start;
  const float delay_left = min_f(delay, start - max_f(now, planned));
  return start - (1.0f - factor) * max_f(0.0f, delay_left);
}

}  // namespace remc
