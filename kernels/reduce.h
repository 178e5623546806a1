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
#include "lane_math.h"
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
    s.origin = log_scale ? log_lanes(lo) : lo;
    s.scale = static_cast<float>(bins) / (log_scale ? log_lanes(hi) - log_lanes(lo) : hi - lo);
    return s;
  }

  // Bin of x (a float, or a lane vector of them), given t = log(x) on a log
  // scale or t = x. Branch-free, so the CPU bins eight values at once.
  template <class F>
  REMC_HD auto bin_from(F x, F t) const {
    using I = decltype(to_int(x));
    // Clamped before the conversion, which is then always in range.
    // (NaN maps to 0: max_lanes and min_lanes return their first argument
    // unless the second compares greater or less.)
    const F pos = min_lanes(splat<F>(static_cast<float>(bins - 1)), max_lanes(splat<F>(0.0f), (t - origin) * scale));
    const I b = select(x >= hi, splat<I>(bins + 1), to_int(pos) + 1);
    return select(x >= lo, b, splat<I>(0));  // also catches NaN
  }

  template <class F>
  REMC_HD auto bin_of(F x) const {
    // The log of values below lo is never used and their argument may be <= 0.
    return bin_from(x, log_scale ? log_lanes(max_lanes(x, splat<F>(lo))) : x);
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

// Sums over a chunk use eight interleaved accumulators: value i goes to lane
// i % 8, and the lanes are combined in a fixed tree at the end. One double
// accumulator would make every add wait for the previous one; interleaving
// only reassociates the sum, which stays a fixed function of the chunk's
// values in path order, whatever the threads, block size or backend (the
// code is the same on both; on the CPU the compiler turns each group of
// eight into vector instructions).
constexpr int kSumLanes = 8;

struct SumMinMax {
  double sum, min, max;
};

REMC_HD_INLINE double tree_sum(const double* a) {
  return ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
}

// A chunk's sum, min and max kept per lane: value p + j goes to lane j, and
// the lanes are combined in a fixed order, so the result depends only on the
// chunk's values in path order (and is the same on both backends).
struct LaneSums {
  double sum[kSumLanes];
  float lo[kSumLanes], hi[kSumLanes];

  REMC_HD void start(float first) {
    for (int j = 0; j < kSumLanes; ++j) {
      sum[j] = 0.0;
      lo[j] = hi[j] = 0.0f + first;  // as VectorSums' splat: a first -0 becomes +0 on both backends
    }
  }
  REMC_HD void add(int j, float v) {
    sum[j] += static_cast<double>(v);
    lo[j] = min_f(lo[j], v);
    hi[j] = max_f(hi[j], v);
  }
  REMC_HD SumMinMax combine() const {
    SumMinMax r;
    r.sum = tree_sum(sum);
    float l = lo[0], h = hi[0];
    for (int j = 1; j < kSumLanes; ++j) {
      l = min_f(l, lo[j]);
      h = max_f(h, hi[j]);
    }
    r.min = l;
    r.max = h;
    return r;
  }
};

#if !defined(__CUDACC__)
// Eight double accumulators, one per sum lane, in SIMD registers. With
// AVX-512 they are one 64-byte vector; without it two 32-byte halves (GCC
// turns 64-byte vectors into scalar code when the target lacks AVX-512).
// Both add each lane's values in the same order, so the bits are the same.
struct EightDoubles {
#if defined(__AVX512F__)
  typedef double D8 __attribute__((vector_size(64)));
  D8 v = {};
  void add(CpuLanes::F x) { v = v + __builtin_convertvector(x, D8); }
  void add_squared_deviations(CpuLanes::F x, double mean) {
    const D8 d = __builtin_convertvector(x, D8) - mean;
    v = v + d * d;
  }
  double lane(int j) const { return v[j]; }
#else
  typedef double D4 __attribute__((vector_size(32)));
  D4 lo = {}, hi = {};  // lanes 0-3 and 4-7
  static D4 low_half(CpuLanes::F x) { return __builtin_convertvector(__builtin_shufflevector(x, x, 0, 1, 2, 3), D4); }
  static D4 high_half(CpuLanes::F x) { return __builtin_convertvector(__builtin_shufflevector(x, x, 4, 5, 6, 7), D4); }
  void add(CpuLanes::F x) {
    lo = lo + low_half(x);
    hi = hi + high_half(x);
  }
  void add_squared_deviations(CpuLanes::F x, double mean) {
    const D4 d_lo = low_half(x) - mean, d_hi = high_half(x) - mean;
    lo = lo + d_lo * d_lo;
    hi = hi + d_hi * d_hi;
  }
  double lane(int j) const { return j < 4 ? lo[j] : hi[j - 4]; }
#endif
};

// LaneSums with the eight lanes in SIMD registers, for whole groups of eight.
struct VectorSums {
  EightDoubles sum;
  CpuLanes::F lo, hi;

  explicit VectorSums(float first) : lo(splat<CpuLanes::F>(first)), hi(splat<CpuLanes::F>(first)) {}
  void add(CpuLanes::F v) {
    sum.add(v);
    lo = min_lanes(lo, v);
    hi = max_lanes(hi, v);
  }
  // Sixteen values are two groups of eight, in order.
  void add(VectorLanes<16>::F v) {
    add(__builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7));
    add(__builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15));
  }
  LaneSums lanes() const {
    LaneSums l;
    for (int j = 0; j < kSumLanes; ++j) {
      l.sum[j] = sum.lane(j);
      l.lo[j] = lo[j];
      l.hi[j] = hi[j];
    }
    return l;
  }
};
#endif

