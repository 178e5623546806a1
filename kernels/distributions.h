// Probability distributions for uncertain parameters (MODEL.md section 7),
// drawn once per path from that path's counter-based random numbers.
//
// Draws are scalar, one path at a time (they happen once per path, not per
// month), with the polynomial exp/log of kernels/lane_math.h so that the CPU
// and GPU backends draw the same bits.
//
// Truncation is done by rejection: each attempt takes fresh uniforms from the
// path's per-parameter sequence, so a draw is still a pure function of
// (seed, path, parameter). The config validator only accepts truncation bounds
// that keep at least 10 % of the mass, so 256 attempts fail with probability
// below 0.9^256 ~ 2e-12; in that event the value is clamped into the bounds.
#pragma once

#include <cmath>
#include <cstdint>

#include "hd.h"
#include "lane_math.h"
#include "rng.h"

namespace remc {

enum class DistKind : std::int32_t {
  kFixed = 0,      // a: value
  kNormal = 1,     // a: mean, b: sd
  kLognormal = 2,  // a: median, b: sigma of the log
  kUniform = 3,    // a: low, b: high
  kTriangular = 4, // a: low, b: mode, c: high
  kBeta = 5,       // a: alpha, b: beta (on [0,1])
  kBernoulli = 6,  // a: p (values 0 or 1)
};

struct DistSpec {
  DistKind kind = DistKind::kFixed;
  float a = 0.0f, b = 0.0f, c = 0.0f;
  bool truncated = false;
  float lo = 0.0f, hi = 0.0f;  // truncation bounds, inclusive, when truncated
};

// Hands out uniforms in (0,1] four at a time from consecutive counters
// (month word kMonthPerPath + k, fixed slot).
class UniformSequence {
 public:
  REMC_HD UniformSequence(const PathRng& rng, std::uint32_t slot) : rng_(rng), slot_(slot) {}

  REMC_HD float next() {
    if (used_ == 4) {
      buf_ = rng_.uniforms(kMonthPerPath + block_, slot_);
      ++block_;
      used_ = 0;
    }
    return buf_.u[used_++];
  }

  REMC_HD float normal() {
    // Box-Muller on two sequence uniforms; keeps one value, so the sequence
    // stays a simple stream of uniforms.
    const float u = next();
    const float v = next();
    float c, s;
    sincos_2pi(v, &c, &s);
    return sqrtf(-2.0f * log_lanes(u)) * c;
  }

 private:
  const PathRng& rng_;
  std::uint32_t slot_;
  std::uint32_t block_ = 0;
  int used_ = 4;
  Uniform4 buf_{};
};

namespace detail {

// Marsaglia and Tsang (2000) gamma sampler, shape k > 0, scale 1, returning
// the logarithm of the draw. For k < 1 it samples shape k + 1 and adds
// log(U) / k; working in logs keeps tiny shapes (beta(0.02, 0.02)) from
// underflowing to 0, which would make a beta draw 0/0.
REMC_HD_INLINE float sample_log_gamma(float k, UniformSequence& seq) {
  float log_boost = 0.0f;
  if (k < 1.0f) {
    log_boost = log_lanes(seq.next()) / k;
    k += 1.0f;
  }
  const float d = k - 1.0f / 3.0f;
  const float c = 1.0f / sqrtf(9.0f * d);
  for (int attempt = 0; attempt < 1024; ++attempt) {
    const float z = seq.normal();
    const float t = 1.0f + c * z;
    if (t <= 0.0f) continue;
    const float v = t * t * t;
    const float u = seq.next();
    if (log_lanes(u) < 0.5f * z * z + d - d * v + d * log_lanes(v)) return log_lanes(d * v) + log_boost;
  }
  return log_lanes(d) + log_boost;  // unreachable in practice: acceptance rate is above 95 %
}

REMC_HD_INLINE float sample_once(const DistSpec& d, UniformSequence& seq) {
  switch (d.kind) {
    case DistKind::kFixed:
      return d.a;
    case DistKind::kNormal:
      return d.a + d.b * seq.normal();
    case DistKind::kLognormal:
      return d.a * exp_lanes(d.b * seq.normal());
    case DistKind::kUniform:
      return d.a + (d.b - d.a) * seq.next();
    case DistKind::kTriangular: {
      // Inverse CDF with low a, mode b, high c.
      const float u = seq.next();
      const float span = d.c - d.a;
      const float left = (d.b - d.a) / span;
      if (u <= left) return d.a + sqrtf(u * span * (d.b - d.a));
      return d.c - sqrtf((1.0f - u) * span * (d.c - d.b));
    }
    case DistKind::kBeta: {
      // x / (x + y) for gamma draws x, y, as 1 / (1 + exp(log y - log x)).
      const float log_x = sample_log_gamma(d.a, seq);
      const float log_y = sample_log_gamma(d.b, seq);
      return 1.0f / (1.0f + exp_lanes(log_y - log_x));
    }
    case DistKind::kBernoulli:
      return seq.next() <= d.a ? 1.0f : 0.0f;
  }
  return d.a;
}

}  // namespace detail

// One draw of d from the sequence, honouring truncation.
REMC_HD_INLINE float sample(const DistSpec& d, UniformSequence& seq) {
  if (!d.truncated) return detail::sample_once(d, seq);
  float x = 0.0f;
  for (int attempt = 0; attempt < 256; ++attempt) {
    x = detail::sample_once(d, seq);
    if (x >= d.lo && x <= d.hi) return x;
  }
  return min_f(max_f(x, d.lo), d.hi);
}

}  // namespace remc
