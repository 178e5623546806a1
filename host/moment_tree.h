// Merges per-chunk moments (count, mean, M2, min, max) in a fixed binary tree
// over global chunk indices, so the merged statistics are bit-identical
// however chunks were grouped into blocks or contiguous shards.
//
// Why a fixed tree: floating-point addition is not associative, so merging
// chunks left to right in whatever groups the engine produced would make the
// mean depend on the block size. Here chunk c is always a leaf, an aligned
// node covers chunks [start, start + 2^level) with start a multiple of
// 2^level, and a node is always built from its two children. The stack holds
// the maximal aligned nodes of the range pushed so far (a partition that is
// unique for the range), and result() folds them left to right, so the answer
// depends only on the chunk range and the chunk values.
#pragma once

#include <cstdint>
#include <vector>

#include "reduce.h"

namespace remc {

// Chan et al.'s pairwise update: moments of the union of two disjoint sets.
// Exact for count, min and max; either side may be empty.
ChunkMoments merge_moments(const ChunkMoments& a, const ChunkMoments& b);

// One aligned node: the moments of chunks [start, start + 2^level).
struct MomentNode {
  std::uint64_t start = 0;
  int level = 0;
  ChunkMoments moments;
};

class MomentTree {
 public:
  // Adds the moments of global chunk `chunk`; chunks must come in order with
  // no gaps (the first push may start anywhere, e.g. at a shard's first chunk).
  void push(std::uint64_t chunk, const ChunkMoments& moments);

  // Adds one aligned node that directly follows the range so far (restoring
  // a saved tree node by node gives back the same tree).
  void push_node(MomentNode node, bool allow_gap = false);

  // Adds the nodes of `next`, which must cover the chunks that directly
  // follow this tree's range. The result equals pushing its chunks one by one.
  // With `allow_gap`, `next` may start after a gap (a merge that accepts
  // missing parts): nodes never merge across it, result() still folds all.
  void append(const MomentTree& next, bool allow_gap = false);

  // Moments of every chunk pushed so far (all zero when empty).
  ChunkMoments result() const;

  bool empty() const { return nodes_.empty(); }
  std::uint64_t first_chunk() const { return first_; }
  std::uint64_t end_chunk() const { return end_; }  // one past the last chunk pushed

  // The complete state, for serialisation: the stack of aligned nodes.
  const std::vector<MomentNode>& nodes() const { return nodes_; }

 private:
  std::vector<MomentNode> nodes_;
  std::uint64_t first_ = 0;
  std::uint64_t end_ = 0;
};

}  // namespace remc
