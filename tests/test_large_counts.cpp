// Large runs stay correct: counts and indices are 64-bit. Synthetic inputs
// take the accumulators near and above 2^32 (and paths past 2^32) without
// simulating billions of paths.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "config.h"
#include "engine.h"
#include "moment_tree.h"
#include "run_state.h"
#include "shard.h"

namespace {

using namespace remc;

constexpr std::uint64_t k2to32 = std::uint64_t{1} << 32;

ChunkMoments moments(std::uint64_t count, double mean, double variance) {
  ChunkMoments m;
  m.count = count;
  m.mean = mean;
  m.m2 = variance * static_cast<double>(count);
  m.min = mean - 1.0;
  m.max = mean + 1.0;
  return m;
}

}  // namespace

TEST(LargeCounts, ChanMergeAcrossTwoToThe32) {
  // Two groups of 2^32 - 1 and 2^32 + 5 values with known means and variances:
  // the merged count is exact, mean and variance follow the pooled formulas.
  const ChunkMoments a = moments(k2to32 - 1, 1.0, 4.0);
  const ChunkMoments b = moments(k2to32 + 5, 3.0, 9.0);
  const ChunkMoments m = merge_moments(a, b);
  EXPECT_EQ(m.count, 2 * k2to32 + 4);
  const double na = static_cast<double>(a.count), nb = static_cast<double>(b.count), n = na + nb;
  EXPECT_NEAR(m.mean, (na * 1.0 + nb * 3.0) / n, 1e-14);
  const double pooled = (na * 4.0 + nb * 9.0 + na * nb / n * 4.0) / n;  // population variance of the union
  EXPECT_NEAR(m.m2 / n, pooled, 1e-12 * pooled);
}

TEST(LargeCounts, MomentTreeWithChunkIndicesBeyondTwoToThe32) {
  // Chunks numbered from 2^33 (paths beyond 2^43): the tree merges aligned
  // siblings and a split into two contiguous parts gives the same result bit for bit.
  const std::uint64_t first = k2to32 * 2;
  MomentTree whole, left, right;
  for (std::uint64_t k = 0; k < 37; ++k) {
    const ChunkMoments c = moments(1024, static_cast<double>(k % 7), 1.0 + static_cast<double>(k % 3));
    whole.push(first + k, c);
    (k < 11 ? left : right).push(first + k, c);
  }
  left.append(right);
  const ChunkMoments a = whole.result(), b = left.result();
  EXPECT_EQ(a.count, 37u * 1024u);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.m2, b.m2);
  EXPECT_EQ(whole.end_chunk(), first + 37);
}

TEST(LargeCounts, ShardSlicesOfTenTrillionPaths) {
  const std::uint64_t total = 10'000'000'000'000ull;  // 1e13 paths
  const std::uint64_t block = 65536;
  std::uint64_t next = 0;
  for (int k = 0; k < 1000; ++k) {
    const PathSlice s = shard_slice(total, block, {k, 1000});
    ASSERT_EQ(s.first_path, next) << k;
    ASSERT_EQ(s.first_path % block, 0u);
    next += s.paths;
  }
  EXPECT_EQ(next, total);
}

