// A region that does not demand a material (base_tpy = 0) has zero demand in
// every month, so no shortage: the kernels' log of a zero base is a large
// negative number rather than -inf, and exp never returns 0, so this is kept
// explicitly (kernels/simulate.h, demand_on); a tiny positive demand would
// show as a shortage fraction near 1 under restrictions.
#include <gtest/gtest.h>

#include <string>

#include "cli_util.h"

using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

TEST(ZeroDemand, NoDemandMeansNoShortage) {
  ScratchDir dir("zero-demand");
  const std::string out = dir.file("zero.h5");
  const auto r = run_remc("run --config " + source_path("configs/baseline.ini") +
                          " --paths 3000 --seed 3 --quiet --set demand.allies.dy.base_tpy=0"
                          " --set demand.importer.tb.base_tpy=0 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Material order in the baseline: ndpr, dy, tb, ndfeb. Every month's max over paths is 0.
  const auto check = run_python(
      "-c \"import h5py, numpy as np; f = h5py.File('" + out +
      "'); "
      "assert np.all(f['series/allies_shortage_frac/max'][1] == 0), 'allies dy'; "
      "assert np.all(f['series/shortage_frac/max'][2] == 0), 'importer tb'; "
      "assert f['summary/cum_shortage/max'][2] == 0, 'cumulative tb'; "
      "assert np.any(f['series/allies_shortage_frac/max'][0] > 0), 'other materials still short'\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}
