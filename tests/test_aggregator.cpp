// The aggregation plan and the aggregator's statistics: exact merges for any
// block size, and quantile / expected-shortfall accuracy within the stated
// bin-width bounds against distributions whose order statistics are known.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <numeric>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "errors.h"
#include "metrics.h"
#include "synthetic_run.h"

namespace remc {
namespace {

using test::small_config;

constexpr std::uint64_t kPaths = 50000;  // 5 % and 1 % tails are whole numbers of paths

const MetricInfo& metric(const char* name) { return *find_metric(name); }

TEST(AggregationPlan, CellsSpecsAndOffsets) {
  const RunConfig config = small_config();
  const AggregationPlan plan = make_plan(config);
  ASSERT_EQ(plan.cell_spec.size(), static_cast<std::size_t>(plan.layout.cell_count()));
  std::uint64_t offset = 0;
  for (std::size_t c = 0; c < plan.cell_spec.size(); ++c) {
    ASSERT_GE(plan.cell_spec[c], 0);
    EXPECT_EQ(plan.hist_offset[c], offset);
    offset += plan.specs[plan.cell_spec[c]].bins + 2;
  }
  EXPECT_EQ(plan.hist_size, offset);
  // One spec per (metric, material) or per metric.
  std::size_t expected = 0;
  for (const MetricInfo& m : metric_catalogue()) expected += material_extent(plan.layout, m);
  EXPECT_EQ(plan.specs.size(), expected);
}

TEST(AggregationPlan, DefaultRanges) {
  const RunConfig config = small_config();
  const AggregationPlan plan = make_plan(config);
  const HistSpec& frac = plan.specs[spec_of(plan, metric("shortage_frac"), 0)];
  EXPECT_EQ(frac.bin_of(1.0f), frac.bins);  // x = 1 is the last regular bin, not overflow
  EXPECT_EQ(frac.bin_of(0.0f), 1);
  const HistSpec& months = plan.specs[spec_of(plan, metric("months_in_shortage"), 1)];
  for (int k = 0; k <= config.model.months; ++k) EXPECT_EQ(months.bin_of(static_cast<float>(k)), k + 1);
  const HistSpec& regime = plan.specs[spec_of(plan, metric("regime"), 0)];
  EXPECT_EQ(regime.bins, 3);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(regime.bin_of(static_cast<float>(k)), k + 1);
  const HistSpec& price = plan.specs[spec_of(plan, metric("price"), 1)];
  EXPECT_TRUE(price.log_scale);
  EXPECT_FLOAT_EQ(price.lo, 10.0f);
  EXPECT_LT(price.bin_of(1000.0f), price.bins + 1);  // the clamp maximum is not overflow
  const HistSpec& gap = plan.specs[spec_of(plan, metric("price_gap"), 0)];
  ASSERT_EQ(gap.threshold_count, 3);
  EXPECT_EQ(gap.thresholds[2], 4.0f);
}

TEST(AggregationPlan, OverridesAndThresholds) {
  RunConfig config = small_config();
  config.output.hist["price"] = HistOverride{1.0f, 100.0f, 50, true};
  config.output.hist["price.dy"] = HistOverride{5.0f, 500.0f, 0, false};
  config.output.thresholds["max_shortage_frac"] = {0.3f, 0.05f};
  const AggregationPlan plan = make_plan(config);
  const HistSpec& nd = plan.specs[spec_of(plan, metric("price"), 0)];
  const HistSpec& dy = plan.specs[spec_of(plan, metric("price"), 1)];
  EXPECT_EQ(nd.bins, 50);
  EXPECT_TRUE(nd.log_scale);
  EXPECT_EQ(dy.bins, config.output.bins);  // bins = 0: the default count
  EXPECT_FALSE(dy.log_scale);
  EXPECT_FLOAT_EQ(dy.lo, 5.0f);
  const HistSpec& max_frac = plan.specs[spec_of(plan, metric("max_shortage_frac"), 0)];
  ASSERT_EQ(max_frac.threshold_count, 3);  // 0.1 is always added, and the list sorted
  EXPECT_EQ(max_frac.thresholds[0], 0.05f);
  EXPECT_EQ(max_frac.thresholds[1], 0.1f);
  EXPECT_EQ(max_frac.thresholds[2], 0.3f);
}

// A default range that float cannot hold (from extreme but valid parameters,
// here a nominal demand growth of 1e6 a year for ten years) is refused,
// naming the key to set, instead of putting every value in one bin.
TEST(AggregationPlan, RefusesADefaultRangeFloatCannotHold) {
  RunConfig config = small_config();
  config.model.months = 120;
  config.model.demand[0][0].growth.value = 1e6f;
  try {
    make_plan(config);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("[output] hist.shortage_t." + config.material_names[0] + ": the default range [0, inf]"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("set hist.shortage_t." + config.material_names[0] + " = linear LO HI"), std::string::npos)
        << msg;
  }
  config.output.hist["shortage_t"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["cum_shortage"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["shortage_cost"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["total_shortage_cost"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["excess_import_cost"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["total_excess_import_cost"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["china_lost_revenue"] = HistOverride{0.0f, 100.0f, 10, false};
  config.output.hist["total_china_lost_revenue"] = HistOverride{0.0f, 100.0f, 10, false};
  EXPECT_NO_THROW(make_plan(config));  // every overflowing range overridden
}

TEST(AggregationPlan, RejectsBadOverrides) {
  const auto rejects = [](const std::function<void(RunConfig&)>& edit) {
    RunConfig config = small_config();
    edit(config);
    EXPECT_THROW(make_plan(config), ConfigError);
  };
  rejects([](RunConfig& c) { c.output.hist["nonsense"] = HistOverride{}; });
  rejects([](RunConfig& c) { c.output.hist["price.xx"] = HistOverride{}; });
  rejects([](RunConfig& c) { c.output.hist["tension.nd"] = HistOverride{}; });
  rejects([](RunConfig& c) { c.output.hist["price"] = HistOverride{2.0f, 1.0f, 10, false}; });
  rejects([](RunConfig& c) { c.output.hist["price"] = HistOverride{0.0f, 1.0f, 10, true}; });
  rejects([](RunConfig& c) { c.output.hist["regime"] = HistOverride{}; });
  rejects([](RunConfig& c) { c.output.hist["tension"] = HistOverride{-2e38f, 2e38f, 10, false}; });  // width is inf
  rejects([](RunConfig& c) { c.output.thresholds["regime"] = {1.0f}; });
  rejects([](RunConfig& c) { c.output.thresholds["price_gap"] = {1, 2, 3, 4, 5, 6, 7, 8, 9}; });
  rejects([](RunConfig& c) { c.output.thresholds["max_shortage_frac"] = {1, 2, 3, 4, 5, 6, 7, 8}; });
  OutputOptions output;
  output.quantiles = {1.5};
  EXPECT_THROW(quantile_levels(output), ConfigError);
}

TEST(AggregationPlan, QuantileLevelsAlwaysIncludeTheStandardNine) {
  OutputOptions output;
  output.quantiles = {0.5, 0.999};
  const std::vector<double> q = quantile_levels(output);
  ASSERT_EQ(q.size(), 10u);
  EXPECT_EQ(q.front(), 0.01);
  EXPECT_EQ(q.back(), 0.999);
}

// A run over synthetic values with known shapes in two cells.
struct KnownRun {
  RunConfig config = small_config();
  AggregationPlan plan = make_plan(config);
  test::PathValues values = test::synthetic_values(plan, kPaths);
  int frac_cell = cell_of(plan.layout, metric("shortage_frac"), 0, 1);
  int price_cell = cell_of(plan.layout, metric("price"), 1, 2);

  KnownRun() {
    // Order statistics: frac x_(i) = ((i + 0.5) / n)^2 in a linear histogram;
    // price log-uniform over [10, 1000 * 1.2], so the top values overflow.
    for (std::uint64_t p = 0; p < kPaths; ++p) {
      const double u = (static_cast<double>((p * 7919) % kPaths) + 0.5) / kPaths;  // a permutation of the grid
      values[frac_cell * kPaths + p] = static_cast<float>(u * u);
      values[price_cell * kPaths + p] = static_cast<float>(10.0 * std::pow(120.0, u));
    }
  }
  std::vector<float> sorted(int cell) const {
    std::vector<float> v(values.begin() + cell * kPaths, values.begin() + (cell + 1) * kPaths);
    std::sort(v.begin(), v.end());
    return v;
  }
  AggregateResults run(std::uint64_t block_paths) const {
    Aggregator agg(plan, quantile_levels(config.output));
    const CountTotals totals = test::reduce_in_blocks(plan, values, kPaths, block_paths, agg);
    return agg.finish(totals);
  }
};

TEST(Aggregator, BitIdenticalForAnyBlockSize) {
  const KnownRun known;
  const AggregateResults a = known.run(1 * kChunkPaths);
  for (std::uint64_t block : {3 * kChunkPaths, 16 * kChunkPaths, 64 * kChunkPaths}) {
    const AggregateResults b = known.run(block);
    for (const auto member : {&AggregateResults::mean, &AggregateResults::variance, &AggregateResults::quantile,
                              &AggregateResults::expected_shortfall, &AggregateResults::exceedance}) {
      const std::vector<double>& x = a.*member;
      const std::vector<double>& y = b.*member;
      ASSERT_EQ(x.size(), y.size());
      EXPECT_EQ(std::memcmp(x.data(), y.data(), x.size() * sizeof(double)), 0) << "block " << block;
    }
    EXPECT_EQ(a.hist, b.hist);
    EXPECT_EQ(a.transitions, b.transitions);
  }
}

TEST(Aggregator, MomentsMatchTwoPass) {
  const KnownRun known;
  const AggregateResults r = known.run(4 * kChunkPaths);
  for (int cell : {known.frac_cell, known.price_cell}) {
    long double sum = 0.0L, m2 = 0.0L;
    for (std::uint64_t p = 0; p < kPaths; ++p) sum += known.values[cell * kPaths + p];
    const long double mean = sum / kPaths;
    for (std::uint64_t p = 0; p < kPaths; ++p) m2 += std::pow(known.values[cell * kPaths + p] - mean, 2);
    EXPECT_EQ(r.count[cell], kPaths);
    EXPECT_NEAR(r.mean[cell], static_cast<double>(mean), 1e-12 * static_cast<double>(mean));
    EXPECT_NEAR(r.variance[cell], static_cast<double>(m2 / (kPaths - 1)), 1e-12 * static_cast<double>(m2 / kPaths));
    EXPECT_DOUBLE_EQ(r.std_error[cell], r.std_dev[cell] / std::sqrt(double(kPaths)));
  }
}

// The quantile of level q is within one bin (the reported resolution) of the
// order statistic of rank ceil(q n); expected shortfall within the widest bin
// it draws from, which for the price cell is the overflow range [hi, max].
TEST(Aggregator, QuantilesAndExpectedShortfallWithinBinWidth) {
  const KnownRun known;
  const AggregateResults r = known.run(8 * kChunkPaths);
  const std::size_t nq = r.quantile_levels.size();
  for (int cell : {known.frac_cell, known.price_cell}) {
    const std::vector<float> x = known.sorted(cell);
    const HistSpec& spec = known.plan.specs[known.plan.cell_spec[cell]];
    for (std::size_t q = 0; q < nq; ++q) {
      const auto rank = static_cast<std::size_t>(std::ceil(r.quantile_levels[q] * kPaths));
      const double truth = x[rank - 1];
      const double resolution = r.resolution[cell * nq + q];
      EXPECT_LE(std::fabs(r.quantile[cell * nq + q] - truth), resolution) << "cell " << cell << " q " << q;
      // The bins here are narrow: the regular ones' widths, or the overflow range.
      EXPECT_LE(resolution, std::max(bin_edge(spec, spec.bins) - bin_edge(spec, spec.bins - 1), r.max[cell] - spec.hi));
    }
    for (std::size_t t = 0; t < r.tail_levels.size(); ++t) {
      const auto k = static_cast<std::size_t>(std::llround(r.tail_levels[t] * kPaths));
      const double truth = std::accumulate(x.end() - k, x.end(), 0.0) / k;
      double widest = bin_edge(spec, spec.bins) - bin_edge(spec, spec.bins - 1);
      if (x.back() >= spec.hi) widest = std::max(widest, x.back() - static_cast<double>(spec.hi));
      EXPECT_LE(std::fabs(r.expected_shortfall[cell * r.tail_levels.size() + t] - truth), widest)
          << "cell " << cell << " tail " << r.tail_levels[t];
    }
  }
  // The linear cell is smooth within bins, so the error is far below the bound:
  // the values x = u^2 have density f = 1 / (2 sqrt x), so linear
  // interpolation within a bin of width w errs by at most w^2 |f'/f| / 8 =
  // w^2 / (16 x) at x = 0.25, and the grid of u puts the sample median within
  // one step 2 u / n = 1 / n of 0.25.
  const std::size_t median = std::find(r.quantile_levels.begin(), r.quantile_levels.end(), 0.5) - r.quantile_levels.begin();
  const HistSpec& frac = known.plan.specs[known.plan.cell_spec[known.frac_cell]];
  const double w = bin_edge(frac, 1) - bin_edge(frac, 0);
  EXPECT_NEAR(r.quantile[known.frac_cell * nq + median], 0.25, w * w / (16.0 * 0.25) + 1.0 / kPaths);
}

TEST(Aggregator, ExceedanceIsExactWithBinomialError) {
  const KnownRun known;
  const AggregateResults r = known.run(2 * kChunkPaths);
  const HistSpec& spec = known.plan.specs[known.plan.cell_spec[known.frac_cell]];
  ASSERT_EQ(spec.threshold_count, 4);
  for (int j = 0; j < spec.threshold_count; ++j) {
    std::uint64_t over = 0;
    for (std::uint64_t p = 0; p < kPaths; ++p) over += known.values[known.frac_cell * kPaths + p] > spec.thresholds[j];
    const double p = static_cast<double>(over) / kPaths;
    EXPECT_EQ(r.exceedance[known.frac_cell * kMaxThresholds + j], p);
    EXPECT_DOUBLE_EQ(r.exceedance_stderr[known.frac_cell * kMaxThresholds + j], std::sqrt(p * (1 - p) / kPaths));
  }
}

TEST(Aggregator, RegimeOccupancyAndTransitions) {
  const KnownRun known;
  const AggregateResults r = known.run(4 * kChunkPaths);
  const int K = 3, T = 3;
  for (int t = 0; t < T; ++t) {
    std::vector<std::uint64_t> in(K, 0);
    for (std::uint64_t p = 0; p < kPaths; ++p) ++in[test::synthetic_regime(p, t, K)];
    for (int k = 0; k < K; ++k) EXPECT_EQ(r.occupancy[t * K + k], static_cast<double>(in[k]) / kPaths);
  }
  std::vector<std::uint64_t> expected(T * K * K, 0);
  for (int t = 1; t < T; ++t)
    for (std::uint64_t p = 0; p < kPaths; ++p)
      ++expected[(t * K + test::synthetic_regime(p, t - 1, K)) * K + test::synthetic_regime(p, t, K)];
  EXPECT_EQ(r.transitions, expected);
}

TEST(Aggregator, HistogramStatisticsOnATinyHistogram) {
  // Four regular bins over [0, 4) with two values in each of bins 1 and 2 (x in
  // [1, 3)), and two in overflow with max 6: quantiles and tails by hand.
  const HistSpec spec = HistSpec::make(0.0f, 4.0f, 4, false);
  const std::uint64_t counts[6] = {0, 0, 2, 2, 0, 2};
  double value = 0, resolution = 0;
  hist_quantile(spec, counts, 1.0, 6.0, 0.25, &value, &resolution);  // rank 1.5 of 6: 3/4 into [1, 2)
  EXPECT_DOUBLE_EQ(value, 1.75);
  EXPECT_DOUBLE_EQ(resolution, 1.0);
  hist_quantile(spec, counts, 1.0, 6.0, 0.99, &value, &resolution);  // overflow [4, 6]
  EXPECT_DOUBLE_EQ(resolution, 2.0);
  // Expected shortfall of the values 1.5 1.5 2.5 2.5 4.5 6 (mean 18.5 / 6),
  // worst = largest. The overflow's mean is the exact total less the regular
  // bins' (uniform) means: (18.5 - 2 x 1.5 - 2 x 2.5) / 2 = 5.25.
  const double mean = 18.5 / 6.0;
  // Top sixth (1 value): the max itself.
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1.0, 6.0, mean, 1.0 / 6.0, false), 6.0);
  // Top third (2 values) = the whole overflow: its mean, exactly.
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1.0, 6.0, mean, 1.0 / 3.0, false), 5.25);
  // Top half (3 values): the overflow plus the top half of [2, 3) (mean 2.75).
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1.0, 6.0, mean, 0.5, false), (2 * 5.25 + 2.75) / 3.0);
  // Worst = smallest: the bottom third is bin [1, 2) (mean 1.5); the bottom
  // half adds the bottom half of [2, 3) (mean 2.25).
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1.0, 6.0, mean, 1.0 / 3.0, true), 1.5);
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1.0, 6.0, mean, 0.5, true), (2 * 1.5 + 2.25) / 3.0);
}

