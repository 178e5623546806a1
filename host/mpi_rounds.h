// MPI runs that may stop early (precision targets): ranks simulate blocks in
// rounds, rank r taking block k * R + r in round k, and rank 0 aggregates
// every round's blocks in global block order, evaluates the targets and tells
// all ranks whether to go on. The statistics are those of a single process
// that simulated the same blocks, bit for bit.
#pragma once

#include <cstdint>
#include <vector>

#include "aggregator.h"
#include "engine.h"
#include "targets.h"

namespace remc {

struct RoundsOutcome {
  CountTotals totals;           // summed over ranks (rank 0 only)
  std::uint64_t paths_done = 0;  // paths of all ranks together
  bool targets_met = false;
  EngineInfo info;               // this rank's engine
};

// Runs paths [0, options.paths) in rounds until `targets` are all met (checked
// once at least `min_paths` are done) or the paths run out. `aggregator` is
// used on rank 0 only.
RoundsOutcome run_mpi_rounds(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                             Aggregator& aggregator, const std::vector<Target>& targets, std::uint64_t min_paths);

}  // namespace remc
