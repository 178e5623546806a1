// The block reduction gives bit-identical moments and counts whether a work
// item takes one chunk of a cell with atomic adds (the CUDA backend) or all
// chunks of a cell without (the CPU backend): the property that lets both
// backends share one aggregator.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "reduce.h"

namespace {

using namespace remc;

struct Reduced {
  std::vector<ChunkMoments> moments;
  std::vector<std::uint64_t> hist, exceed;
};

constexpr int kCells = 45;
// Two full chunks and a partial one of 29 paths, which leaves the CPU's vector
// sweeps a tail (5 values after 8-value steps, 13 after 16-value steps).
constexpr std::uint64_t kPaths = 2077;

// A deterministic value for (cell, path): spread over the histogram range and
// beyond it, so underflow and overflow bins are used too. Some cells are
// constant, as many are in real runs (no shortage on any path), which the
// CPU counts without its scalar sweep; one mixes 0 and -0, equal but with
// different bits.
constexpr float kConstant = 0.25f;  // linear cells: bin 1 + floor(0.25 * 20) = 6
float value(int cell, std::uint64_t path) {
  if (cell % 9 == 4) return kConstant;
  if (cell % 9 == 7) return path % 3 == 0 ? -0.0f : 0.0f;
  const std::uint64_t h = (path * 2654435761u + static_cast<std::uint64_t>(cell) * 40503u) % 100003u;
  return static_cast<float>(h) / 100003.0f * 1.4f - 0.2f + 0.01f * static_cast<float>(cell);
}

Reduced reduce(bool atomic, bool one_chunk_per_item) {
  std::vector<float> values(static_cast<std::size_t>(kCells) * kPaths);  // cell-major
  for (int c = 0; c < kCells; ++c)
    for (std::uint64_t p = 0; p < kPaths; ++p) values[c * kPaths + p] = value(c, p);
  std::vector<HistSpec> specs = {HistSpec::make(0.0f, 1.0f, 20, false), HistSpec::make(0.01f, 1.0f, 30, true)};
  specs[0].threshold_count = 2;
  specs[0].thresholds[0] = 0.5f;
  specs[0].thresholds[1] = 0.9f;
  std::vector<int> cell_spec(kCells);
  std::vector<std::uint64_t> offset(kCells);
  std::uint64_t size = 0;
  for (int c = 0; c < kCells; ++c) {
    cell_spec[c] = c % 2;
    offset[c] = size;
    size += specs[cell_spec[c]].bins + 2;
  }
  const int chunks = static_cast<int>((kPaths + kChunkPaths - 1) / kChunkPaths);
  Reduced r;
  r.moments.resize(static_cast<std::size_t>(kCells) * chunks);
  r.hist.assign(size, 0);
  r.exceed.assign(static_cast<std::size_t>(kCells) * kMaxThresholds, 0);
  BlockReducer red;
  red.values = values.data();
  red.block_paths = kPaths;
  red.block_stride = kPaths;
  red.cells = kCells;
  red.chunks_in_block = chunks;
  red.chunks_per_item = one_chunk_per_item ? 1 : chunks;
  red.items_per_cell = one_chunk_per_item ? chunks : 1;
  red.cell_spec = cell_spec.data();
  red.specs = specs.data();
  red.hist_offset = offset.data();
  red.hist = r.hist.data();
  red.exceed = r.exceed.data();
  red.moments = r.moments.data();
  red.atomic = atomic;
  for (std::uint64_t item = 0; item < static_cast<std::uint64_t>(kCells) * red.items_per_cell; ++item) red(item);
  return r;
}

void expect_same(const Reduced& a, const Reduced& b) {
  ASSERT_EQ(a.moments.size(), b.moments.size());
  for (std::size_t i = 0; i < a.moments.size(); ++i) {
    EXPECT_EQ(a.moments[i].count, b.moments[i].count) << i;
    EXPECT_EQ(a.moments[i].mean, b.moments[i].mean) << i;  // bit-identical, not merely close
    EXPECT_EQ(a.moments[i].m2, b.moments[i].m2) << i;
    EXPECT_EQ(a.moments[i].min, b.moments[i].min) << i;
    EXPECT_EQ(a.moments[i].max, b.moments[i].max) << i;
  }
  EXPECT_EQ(a.hist, b.hist);
  EXPECT_EQ(a.exceed, b.exceed);
}

TEST(BlockReduce, WorkSplitAndAtomicsDoNotChangeResults) {
  const Reduced gpu_like = reduce(true, true);
  const Reduced cpu_like = reduce(false, false);
  expect_same(gpu_like, cpu_like);
  // Every value was counted once per cell.
  std::uint64_t total = 0;
  for (std::uint64_t h : cpu_like.hist) total += h;
  EXPECT_EQ(total, static_cast<std::uint64_t>(kCells) * kPaths);
  // Cell 4 (linear, 22 slots per cell before it: cells 0-3 have 22, 32, 22, 32) is constant.
  const std::size_t cell4 = 22 + 32 + 22 + 32;
  EXPECT_EQ(cpu_like.hist[cell4 + 6], kPaths);
}

}  // namespace

