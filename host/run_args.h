// The options of `remc run`, parsed and checked for consistency (values that
// need the config, such as targets, are checked later).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "shard.h"

namespace remc {

struct RunArgs {
  std::string config;
  std::string out;
  std::vector<std::string> sets;
  std::string backend = "cpu";
  long long paths = 0;  // from the config unless given
  long long seed = 0;   // from the config unless given
  int threads = 0;      // 0: all cores
  std::uint64_t block_paths = 0;
  std::optional<ShardSpec> shard;
  std::string checkpoint;          // save checkpoints here
  double checkpoint_every = 600;   // seconds between checkpoints
  std::string resume;              // continue from this checkpoint
  std::vector<std::string> targets;  // --target EXPR=HALFWIDTH
  long long max_paths = 0;           // with --target: the most paths to simulate
  // Where in `sets` run.paths is (or would be) set: a run stopped by its
  // targets stores its config with run.paths there set to the paths done.
  std::size_t paths_set_at = 0;
  bool paths_set = false;
  bool quiet = false;
  bool help = false;
  boost::program_options::variables_map given;  // which options were on the command line
};

// Parses and checks `remc run`'s arguments; throws UsageError (exit 2).
// With --help, prints the help and returns with `help` set.
RunArgs parse_run_args(const std::vector<std::string>& raw_args);

}  // namespace remc
