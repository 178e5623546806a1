// Capacity projects (MODEL.md section 3): start month and monthly output
// factor. Templates over the value type, as in regime.h.
#pragma once

#include <cmath>

#include "hd.h"
#include "lanes.h"

namespace remc {

constexpr float kNeverStarts = 3.0e38f;  // start month of a failed or untriggered project

// Ramp speed, fraction of capacity gained per month: 1 / ramp_months, or
// infinite for an immediate start (ramp_months <= 0). Computed once per path
// so the monthly ramp needs no division.
template <class F>
REMC_HD_INLINE F ramp_rate(F ramp_months) {
  return select(ramp_months > 0.0f, 1.0f / ramp_months, splat<F>(INFINITY));
}

// Fraction of capacity producing at month t for a project starting at `start`
// and ramping at `rate`: 0 before the start, then a linear ramp reaching 1.
template <class F>
REMC_HD_INLINE F ramp_fraction_at(F start, F rate, int t) {
  const F since = static_cast<float>(t) - start;
  // since + 1 >= 1 once started, so an infinite rate gives 1, never NaN.
  return select(since < 0.0f, splat<F>(0.0f), min_lanes(splat<F>(1.0f), (since + 1.0f) * rate));
}

// The same with the ramp given as its length in months.
template <class F>
REMC_HD_INLINE F ramp_fraction(F start, F ramp_months, int t) {
  return ramp_fraction_at(start, ramp_rate(ramp_months), t);
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