// A chunk's sum, min and max with eight scalar accumulators: the CUDA
// backend's code, kept callable on the host so tests can compare its bits
// with the CPU's vector version below.
REMC_HD_INLINE SumMinMax sum_min_max_scalar(const float* x, std::uint64_t n) {
  LaneSums sums;
  sums.start(x[0]);
  std::uint64_t p = 0;
  for (; p + kSumLanes <= n; p += kSumLanes)
    for (int j = 0; j < kSumLanes; ++j) sums.add(j, x[p + j]);
  // Tail of a short chunk: values n - n % 8 ... n - 1 go to lanes 0, 1, ...
  for (int j = 0; p + j < n; ++j) sums.add(j, x[p + j]);
  return sums.combine();
}

// On the CPU one SIMD vector per group of eight; under CUDA eight scalars per
// thread. Both add in the same order.
REMC_HD_INLINE SumMinMax sum_min_max(const float* x, std::uint64_t n) {
#if defined(__CUDACC__)
  return sum_min_max_scalar(x, n);
#else
  std::uint64_t p = 0;
  VectorSums vector_sums(x[0]);
  for (; p + kSumLanes <= n; p += kSumLanes) vector_sums.add(load_lanes(x + p, CpuLanes{}));
  LaneSums sums = vector_sums.lanes();
  for (int j = 0; p + j < n; ++j) sums.add(j, x[p + j]);  // the tail, as in sum_min_max_scalar
  return sums.combine();
#endif
}

// Sum of squared deviations from `mean` (the second pass of the two-pass
// variance, which stays exact where a one-pass formula would cancel), in the
// same eight lanes as sum_min_max. Scalar: the CUDA backend's code.
REMC_HD_INLINE double sum_squared_deviations_scalar(const float* x, std::uint64_t n, double mean) {
  double m[kSumLanes] = {};
  for (std::uint64_t p = 0; p < n; ++p) {
    const double d = static_cast<double>(x[p]) - mean;
    m[p % kSumLanes] += d * d;
  }
  return tree_sum(m);
}

REMC_HD_INLINE double sum_squared_deviations(const float* x, std::uint64_t n, double mean) {
#if defined(__CUDACC__)
  return sum_squared_deviations_scalar(x, n, mean);
#else
  double m[kSumLanes] = {};
  std::uint64_t p = 0;
  EightDoubles squares;
  for (; p + kSumLanes <= n; p += kSumLanes) squares.add_squared_deviations(load_lanes(x + p, CpuLanes{}), mean);
  for (int j = 0; j < kSumLanes; ++j) m[j] = squares.lane(j);
  for (int j = 0; p + j < n; ++j) {
    const double d = static_cast<double>(x[p + j]) - mean;
    m[j] += d * d;
  }
  return tree_sum(m);
#endif
}

// A chunk's moments from its first pass. A constant chunk (common: no
// shortage anywhere this month, no capacity yet) skips the second pass: n
// copies of a float add exactly in double, so the mean is that value and the
// squared deviations are exactly 0. A NaN passes min == max (min and max skip
// it) but not mean == min.
REMC_HD_INLINE bool is_constant(const SumMinMax& smm, double mean) { return smm.min == smm.max && mean == smm.min; }

