// remc study: common random numbers and paired standard errors, batched
// design points equal to separate runs, determinism, each method end to end,
// the HDF5 file and `remc info`, and study-file validation (exit 2).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "h5_file.h"
#include "config.h"
#include "study_outputs.h"
#include "study_run.h"

using remc::test::run_command;
using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

// A study file in `dir` that includes the baseline.
std::string write_study(const ScratchDir& dir, const std::string& name, const std::string& body) {
  const std::string path = dir.file(name);
  std::ofstream(path) << "include = " << source_path("configs/baseline.ini") << "\n" << body;
  return path;
}

std::vector<double> read(const std::string& file, const std::string& dataset) {
  return remc::h5::File::open_read_only(file).open_dataset(dataset).read_doubles();
}

// Standard error of an index from its bootstrap 95 % percentile interval:
// the half-width over 1.96.
double bootstrap_se(double lo, double hi) { return (hi - lo) / (2.0 * 1.96); }

remc::StudyResults run(const std::string& path, int threads = 2) {
  const remc::StudySpec spec = remc::load_study(path);
  remc::StudyRunOptions options;
  options.threads = threads;
  return remc::run_study(spec, remc::make_design(spec), options);
}

}  // namespace

// Expected shortfall averages the worst tail: the largest values, or the
// smallest for a metric whose worst outcomes are low. Values 1..100, L = 0.9:
// the upper estimator takes the values at or above the 0.9 quantile (90.1:
// 91..100, mean 95.5); the lower one mirrors it (1..10, mean 5.5).
TEST(Study, ExpectedShortfallTakesTheWorstTail) {
  const remc::RunConfig base = remc::load_config(source_path("configs/baseline.ini"));
  std::vector<float> values;
  for (int i = 1; i <= 100; ++i) values.push_back(static_cast<float>(i));
  const remc::StudyOutput high = remc::parse_study_output("expected_shortfall(cum_shortage, dy, 0.9)", base);
  const remc::StudyOutput low = remc::parse_study_output("expected_shortfall(stockpile_depletion_month, dy, 0.9)", base);
  EXPECT_FALSE(high.worst_is_low);
  EXPECT_TRUE(low.worst_is_low);
  EXPECT_DOUBLE_EQ(remc::estimate(high, values.data(), values.size()).value, 95.5);
  EXPECT_DOUBLE_EQ(remc::estimate(low, values.data(), values.size()).value, 5.5);
  std::vector<float> copy = values;
  EXPECT_DOUBLE_EQ(remc::statistic(low, copy), 5.5);
}

// Requirement: differences between scenarios are paired. A 10 % change of the
// escalation sensitivity (0.5 -> 0.55) moves few paths, so with common random
// numbers the two points' per-path values are almost perfectly correlated
// (rho): the paired standard error sqrt(2 (1 - rho)) sigma / sqrt(n) is a
// small fraction of the unpaired sqrt(2) sigma / sqrt(n). The test asks for
// less than a quarter (rho > 0.94), with a fixed seed; it also checks that
// the change does move the output (a paired SE of 0 would be vacuous).
TEST(Study, PairedStandardErrorIsMuchSmallerThanUnpaired) {
  ScratchDir dir("study-paired");
  const std::string path = write_study(dir, "oat.ini", R"(
[study]
method = oat
paths = 4000
seed = 11
outputs = mean(cum_shortage, dy); mean(months_restricted)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.5
high = 0.55
)");
  const remc::StudyResults r = run(path);
  const int E = 2;
  for (int e = 0; e < E; ++e) {
    const std::size_t high = 2 * E + e;  // point 2: escalation=high; point 1 is low = the base value
    EXPECT_GT(r.difference_stderr[high], 0.0) << "output " << e;
    EXPECT_LT(r.difference_stderr[high], 0.25 * r.difference_stderr_unpaired[high]) << "output " << e;
    EXPECT_GT(r.tornado[e].swing_stderr, 0.0);
    EXPECT_LT(r.tornado[e].swing_stderr, 0.25 * std::hypot(r.tornado[e].low_stderr, r.tornado[e].high_stderr));
  }
  // Low equals the base value: the same model, the same paths, no difference at all.
  EXPECT_EQ(r.difference[1 * E + 0], 0.0);
  EXPECT_EQ(r.difference_stderr[1 * E + 0], 0.0);
}

