// A flat little binary format: a magic word, the slice, then each cell's tree
// nodes and the three count arrays, each preceded by its length.
#include "state_pack.h"

#include <cstdint>
#include <cstring>
#include <string>

#include "errors.h"

namespace remc {

namespace {

constexpr std::uint64_t kMagic = 0x72656d6373746174ull;  // "remcstat"

class Writer {
 public:
  template <class T>
  void put(const T& value) {
    const char* p = reinterpret_cast<const char*>(&value);
    bytes_.insert(bytes_.end(), p, p + sizeof(T));
  }
  template <class T>
  void put_vector(const std::vector<T>& v) {
    put<std::uint64_t>(v.size());
    const char* p = reinterpret_cast<const char*>(v.data());
    bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
  }
  void put_string(const std::string& s) { put_vector(std::vector<char>(s.begin(), s.end())); }
  std::vector<char> take() { return std::move(bytes_); }

 private:
  std::vector<char> bytes_;
};

class Reader {
 public:
  explicit Reader(const std::vector<char>& bytes) : bytes_(bytes) {}
  template <class T>
  T get() {
    need(sizeof(T));
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  template <class T>
  std::vector<T> get_vector() {
    const std::uint64_t n = get<std::uint64_t>();
    need(n * sizeof(T));
    std::vector<T> v(n);
    std::memcpy(v.data(), bytes_.data() + pos_, n * sizeof(T));
    pos_ += n * sizeof(T);
    return v;
  }
  std::string get_string() {
    const std::vector<char> v = get_vector<char>();
    return std::string(v.begin(), v.end());
  }

 private:
  void need(std::uint64_t n) const {
    if (pos_ + n > bytes_.size()) throw RuntimeError("packed run state is truncated");
  }
  const std::vector<char>& bytes_;
  std::size_t pos_ = 0;
};

}  // namespace

std::vector<char> pack_state(const RunState& s) {
  Writer w;
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
  Reader r(bytes);
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