REMC_HD_INLINE ChunkMoments chunk_moments(const float* x, std::uint64_t n, const SumMinMax& smm) {
  ChunkMoments cm;
  cm.count = n;
  cm.mean = smm.sum / static_cast<double>(n);
  cm.m2 = is_constant(smm, cm.mean) ? 0.0 : sum_squared_deviations(x, n, cm.mean);
  cm.min = smm.min;
  cm.max = smm.max;
  return cm;
}

// One work item reduces `chunks_per_item` consecutive chunks of one cell.
// The CPU backend gives each item all chunks of a block (one item per cell,
// no shared writes); the CUDA backend one chunk per item, with atomic adds
// for the counts, to have enough threads.
struct BlockReducer {
  const float* values = nullptr;        // [cell][block_stride]
  std::uint64_t block_paths = 0;        // paths in this block (last block may be short)
  std::uint64_t block_stride = 0;       // allocated paths per cell in `values`
  int cells = 0;                        // cells in the block
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

#if !defined(__CUDACC__)
  // The CPU's first pass over a chunk, in two sweeps. A vector sweep keeps
  // sum, min and max in the lanes of sum_min_max (same order, same result),
  // counts exceedances per lane and writes each value's histogram bin as a
  // byte; with AVX-512 it takes sixteen values a step, which halves the
  // instructions of the binning (a logarithm on log scales). A scalar sweep
  // then counts the bytes into eight 32-bit copies of the histogram (`local`,
  // value i into copy i % 8): incrementing a counter again before the
  // previous increment has stored waits on it, and runs of one bin are common
  // (no shortage on most paths), so the copies split those chains eight ways.
  // Neither sweep branches on the data; a constant chunk skips the scalar one.
  static constexpr int kLocalBins = 256;
  static constexpr int kLocalCopies = 8;
#if defined(__AVX512F__)
  using BinLanes = VectorLanes<16>;
#else
  using BinLanes = CpuLanes;  // 64-byte vectors without AVX-512 become scalar code
#endif

  SumMinMax first_pass_cpu(const HistSpec& spec, const float* x, std::uint64_t n,
                           std::uint32_t (*local)[kLocalBins], std::uint64_t* over) const {
    using F = BinLanes::F;
    using I = BinLanes::I;
    typedef std::uint8_t Bytes __attribute__((vector_size(BinLanes::width)));
    alignas(64) std::uint8_t bins[kChunkPaths];
    I over_lanes[kMaxThresholds];
    for (int t = 0; t < spec.threshold_count; ++t) over_lanes[t] = splat<I>(0);
    VectorSums vector_sums(x[0]);
    std::uint64_t p = 0;
    for (; p + BinLanes::width <= n; p += BinLanes::width) {
      const F v = load_lanes(x + p, BinLanes{});
      vector_sums.add(v);
      const Bytes b = __builtin_convertvector(spec.bin_of(v), Bytes);
      std::memcpy(bins + p, &b, sizeof b);
      for (int t = 0; t < spec.threshold_count; ++t) over_lanes[t] -= v > spec.thresholds[t];  // true is -1
    }
    for (int t = 0; t < spec.threshold_count; ++t)
      for (int j = 0; j < BinLanes::width; ++j) over[t] += static_cast<std::uint64_t>(over_lanes[t][j]);
    // The rest of a short chunk one value at a time: value p + j goes to
    // lane j % 8, as a whole group of eight and then a tail would in sum_min_max.
    LaneSums sums = vector_sums.lanes();
    for (int j = 0; p + j < n; ++j) {
      const float v = x[p + j];
      sums.add(j % kSumLanes, v);
      bins[p + j] = static_cast<std::uint8_t>(spec.bin_of(v));
      for (int t = 0; t < spec.threshold_count; ++t) over[t] += v > spec.thresholds[t] ? 1 : 0;
    }
    const SumMinMax smm = sums.combine();
    // A constant chunk (one in nine in the baseline: no shortage anywhere,
    // no capacity yet) has all its values in one bin.
    if (is_constant(smm, smm.sum / static_cast<double>(n))) {
      local[0][bins[0]] += static_cast<std::uint32_t>(n);
      return smm;
    }
    // Eight bins per load: one 64-bit read, then shifts, instead of eight byte loads.
    static_assert(kLocalCopies == 8, "one 64-bit word holds the bins of the eight copies");
    std::uint64_t i = 0;
    for (; i + kLocalCopies <= n; i += kLocalCopies) {
      std::uint64_t word;
      std::memcpy(&word, bins + i, sizeof word);
      for (int c = 0; c < kLocalCopies; ++c) ++local[c][(word >> (8 * c)) & 0xff];
    }
    for (; i < n; ++i) ++local[0][bins[i]];
    return smm;
  }

