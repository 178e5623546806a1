// Checkpoint and restart (`remc run --checkpoint FILE`, `remc run --resume
// FILE`): the aggregation state of the paths done so far, saved atomically
// between blocks every --checkpoint-every seconds and when SIGTERM or SIGINT
// arrives. Since a path's numbers depend only on the seed and its index, a
// resumed run gives statistics bit-identical to an uninterrupted one.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aggregator.h"
#include "engine.h"
#include "run_state.h"
#include "shard.h"

namespace remc {

struct Checkpoint {
  std::string config;       // the resolved config text
  std::string config_file;
  std::string remc_version;
  std::string backend;      // cpu or cuda: a run resumes on the backend that began it
  std::string out;          // the result file the run was asked to write
  bool sharded = false;     // state.shard is a --shard K/N slice
  std::uint64_t end_path = 0;  // one past the last path of the run (or shard)
  std::vector<std::string> targets;  // the run's --target arguments, so a resume keeps them
  double wall_seconds = 0;  // the run's wall time up to this checkpoint, over every process so far
  RunState state;           // paths [state.first_path, state.first_path + state.paths) done
};

// Writes atomically (temporary file in the same folder, then rename).
void write_checkpoint(const std::string& path, const Checkpoint& checkpoint);

// Throws UsageError if the file is missing or not a remc checkpoint.
Checkpoint read_checkpoint(const std::string& path);

// Whether `path` is a remc checkpoint (for messages about the wrong kind of file).
bool is_checkpoint(const std::string& path);

// From now on SIGTERM and SIGINT only set a flag: the run stops after the
// current block, saves its checkpoint and exits with kExitInterrupted.
void install_stop_signals();
bool stop_signalled();

// Forwards blocks to the aggregator and saves a checkpoint every `every`
// seconds and when a stop signal arrives. `base` holds the run's identity
// and the counts restored from an earlier checkpoint (zero for a fresh run).
class CheckpointSink : public BlockSink {
 public:
  CheckpointSink(Aggregator& aggregator, std::string path, double every_seconds, Checkpoint base);

  void on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) override;
  void on_progress(std::uint64_t paths_done, std::uint64_t paths_total) override;
  bool wants_counts() override;
  void on_counts(const CountTotals& counts_so_far, std::uint64_t next_path) override;
  bool stop_requested() override { return stopping_; }

 private:
  Aggregator& aggregator_;
  std::string path_;
  std::chrono::duration<double> every_;
  std::chrono::steady_clock::time_point last_;
  Checkpoint base_;
  std::chrono::steady_clock::time_point started_;  // this process's share of wall_seconds starts here
  bool stopping_ = false;  // a stop signal seen by wants_counts(), so saved
};

}  // namespace remc