TEST(LargeCounts, CountTotalsAndExceedanceAbove32Bits) {
  // Histogram counts of 3e9 and 5e9 per cell: totals add without wrapping and
  // the aggregator's counts, shares and quantiles come out of 64-bit counts.
  const RunConfig cfg =
      load_config(std::string(REMC_SOURCE_DIR) + "/configs/baseline.ini", {"run.months=2", "run.paths=1024"});
  const AggregationPlan plan = make_plan(cfg);
  const MetricInfo* metric = find_metric("max_shortage_frac");
  const int cell = cell_of(plan.layout, *metric, 0, 0);
  const HistSpec& spec = plan.specs[plan.cell_spec[cell]];
  // Every cell: 3e9 values in its first bin, 5e9 in its last, as two parts.
  CountTotals a = zero_counts(plan), b = zero_counts(plan);
  std::vector<MomentTree> trees(plan.layout.cell_count());
  for (int c = 0; c < plan.layout.cell_count(); ++c) {
    const int bins = plan.specs[plan.cell_spec[c]].bins;
    a.hist[plan.hist_offset[c] + 1] = 3'000'000'000ull;
    b.hist[plan.hist_offset[c] + bins] = 5'000'000'000ull;
    trees[c].push_node({0, 0, moments(3'000'000'000ull, 0.001, 1e-8)});
    trees[c].push_node({1, 0, moments(5'000'000'000ull, 0.99, 1e-8)});
  }
  int j = 0;  // the threshold 0.1, always present for this metric
  while (j < spec.threshold_count && std::fabs(spec.thresholds[j] - 0.1f) > 1e-6f) ++j;
  ASSERT_LT(j, spec.threshold_count);
  b.exceed[static_cast<std::size_t>(cell) * kMaxThresholds + j] = 5'000'000'000ull;
  add_counts(a, b);
  EXPECT_EQ(a.hist[plan.hist_offset[cell] + 1] + a.hist[plan.hist_offset[cell] + spec.bins], 8'000'000'000ull);

  Aggregator aggregator(plan, quantile_levels(cfg.output));
  aggregator.append(trees);
  const AggregateResults& r = aggregator.finish(a);
  EXPECT_EQ(r.count[cell], 8'000'000'000ull);
  const double p = r.exceedance[static_cast<std::size_t>(cell) * kMaxThresholds + j];
  EXPECT_DOUBLE_EQ(p, 5.0 / 8.0);
  EXPECT_NEAR(r.exceedance_stderr[static_cast<std::size_t>(cell) * kMaxThresholds + j],
              std::sqrt(p * (1 - p) / 8e9), 1e-15);
  // The median (rank 4e9) lies in the last regular bin, which holds ranks
  // 3e9..8e9: (4e9 - 3e9) / 5e9 = 0.2 of the way through it.
  const std::size_t median = 4;  // quantile levels 0.01 0.05 0.10 0.25 0.50 ...
  ASSERT_DOUBLE_EQ(r.quantile_levels[median], 0.5);
  const double a_edge = bin_edge(spec, spec.bins - 1), b_edge = bin_edge(spec, spec.bins);
  EXPECT_DOUBLE_EQ(r.quantile[static_cast<std::size_t>(cell) * r.quantile_levels.size() + median],
                   a_edge + 0.2 * (b_edge - a_edge));
}

TEST(LargeCounts, PathsBeyondTwoToThe32Simulate) {
  // Paths 2^32 .. 2^32 + 2047: the path index's high word reaches the counter,
  // and the engine's global chunk numbers exceed 2^22.
  const RunConfig cfg =
      load_config(std::string(REMC_SOURCE_DIR) + "/configs/baseline.ini", {"run.months=12", "run.paths=2048"});
  const AggregationPlan plan = make_plan(cfg);
  struct Chunks : BlockSink {
    std::vector<std::uint64_t> first_chunks;
    void on_block(std::uint64_t first_chunk, int, const ChunkMoments*) override { first_chunks.push_back(first_chunk); }
  } sink;
  EngineOptions options;
  options.first_path = k2to32;
  options.paths = 2048;
  options.block_paths = 1024;
  const CountTotals totals = run_engine(cfg.model, plan, options, sink);
  ASSERT_EQ(sink.first_chunks.size(), 2u);
  EXPECT_EQ(sink.first_chunks[0], k2to32 / 1024);
  std::uint64_t counted = 0;
  for (int k = 0; k < plan.specs[plan.cell_spec[0]].bins + 2; ++k) counted += totals.hist[plan.hist_offset[0] + k];
  EXPECT_EQ(counted, 2048u);
}