// Single-precision bin edges can put the exact max just below the lower edge
// of the bin its value was counted in (a stock of exactly 20 in a bin whose
// double edge is 20.0000004): quantiles and tails still stay within [min, max].
TEST(Aggregator, QuantilesStayWithinMinAndMax) {
  const HistSpec spec = HistSpec::make(0.0f, 1.0f, 10, false);
  const std::uint64_t counts[12] = {0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0};  // all in [0.5, 0.6)
  double value = 0, resolution = 0;
  for (double level : {0.01, 0.5, 0.99}) {
    hist_quantile(spec, counts, 0.45, 0.45, level, &value, &resolution);
    EXPECT_EQ(value, 0.45) << level;
    EXPECT_EQ(resolution, 0.0) << level;
  }
  EXPECT_EQ(hist_expected_shortfall(spec, counts, 0.45, 0.45, 0.45, 0.25, false), 0.45);
  EXPECT_EQ(hist_expected_shortfall(spec, counts, 0.45, 0.45, 0.45, 0.25, true), 0.45);
  // Likewise a bin wholly below min.
  hist_quantile(spec, counts, 0.65, 0.65, 0.5, &value, &resolution);
  EXPECT_EQ(value, 0.65);
}

// Most values at the low end of their bin (990 at exactly 1000, 10 at 1100,
// all in the bin [1000, 1250)): spread evenly over [min, max] = [1000, 1100],
// the lowest 5 % would average 1002.5, above the mean of 1001. The mean of
// the worst 5 % can never exceed the mean of all, so the estimate stops
// there; likewise a high tail never falls below the mean.
TEST(Aggregator, ExpectedShortfallStaysOnItsSideOfTheMean) {
  const HistSpec spec = HistSpec::make(0.0f, 2000.0f, 8, false);
  const std::uint64_t counts[10] = {0, 0, 0, 0, 0, 1000, 0, 0, 0, 0};
  const double mean = (990.0 * 1000.0 + 10.0 * 1100.0) / 1000.0;
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1000.0, 1100.0, mean, 0.05, true), mean);
  // Mirrored: 990 at 1100 and 10 at 1000, the top 5 %.
  const double high_mean = (990.0 * 1100.0 + 10.0 * 1000.0) / 1000.0;
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1000.0, 1100.0, high_mean, 0.05, false), high_mean);
  // Where the spread stays on its side, nothing changes: the top 5 % of 1000
  // values spread evenly over [1000, 1100] average 1097.5.
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, 1000.0, 1100.0, 1050.0, 0.05, false), 1097.5);
}

