// Precision targets (`remc run --target EXPR=HALFWIDTH`, --max-paths): the
// expression grammar and its errors, the half-width formulas, a loose target
// met after the minimum of two blocks and a tight one that runs to
// --max-paths, the /targets group checked against the result's own
// statistics, and bit-identity with a plain run of the same path count.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "aggregation_plan.h"
#include "cli_util.h"
#include "config.h"
#include "errors.h"
#include "metrics.h"
#include "result_reader.h"
#include "targets.h"

namespace remc {
namespace {

using test::run_python;
using test::run_remc;
using test::ScratchDir;
using test::source_path;

// Short runs: 24 months, blocks of 1,024 paths (targets are first checked after two).
const std::string kRun = "run --config " + source_path("configs/baseline.ini") +
                         " --set run.months=24 --block-paths 1024 --seed 11 --quiet";

RunConfig config() { return load_config(source_path("configs/baseline.ini"), {"run.months=24"}); }

int material_index(const RunConfig& cfg, const std::string& name) {
  for (std::size_t i = 0; i < cfg.material_names.size(); ++i)
    if (cfg.material_names[i] == name) return static_cast<int>(i);
  return -1;
}

// The UsageError message of parsing `argument`, or "" when it parses.
std::string parse_error(const std::string& argument) {
  const RunConfig cfg = config();
  try {
    parse_target(argument, cfg, make_plan(cfg));
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Targets, ParsesEveryForm) {
  const RunConfig cfg = config();
  const AggregationPlan plan = make_plan(cfg);
  const OutputLayout& layout = plan.layout;
  const int dy = material_index(cfg, "dy");
  ASSERT_GE(dy, 0);
  // 2026-09 is month 17 from the baseline's start, 2025-04.
  ASSERT_EQ(cfg.run.start_year, 2025);
  ASSERT_EQ(cfg.run.start_month, 4);

  Target t = parse_target(" mean( cum_shortage , dy ) = 0.5", cfg, plan);
  EXPECT_EQ(t.expression, "mean( cum_shortage , dy )");
  EXPECT_EQ(t.halfwidth, 0.5);
  EXPECT_FALSE(t.exceedance);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("cum_shortage"), dy, 0));
  EXPECT_EQ(t.units, "t");

  t = parse_target("mean(shortage_frac, dy, 2026-09)=1e-3", cfg, plan);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("shortage_frac"), dy, 17));
  EXPECT_EQ(t.halfwidth, 1e-3);

  t = parse_target("mean(tension, 2025-06)=0.1", cfg, plan);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("tension"), 0, 2));
  t = parse_target("mean(total_shortage_cost)=1e6", cfg, plan);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("total_shortage_cost"), 0, 0));

  // Default thresholds of shortage_frac: 0.05 0.1 0.2 0.5.
  t = parse_target("p_exceed(shortage_frac, dy, 2026-09, 0.2)=0.01", cfg, plan);
  EXPECT_TRUE(t.exceedance);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("shortage_frac"), dy, 17));
  EXPECT_EQ(t.threshold, 2);
  EXPECT_EQ(t.units, "1");
  t = parse_target("p_exceed(max_shortage_frac, dy, 0.1)=0.01", cfg, plan);
  EXPECT_EQ(t.cell, cell_of(layout, *find_metric("max_shortage_frac"), dy, 0));
  EXPECT_FLOAT_EQ(plan.specs[plan.cell_spec[t.cell]].thresholds[t.threshold], 0.1f);
}

