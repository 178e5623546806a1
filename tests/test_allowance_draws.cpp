// Export allowances written as distributions (MODEL.md section 7: any scalar
// parameter): parsed as one parameter per key, shared where the config says
// so, and drawn once per path by the kernel.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "cli_util.h"
#include "config.h"

namespace {

using namespace remc;
using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

TEST(AllowanceDraws, OneKeyIsOneParameterForEveryMaterial) {
  // configs/baseline.ini: [regime.open] has one allow_importer for all
  // materials and no allow_allies; [regime.licensing] has allow_importer with
  // per-material values for dy, tb and ndfeb, and allow_allies.ndfeb.
  const RunConfig c = load_config(source_path("configs/baseline.ini"),
                                  {"regime.open.allow_importer=beta(2, 2)", "regime.licensing.allow_importer=beta(5, 1)"});
  const RegimeModel& rg = c.model.regime;
  const int open = rg.allow_importer[0][0].draw;
  ASSERT_GE(open, 0);
  EXPECT_EQ(c.uncertain_names[open], "regime.open.allow_importer");
  for (int m = 0; m < c.model.materials; ++m) {
    SCOPED_TRACE(c.material_names[m]);
    EXPECT_EQ(rg.allow_importer[0][m].draw, open);  // one draw, not one per material
    EXPECT_EQ(rg.allow_allies[0][m].draw, open);    // the allies' default is the same parameter
  }
  // In licensing only ndpr takes the generic key; the allies' ndpr follows it,
  // while per-material keys stay fixed.
  const int licensing = rg.allow_importer[1][0].draw;
  ASSERT_GE(licensing, 0);
  EXPECT_NE(licensing, open);
  EXPECT_EQ(rg.allow_allies[1][0].draw, licensing);
  for (int m = 1; m < c.model.materials; ++m) EXPECT_EQ(rg.allow_importer[1][m].draw, -1) << c.material_names[m];
  EXPECT_FLOAT_EQ(rg.allow_importer[1][1].value, 0.73f);
  EXPECT_EQ(rg.allow_allies[1][3].draw, -1);
  EXPECT_FLOAT_EQ(rg.allow_allies[1][3].value, 0.9f);
}

TEST(AllowanceDraws, DrawnOncePerPath) {
  // Every path stays in "closed", where China may export to the importer
  // with probability 0.3 (all of its normal exports) or not at all, decided
  // once per path. The importer has no plants and the allies none to share,
  // so China's share of importer supply is 1 or 0 in every month of a path.
  ScratchDir dir("allowance-draws");
  const std::string out = dir.file("draws.h5");
  const auto r = run_remc("run --config " + source_path("tests/data/config_minimal.ini") +
                          " --paths 4000 --seed 11 --quiet --out " + out +
                          " --set run.initial_regime=closed --set transitions.closed=closed:1"
                          " --set 'regime.closed.allow_importer=bernoulli(0.3)'"
                          " --set 'output.thresholds.china_share=0.5'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // P(share > 0.5) in month 0 is a binomial share with n = 4000: within 5
  // standard errors of 0.3 (sqrt(0.3 x 0.7 / 4000) = 0.0072); and the same
  // paths exceed it in every month, so all twelve months' exceedances are
  // equal to the bit (a monthly redraw would move them by ~0.007 each).
  const auto check = run_python(
      "-c \"import h5py, numpy as np; f = h5py.File('" + out +
      "'); p = f['series/china_share/exceedance'][0, :, 0]; "
      "se = np.sqrt(0.3 * 0.7 / 4000); "
      "assert abs(p[0] - 0.3) < 5 * se, p[0]; "
      "assert np.all(p == p[0]), p\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

}  // namespace