// A scenario that fixes a key the base config draws from a distribution
// (Lynas Texas' failure probability) removes one uncertain parameter; the
// later ones (demand growth and elasticities) must keep their random numbers,
// or the points stop sharing paths. Mid-2025 the project cannot be online
// yet (online month 18 at the earliest), so the month-5 price and shortage
// must be identical: differences of exactly 0.
TEST(Study, FixingADrawnKeyKeepsTheOtherDrawsPaired) {
  ScratchDir dir("study-pinned");
  const std::string path = write_study(dir, "pin.ini", R"(
[study]
method = grid
paths = 1000
outputs = mean(price, ndpr, 2025-06); mean(shortage_t, dy, 2025-06)

[study.scenario.pinned]
project.lynas_texas.fail_prob = 0.75
)");
  const remc::StudyResults r = run(path);
  EXPECT_EQ(r.difference[1 * 2 + 0], 0.0);
  EXPECT_EQ(r.difference[1 * 2 + 1], 0.0);
  EXPECT_EQ(r.difference_stderr[1 * 2 + 0], 0.0);
  EXPECT_GT(r.stderr_[1 * 2 + 0], 0.0);  // the outputs do vary over paths
}

// A tail quantile of 16 paths has no standard error (n q (1 - q) < 1 for
// q = 0.99): nor then do its differences, paired or not, nor the tornado swing.
TEST(Study, UndefinedPointErrorsLeaveDifferenceErrorsUndefined) {
  ScratchDir dir("study-nan-se");
  const std::string path = write_study(dir, "oat.ini", R"(
[study]
method = oat
paths = 16
outputs = quantile(peak_price_ratio, tb, 0.99); mean(cum_shortage, dy)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1
)");
  const remc::StudyResults r = run(path);
  for (std::size_t p = 1; p < 3; ++p) {
    EXPECT_TRUE(std::isnan(r.stderr_[p * 2 + 0])) << p;
    EXPECT_TRUE(std::isnan(r.difference_stderr[p * 2 + 0])) << p;
    EXPECT_TRUE(std::isnan(r.difference_stderr_unpaired[p * 2 + 0])) << p;
    EXPECT_GT(r.difference_stderr[p * 2 + 1], 0.0) << p;  // the mean's are defined
  }
  EXPECT_TRUE(std::isnan(r.tornado[0].swing_stderr));
  EXPECT_FALSE(std::isnan(r.tornado[1].swing_stderr));
}

// A Sobol output that is the same at every design point (no shortage of
// more than 500 % can happen) has no variance to decompose: NaN indices,
// while the other output is analysed and the study is written.
TEST(Study, SobolConstantOutputGivesNaNIndices) {
  ScratchDir dir("study-constant");
  const std::string path = write_study(dir, "sobol.ini", R"(
[study]
method = sobol
paths = 64
base_samples = 16
bootstrap = 20
outputs = p_exceed_any(shortage_frac, dy, 5); mean(months_restricted)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1
)");
  const remc::StudyResults r = run(path);
  ASSERT_EQ(r.sobol.size(), 2u);
  EXPECT_TRUE(std::isnan(r.sobol[0].first[0]));
  EXPECT_TRUE(std::isnan(r.sobol[0].total[0]));
  // One factor explains everything: with it the only input, Jansen's total
  // index estimates Var(f) / Var(f) = 1. Within 4 bootstrap standard errors,
  // seed fixed.
  const remc::sens::SobolIndices& one = r.sobol[1];
  const double se = bootstrap_se(one.total_lo[0], one.total_hi[0]);
  EXPECT_GT(se, 0.0);
  EXPECT_LT(std::fabs(one.total[0] - 1.0), 4.0 * se) << one.total[0] << " +- " << se;
  EXPECT_EQ(run_remc("study --config " + path + " --quiet --out " + dir.file("s.h5")).exit_code, 0);
}

// A factor given as a config distribution takes its quantiles: u = 0.5 is the
// median, the ends of a truncated distribution are its bounds.
TEST(Study, DistributionFactorsMapUnitCoordinatesToQuantiles) {
  ScratchDir dir("study-dist");
  const std::string path = write_study(dir, "sobol.ini", R"(
[study]
method = sobol
paths = 16
base_samples = 8
bootstrap = 10
outputs = mean(months_restricted)

[study.factor.escalation]
key = tension.escalation_sensitivity
distribution = normal(0.5, 0.1) truncate(0.3, 0.7)

[study.factor.suppression]
key = tension.suppression_rate_per_year
distribution = triangular(1, 2, 4)
)");
  const remc::StudySpec spec = remc::load_study(path);
  const remc::StudyFactor& e = spec.factors[0];
  EXPECT_NEAR(e.value_at(0.5), 0.5, 1e-12);  // symmetric truncation: the median stays at the mean
  EXPECT_EQ(e.value_at(0.0), 0.3);
  EXPECT_EQ(e.value_at(1.0), 0.7);
  EXPECT_NEAR(remc::inverse_cdf(remc::parse_distribution("normal(0, 1)"), 0.975), 1.959963984540054, 1e-12);
  // Triangular(1, 2, 4): the mode's CDF is 1/3.
  EXPECT_NEAR(spec.factors[1].value_at(1.0 / 3.0), 2.0, 1e-12);
  EXPECT_EQ(spec.factors[1].distribution(), "triangular(1, 2, 4)");
  const remc::StudyResults r = run(path);
  EXPECT_GT(r.sobol[0].total[0], 0.0);
}