TEST(Targets, BadExpressionsNameTheProblem) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"mean(cum_shortage, dy)", "expected EXPR=HALFWIDTH"},
      {"mean(cum_shortage, dy)=0", "half-width '0' must be > 0"},
      {"mean(cum_shortage, dy)=-1", "half-width '-1' must be > 0"},
      {"mean(cum_shortage, dy)=x", "half-width 'x' is not a number"},
      {"mean(cum_shortage, dy)=1e-300", "half-width '1e-300' is too small for single precision"},
      {"mean(cum_shortage, dy)=1e39", "half-width '1e39' is too large for single precision"},
      {"median(cum_shortage, dy)=1", "unknown function 'median'"},
      {"mean cum_shortage=1", "expected mean(...) or p_exceed(...)"},
      {"mean(nope, dy)=1", "unknown metric 'nope'"},
      {"mean(cum_shortage)=1", "expected mean(cum_shortage, MATERIAL)"},
      {"mean(shortage_frac, dy)=1", "expected mean(shortage_frac, MATERIAL, YYYY-MM)"},
      {"mean(tension, dy, 2025-01)=1", "expected mean(tension, YYYY-MM)"},
      {"p_exceed(shortage_frac, dy, 2025-01)=1", "expected p_exceed(shortage_frac, MATERIAL, YYYY-MM, X)"},
      {"mean(cum_shortage, xx)=1", "unknown material 'xx' (one of: ndpr, dy, tb, ndfeb)"},
      {"mean(shortage_frac, dy, 2027-04)=1", "outside the run's horizon 2025-04 .. 2027-03"},
      {"mean(shortage_frac, dy, 2025-03)=1", "outside the run's horizon"},
      {"mean(shortage_frac, dy, 2025-13)=1", "is not YYYY-MM"},
      {"mean(shortage_frac, dy, 2025-1)=1", "is not YYYY-MM"},
      {"mean(shortage_frac, dy, 2025-+1)=1", "month '2025-+1' is not YYYY-MM"},
      {"mean(shortage_frac, dy, 2025- 1)=1", "month '2025- 1' is not YYYY-MM"},
      {"mean(months_in_regime)=1", "cannot be a target"},
      {"p_exceed(shortage_frac, dy, 2025-05, 0.3)=0.1",
       "no exceedance threshold 0.3 (available: 0.05 0.1 0.2 0.5); add it with "
       "--set output.thresholds.shortage_frac=\"0.05 0.1 0.2 0.5 0.3\""},
      {"p_exceed(cum_shortage, dy, 3)=0.1", "(available: none)"},
      {"p_exceed(cum_shortage, dy, abc)=0.1", "threshold 'abc' is not a number"},
      {"p_exceed(cum_shortage, dy, 1e300)=0.1", "threshold '1e300' is too large for single precision"},
  };
  for (const auto& [argument, wanted] : cases) {
    const std::string message = parse_error(argument);
    EXPECT_NE(message.find("--target " + argument + ": "), std::string::npos) << argument << " -> " << message;
    EXPECT_NE(message.find(wanted), std::string::npos) << argument << " -> " << message;
  }
}

TEST(Targets, HalfWidthFormulas) {
  Target mean_target;
  mean_target.cell = 0;
  mean_target.halfwidth = 0.5;
  Target p_target = mean_target;
  p_target.exceedance = true;
  p_target.threshold = 1;

  std::vector<MomentTree> trees(1);
  ChunkMoments m;
  m.count = 400;
  m.mean = 3.0;
  m.m2 = 399.0 * 4.0;  // sample variance 4
  trees[0].push(0, m);
  std::vector<std::uint64_t> exceed(kMaxThresholds, 0);
  exceed[1] = 100;  // p = 0.25

  const TargetStatus s = evaluate_target(mean_target, trees, exceed);
  EXPECT_EQ(s.paths, 400u);
  EXPECT_DOUBLE_EQ(s.estimate, 3.0);
  EXPECT_DOUBLE_EQ(s.halfwidth, 1.96 * 2.0 / 20.0);
  EXPECT_TRUE(s.met);
  mean_target.halfwidth = 0.19;
  EXPECT_FALSE(evaluate_target(mean_target, trees, exceed).met);

  const TargetStatus p = evaluate_target(p_target, trees, exceed);
  EXPECT_DOUBLE_EQ(p.estimate, 0.25);
  EXPECT_DOUBLE_EQ(p.halfwidth, 1.96 * std::sqrt(0.25 * 0.75 / 400.0));
  EXPECT_TRUE(p.met);

  // No spread (p = 0, or all values equal): a zero standard error is no evidence.
  exceed[1] = 0;
  EXPECT_EQ(evaluate_target(p_target, trees, exceed).halfwidth, 0.0);
  EXPECT_FALSE(evaluate_target(p_target, trees, exceed).met);
}

// What a run wrote under /targets, with the statistics it can be checked against.
struct Written {
  std::int64_t paths = 0;
  std::string config, stop_reason;
  std::int64_t max_paths = 0;
  std::vector<std::string> expression;
  std::vector<double> wanted, achieved, estimate;
  std::vector<std::int64_t> met;
};

Written read_targets(const std::string& path) {
  const ResultReader r(path);
  Written w;
  w.paths = r.file().int_attribute("paths");
  w.config = r.file().string_attribute("config");
  const h5::Group g = r.file().open_group("targets");
  w.stop_reason = g.string_attribute("stop_reason");
  w.max_paths = g.int_attribute("max_paths");
  w.expression = r.strings("/targets/expression");
  w.wanted = r.doubles("/targets/halfwidth_target");
  w.achieved = r.doubles("/targets/halfwidth_achieved");
  w.estimate = r.doubles("/targets/estimate");
  w.met = r.dataset("/targets/met").read_int64();
  for (const char* name : {"expression", "halfwidth_target", "halfwidth_achieved", "estimate", "met"}) {
    const h5::Dataset d = r.dataset(std::string("/targets/") + name);
    EXPECT_TRUE(d.has_attribute("units") && d.has_attribute("description")) << name;
  }
  return w;
}

