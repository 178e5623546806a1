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

// Sums over a chunk use four interleaved accumulators: value i goes to lane
// i % 4, and the lanes are combined as (l0 + l1) + (l2 + l3) at the end. A
// single double accumulator makes every add wait for the previous one (a
// 4-cycle chain per value, most of the reduction's time on the CPU);
// interleaving only reassociates the sum, which stays a fixed function of
// the chunk's values in path order, whatever the threads or block size.
// The lanes are named scalars, not an array, so they stay in registers.
struct SumMinMax {
  double sum, min, max;
};

REMC_HD_INLINE double min_d(double a, double b) { return b < a ? b : a; }
REMC_HD_INLINE double max_d(double a, double b) { return b > a ? b : a; }

REMC_HD_INLINE SumMinMax sum_min_max(const float* x, std::uint64_t n) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  double lo0 = x[0], lo1 = x[0], lo2 = x[0], lo3 = x[0];
  double hi0 = x[0], hi1 = x[0], hi2 = x[0], hi3 = x[0];
  std::uint64_t p = 0;
  for (; p + 4 <= n; p += 4) {
    const double v0 = x[p], v1 = x[p + 1], v2 = x[p + 2], v3 = x[p + 3];
    s0 += v0;
    s1 += v1;
    s2 += v2;
    s3 += v3;
    lo0 = min_d(lo0, v0);
    lo1 = min_d(lo1, v1);
    lo2 = min_d(lo2, v2);
    lo3 = min_d(lo3, v3);
    hi0 = max_d(hi0, v0);
    hi1 = max_d(hi1, v1);
    hi2 = max_d(hi2, v2);
    hi3 = max_d(hi3, v3);
  }
  // Tail of a short chunk: values n - n % 4 ... n - 1 go to lanes 0, 1, 2.
  if (p < n) { s0 += x[p]; lo0 = min_d(lo0, x[p]); hi0 = max_d(hi0, x[p]); ++p; }
  if (p < n) { s1 += x[p]; lo1 = min_d(lo1, x[p]); hi1 = max_d(hi1, x[p]); ++p; }
  if (p < n) { s2 += x[p]; lo2 = min_d(lo2, x[p]); hi2 = max_d(hi2, x[p]); }
  SumMinMax r;
  r.sum = (s0 + s1) + (s2 + s3);
  r.min = min_d(min_d(lo0, lo1), min_d(lo2, lo3));
  r.max = max_d(max_d(hi0, hi1), max_d(hi2, hi3));
  return r;
}

// Sum of squared deviations from `mean` (the second pass of the two-pass
// variance, which stays exact where a one-pass formula would cancel), in the
// same four lanes as sum_min_max.
REMC_HD_INLINE double sum_squared_deviations(const float* x, std::uint64_t n, double mean) {
  double m0 = 0.0, m1 = 0.0, m2 = 0.0, m3 = 0.0;
  std::uint64_t p = 0;
  for (; p + 4 <= n; p += 4) {
    const double d0 = x[p] - mean, d1 = x[p + 1] - mean, d2 = x[p + 2] - mean, d3 = x[p + 3] - mean;
    m0 += d0 * d0;
    m1 += d1 * d1;
    m2 += d2 * d2;
    m3 += d3 * d3;
  }
  const double d0 = p < n ? x[p] - mean : 0.0;
  const double d1 = p + 1 < n ? x[p + 1] - mean : 0.0;
  const double d2 = p + 2 < n ? x[p + 2] - mean : 0.0;
  m0 += d0 * d0;
  m1 += d1 * d1;
  m2 += d2 * d2;
  return (m0 + m1) + (m2 + m3);
}

// One work item reduces `chunks_per_item` consecutive chunks of one cell.
// The CPU backend gives each item all chunks of a block (one item per cell,
// no shared writes); the CUDA backend one chunk per item, with atomic adds
// for the counts, to have enough threads.
struct BlockReducer {
  const float* values = nullptr;        // [cell][block_stride]
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

  REMC_HD void count_bins_and_thresholds(const HistSpec& spec, const float* x, std::uint64_t n, std::uint64_t* h,
                                         std::uint64_t* e) const {
    for (std::uint64_t p = 0; p < n; ++p) atomic_add_u64(h + spec.bin_of(x[p]), 1, atomic);
    if (spec.threshold_count > 0) count_exceedances(spec, x, n, e);
  }

  REMC_HD void count_exceedances(const HistSpec& spec, const float* x, std::uint64_t n, std::uint64_t* e) const {
    std::uint64_t over[kMaxThresholds] = {};
    for (std::uint64_t p = 0; p < n; ++p)
      for (int j = 0; j < spec.threshold_count; ++j) over[j] += x[p] > spec.thresholds[j] ? 1 : 0;
    for (int j = 0; j < spec.threshold_count; ++j) atomic_add_u64(e + j, over[j], atomic);
  }

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
      const std::uint64_t n = end - begin;
      const SumMinMax smm = sum_min_max(x + begin, n);
      ChunkMoments cm;
      cm.count = n;
      cm.mean = smm.sum / static_cast<double>(n);
      cm.m2 = sum_squared_deviations(x + begin, n, cm.mean);
      cm.min = smm.min;
      cm.max = smm.max;
      count_bins_and_thresholds(spec, x + begin, n, h, e);
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
