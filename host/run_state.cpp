// Saving and restoring the aggregation state (moment-tree nodes per cell and
// the integer count totals) in HDF5.
#include "run_state.h"

#include <algorithm>
#include <cmath>

#include "config_values.h"
#include "errors.h"
#include "model_limits.h"
#include "outputs.h"

namespace remc {

namespace {

constexpr const char* kGroup = "state";

hsize_t size_of(std::size_t n) { return static_cast<hsize_t>(n); }

// The lengths of a plan's count totals: histogram slots, exceedance slots
// (kMaxThresholds per cell), transitions (regimes x regimes per month).
struct CountSizes {
  std::size_t hist, exceed, transitions;
};
CountSizes count_sizes(const AggregationPlan& plan) {
  const OutputLayout& layout = plan.layout;
  return {plan.hist_size, static_cast<std::size_t>(layout.cell_count()) * kMaxThresholds,
          static_cast<std::size_t>(layout.months) * layout.regimes * layout.regimes};
}

// The error for a /state that is malformed or contradicts its config.
UsageError damaged_state(const std::string& file, const std::string& why) {
  return UsageError(file + ": /state is damaged: " + why);
}

// Moments that finite values could have: min <= mean <= max (up to the
// rounding of merged means), a finite non-negative sum of squared deviations.
// Catches edited or corrupted nodes that the counts cannot.
bool plausible(const ChunkMoments& m) {
  if (!(std::isfinite(m.min) && std::isfinite(m.max) && std::isfinite(m.mean) && std::isfinite(m.m2))) return false;
  const double slack = 1e-9 * std::max(std::fabs(m.min), std::fabs(m.max));
  return m.min <= m.max && m.mean >= m.min - slack && m.mean <= m.max + slack && m.m2 >= 0.0;
}

}  // namespace

void write_run_state(const h5::File& file, const RunState& state) {
  const h5::Group g = file.create_group(kGroup);
  g.set_attribute("description", "aggregation state of a shard, for remc merge (not for analysis)");
  g.set_attribute("shard_index", static_cast<std::int64_t>(state.shard.index));
  g.set_attribute("shard_count", static_cast<std::int64_t>(state.shard.count));
  g.set_attribute("first_path", static_cast<std::int64_t>(state.first_path));
  g.set_attribute("paths", static_cast<std::int64_t>(state.paths));
  g.set_attribute("total_paths", static_cast<std::int64_t>(state.total_paths));
  g.set_attribute("block_paths", static_cast<std::int64_t>(state.block_paths));
  g.set_attribute("config_hash", state.config_hash);

  // Tree nodes as one table, cell by cell, each cell's nodes in stack order.
  std::vector<std::int64_t> cell, level;
  std::vector<std::uint64_t> start, count;
  std::vector<double> mean, m2, min, max;
  for (std::size_t c = 0; c < state.trees.size(); ++c) {
    for (const MomentNode& n : state.trees[c].nodes()) {
      cell.push_back(static_cast<std::int64_t>(c));
      level.push_back(n.level);
      start.push_back(n.start);
      count.push_back(n.moments.count);
      mean.push_back(n.moments.mean);
      m2.push_back(n.moments.m2);
      min.push_back(n.moments.min);
      max.push_back(n.moments.max);
    }
  }
  // Every dataset carries units and a description, like the rest of the file.
  const auto describe = [](const h5::Dataset& d, const char* units, const char* description) {
    d.set_attribute("units", units);
    d.set_attribute("description", description);
  };
  const std::vector<hsize_t> nodes = {size_of(cell.size())};
  describe(g.write("node_cell", cell, nodes, true), "1", "statistics cell of each moment-tree node");
  describe(g.write("node_level", level, nodes, true), "1", "tree level of the node (chunks merged: 2^level)");
  describe(g.write("node_start", start, nodes, true), "1", "index of the node's first chunk");
  describe(g.write("node_count", count, nodes, true), "1", "values the node covers");
  describe(g.write("node_mean", mean, nodes, true), "metric units", "mean of the node's values");
  describe(g.write("node_m2", m2, nodes, true), "metric units squared",
           "sum of squared deviations from the node's mean");
  describe(g.write("node_min", min, nodes, true), "metric units", "smallest of the node's values");
  describe(g.write("node_max", max, nodes, true), "metric units", "largest of the node's values");
  describe(g.write("hist", state.counts.hist, {size_of(state.counts.hist.size())}, true), "1",
           "histogram counts of every cell, underflow and overflow included, in statistics order");
  describe(g.write("exceed", state.counts.exceed, {size_of(state.counts.exceed.size())}, true), "1",
           "exceedance counts, per cell and threshold slot");
  describe(g.write("transitions", state.counts.transitions, {size_of(state.counts.transitions.size())}, true), "1",
           "regime transition counts, per month, from-state and to-state");
  g.set_attribute("cells", static_cast<std::int64_t>(state.trees.size()));
}

bool has_run_state(const h5::File& file) { return file.exists(kGroup); }

RunState read_run_state(const h5::File& file) {
  const h5::Group g = file.open_group(kGroup);
  const auto damaged = [&](const std::string& why) { return damaged_state(file.file_path(), why); };
  RunState s;
  s.shard.index = static_cast<int>(g.int_attribute("shard_index"));
  s.shard.count = static_cast<int>(g.int_attribute("shard_count"));
  s.first_path = static_cast<std::uint64_t>(g.int_attribute("first_path"));
  s.paths = static_cast<std::uint64_t>(g.int_attribute("paths"));
  s.total_paths = static_cast<std::uint64_t>(g.int_attribute("total_paths"));
  s.block_paths = static_cast<std::uint64_t>(g.int_attribute("block_paths"));
  s.config_hash = g.string_attribute("config_hash");

  const auto cell = g.open_dataset("node_cell").read_int64();
  const auto level = g.open_dataset("node_level").read_int64();
  const auto start = g.open_dataset("node_start").read_uint64();
  const auto count = g.open_dataset("node_count").read_uint64();
  const auto mean = g.open_dataset("node_mean").read_doubles();
  const auto m2 = g.open_dataset("node_m2").read_doubles();
  const auto min = g.open_dataset("node_min").read_doubles();
  const auto max = g.open_dataset("node_max").read_doubles();
  const std::int64_t cells = g.int_attribute("cells");
  // The most cells any valid config has: checked before allocating a tree each.
  const OutputLayout largest{kMaxMaterials, kMaxMonths, kMaxRegimes};
  if (cells < 0 || cells > largest.cell_count())
    throw damaged("cells = " + std::to_string(cells) + ", at most " + std::to_string(largest.cell_count()) +
                  " possible");
  const std::size_t nodes = cell.size();
  for (const std::size_t n : {level.size(), start.size(), count.size(), mean.size(), m2.size(), min.size(), max.size()})
    if (n != nodes) throw damaged("the node_* datasets differ in length (" + std::to_string(nodes) + " and " +
                                  std::to_string(n) + ")");
  s.trees.resize(static_cast<std::size_t>(cells));
  for (std::size_t i = 0; i < nodes; ++i) {
    if (cell[i] < 0 || cell[i] >= cells)
      throw damaged("node " + std::to_string(i) + " names cell " + std::to_string(cell[i]) + " of " +
                    std::to_string(cells));
    // A node spans the 2^level chunks from `start`, aligned to its size
    // (the fixed tree); bounded so that start + 2^level fits in 64 bits.
    if (level[i] < 0 || level[i] > 61 || start[i] > (std::uint64_t{1} << 62) ||
        start[i] % (std::uint64_t{1} << level[i]) != 0)
      throw damaged("node " + std::to_string(i) + " has level " + std::to_string(level[i]) + " and start " +
                    std::to_string(start[i]));
    MomentNode n;
    n.start = start[i];
    n.level = static_cast<int>(level[i]);
    n.moments.count = count[i];
    n.moments.mean = mean[i];
    n.moments.m2 = m2[i];
    n.moments.min = min[i];
    n.moments.max = max[i];
    try {
      s.trees[static_cast<std::size_t>(cell[i])].push_node(n);
    } catch (const RuntimeError& e) {
      throw damaged("node " + std::to_string(i) + ": " + e.what());
    }
  }
  s.counts.hist = g.open_dataset("hist").read_uint64();
  s.counts.exceed = g.open_dataset("exceed").read_uint64();
  s.counts.transitions = g.open_dataset("transitions").read_uint64();
  return s;
}

void check_run_state(const RunState& s, const AggregationPlan& plan, std::uint64_t run_paths, const std::string& file) {
  const auto damaged = [&](const std::string& why) { return damaged_state(file, why); };
  const std::string of = std::to_string(s.paths) + " paths from path " + std::to_string(s.first_path);
  if (s.total_paths != run_paths || s.block_paths == 0 || s.block_paths % kChunkPaths != 0 ||
      s.first_path % kChunkPaths != 0 || s.paths > s.total_paths || s.first_path > s.total_paths - s.paths)
    throw damaged(of + " of " + std::to_string(s.total_paths) + " in blocks of " + std::to_string(s.block_paths) +
                  " (the config runs " + std::to_string(run_paths) + " paths)");
  const std::size_t cells = plan.cell_spec.size();
  if (s.trees.size() != cells)
    throw damaged(std::to_string(s.trees.size()) + " cells, the config has " + std::to_string(cells));
  const CountSizes sizes = count_sizes(plan);
  if (s.counts.hist.size() != sizes.hist || s.counts.exceed.size() != sizes.exceed ||
      s.counts.transitions.size() != sizes.transitions)
    throw damaged("its counts do not have the sizes of the config's statistics");
  // Every cell's moments cover exactly the part's chunks, each node exactly
  // the part's paths in its chunks; its histogram counts each path once, its
  // exceedances at most once.
  const std::uint64_t end_path = s.first_path + s.paths;
  const std::uint64_t first_chunk = s.first_path / kChunkPaths;
  const std::uint64_t end_chunk = (end_path + kChunkPaths - 1) / kChunkPaths;
  for (std::size_t c = 0; c < cells; ++c) {
    const MomentTree& tree = s.trees[c];
    const std::string cell = "cell " + std::to_string(c);
    if (s.paths > 0 && (tree.first_chunk() != first_chunk || tree.end_chunk() != end_chunk))
      throw damaged(cell + " has moments of chunks " + std::to_string(tree.first_chunk()) + ".." +
                    std::to_string(tree.end_chunk()) + ", the part " + of);
    if (s.paths == 0 && !tree.nodes().empty()) throw damaged(cell + " has moments, the part no paths");
    for (const MomentNode& node : tree.nodes()) {
      const std::uint64_t node_end = std::min(end_path, (node.start + (std::uint64_t{1} << node.level)) * kChunkPaths);
      if (node.moments.count != node_end - node.start * kChunkPaths)
        throw damaged(cell + " has a node of " + std::to_string(node.moments.count) + " paths from chunk " +
                      std::to_string(node.start) + ", the part " + of);
      if (!plausible(node.moments))
        throw damaged(cell + " has a node from chunk " + std::to_string(node.start) + " with impossible moments (mean " +
                      format_number(node.moments.mean) + ", sum of squared deviations " +
                      format_number(node.moments.m2) + ", min " + format_number(node.moments.min) + ", max " +
                      format_number(node.moments.max) + ")");
    }
    const HistSpec& spec = plan.specs[plan.cell_spec[c]];
    std::uint64_t counted = 0;
    for (int b = 0; b < spec.bins + 2; ++b) counted += s.counts.hist[plan.hist_offset[c] + b];
    if (counted != s.paths)
      throw damaged(cell + " has " + std::to_string(counted) + " histogram counts, the part " + of);
    for (int t = 0; t < kMaxThresholds; ++t) {
      const std::uint64_t over = s.counts.exceed[c * kMaxThresholds + t];
      if (t < spec.threshold_count ? over > s.paths : over != 0)
        throw damaged(cell + " has " + std::to_string(over) + " exceedances of threshold slot " + std::to_string(t) +
                      ", the part " + of);
    }
  }
  // Each month after the first counts every path's move once (month 0 none).
  const OutputLayout& layout = plan.layout;
  const std::size_t per_month = static_cast<std::size_t>(layout.regimes) * layout.regimes;
  for (int t = 0; t < layout.months; ++t) {
    std::uint64_t moves = 0;
    for (std::size_t k = 0; k < per_month; ++k) moves += s.counts.transitions[t * per_month + k];
    if (moves != (t == 0 ? 0 : s.paths))
      throw damaged("month " + std::to_string(t) + " has " + std::to_string(moves) + " regime transitions, the part " +
                    of);
  }
}

CountTotals zero_counts(const AggregationPlan& plan) {
  const CountSizes sizes = count_sizes(plan);
  CountTotals totals;
  totals.hist.assign(sizes.hist, 0);
  totals.exceed.assign(sizes.exceed, 0);
  totals.transitions.assign(sizes.transitions, 0);
  return totals;
}

void add_counts(CountTotals& to, const CountTotals& from) {
  if (from.hist.size() != to.hist.size() || from.exceed.size() != to.exceed.size() ||
      from.transitions.size() != to.transitions.size())
    throw RuntimeError("count totals of different statistics layouts cannot be added");
  for (std::size_t i = 0; i < from.hist.size(); ++i) to.hist[i] += from.hist[i];
  for (std::size_t i = 0; i < from.exceed.size(); ++i) to.exceed[i] += from.exceed[i];
  for (std::size_t i = 0; i < from.transitions.size(); ++i) to.transitions[i] += from.transitions[i];
}

CountTotals combine_parts(Aggregator& aggregator, const std::vector<const RunState*>& parts, bool allow_gaps) {
  CountTotals totals = zero_counts(aggregator.plan());
  for (const RunState* part : parts) {
    try {
      add_counts(totals, part->counts);
    } catch (const RuntimeError&) {
      throw RuntimeError("the state of shard " + std::to_string(part->shard.index) + "/" +
                         std::to_string(part->shard.count) + " does not match the config's statistics layout");
    }
    aggregator.append(part->trees, allow_gaps);
  }
  return totals;
}

}  // namespace remc
