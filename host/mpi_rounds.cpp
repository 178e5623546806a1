// Round-robin blocks over MPI ranks with a global stopping decision.
#include "mpi_rounds.h"

#include <cstdint>
#include <string>

#include "byte_codec.h"
#include "errors.h"
#include "mpi_context.h"
#include "run_state.h"

namespace remc {

namespace {

// Keeps one block's chunk moments, as run_engine hands them over.
struct BlockCapture : BlockSink {
  std::uint64_t first_chunk = 0;
  int chunks = 0;
  std::vector<ChunkMoments> moments;  // [cell][chunk]
  int cells = 0;

  void on_block(std::uint64_t first, int n, const ChunkMoments* m) override {
    first_chunk = first;
    chunks = n;
    moments.assign(m, m + static_cast<std::size_t>(cells) * n);
  }
};

std::vector<char> pack_block(const BlockCapture& b) {
  ByteWriter w;
  w.put(b.first_chunk);
  w.put<std::int32_t>(b.chunks);
  w.put_vector(b.moments);
  return w.take();
}

// Feeds a packed block to the aggregator (an empty one means that rank had none).
void unpack_block_into(const std::vector<char>& bytes, int cells, Aggregator& aggregator) {
  if (bytes.empty()) return;
  ByteReader r(bytes, "packed block of chunk moments");
  const std::uint64_t first_chunk = r.get<std::uint64_t>();
  const int chunks = r.get<std::int32_t>();
  const std::vector<ChunkMoments> moments = r.get_vector<ChunkMoments>();
  if (moments.size() != static_cast<std::size_t>(cells) * chunks)
    throw RuntimeError("packed block of chunk moments has " + std::to_string(moments.size()) + " moments, expected " +
                       std::to_string(static_cast<std::size_t>(cells) * chunks));
  aggregator.on_block(first_chunk, chunks, moments.data());
}

}  // namespace

RoundsOutcome run_mpi_rounds(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                             Aggregator& aggregator, const std::vector<Target>& targets, std::uint64_t min_paths) {
  const int ranks = mpi::size();
  const int cells = plan.layout.cell_count();
  const std::uint64_t block = options.block_paths;
  const std::uint64_t blocks = (options.paths + block - 1) / block;
  RoundsOutcome out;
  out.totals = zero_counts(plan);
  for (std::uint64_t round = 0; round * ranks < blocks; ++round) {
    // This rank's block of the round, if there is one left.
    BlockCapture capture;
    capture.cells = cells;
    const std::uint64_t b = round * ranks + static_cast<std::uint64_t>(mpi::rank());
    if (b < blocks) {
      EngineOptions one = options;
      one.first_path = b * block;
      one.paths = std::min(block, options.paths - one.first_path);
      add_counts(out.totals, run_engine(model, plan, one, capture, &out.info));
    }
    const auto packed = mpi::gather(b < blocks ? pack_block(capture) : std::vector<char>());
    if (mpi::rank() == 0)
      for (const auto& bytes : packed) unpack_block_into(bytes, cells, aggregator);  // rank order = block order
    out.paths_done = std::min(options.paths, (round + 1) * ranks * block);

    // Rank 0 decides, from the moments so far and the summed exceedance counts.
    std::vector<std::uint64_t> exceed = out.totals.exceed;
    mpi::reduce_sum(exceed);
    bool stop = false;
    if (mpi::rank() == 0 && out.paths_done >= min_paths)
      stop = all_targets_met(targets, aggregator.trees(), exceed);
    out.targets_met = mpi::broadcast(stop);
    if (out.targets_met) break;
  }
  mpi::reduce_sum(out.totals.hist);
  mpi::reduce_sum(out.totals.exceed);
  mpi::reduce_sum(out.totals.transitions);
  return out;
}

}  // namespace remc