  // All chunks of one cell in this block (the CPU's work item).
  void reduce_cell_cpu(int cell, const HistSpec& spec, const float* x, std::uint64_t* h, std::uint64_t* e) const {
    const int slots = spec.bins + 2;
    alignas(64) std::uint32_t local[kLocalCopies][kLocalBins];
    for (int c = 0; c < kLocalCopies; ++c)
      for (int b = 0; b < slots; ++b) local[c][b] = 0;
    std::uint64_t over[kMaxThresholds] = {};
    for (int k = 0; k < chunks_in_block; ++k) {
      const std::uint64_t begin = static_cast<std::uint64_t>(k) * kChunkPaths;
      const std::uint64_t n = (begin + kChunkPaths <= block_paths ? begin + kChunkPaths : block_paths) - begin;
      const ChunkMoments cm = chunk_moments(x + begin, n, first_pass_cpu(spec, x + begin, n, local, over));
      moments[static_cast<std::uint64_t>(cell) * chunks_in_block + k] = cm;
    }
    for (int b = 0; b < slots; ++b) {
      std::uint64_t total = 0;
      for (int c = 0; c < kLocalCopies; ++c) total += local[c][b];
      h[b] += total;
    }
    for (int t = 0; t < spec.threshold_count; ++t) e[t] += over[t];
  }
#endif

  // Exceedance counts on the generic path (CUDA, and CPU cells with too many
  // bins for reduce_cell_cpu); the CPU's first pass counts them in its sweep.
  REMC_HD void count_exceedances(const HistSpec& spec, const float* x, std::uint64_t n, std::uint64_t* e) const {
    std::uint64_t over[kMaxThresholds] = {};
    for (std::uint64_t p = 0; p < n; ++p)
      for (int j = 0; j < spec.threshold_count; ++j) over[j] += x[p] > spec.thresholds[j] ? 1 : 0;
    for (int j = 0; j < spec.threshold_count; ++j) atomic_add_u64(e + j, over[j], atomic);
  }

  // Items run cell-fastest: consecutive items (a GPU warp's threads) count
  // into different cells' histograms rather than all into one, where most
  // chunks share a bin. On the CPU (one item per cell) item is the cell.
  REMC_HD void operator()(std::uint64_t item) const {
    const int cell = static_cast<int>(item % static_cast<std::uint64_t>(cells));
    const int part = static_cast<int>(item / static_cast<std::uint64_t>(cells));
    const HistSpec& spec = specs[cell_spec[cell]];
    const float* x = values + static_cast<std::uint64_t>(cell) * block_stride;
    std::uint64_t* h = hist + hist_offset[cell];
    std::uint64_t* e = exceed + static_cast<std::uint64_t>(cell) * kMaxThresholds;
#if !defined(__CUDACC__)
    // Blocks hold at most 2^30 paths (run_args.cpp): the 32-bit copies cannot overflow.
    if (!atomic && items_per_cell == 1 && spec.bins + 2 <= kLocalBins) {
      reduce_cell_cpu(cell, spec, x, h, e);
      return;
    }
#endif
    const int first = part * chunks_per_item;
    for (int k = first; k < first + chunks_per_item && k < chunks_in_block; ++k) {
      const std::uint64_t begin = static_cast<std::uint64_t>(k) * kChunkPaths;
      std::uint64_t end = begin + kChunkPaths;
      if (end > block_paths) end = block_paths;
      const std::uint64_t n = end - begin;
      const SumMinMax smm = sum_min_max(x + begin, n);
      const ChunkMoments cm = chunk_moments(x + begin, n, smm);
      if (is_constant(smm, cm.mean)) {
        // All n values share one bin and one side of each threshold.
        const float v = x[begin];
        atomic_add_u64(h + spec.bin_of(v), n, atomic);
        for (int j = 0; j < spec.threshold_count; ++j)
          if (v > spec.thresholds[j]) atomic_add_u64(e + j, n, atomic);
      } else {
        count_bins_and_thresholds(spec, x + begin, n, h, e);
      }
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

  // Month-fastest, like BlockReducer: a warp's threads add to different
  // months' counters (most paths stay in the same regime).
  REMC_HD void operator()(std::uint64_t item) const {
    const std::uint64_t months_counted = static_cast<std::uint64_t>(layout.months - 1);
    const int t = 1 + static_cast<int>(item % months_counted);
    const int part = static_cast<int>(item / months_counted);
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
