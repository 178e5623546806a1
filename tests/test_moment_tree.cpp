// The fixed merge tree: bit-identical results for any block grouping and any
// shard split, and Chan's merge against a two-pass computation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "moment_tree.h"
#include "reduce.h"

namespace remc {
namespace {

// Moments of consecutive chunks of `x`, computed by the engine's own reducer.
std::vector<ChunkMoments> chunk_moments(const std::vector<float>& x) {
  const int chunks = static_cast<int>((x.size() + kChunkPaths - 1) / kChunkPaths);
  std::vector<ChunkMoments> moments(chunks);
  const int cell_spec = 0;
  const HistSpec spec = HistSpec::make(0.0f, 1.0f, 1, false);
  const std::uint64_t offset = 0;
  std::vector<std::uint64_t> hist(3), exceed(kMaxThresholds);
  BlockReducer red;
  red.values = x.data();
  red.block_paths = x.size();
  red.block_stride = x.size();
  red.cells = 1;
  red.chunks_in_block = chunks;
  red.chunks_per_item = chunks;
  red.items_per_cell = 1;
  red.cell_spec = &cell_spec;
  red.specs = &spec;
  red.hist_offset = &offset;
  red.hist = hist.data();
  red.exceed = exceed.data();
  red.moments = moments.data();
  red(0);
  return moments;
}

// Values with a large offset, where a naive sum of squares would lose digits.
std::vector<float> test_values(std::size_t n) {
  std::vector<float> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = 1000.0f + static_cast<float>(std::sin(0.37 * i) * 3.0 + (i % 11) * 0.25);
  return x;
}

bool bit_equal(const ChunkMoments& a, const ChunkMoments& b) {
  return a.count == b.count && std::memcmp(&a.mean, &b.mean, sizeof(double)) == 0 &&
         std::memcmp(&a.m2, &b.m2, sizeof(double)) == 0 && std::memcmp(&a.min, &b.min, sizeof(double)) == 0 &&
         std::memcmp(&a.max, &b.max, sizeof(double)) == 0;
}

MomentTree tree_of(const std::vector<ChunkMoments>& m, std::size_t begin, std::size_t end) {
  MomentTree t;
  for (std::size_t c = begin; c < end; ++c) t.push(c, m[c]);
  return t;
}

TEST(MomentTree, TwoHalvesMergeToTheWholeBitForBit) {
  const std::vector<ChunkMoments> m = chunk_moments(test_values(37 * kChunkPaths + 100));
  const ChunkMoments whole = tree_of(m, 0, m.size()).result();
  for (std::size_t split = 0; split <= m.size(); ++split) {
    MomentTree left = tree_of(m, 0, split);
    left.append(tree_of(m, split, m.size()));
    EXPECT_TRUE(bit_equal(left.result(), whole)) << "split at chunk " << split;
  }
}

TEST(MomentTree, AnyShardSplitIsBitIdentical) {
  const std::vector<ChunkMoments> m = chunk_moments(test_values(64 * kChunkPaths - 5));
  const ChunkMoments whole = tree_of(m, 0, m.size()).result();
  // Three and four shards at assorted boundaries, merged in order.
  const std::vector<std::vector<std::size_t>> splits = {{0, 1, 2, 64},  {0, 3, 17, 64},      {0, 31, 33, 64},
                                                        {0, 32, 48, 64}, {0, 5, 6, 40, 64}, {0, 63, 64}};
  for (const auto& s : splits) {
    MomentTree merged;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) merged.append(tree_of(m, s[i], s[i + 1]));
    EXPECT_TRUE(bit_equal(merged.result(), whole)) << "shards starting at " << s[1] << ", " << s[2];
    EXPECT_EQ(merged.nodes().size(), 1u);  // 64 chunks: one aligned node
  }
}

TEST(MomentTree, BlockGroupingDoesNotMatter) {
  // The engine reduces blocks of 1, 3 or 8 chunks; a block's chunks are
  // reduced independently, so chunk moments and the merged result are the same.
  const std::vector<float> x = test_values(29 * kChunkPaths + 7);
  const std::vector<ChunkMoments> all = chunk_moments(x);
  const ChunkMoments whole = tree_of(all, 0, all.size()).result();
  for (std::size_t block_chunks : {1u, 3u, 8u}) {
    MomentTree tree;
    for (std::size_t first = 0; first < all.size(); first += block_chunks) {
      const std::size_t begin = first * kChunkPaths;
      const std::size_t end = std::min(x.size(), begin + block_chunks * kChunkPaths);
      const std::vector<ChunkMoments> block = chunk_moments(std::vector<float>(x.begin() + begin, x.begin() + end));
      for (std::size_t k = 0; k < block.size(); ++k) tree.push(first + k, block[k]);
    }
    EXPECT_TRUE(bit_equal(tree.result(), whole)) << block_chunks << " chunks per block";
  }
}

TEST(MomentTree, ChanMergeMatchesTwoPass) {
  const std::vector<float> x = test_values(100 * kChunkPaths + 333);
  long double sum = 0.0L;
  for (float v : x) sum += v;
  const long double mean = sum / x.size();
  long double m2 = 0.0L;
  for (float v : x) m2 += (v - mean) * (v - mean);
  const ChunkMoments r = tree_of(chunk_moments(x), 0, (x.size() + kChunkPaths - 1) / kChunkPaths).result();
  EXPECT_EQ(r.count, x.size());
  EXPECT_NEAR(r.mean, static_cast<double>(mean), 1e-12 * std::fabs(static_cast<double>(mean)));
  EXPECT_NEAR(r.m2, static_cast<double>(m2), 1e-12 * static_cast<double>(m2));
  EXPECT_EQ(r.min, *std::min_element(x.begin(), x.end()));
  EXPECT_EQ(r.max, *std::max_element(x.begin(), x.end()));
}

TEST(MomentTree, MergeWithEmptySideIsIdentity) {
  ChunkMoments a;
  a.count = 3;
  a.mean = 2.0;
  a.m2 = 1.5;
  a.min = 1.0;
  a.max = 3.0;
  EXPECT_TRUE(bit_equal(merge_moments(a, ChunkMoments{}), a));
  EXPECT_TRUE(bit_equal(merge_moments(ChunkMoments{}, a), a));
}

TEST(MomentTree, RejectsGapsAndReordering) {
  MomentTree t;
  t.push(4, ChunkMoments{});
  EXPECT_THROW(t.push(6, ChunkMoments{}), std::runtime_error);
  EXPECT_THROW(t.push(3, ChunkMoments{}), std::runtime_error);
  EXPECT_EQ(t.first_chunk(), 4u);
  EXPECT_EQ(t.end_chunk(), 5u);
}

}  // namespace
}  // namespace remc
