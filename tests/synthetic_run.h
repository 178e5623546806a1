// Test helpers: a small hand-built config (2 materials, 3 months, 3 regimes)
// and a host-only stand-in for the engine's block loop, which reduces given
// per-path values with the real BlockReducer and TransitionCounter and hands
// the chunk moments to a BlockSink, as run_engine does.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <vector>

#include "aggregation_plan.h"
#include "engine.h"
#include "reduce.h"
#include "run_config.h"

namespace remc::test {

inline RunConfig small_config() {
  RunConfig config;
  config.config_file = "configs/synthetic.ini";
  config.resolved_text = "[run]\npaths = 50000\nseed = 7\n";
  config.run.paths = 50000;
  config.run.seed = 7;
  config.run.start_year = 2025;
  config.run.start_month = 11;
  config.material_names = {"nd", "dy"};
  config.regime_names = {"open", "licensing", "embargo"};
  Model& model = config.model;
  model.months = 3;
  model.materials = 2;
  model.regime.count = 3;
  for (int m = 0; m < 2; ++m) {
    model.price[m].min.value = 10.0f;
    model.price[m].max.value = 1000.0f;
    model.price[m].ref.value = 50.0f;
    model.demand[0][m].base_tpy.value = 12000.0f;
    model.demand[1][m].base_tpy.value = 6000.0f;
    model.stockpile[m].initial_t.value = 500.0f;
    model.stockpile[m].target_t.value = 800.0f;
    model.material[m].voll_per_t.value = 1e5f;
  }
  model.tension.jump.value = 1.0f;
  return config;
}

// values[cell * paths + path]: what the kernels would have written.
using PathValues = std::vector<float>;

// Reduces `values` in blocks of `block_paths` (a multiple of kChunkPaths),
// feeding `sink` in block order; returns the integer totals.
inline CountTotals reduce_in_blocks(const AggregationPlan& plan, const PathValues& values, std::uint64_t paths,
                                    std::uint64_t block_paths, BlockSink& sink) {
  const OutputLayout& layout = plan.layout;
  const int cells = layout.cell_count();
  const int K = layout.regimes, T = layout.months;
  CountTotals totals;
  totals.hist.assign(plan.hist_size, 0);
  totals.exceed.assign(static_cast<std::size_t>(cells) * kMaxThresholds, 0);
  totals.transitions.assign(static_cast<std::size_t>(T) * K * K, 0);
  const int chunks_per_block = static_cast<int>(block_paths / kChunkPaths);
  std::vector<float> block(static_cast<std::size_t>(cells) * block_paths);
  std::vector<ChunkMoments> moments(static_cast<std::size_t>(cells) * chunks_per_block);
  for (std::uint64_t done = 0; done < paths;) {
    const std::uint64_t n = std::min(block_paths, paths - done);
    const int chunks = static_cast<int>((n + kChunkPaths - 1) / kChunkPaths);
    for (int c = 0; c < cells; ++c)
      std::copy_n(values.begin() + static_cast<std::ptrdiff_t>(c * paths + done), n,
                  block.begin() + static_cast<std::ptrdiff_t>(c * block_paths));
    BlockReducer red;
    red.values = block.data();
    red.block_paths = n;
    red.block_stride = block_paths;
    red.cells = cells;
    red.chunks_in_block = chunks;
    red.chunks_per_item = chunks;
    red.items_per_cell = 1;
    red.cell_spec = plan.cell_spec.data();
    red.specs = plan.specs.data();
    red.hist_offset = plan.hist_offset.data();
    red.hist = totals.hist.data();
    red.exceed = totals.exceed.data();
    red.moments = moments.data();
    for (int c = 0; c < cells; ++c) red(static_cast<std::uint64_t>(c));
    TransitionCounter tc;
    tc.values = block.data();
    tc.block_paths = n;
    tc.block_stride = block_paths;
    tc.layout = layout;
    tc.chunks_in_block = chunks;
    tc.chunks_per_item = chunks;
    tc.items_per_month = 1;
    tc.counts = totals.transitions.data();
    for (int t = 1; t < T; ++t) tc(static_cast<std::uint64_t>(t - 1));
    sink.on_block(done / kChunkPaths, chunks, moments.data());
    done += n;
  }
  return totals;
}

// A deterministic pseudo-uniform in [0, 1) from (cell, path).
inline double hash_uniform(std::uint64_t cell, std::uint64_t path) {
  std::uint64_t x = cell * 0x9E3779B97F4A7C15ull + path * 0xBF58476D1CE4E5B9ull + 0x94D049BB133111EBull;
  x ^= x >> 31;
  x *= 0xD6E8FEB86648B2E5ull;
  x ^= x >> 29;
  return static_cast<double>(x >> 11) * 0x1.0p-53;
}

// The regime state of path p in month t: a fixed cycle, so occupancy and
// transitions are known exactly.
inline int synthetic_regime(std::uint64_t path, int t, int regimes) {
  return static_cast<int>((path + static_cast<std::uint64_t>(t) * (path % 2)) % regimes);
}

// Values for every cell: regimes from synthetic_regime, month counts as
// integers, everything else spread over the cell's histogram range with a
// few percent beyond it (overflow).
inline PathValues synthetic_values(const AggregationPlan& plan, std::uint64_t paths) {
  const OutputLayout& layout = plan.layout;
  PathValues values(static_cast<std::size_t>(layout.cell_count()) * paths);
  for (int c = 0; c < layout.cell_count(); ++c) {
    const HistSpec& spec = plan.specs[plan.cell_spec[c]];
    for (std::uint64_t p = 0; p < paths; ++p) {
      const double u = hash_uniform(static_cast<std::uint64_t>(c), p);
      values[c * paths + p] = static_cast<float>(spec.lo + 1.03 * u * (spec.hi - spec.lo));
    }
  }
  for (int t = 0; t < layout.months; ++t)
    for (std::uint64_t p = 0; p < paths; ++p)
      values[layout.monthly_global(kRegime, t) * paths + p] = static_cast<float>(synthetic_regime(p, t, layout.regimes));
  return values;
}

}  // namespace remc::test
