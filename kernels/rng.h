// Counter-based random numbers for one simulated path.
//
// Why counter-based: every number is philox(counter, key), a pure function, so
// a path's draws depend only on (seed, stream, path index) and never on which
// thread, block, GPU or MPI rank simulates it. That is what makes results
// bit-identical across thread counts, block sizes, shards and backends, and
// what gives two scenarios run with the same seed common random numbers.
//
// The generator is Philox4x32-10 (Salmon et al., "Parallel random numbers: as
// easy as 1, 2, 3", SC11), the same function as Random123's r123::Philox4x32,
// written here as a template over the lane type (kernels/lanes.h) so W paths
// draw in one set of SIMD instructions; tests/test_rng.cpp checks it against
// Random123 and its published known answers.
//
// Layout: key = (seed, stream); counter = (path low 32 bits, path high 32 bits,
// month word, draw slot). Random123's Philox has no weakness for correlated
// keys or counters, so path indices are used as they are, unhashed. Each draw
// the model makes has its own slot below; a new draw gets a new slot, so adding
// one never shifts the numbers of the others.
#pragma once

#include <cstdint>

#include "hd.h"
#include "lane_math.h"
#include "lanes.h"

namespace remc {

// Streams: independent families of numbers under one seed.
enum RngStream : std::uint32_t {
  kStreamSimulation = 0,
};

// The month word for draws made once per path (parameters, project fates).
// Month words at or above this value never collide with a real month.
constexpr std::uint32_t kMonthPerPath = 0x80000000u;

// Draw slots within a month word. The regime's slot is fixed; every other
// draw belongs to something named in the config (a material, a project, an
// uncertain parameter), and its slot is that kind's base plus a 28-bit hash
// of the name, computed by the host (host/random_slots.h) and stored in the
// Model. So a draw's numbers depend on its name alone: a scenario that adds,
// removes or reorders projects, materials or distributions leaves every
// other draw as it was (common random numbers, MODEL.md section 8).
enum DrawSlot : std::uint32_t {
  kSlotRegime = 0,                  // month t: u0 regime move, u1 retaliation, u2 suppression count;
                                    // per path: u0 initial regime
  kSlotMaterialBase = 1u << 28,     // month t: normals for demand (importer, allies), price (ex-China, China)
  kSlotProjectUtilBase = 2u << 28,  // month word t / 4: utilisation noise of months 4(t/4) ... 4(t/4) + 3
  kSlotParamBase = 3u << 28,        // per path (month words kMonthPerPath + k): an uncertain parameter
  kSlotProjectFateBase = 4u << 28,  // per path: u0 failure, u1/u2 delay normal
};
constexpr std::uint32_t kSlotHashMask = (1u << 28) - 1;

// Four random words per lane, and what the model makes of them.
template <class L>
struct Words4 {
  typename L::U v[4];
};
template <class L>
struct Uniforms4 {
  typename L::F u[4];
};
template <class L>
struct Normals4 {
  typename L::F z[4];
};
using Uniform4 = Uniforms4<ScalarLanes>;
using Normal4 = Normals4<ScalarLanes>;

// A 32-bit word as a uniform in (0, 1]: (w + 1/2) / 2^32 rounded to float,
// as Random123's u01<float>.
template <class U>
REMC_HD_INLINE auto u01(U w) {
  return to_float(w) * 2.3283064365386963e-10f + 1.1641532182693481e-10f;
}

// Two standard normals from two words (Box-Muller): radius from the first,
// angle from the second.
template <class U, class F>
REMC_HD_INLINE void box_muller(U a, U b, F* z0, F* z1) {
  const F r = sqrt_lanes(-2.0f * log_lanes(u01(a)));
  F c, s;
  sincos_2pi(u01(b), &c, &s);
  *z0 = r * c;
  *z1 = r * s;
}

// Path index words of each lane: lane i simulates path first + i.
REMC_HD_INLINE void path_words(std::uint64_t first, std::uint32_t* lo, std::uint32_t* hi) {
  *lo = static_cast<std::uint32_t>(first);
  *hi = static_cast<std::uint32_t>(first >> 32);
}
#if !defined(__CUDACC__)
template <class U>
inline void path_words(std::uint64_t first, U* lo, U* hi) {
  for (int i = 0; i < static_cast<int>(sizeof(U) / 4); ++i) {
    (*lo)[i] = static_cast<std::uint32_t>(first + i);
    (*hi)[i] = static_cast<std::uint32_t>((first + i) >> 32);
  }
}
#endif

// Random numbers of one path (ScalarLanes) or of W consecutive paths.
template <class L>
class LaneRng {
 public:
  using U = typename L::U;
  using F = typename L::F;

  // Lane i draws for path `first_path + i`.
  REMC_HD LaneRng(std::uint32_t seed, std::uint32_t stream, std::uint64_t first_path) : seed_(seed), stream_(stream) {
    path_words(first_path, &path_lo_, &path_hi_);
  }

  // Philox4x32-10 of counter (path lo, path hi, month word, slot), key (seed, stream).
  REMC_HD Words4<L> raw(std::uint32_t month_word, std::uint32_t slot) const {
    U c0 = path_lo_, c1 = path_hi_;
    U c2 = splat<U>(month_word), c3 = splat<U>(slot);
    std::uint32_t k0 = seed_, k1 = stream_;
    for (int round = 0; round < 10; ++round) {
      if (round > 0) {
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
      }
      U lo0, lo1;
      const U hi0 = mul_hi_lo(splat<U>(0xD2511F53u), c0, &lo0);
      const U hi1 = mul_hi_lo(splat<U>(0xCD9E8D57u), c2, &lo1);
      const U n0 = hi1 ^ c1 ^ k0;
      const U n2 = hi0 ^ c3 ^ k1;
      c0 = n0;
      c1 = lo1;
      c2 = n2;
      c3 = lo0;
    }
    return Words4<L>{{c0, c1, c2, c3}};
  }

  // Four uniforms in (0, 1].
  REMC_HD Uniforms4<L> uniforms(std::uint32_t month_word, std::uint32_t slot) const {
    const Words4<L> r = raw(month_word, slot);
    Uniforms4<L> out;
    for (int i = 0; i < 4; ++i) out.u[i] = u01(r.v[i]);
    return out;
  }

  // Four standard normals (two Box-Muller pairs).
  REMC_HD Normals4<L> normals(std::uint32_t month_word, std::uint32_t slot) const {
    const Words4<L> r = raw(month_word, slot);
    Normals4<L> out;
    box_muller(r.v[0], r.v[1], &out.z[0], &out.z[1]);
    box_muller(r.v[2], r.v[3], &out.z[2], &out.z[3]);
    return out;
  }

 private:
  std::uint32_t seed_, stream_;
  U path_lo_, path_hi_;
};

using PathRng = LaneRng<ScalarLanes>;

}  // namespace remc
