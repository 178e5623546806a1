// Shards: a run split into N slices of its block sequence (`remc run --shard
// K/N`), each written as a partial result that `remc merge` combines into
// exactly the single run's result.
#pragma once

#include <cstdint>
#include <string>

namespace remc {

struct ShardSpec {
  int index = 0;  // K, 0-based (Slurm array task ids 0..N-1)
  int count = 1;  // N
};

// The most shards a run can be split into (N is an int).
constexpr long long kMaxShards = 2147483647;

// Parses "K/N" with 0 <= K < N <= kMaxShards; throws UsageError naming the argument.
ShardSpec parse_shard(const std::string& text);

// The paths of shard K: whole blocks [floor(K B / N), floor((K + 1) B / N))
// of the B = ceil(total / block) blocks, so every shard starts on a block
// (and chunk) boundary and the shards tile the run without overlap.
struct PathSlice {
  std::uint64_t first_path = 0;
  std::uint64_t paths = 0;
};
// Throws UsageError when there are fewer blocks than shards, worded for
// --shard or, with `mpi_ranks`, for the ranks of an MPI run.
PathSlice shard_slice(std::uint64_t total_paths, std::uint64_t block_paths, const ShardSpec& shard,
                      bool mpi_ranks = false);

// A stable fingerprint of a resolved config's keys and values (FNV-1a 64,
// hex; comment lines and [output] file are ignored), so parts of one run can
// be recognised without comparing whole texts.
std::string config_hash(const std::string& resolved_text);

// The first line where two resolved configs differ in what config_hash
// covers, as "'[section] key = a' against '[section] key = b'" ("" if none).
std::string first_config_difference(const std::string& a, const std::string& b);

}  // namespace remc