// One design point of a batched study is the same simulation as a separate
// `remc run` of that config with the same seed and paths: the means agree to
// rounding (the run sums in chunks, the study path by path).
TEST(Study, BatchedDesignPointEqualsSeparateRun) {
  ScratchDir dir("study-batched");
  const std::string path = write_study(dir, "grid.ini", R"(
[study]
method = grid
paths = 3000
seed = 5
outputs = mean(cum_shortage, dy); mean(peak_price_ratio, ndpr)

[study.factor.dy_stockpile]
key = stockpile.dy.initial_t
levels = 0, 100
)");
  const remc::StudyResults r = run(path);
  // Points: 0 base, 1 dy_stockpile=0, 2 dy_stockpile=100.
  const auto run_mean = [&](const std::string& set, const std::string& metric, int material) {
    const std::string out = dir.file("run.h5");
    const auto c = run_remc("run --config " + source_path("configs/baseline.ini") + " --paths 3000 --seed 5 --quiet " +
                            set + " --out " + out);
    EXPECT_EQ(c.exit_code, 0) << c.output;
    return read(out, "/summary/" + metric + "/mean")[material];
  };
  const int dy = 1, ndpr = 0;  // baseline material order: ndpr, dy, tb, ndfeb
  for (const auto& [point, set] : std::vector<std::pair<int, std::string>>{
           {0, ""}, {1, "--set stockpile.dy.initial_t=0"}, {2, "--set stockpile.dy.initial_t=100"}}) {
    const double shortage = run_mean(set, "cum_shortage", dy);
    EXPECT_NEAR(r.estimate[point * 2 + 0], shortage, 1e-9 * std::fabs(shortage)) << "point " << point;
    const double peak = run_mean(set, "peak_price_ratio", ndpr);
    EXPECT_NEAR(r.estimate[point * 2 + 1], peak, 1e-9 * std::fabs(peak)) << "point " << point;
  }
  EXPECT_NE(r.estimate[1 * 2], r.estimate[2 * 2]);  // the stockpile changes the Dy shortage
}

// The same study file gives bit-identical estimates whatever the threads or
// the CPU build (SIMD width) that runs it.
TEST(Study, ResultsDoNotDependOnThreadsOrInstructionSet) {
  ScratchDir dir("study-det");
  const std::string path = write_study(dir, "grid.ini", R"(
[study]
method = grid
paths = 1000
outputs = mean(cum_shortage, dy); quantile(peak_price_ratio, tb, 0.9); p_exceed_any(shortage_frac, ndpr, 0.1)

[study.factor.dialogue]
key = tension.dialogue
levels = 0, 1
)");
  ASSERT_EQ(run_remc("study --config " + path + " --threads 1 --quiet --out " + dir.file("t1.h5")).exit_code, 0);
  ASSERT_EQ(run_remc("study --config " + path + " --threads 2 --quiet --out " + dir.file("t2.h5")).exit_code, 0);
  ASSERT_EQ(run_command("REMC_CPU_ISA=baseline " + std::string(REMC_BINARY) + " study --config " + path +
                        " --quiet --out " + dir.file("base.h5"))
                .exit_code,
            0);
  const auto a = read(dir.file("t1.h5"), "/study/estimate");
  EXPECT_EQ(a, read(dir.file("t2.h5"), "/study/estimate"));
  EXPECT_EQ(a, read(dir.file("base.h5"), "/study/estimate"));
  EXPECT_EQ(read(dir.file("t1.h5"), "/study/difference_stderr"), read(dir.file("t2.h5"), "/study/difference_stderr"));
}

// Morris: a factor the outputs cannot depend on (dialogue de-escalation while
// dialogue is off) has elementary effects of exactly 0 under common random
// numbers; the escalation sensitivity does not.
TEST(Study, MorrisSeparatesInertFromInfluentialFactors) {
  ScratchDir dir("study-morris");
  const std::string path = write_study(dir, "morris.ini", R"(
[study]
method = morris
paths = 256
trajectories = 6
levels = 4
outputs = mean(months_restricted); mean(cum_shortage, dy)

[study.factor.inert]
key = tension.dialogue_deescalation
low = 1
high = 3

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1

[study.factor.dy_stockpile]
key = stockpile.dy.initial_t
low = 0
high = 400
)");
  const remc::StudyResults r = run(path);
  ASSERT_EQ(r.morris.size(), 2u);
  EXPECT_EQ(r.morris[0].mu_star[0], 0.0);
  EXPECT_EQ(r.morris[0].sigma[0], 0.0);
  EXPECT_GT(r.morris[0].mu_star[1], 1.0);      // months restricted rise with escalation
  EXPECT_EQ(r.morris[0].mu_star[2], 0.0);      // and do not depend on a stockpile
}