namespace {

std::uint64_t bits_of(double x) {
  std::uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

}  // namespace

// The CUDA backend sums with eight scalar accumulators, the CPU with SIMD
// vectors; both must give the same bits, or the two backends' moments would
// differ. Values span eight decades so that any change in the order of
// addition changes the rounded sums; a -0 first value and -0/+0 mixes check
// min and max. Compared bit for bit (EXPECT_EQ would take -0 for +0).
TEST(BlockReduce, CudaScalarSumsMatchCpuVectorSums) {
  std::vector<float> x(kChunkPaths);
  std::uint64_t h = 12345;
  for (std::size_t i = 0; i < x.size(); ++i) {
    h = h * 6364136223846793005u + 1442695040888963407u;
    const float mantissa = static_cast<float>(h >> 40) / static_cast<float>(1u << 24);
    const float decade = std::pow(10.0f, static_cast<float>((h >> 20) % 9) - 4.0f);
    x[i] = (i % 11 == 3) ? -0.0f : (i % 13 == 5) ? 0.0f : ((h >> 30) & 1 ? -1.0f : 1.0f) * mantissa * decade;
  }
  x[0] = -0.0f;
  for (std::uint64_t n : {1u, 7u, 8u, 29u, 1000u, 1024u}) {
    const SumMinMax cpu = sum_min_max(x.data(), n), cuda = sum_min_max_scalar(x.data(), n);
    EXPECT_EQ(bits_of(cpu.sum), bits_of(cuda.sum)) << n;
    EXPECT_EQ(bits_of(cpu.min), bits_of(cuda.min)) << n;
    EXPECT_EQ(bits_of(cpu.max), bits_of(cuda.max)) << n;
    const double mean = cpu.sum / static_cast<double>(n);
    EXPECT_EQ(bits_of(sum_squared_deviations(x.data(), n, mean)), bits_of(sum_squared_deviations_scalar(x.data(), n, mean)))
        << n;
  }
  // The order matters for these values: one running sum rounds differently.
  double running = 0.0;
  for (float v : x) running += static_cast<double>(v);
  EXPECT_NE(bits_of(running), bits_of(sum_min_max(x.data(), x.size()).sum));
}

namespace {

// Regime transition counts of one block: per month from the CPU's one item,
// or per (month, chunk) with atomic adds as on CUDA.
std::vector<std::uint64_t> count_transitions(const std::vector<float>& values, const OutputLayout& layout,
                                             bool per_chunk) {
  const int chunks = static_cast<int>((kPaths + kChunkPaths - 1) / kChunkPaths);
  const int K = layout.regimes;
  std::vector<std::uint64_t> counts(static_cast<std::size_t>(layout.months) * K * K, 0);
  TransitionCounter tc;
  tc.values = values.data();
  tc.block_paths = kPaths;
  tc.block_stride = kPaths;
  tc.layout = layout;
  tc.chunks_in_block = chunks;
  tc.chunks_per_item = per_chunk ? 1 : chunks;
  tc.items_per_month = per_chunk ? chunks : 1;
  tc.atomic = per_chunk;
  tc.counts = counts.data();
  const std::uint64_t items = static_cast<std::uint64_t>(layout.months - 1) * tc.items_per_month;
  for (std::uint64_t item = 0; item < items; ++item) tc(item);
  return counts;
}

}  // namespace

TEST(BlockReduce, TransitionCountsDoNotDependOnTheWorkSplit) {
  OutputLayout layout;
  layout.materials = 1;
  layout.months = 5;
  layout.regimes = 3;
  std::vector<float> values(static_cast<std::size_t>(layout.cell_count()) * kPaths, 0.0f);
  for (int t = 0; t < layout.months; ++t)
    for (std::uint64_t p = 0; p < kPaths; ++p)
      values[static_cast<std::size_t>(layout.monthly_global(kRegime, t)) * kPaths + p] =
          static_cast<float>((p * 7 + static_cast<std::uint64_t>(t) * (p % 5)) % 3);
  const std::vector<std::uint64_t> whole = count_transitions(values, layout, false);
  EXPECT_EQ(count_transitions(values, layout, true), whole);
  // Every path moves once per month from month 1 on.
  std::uint64_t total = 0;
  for (std::uint64_t c : whole) total += c;
  EXPECT_EQ(total, kPaths * static_cast<std::uint64_t>(layout.months - 1));
}
