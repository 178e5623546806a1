// The bare cost of a path's random numbers: the same Philox calls and the
// same uniform/normal transforms that PathSimulator makes for a model, with
// the same lane type, and none of the monthly model. scripts/bench divides engine
// throughput by this.
#pragma once

#include <cstdint>

#include "distributions.h"
#include "hd.h"
#include "lanes.h"
#include "model.h"
#include "path_start.h"
#include "rng.h"

namespace remc {

template <class L>
struct DrawCostKernel {
  using F = typename L::F;

  const Model* model = nullptr;
  std::uint32_t seed = 0;
  std::uint64_t first_path = 0;
  float* sink = nullptr;  // one value per path, so the compiler keeps the work

  REMC_HD void operator()(std::uint64_t group) const {
    const Model& md = *model;
    const std::uint64_t local = group * L::width;
    // Per-path draws: PathStart itself, so they are the engine's by
    // construction (it adds a few operations per path, for project start
    // months, none per month).
    PathStart<L> ps;
    ps.draw(md, seed, first_path + local);
    F acc = to_float(ps.regime);
    for (int i = 0; i < md.uncertain_count; ++i) acc = acc + ps.draws[i];
    for (int p = 0; p < md.projects; ++p) acc = acc + ps.delay[p] + ps.failed[p];
    // Upper bound of the engine's monthly draws: every project that can have
    // utilisation noise draws from month 0, whether or not it produces yet.
    const LaneRng<L> rng(seed, kStreamSimulation, first_path + local);
    for (int t = 0; t < md.months; ++t) {
      const Uniforms4<L> u = rng.uniforms(static_cast<std::uint32_t>(t), kSlotRegime);
      acc = acc + u.u[0] + u.u[1] + u.u[2];
      for (int m = 0; m < md.materials; ++m) {
        const Normals4<L> z = rng.normals(static_cast<std::uint32_t>(t), md.material[m].noise_slot);
        acc = acc + z.z[0] + z.z[1] + z.z[2] + z.z[3];
      }
      if (t % 4 != 0) continue;  // one draw gives a project four months of noise
      for (int p = 0; p < md.projects; ++p) {
        const ProjectModel& pr = md.project[p];
        if (pr.utilisation_sigma.value <= 0.0f && pr.utilisation_sigma.draw < 0) continue;
        const Normals4<L> z = rng.normals(static_cast<std::uint32_t>(t / 4), pr.utilisation_slot);
        acc = acc + z.z[0] + z.z[1] + z.z[2] + z.z[3];
      }
    }
    store_lanes(sink + local, acc);
  }
};

}  // namespace remc
