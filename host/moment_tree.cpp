// Fixed-tree merging of chunk moments (see moment_tree.h).
#include "moment_tree.h"

#include <string>

#include "errors.h"

namespace remc {

ChunkMoments merge_moments(const ChunkMoments& a, const ChunkMoments& b) {
  if (a.count == 0) return b;
  if (b.count == 0) return a;
  const double na = static_cast<double>(a.count);
  const double nb = static_cast<double>(b.count);
  ChunkMoments r;
  r.count = a.count + b.count;
  const double n = static_cast<double>(r.count);
  const double delta = b.mean - a.mean;
  r.mean = a.mean + delta * (nb / n);
  r.m2 = a.m2 + b.m2 + delta * delta * (na * nb / n);
  r.min = b.min < a.min ? b.min : a.min;
  r.max = b.max > a.max ? b.max : a.max;
  return r;
}

void MomentTree::push(std::uint64_t chunk, const ChunkMoments& moments) {
  MomentNode node;
  node.start = chunk;
  node.level = 0;
  node.moments = moments;
  push_node(node);
}

void MomentTree::append(const MomentTree& next, bool allow_gap) {
  bool first = true;
  for (const MomentNode& node : next.nodes_) {
    push_node(node, allow_gap && first);
    first = false;
  }
}

void MomentTree::push_node(MomentNode node, bool allow_gap) {
  if (nodes_.empty()) {
    first_ = node.start;
  } else if (node.start != end_ && !(allow_gap && node.start > end_)) {
    throw RuntimeError("moment tree: chunk " + std::to_string(node.start) + " pushed, expected chunk " +
                       std::to_string(end_) + " (chunks must be contiguous and in order)");
  }
  end_ = node.start + (std::uint64_t{1} << node.level);
  // Merge while the top is this node's aligned left sibling.
  while (!nodes_.empty()) {
    const MomentNode& top = nodes_.back();
    const std::uint64_t width = std::uint64_t{1} << node.level;
    const bool sibling = top.level == node.level && top.start + width == node.start && top.start % (2 * width) == 0;
    if (!sibling) break;
    node.moments = merge_moments(top.moments, node.moments);
    node.start = top.start;
    node.level += 1;
    nodes_.pop_back();
  }
  nodes_.push_back(node);
}

ChunkMoments MomentTree::result() const {
  ChunkMoments total;
  for (const MomentNode& node : nodes_) total = merge_moments(total, node.moments);
  return total;
}

}  // namespace remc
