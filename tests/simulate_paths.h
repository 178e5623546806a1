// Runs the path kernel directly, without the engine: every output of paths
// first .. first + count - 1 of a model, for tests that look at single paths.
#pragma once

#include <cstdint>
#include <vector>

#include "model.h"
#include "simulate.h"

namespace remc_test {

// The cell layout of a model's outputs, as the kernel writes them.
inline remc::OutputLayout layout_of(const remc::Model& md) {
  remc::OutputLayout layout;
  layout.materials = md.materials;
  layout.months = md.months;
  layout.regimes = md.regime.count;
  return layout;
}

// Values cell-major and compact: cell c of path first + p at [c * count + p].
// L is the lane type (count a multiple of its width). The kernel writes into
// a 64-byte aligned buffer whose rows are padded, as the engine's block buffer
// is (the vector lanes' non-temporal stores need the alignment).
template <class L = remc::ScalarLanes>
std::vector<float> simulate_paths(const remc::Model& md, std::uint32_t seed, std::uint64_t first, int count) {
  remc::PathSimulator<L> sim;
  sim.model = &md;
  sim.layout = layout_of(md);
  sim.seed = seed;
  sim.first_path = first;
  sim.stride = (static_cast<std::uint64_t>(count) + 15) / 16 * 16 + 32;
  std::vector<float> buffer(static_cast<std::size_t>(sim.layout.cell_count()) * sim.stride + 16);
  float* base = buffer.data();
  while (reinterpret_cast<std::uintptr_t>(base) % 64 != 0) ++base;
  sim.out = base;
  for (int g = 0; g < count / L::width; ++g) sim(static_cast<std::uint64_t>(g));
  std::vector<float> values;
  values.reserve(static_cast<std::size_t>(sim.layout.cell_count()) * static_cast<std::size_t>(count));
  for (int c = 0; c < sim.layout.cell_count(); ++c)
    for (int p = 0; p < count; ++p) values.push_back(base[static_cast<std::size_t>(c) * sim.stride + p]);
  return values;
}

}  // namespace remc_test
