// Streaming aggregation: moment trees per cell, then final statistics.
#include "aggregator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "aggregation_plan.h"
#include "errors.h"

namespace remc {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The interval counter i's values are known to lie in: a regular bin, or
// [min, lo] for underflow and [hi, max] for overflow, clipped to [min, max].
struct BinRange {
  double a = 0.0, b = 0.0;
  bool log = false;  // values interpolate in log x
};

BinRange bin_range(const HistSpec& spec, int i, double min, double max) {
  BinRange r;
  if (i == 0) {
    r.a = min;
    r.b = spec.lo;
  } else if (i == spec.bins + 1) {
    r.a = spec.hi;
    r.b = max;
  } else {
    r.a = bin_edge(spec, i - 1);
    r.b = bin_edge(spec, i);
    r.log = spec.log_scale;
  }
  // Both ends into [min, max]: single-precision bin edges can put a whole
  // bin just above max (or below min) when the values sit on an edge.
  r.a = std::min(std::max(r.a, min), max);
  r.b = std::min(std::max(r.b, min), max);
  if (r.b < r.a) r.b = r.a;
  r.log = r.log && r.a > 0.0;
  return r;
}

// The point a fraction f of the way through the range.
double interpolate(const BinRange& r, double f) {
  if (r.log) return std::exp(std::log(r.a) + f * (std::log(r.b) - std::log(r.a)));
  return r.a + f * (r.b - r.a);
}

// Mean of the values from fraction f0 to f1 of the way through the range,
// spread (log-)uniformly over it.
double slice_mean(const BinRange& r, double f0, double f1) {
  const double u = interpolate(r, f0), v = interpolate(r, f1);
  if (r.log && v > u) return (v - u) / (std::log(v) - std::log(u));
  return 0.5 * (u + v);
}

std::uint64_t total(const HistSpec& spec, const std::uint64_t* counts) {
  std::uint64_t n = 0;
  for (int i = 0; i < spec.bins + 2; ++i) n += counts[i];
  return n;
}

}  // namespace

double bin_edge(const HistSpec& spec, int k) {
  const double lo = spec.lo, hi = spec.hi;
  const double f = static_cast<double>(k) / spec.bins;
  if (spec.log_scale) return std::exp(std::log(lo) + f * (std::log(hi) - std::log(lo)));
  return lo + f * (hi - lo);
}

void hist_quantile(const HistSpec& spec, const std::uint64_t* counts, double min, double max, double level,
                   double* value, double* resolution) {
  const std::uint64_t n = total(spec, counts);
  *value = kNaN;
  *resolution = kNaN;
  if (n == 0) return;
  const double rank = level * static_cast<double>(n);
  double below = 0.0;
  for (int i = 0; i < spec.bins + 2; ++i) {
    const double c = static_cast<double>(counts[i]);
    if (c == 0.0) continue;
    if (below + c >= rank || i == spec.bins + 1) {
      const BinRange r = bin_range(spec, i, min, max);
      const double f = std::clamp((rank - below) / c, 0.0, 1.0);
      *value = interpolate(r, f);
      *resolution = r.b - r.a;
      return;
    }
    below += c;
  }
}

namespace {

// Mean of the values in the underflow (side 0) or overflow (side 1) counter.
// With values beyond only one end of the range, their sum is the exact total
// (n x mean) less the regular bins' estimated sum; a single such value is the
// exact min or max. Otherwise they are taken as spread evenly over the range.
double out_of_range_mean(const HistSpec& spec, const std::uint64_t* counts, double min, double max, double mean,
                         int side) {
  const int counter = side == 0 ? 0 : spec.bins + 1;
  const BinRange r = bin_range(spec, counter, min, max);
  const double c = static_cast<double>(counts[counter]);
  if (c == 1.0) return side == 0 ? min : max;
  const bool only_this_side = counts[side == 0 ? spec.bins + 1 : 0] == 0;
  if (!only_this_side || !std::isfinite(mean)) return 0.5 * (r.a + r.b);
  double rest = static_cast<double>(total(spec, counts)) * mean;
  for (int i = 1; i <= spec.bins; ++i)
    if (counts[i] > 0) rest -= static_cast<double>(counts[i]) * slice_mean(bin_range(spec, i, min, max), 0.0, 1.0);
  return std::clamp(rest / c, r.a, r.b);
}

// Mean of the `take` most extreme of a counter's c values, the extreme one
// being `extreme` and all c averaging `all`: linear in take between the two.
double extreme_mean(double take, double c, double extreme, double all) {
  if (c <= 1.0 || take <= 1.0) return extreme;
  return extreme - (take - 1.0) / (c - 1.0) * (extreme - all);
}

}  // namespace

