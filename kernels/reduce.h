// Reduces one block of path outputs into per-chunk moments and histogram,
// exceedance and regime-transition counts, on either backend.
//
// Determinism: integer counts are exact whatever the order of addition.
// Floating-point moments are computed per chunk of kChunkPaths paths, each in
// path order by one thread, and handed to the host, which merges chunks in a
// fixed tree (host/moment_tree.h). So no floating-point sum ever depends on
// threads, block size or scheduling.
#pragma once

#include <cmath>
#include <cstdint>

#include "hd.h"
#include "model_limits.h"
#include "outputs.h"

namespace remc {

// Histogram and thresholds for one cell. Bins are [lo, hi) split linearly or
// logarithmically; bin 0 counts underflow (x < lo, or x <= 0 on a log scale),
// bin bins+1 overflow (x >= hi).
struct HistSpec {
  float lo = 0.0f;
  float hi = 1.0f;
  int bins = 1;
  bool log_scale = false;
  float origin = 0.0f;  // lo, or log(lo) on a log scale
  float scale = 1.0f;   // bins per unit of x, or of log(x)
  int threshold_count = 0;
  float thresholds[kMaxThresholds] = {};  // exceedance counts x > threshold

  // The only way to set the bin fields, so origin and scale match lo and hi.
  static HistSpec make(float lo, float hi, int bins, bool log_scale) {
    HistSpec s;
    s.lo = lo;
    s.hi = hi;
    s.bins = bins;
    s.log_scale = log_scale;
    s.origin = log_scale ? logf(lo) : lo;
    s.scale = static_cast<float>(bins) / (log_scale ? logf(hi) - logf(lo) : hi - lo);
    return s;
  }

  REMC_HD int bin_of(float x) const {
    if (!(x >= lo)) return 0;  // also catches NaN
    if (x >= hi) return bins + 1;
    const float pos = ((log_scale ? logf(x) : x) - origin) * scale;
    int b = static_cast<int>(pos);
    b = b < 0 ? 0 : (b >= bins ? bins - 1 : b);
    return b + 1;
  }
};

// Moments of one cell over one chunk of paths.
struct ChunkMoments {
  std::uint64_t count = 0;
  double mean = 0.0;
  double m2 = 0.0;  // sum of squared deviations from the mean
  double min = 0.0;
  double max = 0.0;
};

REMC_HD_INLINE void atomic_add_u64(std::uint64_t* target, std::uint64_t value, bool atomic) {
  if (!atomic) {
    *target += value;
    return;
  }
#if defined(__CUDA_ARCH__)
  atomicAdd(reinterpret_cast<unsigned long long*>(target), static_cast<unsigned long long>(value));
#else
  __atomic_fetch_add(target, value, __ATOMIC_RELAXED);
#endif
}

// One work item reduces `chunks_per_item` consecutive chunks of one cell.
// The CPU backend gives each item all chunks of a block (one item per cell,
// no shared writes); the CUDA backend one chunk per item, with atomic adds
// for the counts, to have enough threads.
struct BlockReducer {
  const float* values = nullptr;        // [cell][block_paths]
  std::uint64_t block_paths = 0;        // paths in this block (last block may be short)
  std::uint64_t block_stride = 0;       // allocated paths per cell in `values`
  int chunks_in_block = 0;
  int chunks_per_item = 0;
  int items_per_cell = 0;
  const int* cell_spec = nullptr;       // [cell] -> index into specs
  const HistSpec* specs = nullptr;
  const std::uint64_t* hist_offset = nullptr;  // [cell] -> first counter in hist
  std::uint64_t* hist = nullptr;        // counts, bins + 2 per cell
  std::uint64_t* exceed = nullptr;      // [cell][kMaxThresholds]
  ChunkMoments* moments = nullptr;      // [cell][chunks_in_block]
  bool atomic = false;

  REMC_HD void operator()(std::uint64_t item) const {
    const int cell = static_cast<int>(item / static_cast<std::uint64_t>(items_per_cell));
    const int part = static_cast<int>(item % static_cast<std::uint64_t>(items_per_cell));
    const HistSpec& spec = specs[cell_spec[cell]];
    const float* x = values + static_cast<std::uint64_t>(cell) * block_stride;
    std::uint64_t* h = hist + hist_offset[cell];
    std::uint64_t* e = exceed + static_cast<std::uint64_t>(cell) * kMaxThresholds;
    const int first = part * chunks_per_item;
    for (int k = first; k < first + chunks_per_item && k < chunks_in_block; ++k) {
      const std::uint64_t begin = static_cast<std::uint64_t>(k) * kChunkPaths;
      std::uint64_t end = begin + kChunkPaths;
      if (end > block_paths) end = block_paths;
      ChunkMoments cm;
      cm.count = end - begin;
      double sum = 0.0;
      double lo = x[begin], hi = x[begin];
      for (std::uint64_t p = begin; p < end; ++p) {
        const double v = x[p];
        sum += v;
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
      }
      cm.mean = sum / static_cast<double>(cm.count);
      double m2 = 0.0;
      std::uint64_t over[kMaxThresholds] = {};
      for (std::uint64_t p = begin; p < end; ++p) {
        const double d = x[p] - cm.mean;
        m2 += d * d;
        atomic_add_u64(h + spec.bin_of(x[p]), 1, atomic);
        for (int j = 0; j < spec.threshold_count; ++j) over[j] += x[p] > spec.thresholds[j] ? 1 : 0;
      }
      for (int j = 0; j < spec.threshold_count; ++j) atomic_add_u64(e + j, over[j], atomic);
      cm.m2 = m2;
      cm.min = lo;
      cm.max = hi;
      moments[static_cast<std::uint64_t>(cell) * chunks_in_block + k] = cm;
    }
  }
};

// Counts regime transitions per month: one work item per month t >= 1 on the
// CPU (no shared writes), or per (month, chunk) on CUDA with atomic adds.
struct TransitionCounter {
  const float* values = nullptr;
  std::uint64_t block_paths = 0;
  std::uint64_t block_stride = 0;
  OutputLayout layout;
  int chunks_in_block = 0;
  int chunks_per_item = 0;
  int items_per_month = 0;
  std::uint64_t* counts = nullptr;  // [month][from][to], K x K per month (month 0 unused)
  bool atomic = false;

  REMC_HD void operator()(std::uint64_t item) const {
    const int t = 1 + static_cast<int>(item / static_cast<std::uint64_t>(items_per_month));
    const int part = static_cast<int>(item % static_cast<std::uint64_t>(items_per_month));
    const int K = layout.regimes;
    const float* prev = values + static_cast<std::uint64_t>(layout.monthly_global(kRegime, t - 1)) * block_stride;
    const float* curr = values + static_cast<std::uint64_t>(layout.monthly_global(kRegime, t)) * block_stride;
    std::uint64_t* c = counts + static_cast<std::uint64_t>(t) * K * K;
    const std::uint64_t begin = static_cast<std::uint64_t>(part) * chunks_per_item * kChunkPaths;
    std::uint64_t end = begin + static_cast<std::uint64_t>(chunks_per_item) * kChunkPaths;
    if (end > block_paths) end = block_paths;
    for (std::uint64_t p = begin; p < end; ++p) {
      const int i = static_cast<int>(prev[p]);
      const int j = static_cast<int>(curr[p]);
      atomic_add_u64(c + i * K + j, 1, atomic);
    }
  }
};

}  // namespace remc
