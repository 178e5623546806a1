// Capacity projects (MODEL.md section 3): start month and monthly output
// factor. Templates over the value type, as in regime.h.
#pragma once

#include <cmath>

#include "hd.h"
#include "lanes.h"

namespace remc {

constexpr float kNeverStarts = 3.0e38f;  // start month of a failed or untriggered project

// Fraction of capacity producing at month t for a project starting at `start`:
// 0 before the start, then a linear ramp reaching 1 after `ramp_months`.
template <class F>
REMC_HD_INLINE F ramp_fraction(F start, F ramp_months, int t) {
  const F since = static_cast<float>(t) - start;
  const F ramping = min_lanes(splat<F>(1.0f), (since + 1.0f) / ramp_months);
  const F after_start = select(ramp_months <= 0.0f, splat<F>(1.0f), ramping);
  return select(since < 0.0f, splat<F>(0.0f), after_start);
}

// Start month once a restriction first occurs at `now`: emergency projects
// start their clock (lag, then their planned lead time and delay); a pending
// project has the part of its delay still ahead of it multiplied by `factor`
// (its planned lead time is not shortened).
template <class F>
REMC_HD_INLINE F start_after_trigger(F start, bool on_restriction, float now, F lag, F planned, F delay, F factor) {
  if (on_restriction) return now + lag + planned + delay;
  const F delay_left = min_lanes(delay, start - max_lanes(splat<F>(now), planned));
  return select(start <= now, start, start - (1.0f - factor) * max_lanes(splat<F>(0.0f), delay_left));
}

}  // namespace remc