// mean(cum_shortage, dy) and p_exceed(shortage_frac, dy, 2026-09, 0.1)
// recomputed from the result's own datasets.
void expect_matches_statistics(const std::string& path, const Written& w) {
  const ResultReader r(path);
  const RunConfig cfg = config();
  const auto dy = static_cast<std::size_t>(material_index(cfg, "dy"));
  const double mean = r.doubles("/summary/cum_shortage/mean").at(dy);
  const double stderr_ = r.doubles("/summary/cum_shortage/stderr").at(dy);
  EXPECT_EQ(w.estimate[0], mean);
  EXPECT_NEAR(w.achieved[0], 1.96 * stderr_, 1e-12 * w.achieved[0]);

  const std::vector<double> thresholds = r.doubles("/series/shortage_frac/threshold");
  std::size_t j = 0;
  while (j < thresholds.size() && std::fabs(thresholds[j] - 0.1) > 1e-6) ++j;
  ASSERT_LT(j, thresholds.size());
  const std::size_t months = 24, at = (dy * months + 17) * thresholds.size() + j;
  const double p = r.doubles("/series/shortage_frac/exceedance").at(at);
  const double p_stderr = r.doubles("/series/shortage_frac/exceedance_stderr").at(at);
  EXPECT_EQ(w.estimate[1], p);
  EXPECT_NEAR(w.achieved[1], 1.96 * p_stderr, 1e-12 * w.achieved[1]);
  // From exact counts: p n is a whole number of paths, and the binomial formula.
  const double n = static_cast<double>(w.paths), k = std::round(p * n);
  EXPECT_EQ(w.estimate[1], k / n);
  EXPECT_NEAR(w.achieved[1], 1.96 * std::sqrt(k / n * (1.0 - k / n) / n), 1e-12);
}

const std::string kTwoTargets = " --target 'mean(cum_shortage, dy)=WIDTH_A'"
                                " --target 'p_exceed(shortage_frac, dy, 2026-09, 0.1)=WIDTH_B'";

std::string targets(const std::string& a, const std::string& b) {
  std::string s = kTwoTargets;
  s.replace(s.find("WIDTH_A"), 7, a);
  s.replace(s.find("WIDTH_B"), 7, b);
  return s;
}

TEST(Targets, LooseTargetsStopAfterTwoBlocks) {
  ScratchDir dir("targets-loose");
  const std::string out = dir.file("loose.h5");
  const auto r = run_remc(kRun + " --max-paths 50000 --out " + out + targets("5", "0.1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("precision targets: all targets met after 2048 paths (at most 50000)"), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("  mean(cum_shortage, dy): estimate "), std::string::npos) << r.output;

  const Written w = read_targets(out);
  EXPECT_EQ(w.paths, 2048);
  EXPECT_EQ(w.stop_reason, "all targets met");
  EXPECT_EQ(w.max_paths, 50000);
  ASSERT_EQ(w.expression.size(), 2u);
  EXPECT_EQ(w.expression[0], "mean(cum_shortage, dy)");
  EXPECT_EQ(w.wanted[0], 5.0);
  EXPECT_EQ(w.wanted[1], 0.1);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(w.met[i], 1);
    EXPECT_GT(w.achieved[i], 0.0);
    EXPECT_LE(w.achieved[i], w.wanted[i]);
  }
  expect_matches_statistics(out, w);
  EXPECT_NE(w.config.find("paths = 2048"), std::string::npos);

  const auto info = run_remc("info " + out);
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("precision targets: all targets met after 2048 paths"), std::string::npos) << info.output;
}

