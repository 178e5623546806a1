// The streaming aggregator: receives each block's chunk moments from the
// engine (BlockSink), merges them per cell in a fixed tree (moment_tree.h),
// and at the end turns moments and the engine's integer counts into the
// statistics the result file holds. Memory is per cell, independent of the
// number of paths (a moment tree holds O(log chunks) nodes).
//
// Histogram-derived statistics, and what bounds their error:
// - quantile q: the value of rank q*n, interpolated linearly within the bin
//   that holds it (in log x for log bins); the empirical quantile lies in that
//   bin, so the error is at most `resolution`, the bin's width (intersected
//   with [min, max]). The underflow bin spans [min, lo], overflow [hi, max].
// - exceedance P(X > t) = count(x > t) / n, exact; binomial standard error
//   sqrt(p (1 - p) / n).
// - expected shortfall at tail a: mean of the worst a*n values (the largest,
//   or the smallest for metrics whose worst outcomes are low), taking values
//   spread uniformly within each regular bin (log-uniformly in log bins). The
//   values beyond the histogram range are known by their count, their extreme
//   (the exact max or min) and their mean (exact total less the regular bins'
//   estimate, when only one side of the range has such values): the worst
//   one is the extreme, all of them average the mean, and a share in between
//   is interpolated. The error is at most the widest range it draws from.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "engine.h"
#include "moment_tree.h"

namespace remc {

// Final statistics. Per-cell arrays are indexed by cell (OutputLayout);
// [cell][q] arrays by cell * levels + q; [cell][j] threshold arrays by
// cell * kMaxThresholds + j, j < the cell's spec threshold_count.
struct AggregateResults {
  AggregationPlan plan;
  std::vector<double> quantile_levels;
  std::vector<double> tail_levels;  // expected-shortfall tail fractions
  std::uint64_t paths = 0;

  std::vector<std::uint64_t> count;  // [cell]
  std::vector<double> mean, variance, std_dev, std_error, min, max;  // [cell]
  std::vector<double> quantile, resolution;                          // [cell][quantile]
  std::vector<double> exceedance, exceedance_stderr;                 // [cell][kMaxThresholds]
  std::vector<double> expected_shortfall;                            // [cell][tail]
  std::vector<std::uint64_t> hist;         // CountTotals::hist, at plan.hist_offset[cell]
  std::vector<std::uint64_t> exceed_count; // CountTotals::exceed, [cell][kMaxThresholds]
  std::vector<double> occupancy;           // [month][regime]: share of paths in each state
  std::vector<std::uint64_t> transitions;  // [month][from][to], month 0 all zero
};

// Edge k (0..bins) of a histogram's regular bins, in double precision.
double bin_edge(const HistSpec& spec, int k);

// Statistics from one cell's histogram counts (bins + 2 counters) given the
// cell's exact min and max; see the header comment for definitions.
void hist_quantile(const HistSpec& spec, const std::uint64_t* counts, double min, double max, double level,
                   double* value, double* resolution);
double hist_expected_shortfall(const HistSpec& spec, const std::uint64_t* counts, double min, double max,
                               double mean, double tail, bool worst_is_low);

class Aggregator : public BlockSink {
 public:
  Aggregator(AggregationPlan plan, std::vector<double> quantile_levels);

  void on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) override;

  // Appends the per-cell trees of the part that directly follows what this
  // aggregator holds (remc merge); the result equals having run both parts.
  // `allow_gap`: the part may start after a gap (a merge of some parts only).
  void append(const std::vector<MomentTree>& trees, bool allow_gap = false);
  void on_progress(std::uint64_t paths_done, std::uint64_t paths_total) override;

  // Computes the final statistics from the merged moments and the engine's
  // counts. Throws RuntimeError if the counts do not match the plan.
  const AggregateResults& finish(const CountTotals& totals);

  const AggregateResults& results() const { return results_; }
  const AggregationPlan& plan() const { return results_.plan; }
  const std::vector<MomentTree>& trees() const { return trees_; }  // state, per cell

  // Called from on_progress when set (e.g. to draw a progress line).
  std::function<void(std::uint64_t, std::uint64_t)> progress;

 private:
  std::vector<MomentTree> trees_;
  AggregateResults results_;
};

}  // namespace remc
