// The block loop shared by both backends: simulate a block of paths into a
// cell-major buffer, reduce it to chunk moments and counts, hand the moments
// to the sink in block order. Included only by engine_cpu.cpp and
// engine_cuda.cu, the two translation units that see Thrust.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <thrust/copy.h>
#include <thrust/fill.h>
#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "draw_cost.h"
#include "engine.h"
#include "reduce.h"
#include "simulate.h"

namespace remc {

// Floats between consecutive cells in a block's buffer. A power-of-two block
// (4096 paths = 16 KiB per cell) puts every cell of a path at the same offset
// modulo the cache's set period, so the ~5,500 stores of one path all compete
// for a handful of L1/L2 sets and each evicts the line the next path needs.
// Padding each cell by 32 floats (128 bytes: keeps GPU rows aligned for
// coalescing, so neutral there) spreads cells over all sets. CPU-motivated.
// The padding also takes the extra lanes of a last group of paths that does
// not fill all W lanes (W <= 32).
constexpr std::uint64_t kCellPadFloats = 32;

inline std::uint64_t cell_stride(std::uint64_t block_paths) { return block_paths + kCellPadFloats; }

// The integer counts so far, copied to the host.
template <class Vector>
CountTotals copy_counts(const Vector& hist, const Vector& exceed, const Vector& transitions) {
  CountTotals totals;
  totals.hist.resize(hist.size());
  totals.exceed.resize(exceed.size());
  totals.transitions.resize(transitions.size());
  thrust::copy(hist.begin(), hist.end(), totals.hist.begin());
  thrust::copy(exceed.begin(), exceed.end(), totals.exceed.begin());
  thrust::copy(transitions.begin(), transitions.end(), totals.transitions.begin());
  return totals;
}

// Backend traits provide: template <class T> using vector; policy();
// a bool atomic_counts (true: one work item per chunk, atomic adds); and
// Lanes, the lane type of the path kernel (paths per work item).
template <class Backend>
CountTotals run_blocks(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                       std::uint64_t block_paths, BlockSink& sink, EngineInfo* info) {
  using std::uint64_t;
  if (block_paths == 0 || block_paths % kChunkPaths != 0)
    throw std::invalid_argument("block paths (" + std::to_string(block_paths) + ") must be a positive multiple of " +
                                std::to_string(kChunkPaths));
  if (options.paths > 0 && options.first_path % kChunkPaths != 0)
    throw std::invalid_argument("first path (" + std::to_string(options.first_path) + ") must be a multiple of " +
                                std::to_string(kChunkPaths));
  const OutputLayout& layout = plan.layout;
  const int cells = layout.cell_count();
  const int K = layout.regimes;
  const int T = layout.months;
  const int chunks_per_block = static_cast<int>(block_paths / kChunkPaths);
  const auto policy = Backend::policy();
  const uint64_t stride = cell_stride(block_paths);

  // Copied from a range, not filled: a fill would pass the 22 kB Model to a
  // CUDA kernel as a parameter (near the 32 kB limit).
  typename Backend::template vector<Model> model_dev(&model, &model + 1);
  typename Backend::template vector<float> values(static_cast<uint64_t>(cells) * stride);
  typename Backend::template vector<int> cell_spec(plan.cell_spec.begin(), plan.cell_spec.end());
  typename Backend::template vector<HistSpec> specs(plan.specs.begin(), plan.specs.end());
  typename Backend::template vector<uint64_t> hist_offset(plan.hist_offset.begin(), plan.hist_offset.end());
  typename Backend::template vector<uint64_t> hist(plan.hist_size, 0);
  typename Backend::template vector<uint64_t> exceed(static_cast<uint64_t>(cells) * kMaxThresholds, 0);
  typename Backend::template vector<uint64_t> transitions(static_cast<uint64_t>(T) * K * K, 0);
  typename Backend::template vector<ChunkMoments> moments(static_cast<uint64_t>(cells) * chunks_per_block);
  std::vector<ChunkMoments> moments_host(moments.size());

  for (uint64_t done = 0; done < options.paths;) {
    const uint64_t n = std::min<uint64_t>(block_paths, options.paths - done);
    const int chunks = static_cast<int>((n + kChunkPaths - 1) / kChunkPaths);

    using Lanes = typename Backend::Lanes;
    const uint64_t groups = (n + Lanes::width - 1) / Lanes::width;
    PathSimulator<Lanes> sim;
    sim.model = thrust::raw_pointer_cast(model_dev.data());
    sim.layout = layout;
    sim.seed = options.seed;
    sim.first_path = options.first_path + done;
    sim.out = thrust::raw_pointer_cast(values.data());
    sim.stride = stride;
    const auto t0 = std::chrono::steady_clock::now();
    thrust::for_each(policy, thrust::counting_iterator<uint64_t>(0), thrust::counting_iterator<uint64_t>(groups), sim);
    const auto t1 = std::chrono::steady_clock::now();

    BlockReducer red;
    red.values = thrust::raw_pointer_cast(values.data());
    red.block_paths = n;
    red.block_stride = stride;
    red.cells = cells;
    red.chunks_in_block = chunks;
    red.atomic = Backend::atomic_counts;
    red.chunks_per_item = Backend::atomic_counts ? 1 : chunks;
    red.items_per_cell = Backend::atomic_counts ? chunks : 1;
    red.cell_spec = thrust::raw_pointer_cast(cell_spec.data());
    red.specs = thrust::raw_pointer_cast(specs.data());
    red.hist_offset = thrust::raw_pointer_cast(hist_offset.data());
    red.hist = thrust::raw_pointer_cast(hist.data());
    red.exceed = thrust::raw_pointer_cast(exceed.data());
    red.moments = thrust::raw_pointer_cast(moments.data());
    thrust::for_each(policy, thrust::counting_iterator<uint64_t>(0),
                     thrust::counting_iterator<uint64_t>(static_cast<uint64_t>(cells) * red.items_per_cell), red);

    if (T > 1 && K > 0) {
      TransitionCounter tc;
      tc.values = red.values;
      tc.block_paths = n;
      tc.block_stride = stride;
      tc.layout = layout;
      tc.chunks_in_block = chunks;
      tc.atomic = Backend::atomic_counts;
      tc.chunks_per_item = Backend::atomic_counts ? 1 : chunks;
      tc.items_per_month = Backend::atomic_counts ? chunks : 1;
      tc.counts = thrust::raw_pointer_cast(transitions.data());
      thrust::for_each(policy, thrust::counting_iterator<uint64_t>(0),
                       thrust::counting_iterator<uint64_t>(static_cast<uint64_t>(T - 1) * tc.items_per_month), tc);
    }

    const auto t2 = std::chrono::steady_clock::now();
    if (info) {
      info->simulate_seconds += std::chrono::duration<double>(t1 - t0).count();
      info->reduce_seconds += std::chrono::duration<double>(t2 - t1).count();
    }

    // The reducer lays moments out compactly, [cell][chunks of this block].
    thrust::copy(moments.begin(), moments.begin() + static_cast<std::ptrdiff_t>(cells) * chunks,
                 moments_host.begin());
    sink.on_block((options.first_path + done) / kChunkPaths, chunks, moments_host.data());
    done += n;
    if (info) info->paths_done = done;
    sink.on_progress(done, options.paths);
    if (sink.wants_counts()) sink.on_counts(copy_counts(hist, exceed, transitions), options.first_path + done);
    if (sink.stop_requested()) break;
  }
  return copy_counts(hist, exceed, transitions);
}

// Times DrawCostKernel over the same paths and blocks as run_blocks.
template <class Backend>
double time_draw_blocks(const Model& model, const EngineOptions& options, std::uint64_t block_paths) {
  // Copied from a range, not filled: a fill would pass the 22 kB Model to a
  // CUDA kernel as a parameter (near the 32 kB limit).
  typename Backend::template vector<Model> model_dev(&model, &model + 1);
  using Lanes = typename Backend::Lanes;
  typename Backend::template vector<float> sink(block_paths + Lanes::width);
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t done = 0; done < options.paths;) {
    const std::uint64_t n = std::min<std::uint64_t>(block_paths, options.paths - done);
    DrawCostKernel<Lanes> k;
    k.model = thrust::raw_pointer_cast(model_dev.data());
    k.seed = options.seed;
    k.first_path = options.first_path + done;
    k.sink = thrust::raw_pointer_cast(sink.data());
    thrust::for_each(Backend::policy(), thrust::counting_iterator<std::uint64_t>(0),
                     thrust::counting_iterator<std::uint64_t>((n + Lanes::width - 1) / Lanes::width), k);
    done += n;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// A study's (design point, path) columns in blocks of `block_columns`
// (kernels/study.h): simulate, keep each column's per-path values, hand them
// to the sink in column order.
template <class Backend>
void run_study_blocks(const StudyBatch& batch, const EngineOptions& options, std::uint64_t block_columns,
                      StudySink& sink, EngineInfo* info) {
  using std::uint64_t;
  using Lanes = typename Backend::Lanes;
  const uint64_t width = Lanes::width;
  if (batch.extract_count < 1 || batch.extract_count > kMaxStudyExtracts)
    throw std::invalid_argument("a study keeps 1 to " + std::to_string(kMaxStudyExtracts) + " values per path");
  const uint64_t cols_per_point = (batch.paths_per_point + width - 1) / width * width;
  const uint64_t total = batch.points * cols_per_point;
  // Never a buffer larger than the whole study needs.
  block_columns = std::max<uint64_t>(width, std::min(block_columns, total) / width * width);
  const uint64_t stride = cell_stride(block_columns);
  const int cells = batch.layout.cell_count();

  typename Backend::template vector<Model> models(batch.models, batch.models + batch.points);
  typename Backend::template vector<float> values(static_cast<uint64_t>(cells) * stride);
  typename Backend::template vector<float> kept(block_columns * static_cast<uint64_t>(batch.extract_count));
  std::vector<float> kept_host(kept.size());

  StudyExtractKernel extract;
  for (int e = 0; e < batch.extract_count; ++e) extract.extracts[e] = batch.extracts[e];
  extract.count = batch.extract_count;
  extract.values = thrust::raw_pointer_cast(values.data());
  extract.stride = stride;
  extract.out = thrust::raw_pointer_cast(kept.data());

  for (uint64_t done = 0; done < total;) {
    const uint64_t n = std::min(block_columns, total - done);  // a multiple of the lane width
    PathSimulator<Lanes> sim;
    sim.layout = batch.layout;
    sim.seed = options.seed;
    sim.out = thrust::raw_pointer_cast(values.data());
    sim.stride = stride;
    sim.batch.models = thrust::raw_pointer_cast(models.data());
    sim.batch.cols_per_point = cols_per_point;
    sim.batch.first_column = done;
    const auto t0 = std::chrono::steady_clock::now();
    thrust::for_each(Backend::policy(), thrust::counting_iterator<uint64_t>(0),
                     thrust::counting_iterator<uint64_t>(n / width), sim);
    const auto t1 = std::chrono::steady_clock::now();
    thrust::for_each(Backend::policy(), thrust::counting_iterator<uint64_t>(0), thrust::counting_iterator<uint64_t>(n),
                     extract);
    thrust::copy(kept.begin(), kept.begin() + static_cast<std::ptrdiff_t>(n * batch.extract_count), kept_host.begin());
    if (info) {
      info->simulate_seconds += std::chrono::duration<double>(t1 - t0).count();
      info->reduce_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    }
    sink.on_columns(done, n, cols_per_point, kept_host.data());
    done += n;
    sink.on_progress(done, total);
  }
}

}  // namespace remc
