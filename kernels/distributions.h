// Probability distributions for uncertain parameters (MODEL.md section 7),
// drawn once per path from that path's counter-based random numbers.
//
// A draw takes uniforms from its parameter's sequence one path at a time,
// with the polynomial exp/log of kernels/lane_math.h so that the CPU and GPU
// backends draw the same bits. The laws other than beta need at most the
// first two uniforms of an attempt; sample_from_uniforms turns those into a
// value for one path or for a vector of paths with the same arithmetic, so
// the CPU can take every lane's first attempt at once (kernels/path_start.h).
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

namespace detail {

// A standard normal from two uniforms: Box-Muller, keeping the cosine value
// only, so a sequence stays a simple stream of uniforms.
template <class F>
REMC_HD_INLINE F normal_from_uniforms(F u, F v) {
  F c, s;
  sincos_2pi(v, &c, &s);
  return sqrt_lanes(-2.0f * log_lanes(u)) * c;
}

}  // namespace detail

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
    const float u = next();
    const float v = next();
    return detail::normal_from_uniforms(u, v);
  }

 private:
  const PathRng& rng_;
  std::uint32_t slot_;
  std::uint32_t block_ = 0;
  int used_ = 4;
  Uniform4 buf_{};
};

namespace detail {

// Uniforms an attempt of d takes from its sequence (beta: a varying number).
REMC_HD_INLINE int uniforms_per_attempt(DistKind kind) {
  return kind == DistKind::kFixed ? 0 : (kind == DistKind::kNormal || kind == DistKind::kLognormal) ? 2 : 1;
}

// One attempt of any law but beta from its uniforms (u1 unused by laws that
// take one). F is float or a lane vector.
template <class F>
REMC_HD_INLINE F sample_from_uniforms(const DistSpec& d, F u0, F u1) {
  switch (d.kind) {
    case DistKind::kNormal:
      return d.a + d.b * normal_from_uniforms(u0, u1);
    case DistKind::kLognormal:
      return d.a * exp_lanes(d.b * normal_from_uniforms(u0, u1));
    // Both are kept within [low, high]: float rounding can otherwise take a
    // draw a step past an end (c - sqrt(...) below a, for a tiny u0, when
    // c is large), and the config checks rely on the ends.
    case DistKind::kUniform:
      return min_lanes(max_lanes(d.a + (d.b - d.a) * u0, splat<F>(d.a)), splat<F>(d.b));
    case DistKind::kTriangular: {
      // Inverse CDF with low a, mode b, high c (the branch not taken may be NaN).
      const float span = d.c - d.a;
      const float left = (d.b - d.a) / span;
      const F draw = select(u0 <= left, d.a + sqrt_lanes(u0 * span * (d.b - d.a)),
                            d.c - sqrt_lanes((1.0f - u0) * span * (d.c - d.b)));
      return min_lanes(max_lanes(draw, splat<F>(d.a)), splat<F>(d.c));
    }
    case DistKind::kBernoulli:
      return select(u0 <= d.a, splat<F>(1.0f), splat<F>(0.0f));
    default:  // fixed
      return splat<F>(d.a);
  }
}

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
  if (d.kind == DistKind::kBeta) {
    // x / (x + y) for gamma draws x, y, as 1 / (1 + exp(log y - log x)).
    const float log_x = sample_log_gamma(d.a, seq);
    const float log_y = sample_log_gamma(d.b, seq);
    return 1.0f / (1.0f + exp_lanes(log_y - log_x));
  }
  const int taken = uniforms_per_attempt(d.kind);
  const float u0 = taken > 0 ? seq.next() : 0.0f;
  const float u1 = taken > 1 ? seq.next() : 0.0f;
  return sample_from_uniforms(d, u0, u1);
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
