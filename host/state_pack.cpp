// A flat little binary format: a magic word, the slice, then each cell's tree
// nodes and the three count arrays, each preceded by its length.
#include "state_pack.h"

#include <cstdint>

#include "byte_codec.h"
#include "errors.h"

namespace remc {

namespace {

constexpr std::uint64_t kMagic = 0x72656d6373746174ull;  // "remcstat"

}  // namespace

std::vector<char> pack_state(const RunState& s) {
  ByteWriter w;
  w.put(kMagic);
  w.put<std::int32_t>(s.shard.index);
  w.put<std::int32_t>(s.shard.count);
  w.put(s.first_path);
  w.put(s.paths);
  w.put(s.total_paths);
  w.put(s.block_paths);
  w.put_string(s.config_hash);
  w.put<std::uint64_t>(s.trees.size());
  for (const MomentTree& tree : s.trees) w.put_vector(tree.nodes());
  w.put_vector(s.counts.hist);
  w.put_vector(s.counts.exceed);
  w.put_vector(s.counts.transitions);
  return w.take();
}

RunState unpack_state(const std::vector<char>& bytes) {
  ByteReader r(bytes, "packed run state");
  if (r.get<std::uint64_t>() != kMagic) throw RuntimeError("not a packed run state");
  RunState s;
  s.shard.index = r.get<std::int32_t>();
  s.shard.count = r.get<std::int32_t>();
  s.first_path = r.get<std::uint64_t>();
  s.paths = r.get<std::uint64_t>();
  s.total_paths = r.get<std::uint64_t>();
  s.block_paths = r.get<std::uint64_t>();
  s.config_hash = r.get_string();
  s.trees.resize(r.get<std::uint64_t>());
  for (MomentTree& tree : s.trees)
    for (const MomentNode& node : r.get_vector<MomentNode>()) tree.push_node(node);
  s.counts.hist = r.get_vector<std::uint64_t>();
  s.counts.exceed = r.get_vector<std::uint64_t>();
  s.counts.transitions = r.get_vector<std::uint64_t>();
  return s;
}

}  // namespace remc