// Sobol: an input the output cannot depend on gets indices of exactly 0 and
// the two tension inputs share the variance of months restricted.
TEST(Study, SobolGivesZeroToAnIrrelevantInput) {
  ScratchDir dir("study-sobol");
  const std::string path = write_study(dir, "sobol.ini", R"(
[study]
method = sobol
paths = 128
base_samples = 64
bootstrap = 100
outputs = mean(months_restricted)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1

[study.factor.suppression]
key = tension.suppression_rate_per_year
low = 1
high = 4

[study.factor.dy_eta]
key = price.dy.eta
low = 0.1
high = 0.5
)");
  const remc::StudyResults r = run(path);
  ASSERT_EQ(r.sobol.size(), 1u);
  EXPECT_EQ(r.sobol[0].first[2], 0.0);
  EXPECT_EQ(r.sobol[0].total[2], 0.0);
  // Both tension inputs matter: each total index is more than 4 bootstrap
  // standard errors above 0 (seed fixed).
  for (int f = 0; f < 2; ++f) {
    const double se = bootstrap_se(r.sobol[0].total_lo[f], r.sobol[0].total_hi[f]);
    EXPECT_GT(r.sobol[0].total[f], 4.0 * se) << "factor " << f;
  }
  EXPECT_GT(r.noise_share[0], 0.0);  // paths add noise, which the study reports
  EXPECT_LT(r.noise_share[0], 0.5);  // but with 128 paths per point the factors dominate
}

