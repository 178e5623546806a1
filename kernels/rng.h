// Counter-based random numbers for one simulated path.
//
// Why counter-based: every number is philox(counter, key), a pure function, so
// a path's draws depend only on (seed, stream, path index) and never on which
// thread, block, GPU or MPI rank simulates it. That is what makes results
// bit-identical across thread counts, block sizes, shards and backends, and
// what gives two scenarios run with the same seed common random numbers.
//
// Layout: key = (seed, stream); counter = (path low 32 bits, path high 32 bits,
// month word, draw slot). Random123's Philox has no weakness for correlated
// keys or counters, so path indices are used as they are, unhashed. Each draw
// the model makes has a named slot below; a new draw gets a new slot, so adding
// one never shifts the numbers of the others.
#pragma once

#include <cstdint>

#include <Random123/philox.h>
#include <Random123/boxmuller.hpp>
#include <Random123/uniform.hpp>

#include "hd.h"

namespace remc {

// Streams: independent families of numbers under one seed.
enum RngStream : std::uint32_t {
  kStreamSimulation = 0,
};

// The month word for draws made once per path (parameters, project fates).
// Month words at or above this value never collide with a real month.
constexpr std::uint32_t kMonthPerPath = 0x80000000u;

// Draw slots within a month (or within the per-path word).
enum DrawSlot : std::uint32_t {
  // Monthly draws.
  kSlotRegime = 0,          // u0: regime transition, u1: retaliation, u2: suppression count
  kSlotMaterial = 16,       // + material: demand noise (importer, allies), price noise (ex-China, China)
  kSlotProjectUtil = 64,    // + project / 4: utilisation noise, four projects per draw
  // Per-path draws (month word kMonthPerPath + attempt).
  kSlotParam = 1024,        // + uncertain-parameter index
  kSlotProjectFate = 2048,  // + project: u0 failure, u1/u2 delay normal
};

struct Uniform4 {
  float u[4];
};
struct Normal4 {
  float z[4];
};

class PathRng {
 public:
  using Philox = r123::Philox4x32;

  REMC_HD PathRng(std::uint32_t seed, std::uint32_t stream, std::uint64_t path) {
    key_[0] = seed;
    key_[1] = stream;
    path_lo_ = static_cast<std::uint32_t>(path);
    path_hi_ = static_cast<std::uint32_t>(path >> 32);
  }

  // Four raw 32-bit outputs for (month word, slot).
  REMC_HD Philox::ctr_type raw(std::uint32_t month_word, std::uint32_t slot) const {
    Philox::ctr_type ctr = {{path_lo_, path_hi_, month_word, slot}};
    return Philox()(ctr, key_);
  }

  // Four uniforms in (0, 1].
  REMC_HD Uniform4 uniforms(std::uint32_t month_word, std::uint32_t slot) const {
    Philox::ctr_type r = raw(month_word, slot);
    Uniform4 out;
    for (int i = 0; i < 4; ++i) out.u[i] = r123::u01<float>(r.v[i]);
    return out;
  }

  // Four standard normals (two Box-Muller pairs).
  REMC_HD Normal4 normals(std::uint32_t month_word, std::uint32_t slot) const {
    Philox::ctr_type r = raw(month_word, slot);
    Normal4 out;
    const r123::float2 a = r123::boxmuller(r.v[0], r.v[1]);
    const r123::float2 b = r123::boxmuller(r.v[2], r.v[3]);
    out.z[0] = a.x;
    out.z[1] = a.y;
    out.z[2] = b.x;
    out.z[3] = b.y;
    return out;
  }

 private:
  Philox::key_type key_;
  std::uint32_t path_lo_;
  std::uint32_t path_hi_;
};

}  // namespace remc
