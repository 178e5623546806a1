// months_at_price_cap (kernels/simulate.h): the months whose ex-China price
// stood at [price] max (held there by the clamp), checked path by path against the price
// series the kernel records; and `remc info` reporting the share of paths
// whose price reached its cap.
#include <gtest/gtest.h>

#include <cstddef>
#include <string>
#include <vector>

#include "cli_util.h"
#include "config.h"
#include "lane_math.h"
#include "outputs.h"
#include "simulate_paths.h"

namespace {

const std::string kMinimal = std::string(REMC_SOURCE_DIR) + "/tests/data/config_minimal.ini";

// The smallest config held in its closed regime (China exports nothing, no
// plants): the balance price is the cap, so the price climbs to it and noise
// then takes it above (clamped) or below month by month.
remc::RunConfig closed_market(const std::string& allowance) {
  return remc::load_config(kMinimal, {"run.initial_regime=closed", "transitions.closed=closed:1",
                                      "run.months=24", "price.dy.max=780", "price.dy.sigma=0.05",
                                      "regime.closed.allow_importer=" + allowance});
}

struct PathCounts {
  int paths_at_cap = 0;    // paths with at least one month at the cap
  int months_at_cap = 0;   // over all paths
};

// Runs the kernel and checks, path by path, that months_at_price_cap is the
// number of months whose recorded price is the cap: the kernel records
// exp(ln P) and the clamp sets ln P to ln max exactly, so a month at the cap
// records exp(ln max) as the kernel's own exp and log give it.
PathCounts check_against_price_series(const remc::RunConfig& c) {
  const int kPaths = 4096;
  const std::vector<float> out = remc_test::simulate_paths(c.model, 11u, 0, kPaths);
  const remc::OutputLayout layout = remc_test::layout_of(c.model);
  const float at_cap = remc::exp_lanes(remc::log_lanes(c.model.price[0].max.value));
  const auto value = [&](int cell, int p) { return out[static_cast<std::size_t>(cell) * kPaths + p]; };
  PathCounts counts;
  for (int p = 0; p < kPaths; ++p) {
    int months = 0;
    for (int t = 0; t < c.model.months; ++t) months += value(layout.monthly_material(remc::kPrice, 0, t), p) == at_cap;
    EXPECT_EQ(value(layout.summary_material(remc::kMonthsAtPriceCap, 0), p), static_cast<float>(months))
        << "path " << p;
    counts.paths_at_cap += months > 0;
    counts.months_at_cap += months;
  }
  return counts;
}

}  // namespace

TEST(PriceCap, MonthsAtTheCapMatchThePriceSeries) {
  const PathCounts closed = check_against_price_series(closed_market("0"));
  // Not a vacuous check: the cap binds on most paths, and not in every month.
  EXPECT_GT(closed.paths_at_cap, 4096 / 2);
  EXPECT_LT(closed.months_at_cap, 4096 * 24 / 2);
  // With China exporting everything there is no shortage and no path nears the cap.
  const PathCounts open = check_against_price_series(closed_market("1"));
  EXPECT_EQ(open.paths_at_cap, 0);
}

TEST(PriceCap, InfoGivesTheShareOfPathsAtTheCap) {
  remc::test::ScratchDir dir("price-cap");
  const std::string out = dir.file("cap.h5");
  const std::string sets = " --set run.initial_regime=closed --set transitions.closed=closed:1 --set run.months=24"
                           " --set price.dy.max=780 --set price.dy.sigma=0.05";
  const auto run = remc::test::run_remc("run --config " + kMinimal + sets + " --paths 2048 --quiet --out " + out);
  ASSERT_EQ(run.exit_code, 0) << run.output;
  const auto info = remc::test::run_remc("info " + out);
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("price at its cap ([price] max) in some month: dy "), std::string::npos) << info.output;
  // The share printed is the file's P(months_at_price_cap > 0).
  const auto share = remc::test::run_python(
      "-c \"import h5py; f = h5py.File('" + out +
      "'); print('dy %.3g %%' % (100 * f['summary/months_at_price_cap/exceedance'][0][0]))\"");
  ASSERT_EQ(share.exit_code, 0) << share.output;
  EXPECT_NE(info.output.find(share.output.substr(0, share.output.find('\n'))), std::string::npos)
      << info.output << "\nexpected " << share.output;
}
