// Shard specifications and slices.
#include "shard.h"

#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "errors.h"

namespace remc {

ShardSpec parse_shard(const std::string& text) {
  // Read wider than int, so a huge N is refused rather than wrapped.
  long long index = -1, count = 0;
  int consumed = 0;
  // Digits and one slash only: sscanf alone would also take "0/ 3" or "+0/3".
  if (text.find_first_not_of("0123456789/") != std::string::npos ||
      std::sscanf(text.c_str(), "%lld/%lld%n", &index, &count, &consumed) != 2 ||
      consumed != static_cast<int>(text.size()) || count < 1 || index < 0 || index >= count)
    throw UsageError("--shard " + text + ": expected K/N with 0 <= K < N, e.g. 0/4");
  if (count > kMaxShards)
    throw UsageError("--shard " + text + ": at most " + std::to_string(kMaxShards) + " shards");
  return ShardSpec{static_cast<int>(index), static_cast<int>(count)};
}

PathSlice shard_slice(std::uint64_t total_paths, std::uint64_t block_paths, const ShardSpec& shard,
                      bool mpi_ranks) {
  const std::uint64_t blocks = (total_paths + block_paths - 1) / block_paths;
  const std::uint64_t n = static_cast<std::uint64_t>(shard.count);
  if (blocks < n) {
    const std::string have = ": the run has " + std::to_string(blocks) + (blocks == 1 ? " block" : " blocks") +
                             " of " + std::to_string(block_paths) + " paths, fewer than the ";
    if (mpi_ranks)
      throw UsageError("mpirun with " + std::to_string(shard.count) + " ranks" + have +
                       "ranks; use fewer ranks, more paths or a smaller --block-paths");
    throw UsageError("--shard " + std::to_string(shard.index) + "/" + std::to_string(shard.count) + have +
                     "shards; use fewer shards, more paths or a smaller --block-paths");
  }
  // 128-bit products: block counts times shard indices can exceed 64 bits.
  const auto boundary = [&](std::uint64_t k) {
    return static_cast<std::uint64_t>(static_cast<unsigned __int128>(blocks) * k / n);
  };
  PathSlice slice;
  const std::uint64_t first_block = boundary(static_cast<std::uint64_t>(shard.index));
  const std::uint64_t end_block = boundary(static_cast<std::uint64_t>(shard.index) + 1);
  slice.first_path = first_block * block_paths;
  const std::uint64_t end_path = end_block * block_paths < total_paths ? end_block * block_paths : total_paths;
  slice.paths = end_path - slice.first_path;
  return slice;
}

namespace {

// The lines of a resolved config that say what a run computes, each with its
// section (lines keep their '\n'). Comment lines are left out: the header
// names the file and --set arguments as given, which may differ for the same
// config. So is [output] file: where a result goes does not change what it
// holds (shards may name their parts with --set output.file as with --out).
std::vector<std::pair<std::string, std::string>> significant_lines(const std::string& resolved_text) {
  std::vector<std::pair<std::string, std::string>> lines;
  std::string section;
  std::size_t begin = 0;
  while (begin < resolved_text.size()) {
    std::size_t end = resolved_text.find('\n', begin);
    end = end == std::string::npos ? resolved_text.size() : end + 1;
    const std::string line = resolved_text.substr(begin, end - begin);
    begin = end;
    if (!line.empty() && line[0] == '[') section = line.substr(0, line.find(']') + 1);
    const bool output_file = section == "[output]" && line.rfind("file", 0) == 0 &&
                             line.find_first_not_of(" \t", 4) == line.find('=');
    if (line.empty() || line[0] == '#' || output_file) continue;
    lines.emplace_back(section, line);
  }
  return lines;
}

std::string trimmed(const std::string& line) {
  const std::size_t end = line.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? std::string() : line.substr(0, end + 1);
}

}  // namespace

std::string first_config_difference(const std::string& a, const std::string& b) {
  const auto la = significant_lines(a), lb = significant_lines(b);
  for (std::size_t i = 0; i < la.size() || i < lb.size(); ++i) {
    const std::string x = i < la.size() ? la[i].first + " " + trimmed(la[i].second) : "(end)";
    const std::string y = i < lb.size() ? lb[i].first + " " + trimmed(lb[i].second) : "(end)";
    if (x != y) return "'" + x + "' against '" + y + "'";
  }
  return "";
}

std::string config_hash(const std::string& resolved_text) {
  std::uint64_t h = 14695981039346656037ull;
  for (const auto& [section, line] : significant_lines(resolved_text)) {
    for (unsigned char c : line) {
      h ^= c;
      h *= 1099511628211ull;
    }
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

}  // namespace remc