// The file: /study datasets with dimension scales and units, and remc info's
// ranked tornado table.
TEST(Study, WritesStudyFileAndInfoPrintsRankedTable) {
  ScratchDir dir("study-file");
  const std::string path = write_study(dir, "oat.ini", R"(
[study]
method = oat
paths = 512
outputs = mean(cum_shortage, dy)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1

[study.factor.dy_stockpile]
key = stockpile.dy.initial_t
low = 0
high = 100
)");
  const std::string out = dir.file("oat.h5");
  ASSERT_EQ(run_remc("study --config " + path + " --quiet --out " + out).exit_code, 0);
  const auto check = run_python(
      "-c \"import h5py; f = h5py.File('" + out +
      "'); s = f['study']; "
      "assert s.attrs['method'] == 'oat'; "
      "assert s['estimate'].shape == (5, 1); "
      "assert s['tornado/swing'].shape == (1, 2); "
      "assert [d[0].name for d in s['estimate'].dims] == ['/study/point', '/study/output']; "
      "assert [d[0].name for d in s['tornado/swing'].dims] == ['/study/output', '/study/factor']; "
      "assert all('units' in s[k].attrs for k in ('estimate', 'stderr', 'design', 'tornado/swing')); "
      "assert 'include' in s.attrs['study_text'] and '[tension]' in s.attrs['base_config']\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
  const auto info = run_remc("info " + out);
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("remc study"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("tornado, largest swing first"), std::string::npos) << info.output;
  // Ranked: the escalation sensitivity swings the Dy shortage far more than a 100 t stockpile.
  const auto first = info.output.find("  1 "), escalation = info.output.find("escalation", first);
  ASSERT_NE(first, std::string::npos) << info.output;
  EXPECT_LT(escalation, info.output.find("  2 ", first)) << info.output;

  // A dataset whose size contradicts the coordinates (factor, output, point)
  // is refused by name (exit 2), never read past its end.
  for (const std::string& name : {"tornado/swing", "output_units", "estimate"}) {
    const std::string damaged = dir.file("damaged.h5");
    std::filesystem::copy_file(out, damaged, std::filesystem::copy_options::overwrite_existing);
    const auto cut = run_python("-c \"import h5py; s = h5py.File('" + damaged + "', 'r+')['study']; v = s['" + name +
                                "'][()]; del s['" + name + "']; s['" + name + "'] = v.reshape(-1)[:-1]\"");
    ASSERT_EQ(cut.exit_code, 0) << cut.output;
    const auto r = run_remc("info " + damaged);
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.output;
    EXPECT_NE(r.output.find("/study/" + name + " has"), std::string::npos) << name << ": " << r.output;
  }
}

// Bad study files: exit 2, the message names the file and line, the section
// and the key, and no result file is written (nor the new folder it was to go in).
struct BadStudy {
  const char* name;
  const char* body;
  const char* expected;  // part of the message
};

class BadStudyFile : public testing::TestWithParam<BadStudy> {};

TEST_P(BadStudyFile, ExitsTwoNamingWhereAndWritesNothing) {
  const BadStudy& c = GetParam();
  ScratchDir dir(std::string("study-bad-") + c.name);
  const std::string path = write_study(dir, "bad.ini", c.body);
  const std::string out = dir.file("new/never.h5");
  const auto r = run_remc("study --config " + path + " --quiet --out " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find(c.expected), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("bad.ini:"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("new")));
  // validate makes the same checks, every design point included.
  const auto v = run_remc("validate --config " + path);
  EXPECT_EQ(v.exit_code, 2) << v.output;
  EXPECT_NE(v.output.find(c.expected), std::string::npos) << v.output;
}

const char kOk[] = "[study]\nmethod = oat\npaths = 100\noutputs = mean(cum_shortage, dy)\n";

INSTANTIATE_TEST_SUITE_P(
    Cases, BadStudyFile,
    testing::Values(
        BadStudy{"method", "[study]\nmethod = factorial\npaths = 10\noutputs = mean(cum_shortage, dy)\n",
                 "[study] method = factorial: expected grid, oat, morris or sobol"},
        BadStudy{"unknown_key", "[study]\nmethod = oat\npaths = 10\nrepeats = 3\noutputs = mean(cum_shortage, dy)\n",
                 "[study] repeats = 3: unknown key"},
        BadStudy{"factor_key",
                 "[study]\nmethod = oat\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivty\nlow = 0\nhigh = 1\nbase = 0.5\n",
                 "[study.factor.x] low = 0: with tension.escalation_sensitivty=0 the base config is invalid"},
        BadStudy{"empty_range",
                 "[study]\nmethod = sobol\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlow = 1\nhigh = 1\n",
                 "[study.factor.x] high = 1: empty range"},
        BadStudy{"out_of_range",
                 "[study]\nmethod = morris\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = project.lynas_texas.fail_prob\nlow = 0.5\nhigh = 1.5\n",
                 "[study.factor.x] high = 1.5: with project.lynas_texas.fail_prob=1.5 the base config is invalid"},
        BadStudy{"metric", "[study]\nmethod = oat\npaths = 10\noutputs = mean(shortage, dy)\n",
                 "[study] outputs = mean(shortage, dy): output 'mean(shortage, dy)': unknown metric 'shortage'"},
        BadStudy{"month",
                 "[study]\nmethod = oat\npaths = 10\noutputs = p_exceed(shortage_frac, dy, 2040-01, 0.1)\n",
                 "month 2040-01 is outside the run's horizon"},
        BadStudy{"level", "[study]\nmethod = oat\npaths = 10\noutputs = quantile(peak_price_ratio, dy, 95)\n",
                 "the level must lie strictly between 0 and 1"},
        BadStudy{"any_on_summary",
                 "[study]\nmethod = oat\npaths = 10\noutputs = p_exceed_any(cum_shortage, dy, 5)\n",
                 "p_exceed_any needs a monthly series"},
        BadStudy{"no_factors", "[study]\nmethod = oat\npaths = 10\noutputs = mean(cum_shortage, dy)\n",
                 "bad.ini:2: [study]: no factors"},
        BadStudy{"odd_levels",
                 "[study]\nmethod = morris\npaths = 10\nlevels = 3\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlow = 0\nhigh = 1\n",
                 "[study] levels = 3: must be even"},
        BadStudy{"levels_on_oat",
                 "[study]\nmethod = oat\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlevels = 0, 1\n",
                 "[study.factor.x] levels = 0, 1: only for method = grid"},
        BadStudy{"paths", "[study]\nmethod = oat\npaths = 1\noutputs = mean(cum_shortage, dy)\n",
                 "[study] paths = 1: must be an integer in [2, "},
        BadStudy{"distribution_on_oat",
                 "[study]\nmethod = oat\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlow = 0.25\nhigh = 1\ndistribution = loguniform\n",
                 "[study.factor.x] distribution = loguniform: only for method = morris or sobol"},
        BadStudy{"range_on_grid",
                 "[study]\nmethod = grid\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlevels = 0.5, 1\nlow = 0\n",
                 "[study.factor.x] low = 0: only for method = oat, morris or sobol"},
        BadStudy{"unbounded_morris",
                 "[study]\nmethod = morris\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\ndistribution = normal(0.5, 0.1)\n",
                 "[study.factor.x] distribution = normal(0.5, 0.1): Morris levels include the ends"},
        BadStudy{"range_and_distribution",
                 "[study]\nmethod = sobol\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlow = 0\ndistribution = normal(0.5, 0.1)\n",
                 "[study.factor.x] low = 0: give either low and high or a distribution"},
        BadStudy{"month_digits",
                 "[study]\nmethod = oat\npaths = 10\noutputs = p_exceed(shortage_frac, dy, 2025-1x, 0.1)\n",
                 "is a monthly series: give the month as YYYY-MM"},
        BadStudy{"scenario_run_key",
                 "[study]\nmethod = grid\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.scenario.s]\nrun.seed = 5\n",
                 "[study.scenario.s] run.seed = 5: a scenario varies the model"},
        BadStudy{"oat_base_rejected",
                 "[study]\nmethod = oat\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.retaliation_prob\nlow = 0\nhigh = 1\nbase = 7\n",
                 "[study.factor.x] base = 7: with tension.retaliation_prob=7 the base config is invalid"},
        BadStudy{"repeated_level",
                 "[study]\nmethod = grid\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlevels = 1, 0.5, 1\n",
                 "[study.factor.x] levels = 1, 0.5, 1: 1 is listed twice"},
        BadStudy{"distribution_name",
                 "[study]\nmethod = sobol\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\ndistribution = gaussian\n",
                 "[study.factor.x] distribution = gaussian: expected uniform or loguniform"},
        // A 0/1 switch sampled between its ends fails at the first inner
        // Morris level (of 4: 1/3) or the middle of a Sobol range.
        BadStudy{"switch_in_morris",
                 "[study]\nmethod = morris\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = project.mp_heavy.enabled\nlow = 0\nhigh = 1\n",
                 "[study.factor.x] key = project.mp_heavy.enabled: with project.mp_heavy.enabled=0.333"},
        BadStudy{"switch_in_sobol",
                 "[study]\nmethod = sobol\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = project.mp_heavy.enabled\nlow = 0\nhigh = 1\n",
                 "[study.factor.x] key = project.mp_heavy.enabled: with project.mp_heavy.enabled=0.5 the base "
                 "config is invalid"},
        // What `remc run` refuses after loading (a default histogram range float cannot hold).
        BadStudy{"extreme_level",
                 "[study]\nmethod = grid\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = demand.importer.dy.base_tpy\nlevels = 100, 3e38\n",
                 "with demand.importer.dy.base_tpy=3e+38 the base config is invalid: [output] hist.cum_shortage.dy: "
                 "the default range [0, inf] is not usable in float"},
        BadStudy{"design_too_large",
                 "[study]\nmethod = sobol\nsampler = random\nbase_samples = 10000000\npaths = 10\n"
                 "outputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlow = 0.25\nhigh = 1\n",
                 "bad.ini:2: [study]: the design has 30000000 points, more than the 1048576 a study may have"},
        // Each factor's range is fine alone; together some points put the
        // reference price below the minimum.
        BadStudy{"clash_at_a_point",
                 "[study]\nmethod = sobol\nbase_samples = 16\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.pmin]\nkey = price.dy.min\nlow = 52\nhigh = 250\n"
                 "[study.factor.pref]\nkey = price.dy.ref\nlow = 60\nhigh = 260\n",
                 "(pmin="},
        BadStudy{"grid_factors_and_scenarios",
                 "[study]\nmethod = grid\npaths = 10\noutputs = mean(cum_shortage, dy)\n"
                 "[study.factor.x]\nkey = tension.escalation_sensitivity\nlevels = 0.5, 1\n"
                 "[study.scenario.s]\ntension.dialogue = 1\n",
                 "bad.ini:2: [study]: a grid needs either factors"}),
    [](const testing::TestParamInfo<BadStudy>& info) { return std::string(info.param.name); });

// Study sections belong in the study file itself: keys an included file puts
// in [study] or a factor section are refused, even where the study file has
// the same sections (whose headers used to hide them).
TEST(Study, StudyKeysFromAnIncludedFileAreRefused) {
  ScratchDir dir("study-included");
  std::ofstream(dir.file("inc.ini")) << "include = " << source_path("configs/baseline.ini")
                                     << "\n[study]\nseed = 99\npaths = 100\n[study.factor.x]\nlow = 0.25\n";
  std::ofstream(dir.file("study.ini")) << "include = inc.ini\n[study]\nmethod = oat\n"
                                          "outputs = mean(cum_shortage, dy)\n[study.factor.x]\n"
                                          "key = tension.escalation_sensitivity\nhigh = 1\n";
  const auto r = run_remc("validate --config " + dir.file("study.ini"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("inc.ini:4: [study] paths = 100: study sections belong in the study file itself"),
            std::string::npos)
      << r.output;
}

// Morris with two levels sets each factor to its ends only: a 0/1 switch
// is a valid factor there.
TEST(Study, MorrisWithTwoLevelsMayScreenASwitch) {
  ScratchDir dir("study-switch");
  const std::string path = write_study(dir, "switch.ini",
                                       "[study]\nmethod = morris\nlevels = 2\ntrajectories = 2\npaths = 10\n"
                                       "outputs = mean(cum_shortage, dy)\n"
                                       "[study.factor.x]\nkey = project.mp_heavy.enabled\nlow = 0\nhigh = 1\n");
  const auto r = run_remc("validate --config " + path);
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

// The block buffer is never larger than the whole study: the largest
// --block-paths on a study of a few hundred columns runs (it asked for
// terabytes and failed) and gives the default block's results.
TEST(Study, BlockLargerThanTheStudyIsShrunkToIt) {
  ScratchDir dir("study-block");
  const std::string path = write_study(dir, "small.ini",
                                       "[run]\nmonths = 12\n[study]\nmethod = oat\npaths = 64\n"
                                       "outputs = mean(cum_shortage, dy)\n[study.factor.x]\n"
                                       "key = tension.escalation_sensitivity\nlow = 0.25\nhigh = 1\n");
  ASSERT_EQ(run_remc("study --config " + path + " --quiet --out " + dir.file("default.h5")).exit_code, 0);
  const auto r = run_remc("study --config " + path + " --quiet --block-paths 1073741824 --out " + dir.file("huge.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(read(dir.file("default.h5"), "/study/estimate"), read(dir.file("huge.h5"), "/study/estimate"));
}

// A study file that is fine passes the same checks (guards the fixture).
TEST(Study, FixtureBaseIsValid) {
  ScratchDir dir("study-ok");
  const std::string path = write_study(dir, "ok.ini", std::string(kOk) +
                                                          "[study.factor.x]\nkey = tension.escalation_sensitivity\n"
                                                          "low = 0.25\nhigh = 1\n");
  EXPECT_EQ(run_remc("study --config " + path + " --quiet --out " + dir.file("ok.h5")).exit_code, 0);
}

namespace {

// Every dataset under /study of two study files, compared exactly (NaN
// equal to NaN): "N []" for N datasets, none differing; else the names of
// those that differ.
std::string study_differences(const std::string& a, const std::string& b) {
  const auto r = run_python(
      "-c \"import h5py, numpy as np; a = h5py.File('" + a + "'); b = h5py.File('" + b +
      "'); names = []; a['study'].visit(lambda n: names.append(n) if isinstance(a['study'][n], h5py.Dataset) else None); "
      "bad = [n for n in names if not np.array_equal(a['study'][n][()], b['study'][n][()], "
      "equal_nan=a['study'][n].dtype.kind == 'f')]; print(len(names), bad)\"");
  return r.output;
}

const char kShardStudy[] = R"(
[study]
method = oat
paths = 600
outputs = mean(cum_shortage, dy); quantile(peak_price_ratio, tb, 0.9); p_exceed_any(shortage_frac, ndpr, 0.1)

[study.factor.escalation]
key = tension.escalation_sensitivity
low = 0.25
high = 1

[study.factor.dy_stockpile]
key = stockpile.dy.initial_t
low = 0
high = 100
)";

}  // namespace

// A probability output that every path (or no path) exceeded has a standard
// error of 0, which would claim certainty: `remc info` gives the exact
// one-sided 95 % bound instead, 1 - 0.05^(1/1024) = 0.00292 for 1,024 paths.
TEST(Study, InfoBoundsProbabilitiesOfZeroAndOne) {
  ScratchDir dir("study-bound");
  const std::string path = write_study(dir, "grid.ini", R"(
[run]
months = 24

[study]
method = grid
paths = 1024
outputs = p_exceed_any(shortage_frac, dy, 0.1); mean(cum_shortage, dy)

[study.factor.dialogue]
key = tension.dialogue
levels = 0, 1
)");
  const std::string out = dir.file("grid.h5");
  ASSERT_EQ(run_remc("study --config " + path + " --quiet --out " + out).exit_code, 0);
  const auto info = run_remc("info " + out);
  ASSERT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("1 (> 0.9970)"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("x is a one-sided 95 % bound"), std::string::npos) << info.output;
  EXPECT_EQ(info.output.find("1 ± 0"), std::string::npos) << info.output;
}

// Shards split the design points; the merged study equals the single-process
// study in every dataset (paired differences and bootstraps included).
TEST(Study, MergedShardsEqualSingleProcess) {
  ScratchDir dir("study-shards");
  const std::string path = write_study(dir, "oat.ini", kShardStudy);
  ASSERT_EQ(run_remc("study --config " + path + " --quiet --out " + dir.file("single.h5")).exit_code, 0);
  std::string parts;
  for (int k = 0; k < 3; ++k) {
    const std::string part = dir.file("part" + std::to_string(k) + ".h5");
    const auto r = run_remc("study --config " + path + " --shard " + std::to_string(k) + "/3 --quiet --out " + part);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    parts += " " + part;
  }
  const auto info = run_remc("info " + dir.file("part1.h5"));
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("shard 1/3"), std::string::npos) << info.output;
  const auto m = run_remc("merge" + parts + " -o " + dir.file("merged.h5"));
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(study_differences(dir.file("single.h5"), dir.file("merged.h5")), "25 []\n");  // 25 datasets for oat

  // Text per factor and per output is labelled by its own axis in xarray.
  const auto labels = run_python(
      "-c \"import xarray as xr\n"
      "s = xr.open_dataset('" + dir.file("single.h5") + "', engine='h5netcdf', group='study')\n"
      "dims = {n: s[n].dims for n in ('factor_key', 'factor_distribution', 'output_units', 'output_description')}\n"
      "assert dims == {'factor_key': ('factor',), 'factor_distribution': ('factor',), "
      "'output_units': ('output',), 'output_description': ('output',)}, dims\n"
      "assert all('units' in s[n].attrs for n in dims), 'units missing'\"");
  EXPECT_EQ(labels.exit_code, 0) << labels.output;

  // More shards than design points (oat with k factors has 2k + 1) is refused.
  const auto too_many = run_remc("study --config " + path + " --shard 0/1000 --quiet --out " + dir.file("y.h5"));
  EXPECT_EQ(too_many.exit_code, 2) << too_many.output;
  EXPECT_NE(too_many.output.find("fewer than the shards"), std::string::npos) << too_many.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("y.h5")));

  // A missing part is refused and names the gap.
  const auto missing = run_remc("merge " + dir.file("part0.h5") + " " + dir.file("part2.h5") + " -o " + dir.file("x.h5"));
  EXPECT_EQ(missing.exit_code, 2) << missing.output;
  EXPECT_NE(missing.output.find("are missing"), std::string::npos) << missing.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));

  // A run's shard result among study parts, or the other way round, is named as such.
  const std::string run_part = dir.file("run0.h5");
  ASSERT_EQ(run_remc("run --config " + source_path("configs/baseline.ini") +
                     " --paths 2048 --block-paths 1024 --set run.months=12 --shard 0/2 --quiet --out " + run_part)
                .exit_code,
            0);
  const auto run_first = run_remc("merge " + run_part + " " + dir.file("part0.h5") + " -o " + dir.file("x.h5"));
  EXPECT_EQ(run_first.exit_code, 2) << run_first.output;
  EXPECT_NE(run_first.output.find("part0.h5: a study part, not a run's shard result"), std::string::npos)
      << run_first.output;
  const auto study_first = run_remc("merge " + dir.file("part0.h5") + " " + run_part + " -o " + dir.file("x.h5"));
  EXPECT_EQ(study_first.exit_code, 2) << study_first.output;
  EXPECT_NE(study_first.output.find("run0.h5: a run result, not a study part"), std::string::npos)
      << study_first.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
}