// Expected shortfall averages the worst tail: the lowest values for stock
// left, capacity online and how soon a shortage or depletion comes.
TEST(AggregationPlan, WorstTailPerMetric) {
  const KnownRun known;
  for (const MetricInfo& m : metric_catalogue()) {
    const bool low = known.plan.worst_is_low[spec_of(known.plan, m, 0)] != 0;
    EXPECT_EQ(low, m.worst_is_low) << m.name;
    const std::string name = m.name;
    const bool expected = name == "stockpile_t" || name == "capacity_tpy" || name == "first_shortage_month" ||
                          name == "stockpile_depletion_month";
    EXPECT_EQ(low, expected) << m.name;
  }
}

TEST(Aggregator, ExpectedShortfallOfValuesBelowTheRange) {
  // Values -3 -1 (underflow of [0, 4)) and 0.5 1.5 2 (max 2, so the last bin
  // clips to [2, 2]), mean 0, worst = smallest: the single lowest is the min;
  // the two lowest average the exact total less the regular bins' uniform
  // means (0.5 + 1.5 + 2 = 4, here exact): (0 - 4) / 2 = -2.
  const HistSpec spec = HistSpec::make(0.0f, 4.0f, 4, false);
  const std::uint64_t counts[6] = {2, 1, 1, 1, 0, 0};
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, -3.0, 2.0, 0.0, 0.2, true), -3.0);
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(spec, counts, -3.0, 2.0, 0.0, 0.4, true), -2.0);
  // One value far above the range among 100 (the rest in [0, 1)): the worst
  // 1 % is that value, the max, not a point inside [hi, max].
  const HistSpec wide = HistSpec::make(0.0f, 4.0f, 4, false);
  const std::uint64_t one_high[6] = {0, 99, 0, 0, 0, 1};
  EXPECT_DOUBLE_EQ(hist_expected_shortfall(wide, one_high, 0.0, 100.0, 1.5, 0.01, false), 100.0);
}

