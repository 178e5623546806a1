// exp, log and the Box-Muller angle, written out as polynomials so that they
// vectorise across lanes (glibc's expf/logf/sincosf are scalar calls) and give
// the same bits on the CPU and the GPU (whose libm differs from glibc's in the
// last place). Polynomials and range reductions follow Cephes (S. Moshier,
// "Methods and Programs for Mathematical Functions", 1989): expf, logf and
// sinf/cosf on [-pi/4, pi/4]. Each is within 2 ulp of the exact value on its
// stated domain (tests/test_lane_math.cpp checks this against double
// precision).
//
// Domains are what the model needs, not all of IEEE float: exp clamps its
// argument to [-87, 88] (results from 1.6e-38 to 1.7e38, never 0 or inf);
// log takes positive floats (log 0 gives about -104, not -inf); sincos_2pi takes v in [0, 1].
#pragma once

#include "hd.h"
#include "lanes.h"

namespace remc {

// floor(x) as an integer, for |x| < 2^31.
template <class F>
REMC_HD_INLINE auto floor_int(F x) {
  const auto i = to_int(x);  // truncates towards zero
  return select(to_float(i) > x, i - 1, i);
}

template <class F>
REMC_HD_INLINE F exp_lanes(F x) {
  // A NaN would pass the clamps, and converting it to an integer is
  // undefined: it goes through as 0 and comes back out as the NaN it was.
  const auto nan = x != x;
  const F given = x;
  x = select(nan, splat<F>(0.0f), x);
  x = select(x > 88.0f, splat<F>(88.0f), x);
  x = select(x < -87.0f, splat<F>(-87.0f), x);
  // x = n ln2 + r, |r| <= ln2 / 2; ln2 split in two so n * ln2 is exact enough.
  const auto n = floor_int(x * 1.44269504088896341f + 0.5f);
  const F fn = to_float(n);
  const F r = (x - fn * 0.693359375f) - fn * -2.12194440e-4f;
  const F r2 = r * r;
  F p = splat<F>(1.9875691500e-4f);
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const F y = (p * r2 + r) + 1.0f;
  return select(nan, given, y * bits_float((n + 127) << 23));  // times 2^n, n in [-126, 127]
}

template <class F>
REMC_HD_INLINE F log_lanes(F x) {
  // x = m 2^e with m in [sqrt(1/2), sqrt(2)); log x = log m + e ln2.
  // Subnormal x is scaled by 2^23 first so its exponent field is meaningful.
  using I = decltype(float_bits(x));
  const auto subnormal = x < 1.17549435e-38f;
  x = select(subnormal, x * 8388608.0f, x);
  const auto bits = float_bits(x);
  auto e = ((bits >> 23) & 0xff) - select(subnormal, splat<I>(149), splat<I>(126));
  F m = bits_float((bits & 0x007fffff) | 0x3f000000);  // in [0.5, 1)
  const auto small = m < 0.707106781186547524f;
  e = select(small, e - 1, e);
  m = select(small, m + m, m) - 1.0f;
  const F z = m * m;
  F p = splat<F>(7.0376836292e-2f);
  p = p * m - 1.1514610310e-1f;
  p = p * m + 1.1676998740e-1f;
  p = p * m - 1.2420140846e-1f;
  p = p * m + 1.4249322787e-1f;
  p = p * m - 1.6668057665e-1f;
  p = p * m + 2.0000714765e-1f;
  p = p * m - 2.4999993993e-1f;
  p = p * m + 3.3333331174e-1f;
  const F fe = to_float(e);
  F y = p * m * z;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  return (m + y) + fe * 0.693359375f;
}

// log(1 + x) for x > -1, accurate also for small x: with u = 1 + x rounded,
// log(u) * x / (u - 1) cancels the rounding of u (Goldberg's trick).
template <class F>
REMC_HD_INLINE F log1p_lanes(F x) {
  const F u = x + 1.0f;
  const F d = u - 1.0f;
  const auto exact = d == 0.0f;
  return select(exact, x, log_lanes(u) * (x / select(exact, splat<F>(1.0f), d)));
}

// cos(2 pi v) and sin(2 pi v) for v in [0, 1].
template <class F>
REMC_HD_INLINE void sincos_2pi(F v, F* cos_out, F* sin_out) {
  // 2 pi v = q pi/2 + a with a in [-pi/4, pi/4]; 4v and 4v - q are exact.
  const F w = v * 4.0f;
  const auto q = floor_int(w + 0.5f);
  const F a = (w - to_float(q)) * 1.57079632679489662f;
  const F z = a * a;
  F s = splat<F>(-1.9515295891e-4f);
  s = s * z + 8.3321608736e-3f;
  s = s * z - 1.6666654611e-1f;
  s = s * z * a + a;
  F c = splat<F>(2.443315711809948e-5f);
  c = c * z - 1.388731625493765e-3f;
  c = c * z + 4.166664568298827e-2f;
  c = (c * z * z - 0.5f * z) + 1.0f;
  // Rotate by q quarter turns.
  const auto quadrant = q & 3;
  const auto swap = (quadrant & 1) != 0;
  const F sin_a = select(swap, c, s);
  const F cos_a = select(swap, s, c);
  *sin_out = select(quadrant >= 2, -sin_a, sin_a);
  *cos_out = select(mask_or(quadrant == 1, quadrant == 2), -cos_a, cos_a);
}

}  // namespace remc