// Under MPI the ranks split the points and rank 0 writes the same study.
TEST(Study, MpiRanksEqualSingleProcess) {
  if (run_remc("--version").output.find("mpi: yes") == std::string::npos ||
      run_command("command -v mpirun").exit_code != 0)
    GTEST_SKIP() << "remc built without MPI, or no mpirun";
  ScratchDir dir("study-mpi");
  const std::string path = write_study(dir, "oat.ini", kShardStudy);
  ASSERT_EQ(run_remc("study --config " + path + " --threads 1 --quiet --out " + dir.file("single.h5")).exit_code, 0);
  const auto r = run_command("timeout 300 mpirun --allow-run-as-root --oversubscribe -n 2 " + std::string(REMC_BINARY) +
                             " study --config " + path + " --threads 1 --quiet --out " + dir.file("mpi.h5"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(study_differences(dir.file("single.h5"), dir.file("mpi.h5")), "25 []\n");
}

// remc validate checks a study file as remc study would and says what it would run.
TEST(Study, ValidateCommandChecksStudyFiles) {
  const auto ok = run_remc("validate --config " + source_path("configs/studies/oat-baseline.ini"));
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("ok (oat study, 4 factors, 4 outputs, 9 design points x 4096 paths = 36864 paths)"),
            std::string::npos)
      << ok.output;
  ScratchDir dir("study-validate");
  const std::string bad = write_study(dir, "bad.ini", "[study]\nmethod = oat\npaths = 10\noutputs = mean(x, dy)\n");
  const auto r = run_remc("validate --config " + bad);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("unknown metric 'x'"), std::string::npos) << r.output;
}

// Every shipped study file validates (configs/studies/).
TEST(Study, ShippedStudiesValidate) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(source_path("configs/studies"))) {
    if (entry.path().extension() != ".ini") continue;
    EXPECT_NO_THROW(remc::make_design(remc::load_study(entry.path().string()))) << entry.path();
    ++count;
  }
  EXPECT_GE(count, 4);  // one per method
}
