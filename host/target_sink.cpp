// TargetSink: precision targets checked between blocks (target_sink.h).
#include "target_sink.h"

#include <utility>

namespace remc {

TargetSink::TargetSink(BlockSink& inner, const Aggregator& aggregator, std::vector<Target> targets,
                       std::vector<std::uint64_t> restored_exceed, std::uint64_t min_paths)
    : inner_(inner),
      aggregator_(aggregator),
      targets_(std::move(targets)),
      restored_exceed_(std::move(restored_exceed)),
      min_paths_(min_paths) {}

void TargetSink::on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) {
  inner_.on_block(first_chunk, chunks, moments);
}

void TargetSink::on_progress(std::uint64_t paths_done, std::uint64_t paths_total) {
  paths_done_ = paths_done;
  inner_.on_progress(paths_done, paths_total);
}

bool TargetSink::wants_counts() {
  // Ask the inner sink every block: its answer may depend on time (checkpoints).
  inner_wants_ = inner_.wants_counts();
  return inner_wants_ || paths_done_ >= min_paths_;
}

void TargetSink::on_counts(const CountTotals& counts_so_far, std::uint64_t next_path) {
  if (inner_wants_) inner_.on_counts(counts_so_far, next_path);
  if (paths_done_ < min_paths_) return;
  std::vector<std::uint64_t> exceed = counts_so_far.exceed;
  for (std::size_t i = 0; i < restored_exceed_.size() && i < exceed.size(); ++i) exceed[i] += restored_exceed_[i];
  all_met_ = all_targets_met(targets_, aggregator_.trees(), exceed);
}

}  // namespace remc
