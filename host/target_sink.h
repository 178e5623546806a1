// The block sink of a run with precision targets: forwards every block to
// the sink it wraps (the aggregator, or a CheckpointSink around it), and
// after each block, once at least two blocks are done, evaluates every
// target from the aggregator's moment trees and the exact counts so far;
// it asks the engine to stop as soon as all targets are met.
#pragma once

#include <cstdint>
#include <vector>

#include "aggregator.h"
#include "engine.h"
#include "targets.h"

namespace remc {

class TargetSink : public BlockSink {
 public:
  // `restored_exceed`: exceedance counts of paths done by an earlier process
  // (a resumed run; empty otherwise); the aggregator already holds their trees.
  // `min_paths`: no target is evaluated before this many paths of this process.
  TargetSink(BlockSink& inner, const Aggregator& aggregator, std::vector<Target> targets,
             std::vector<std::uint64_t> restored_exceed,
             std::uint64_t min_paths);

  void on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) override;
  void on_progress(std::uint64_t paths_done, std::uint64_t paths_total) override;
  bool wants_counts() override;
  void on_counts(const CountTotals& counts_so_far, std::uint64_t next_path) override;
  bool stop_requested() override { return all_met_ || inner_.stop_requested(); }

  // Whether every target was met at the last evaluation.
  bool all_met() const { return all_met_; }

 private:
  BlockSink& inner_;
  const Aggregator& aggregator_;
  std::vector<Target> targets_;
  std::vector<std::uint64_t> restored_exceed_;
  std::uint64_t min_paths_;
  std::uint64_t paths_done_ = 0;
  bool inner_wants_ = false;  // the inner sink's answer for this block
  bool all_met_ = false;
};

}  // namespace remc
