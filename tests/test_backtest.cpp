// The quota-2010 back-test (configs/scenarios/quota-2010.ini): China's 2010
// export quota cut of about 40 % on a 2010-sized market. The median peak
// ex-China price ratio must lie in the range the 2010-2011 price data support
// (CALIBRATION.md):
//   Dy: $118/kg (2008 average, A7/A8) -> $921 (Q2 2011) .. $2,377 (Aug 2011
//       peak): ratio 7.8 .. 20.1.
//   NdPr: the seed paper's $30/kg (2010) and ~$130/kg at the start of 2011
//       (A7) against ~$260/kg in autumn 2011 (A7, A10), and A12's +1,100 %
//       for FOB oxide from end 2009: ratio 2 .. 12.
// The test is exact in its estimator: median > lo exactly when P(X > lo) >
// 1/2, and the exceedance P(X > x) is a plain share of paths with binomial
// standard error sqrt(p (1 - p) / n). Each bound must hold by more than 5
// standard errors (false failure ~3e-7 per bound with the seed fixed).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli_util.h"
#include "result_reader.h"

using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

struct Range {
  const char* material;
  double lo;
  double hi;
};

}  // namespace

TEST(Backtest, Quota2010MedianPeakPriceRatioWithinHistoricalRange) {
  ScratchDir dir("backtest");
  const std::string out = dir.file("quota-2010.h5");
  const auto run = run_remc("run --config " + source_path("configs/scenarios/quota-2010.ini") +
                            " --paths 20000 --seed 2010 --quiet --out " + out +
                            " --set 'output.thresholds.peak_price_ratio=2 7.8 12 20.1'");
  ASSERT_EQ(run.exit_code, 0) << run.output;

  const remc::ResultReader result(out);
  const std::vector<std::string> materials = result.strings("/material");
  const std::vector<double> thresholds = result.doubles("/summary/peak_price_ratio/threshold");
  const std::vector<double> p = result.doubles("/summary/peak_price_ratio/exceedance");
  const std::vector<double> se = result.doubles("/summary/peak_price_ratio/exceedance_stderr");
  const std::size_t n_thr = thresholds.size();
  auto column = [&](double x) {
    for (std::size_t j = 0; j < n_thr; ++j)
      if (std::fabs(thresholds[j] - x) < 1e-5 * x) return j;
    ADD_FAILURE() << "threshold " << x << " missing";
    return std::size_t{0};
  };
  for (const Range& r : {Range{"ndpr", 2.0, 12.0}, Range{"dy", 7.8, 20.1}}) {
    std::size_t m = 0;
    while (m < materials.size() && materials[m] != r.material) ++m;
    ASSERT_LT(m, materials.size()) << r.material;
    const std::size_t lo = m * n_thr + column(r.lo);
    const std::size_t hi = m * n_thr + column(r.hi);
    // Standard errors are floored at the binomial SE of p = 1/2 so a share of
    // exactly 0 or 1 (SE 0) still needs a real margin.
    const double floor_se = std::sqrt(0.25 / 20000.0);
    EXPECT_GT(p[lo] - 0.5, 5.0 * std::fmax(se[lo], floor_se))
        << r.material << ": P(peak ratio > " << r.lo << ") = " << p[lo] << ": median below the historical range";
    EXPECT_GT(0.5 - p[hi], 5.0 * std::fmax(se[hi], floor_se))
        << r.material << ": P(peak ratio > " << r.hi << ") = " << p[hi] << ": median above the historical range";
  }
}