double hist_expected_shortfall(const HistSpec& spec, const std::uint64_t* counts, double min, double max,
                               double mean, double tail, bool worst_is_low) {
  const std::uint64_t n = total(spec, counts);
  const double wanted = tail * static_cast<double>(n);
  if (n == 0 || !(wanted > 0.0)) return kNaN;
  const int last = spec.bins + 1;
  double remaining = wanted, sum = 0.0;
  for (int step = 0; step <= last && remaining > 0.0; ++step) {
    const int i = worst_is_low ? step : last - step;  // from the worst end inwards
    const double c = static_cast<double>(counts[i]);
    if (c == 0.0) continue;
    const double take = std::min(c, remaining);
    const BinRange r = bin_range(spec, i, min, max);
    double part = 0.0;
    if (i == last && !worst_is_low) {
      part = extreme_mean(take, c, max, out_of_range_mean(spec, counts, min, max, mean, 1));
    } else if (i == 0 && worst_is_low) {
      part = extreme_mean(take, c, min, out_of_range_mean(spec, counts, min, max, mean, 0));
    } else {
      part = worst_is_low ? slice_mean(r, 0.0, take / c) : slice_mean(r, 1.0 - take / c, 1.0);
    }
    sum += take * part;
    remaining -= take;
  }
  // The mean of the worst values lies between the mean of all values and the
  // most extreme one. Spreading a bin's values evenly can cross the mean when
  // most of them sit at one end of their bin (capacity exactly at plan on most
  // paths), so the estimate is kept within those bounds.
  double es = sum / (wanted - remaining);
  if (std::isfinite(mean)) es = worst_is_low ? std::min(es, mean) : std::max(es, mean);
  return worst_is_low ? std::max(es, min) : std::min(es, max);
}

Aggregator::Aggregator(AggregationPlan plan, std::vector<double> quantile_levels) {
  results_.plan = std::move(plan);
  results_.quantile_levels = std::move(quantile_levels);
  results_.tail_levels = tail_levels();
  trees_.resize(results_.plan.cell_spec.size());
}

void Aggregator::on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) {
  const std::size_t cells = trees_.size();
  for (std::size_t c = 0; c < cells; ++c)
    for (int k = 0; k < chunks; ++k)
      trees_[c].push(first_chunk + static_cast<std::uint64_t>(k), moments[c * static_cast<std::size_t>(chunks) + k]);
}

void Aggregator::append(const std::vector<MomentTree>& trees, bool allow_gap) {
  if (trees.size() != trees_.size())
    throw RuntimeError("aggregator: a part has " + std::to_string(trees.size()) + " cells, the plan " +
                       std::to_string(trees_.size()));
  for (std::size_t c = 0; c < trees.size(); ++c) trees_[c].append(trees[c], allow_gap);
}

void Aggregator::on_progress(std::uint64_t paths_done, std::uint64_t paths_total) {
  if (progress) progress(paths_done, paths_total);
}