// One path per cell: a mean, but no spread (std and stderr need n >= 2).
TEST(Aggregator, OnePathGivesNaNSpread) {
  const RunConfig config = small_config();
  const AggregationPlan plan = make_plan(config);
  const std::size_t cells = plan.cell_spec.size();
  const OutputLayout& layout = plan.layout;
  CountTotals totals;
  totals.hist.assign(plan.hist_size, 0);
  totals.exceed.assign(cells * kMaxThresholds, 0);
  totals.transitions.assign(static_cast<std::size_t>(layout.months) * layout.regimes * layout.regimes, 0);
  std::vector<ChunkMoments> moments(cells);
  for (std::size_t c = 0; c < cells; ++c) {
    moments[c] = ChunkMoments{1, 0.5, 0.0, 0.5, 0.5};
    totals.hist[plan.hist_offset[c] + 1] = 1;
  }
  Aggregator agg(plan, quantile_levels(config.output));
  agg.on_block(0, 1, moments.data());
  const AggregateResults& r = agg.finish(totals);
  for (std::size_t c = 0; c < cells; ++c) {
    EXPECT_EQ(r.count[c], 1u);
    EXPECT_EQ(r.mean[c], 0.5);
    EXPECT_TRUE(std::isnan(r.variance[c]) && std::isnan(r.std_dev[c]) && std::isnan(r.std_error[c])) << c;
  }
}

TEST(Aggregator, RejectsCountsThatDoNotMatchThePlan) {
  const KnownRun known;
  Aggregator agg(known.plan, quantile_levels(known.config.output));
  CountTotals totals;
  EXPECT_THROW(agg.finish(totals), RuntimeError);
}

}  // namespace
}  // namespace remc
