// The complete aggregation state of a (partial) run, stored in shard results
// under /state, so `remc merge` can combine parts into exactly the result a
// single run would have written.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "aggregator.h"
#include "engine.h"
#include "h5_file.h"
#include "moment_tree.h"
#include "shard.h"

namespace remc {

struct RunState {
  ShardSpec shard;
  std::uint64_t first_path = 0;
  std::uint64_t paths = 0;        // paths this part covers
  std::uint64_t total_paths = 0;  // paths of the whole run
  std::uint64_t block_paths = 0;
  std::string config_hash;
  std::vector<MomentTree> trees;  // per cell
  CountTotals counts;
};

// Writes `state` as the group /state of an open result file.
void write_run_state(const h5::File& file, const RunState& state);

// True when the result file has a /state group (a shard's partial result).
bool has_run_state(const h5::File& file);

// Reads /state back; throws UsageError naming the file if it is malformed.
RunState read_run_state(const h5::File& file);

// Checks a state read from `file` against its config (statistics layout and
// `run_paths`, the config's [run] paths): the same cells and count sizes,
// every cell's moments, histogram, exceedance and transition counts covering
// exactly the part's paths. Throws UsageError naming the file, so a damaged
// or edited part is refused instead of merged into wrong statistics.
void check_run_state(const RunState& state, const AggregationPlan& plan, std::uint64_t run_paths,
                     const std::string& file);

// Counts of the right sizes for `plan`, all zero.
CountTotals zero_counts(const AggregationPlan& plan);

// Adds `from` to `to` element by element (same plan).
void add_counts(CountTotals& to, const CountTotals& from);

// Adds `parts`, given in path order, to `aggregator` and returns their
// summed counts: the state a single run over all of them would have. With
// `allow_gaps`, parts need not be contiguous (a merge of some shards only).
// Throws RuntimeError if a part does not fit the aggregator's plan.
CountTotals combine_parts(Aggregator& aggregator, const std::vector<const RunState*>& parts, bool allow_gaps);

}  // namespace remc