TEST(Targets, TightTargetRunsToMaxPaths) {
  ScratchDir dir("targets-tight");
  const std::string out = dir.file("tight.h5");
  // 5000 paths: four whole blocks and a partial one.
  const auto r = run_remc(kRun + " --max-paths 5000 --out " + out + targets("0.001", "0.1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("max paths reached after 5000 paths (at most 5000)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(target 0.001): not met"), std::string::npos) << r.output;

  const Written w = read_targets(out);
  EXPECT_EQ(w.paths, 5000);
  EXPECT_EQ(w.stop_reason, "max paths reached");
  EXPECT_EQ(w.met[0], 0);
  EXPECT_GT(w.achieved[0], w.wanted[0]);
  EXPECT_EQ(w.met[1], 1);
  expect_matches_statistics(out, w);

  // Without --max-paths the config's [run] paths is the maximum.
  const auto c = run_remc(kRun + " --set run.paths=3000 --out " + out + targets("0.001", "0.1"));
  ASSERT_EQ(c.exit_code, 0) << c.output;
  EXPECT_EQ(read_targets(out).max_paths, 3000);
  EXPECT_EQ(read_targets(out).paths, 3000);
}

// A run that ends at --max-paths before any check (one block: targets are
// first checked after two) says so, and that the targets are met there.
TEST(Targets, StopReasonIsMaxPathsWhenTheRunEndsThere) {
  ScratchDir dir("targets-max");
  const std::string out = dir.file("one-block.h5");
  const auto r = run_remc(kRun + " --max-paths 1024 --out " + out + targets("1e9", "0.5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("max paths reached, all targets met there after 1024 paths (at most 1024)"),
            std::string::npos)
      << r.output;
  const Written w = read_targets(out);
  EXPECT_EQ(w.stop_reason, "max paths reached, all targets met there");
  EXPECT_EQ(w.met[0], 1);
}

// One path: the estimate is that path's value (the result's mean), the
// half-width of a mean is undefined (NaN, printed as such), and the target
// is not met.
TEST(Targets, OnePathHasAnEstimateButNoHalfWidth) {
  ScratchDir dir("targets-one");
  const std::string out = dir.file("one.h5");
  const auto r = run_remc(kRun + " --max-paths 1 --out " + out + " --target 'mean(cum_shortage, dy)=1'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("95 % half-width undefined (target 1): not met (one path: no standard error)"),
            std::string::npos)
      << r.output;
  const Written w = read_targets(out);
  const ResultReader result(out);
  const int dy = 1;  // materials ndpr, dy, tb, ndfeb
  EXPECT_EQ(w.estimate[0], result.doubles("/summary/cum_shortage/mean")[dy]);
  EXPECT_TRUE(std::isnan(w.achieved[0]));
  EXPECT_EQ(w.met[0], 0);
}

TEST(Targets, StoppedRunIsBitIdenticalToPlainRun) {
  ScratchDir dir("targets-identical");
  const std::string stopped = dir.file("stopped.h5"), plain = dir.file("plain.h5");
  // About three times the variance of two blocks: stops after several blocks.
  const auto r = run_remc(kRun + " --max-paths 100000 --out " + stopped + targets("0.6", "0.05"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Written w = read_targets(stopped);
  EXPECT_EQ(w.stop_reason, "all targets met");
  EXPECT_GT(w.paths, 2048);
  EXPECT_LT(w.paths, 100000);
  EXPECT_EQ(w.paths % 1024, 0);
  EXPECT_LE(w.achieved[0], 0.6);

  ASSERT_EQ(run_remc(kRun + " --paths " + std::to_string(w.paths) + " --out " + plain).exit_code, 0);
  // Every dataset and root attribute, the resolved config included.
  const auto cmp = run_python(source_path("scripts/compare_results.py") + " --exact --ignore targets " + stopped +
                              " " + plain);
  EXPECT_EQ(cmp.exit_code, 0) << cmp.output;
}

TEST(Targets, ComposesWithCheckpoints) {
  ScratchDir dir("targets-checkpoint");
  const std::string stopped = dir.file("stopped.h5"), plain = dir.file("plain.h5"), ck = dir.file("ck.h5");
  // A checkpoint after every block, while the targets decide when to stop.
  const auto r = run_remc(kRun + " --max-paths 50000 --checkpoint " + ck + " --checkpoint-every 0.000001 --out " +
                          stopped + targets("5", "0.1"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_FALSE(std::filesystem::exists(ck));  // removed once the result is written
  EXPECT_EQ(read_targets(stopped).paths, 2048);
  ASSERT_EQ(run_remc(kRun + " --paths 2048 --out " + plain).exit_code, 0);
  const auto cmp = run_python(source_path("scripts/compare_results.py") + " --exact --ignore targets " + stopped +
                              " " + plain);
  EXPECT_EQ(cmp.exit_code, 0) << cmp.output;
}

TEST(Targets, RefusedCombinationsExitTwo) {
  ScratchDir dir("targets-refused");
  const std::string out = " --out " + dir.file("never.h5");
  const std::string target = " --target 'mean(cum_shortage, dy)=1'";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {kRun + target + " --shard 0/2", "--target cannot be combined with --shard"},
      {kRun + " --max-paths 5000", "--max-paths goes with --target"},
      {kRun + target + " --max-paths 5000 --paths 5000", "not both"},
      {kRun + target + " --max-paths 0", "--max-paths 0: must be in 1..9e15"},
      {kRun + target + " --checkpoint ''", "--checkpoint: the file name is empty"},
      {kRun + " --target 'mean(cum_shortage, dy, 2025-01)=1'", "--target mean(cum_shortage, dy, 2025-01)=1: expected"},
  };
  for (const auto& [args, wanted] : cases) {
    const auto r = run_remc(args + out);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.output;
    EXPECT_NE(r.output.find(wanted), std::string::npos) << args << "\n" << r.output;
  }
  EXPECT_EQ(dir.entries(), 0);
}

}  // namespace
}  // namespace remc