const AggregateResults& Aggregator::finish(const CountTotals& totals) {
  AggregateResults& r = results_;
  const AggregationPlan& plan = r.plan;
  const std::size_t cells = trees_.size();
  const std::size_t nq = r.quantile_levels.size(), nt = r.tail_levels.size();
  const OutputLayout& layout = plan.layout;
  const std::size_t transitions_size = static_cast<std::size_t>(layout.months) * layout.regimes * layout.regimes;
  if (totals.hist.size() != plan.hist_size || totals.exceed.size() != cells * kMaxThresholds ||
      totals.transitions.size() != transitions_size)
    throw RuntimeError("aggregator: engine counts have sizes " + std::to_string(totals.hist.size()) + "/" +
                       std::to_string(totals.exceed.size()) + "/" + std::to_string(totals.transitions.size()) +
                       ", the plan expects " + std::to_string(plan.hist_size) + "/" +
                       std::to_string(cells * kMaxThresholds) + "/" + std::to_string(transitions_size));
  r.hist = totals.hist;
  r.exceed_count = totals.exceed;
  r.transitions = totals.transitions;
  r.count.assign(cells, 0);
  for (auto* v : {&r.mean, &r.variance, &r.std_dev, &r.std_error, &r.min, &r.max}) v->assign(cells, kNaN);
  r.quantile.assign(cells * nq, kNaN);
  r.resolution.assign(cells * nq, kNaN);
  r.exceedance.assign(cells * kMaxThresholds, kNaN);
  r.exceedance_stderr.assign(cells * kMaxThresholds, kNaN);
  r.expected_shortfall.assign(cells * nt, kNaN);

  for (std::size_t c = 0; c < cells; ++c) {
    const HistSpec& spec = plan.specs[plan.cell_spec[c]];
    const std::uint64_t* counts = r.hist.data() + plan.hist_offset[c];
    const ChunkMoments m = trees_[c].result();
    if (total(spec, counts) != m.count)
      throw RuntimeError("aggregator: cell " + std::to_string(c) + " has " + std::to_string(total(spec, counts)) +
                         " histogram counts but " + std::to_string(m.count) + " paths in its moments");
    r.count[c] = m.count;
    if (m.count == 0) continue;
    const double n = static_cast<double>(m.count);
    r.mean[c] = m.mean;
    r.min[c] = m.min;
    r.max[c] = m.max;
    if (m.count > 1) {
      r.variance[c] = m.m2 / (n - 1.0);
      r.std_dev[c] = std::sqrt(r.variance[c]);
      r.std_error[c] = r.std_dev[c] / std::sqrt(n);
    }
    for (std::size_t q = 0; q < nq; ++q)
      hist_quantile(spec, counts, m.min, m.max, r.quantile_levels[q], &r.quantile[c * nq + q],
                    &r.resolution[c * nq + q]);
    for (int j = 0; j < spec.threshold_count; ++j) {
      const double p = static_cast<double>(r.exceed_count[c * kMaxThresholds + j]) / n;
      r.exceedance[c * kMaxThresholds + j] = p;
      r.exceedance_stderr[c * kMaxThresholds + j] = std::sqrt(p * (1.0 - p) / n);
    }
    for (std::size_t t = 0; t < nt; ++t)
      r.expected_shortfall[c * nt + t] = hist_expected_shortfall(spec, counts, m.min, m.max, m.mean, r.tail_levels[t],
                                                                 plan.worst_is_low[plan.cell_spec[c]] != 0);
  }

  // Occupancy: the regime histogram has one bin per state.
  r.paths = cells > 0 ? r.count[0] : 0;
  r.occupancy.assign(static_cast<std::size_t>(layout.months) * layout.regimes, kNaN);
  for (int t = 0; t < layout.months; ++t) {
    const int cell = layout.monthly_global(kRegime, t);
    const std::uint64_t* counts = r.hist.data() + plan.hist_offset[cell];
    for (int k = 0; k < layout.regimes && r.count[cell] > 0; ++k)
      r.occupancy[static_cast<std::size_t>(t) * layout.regimes + k] =
          static_cast<double>(counts[1 + k]) / static_cast<double>(r.count[cell]);
  }
  return r;
}

}  // namespace remc
