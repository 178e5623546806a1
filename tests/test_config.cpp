// Config loader: shipped configs load, includes and --set override, resolved
// text reproduces the Model byte for byte, distributions parse into the right
// DistSpec, defaults are the documented ones.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "config.h"
#include "config_values.h"
#include "errors.h"

namespace remc {
namespace {

namespace fs = std::filesystem;

const std::string kSource = REMC_SOURCE_DIR;
const std::string kBaseline = kSource + "/configs/baseline.ini";
const std::string kMinimal = kSource + "/tests/data/config_minimal.ini";

std::vector<std::string> shipped_configs() {
  std::vector<std::string> out = {kBaseline};
  for (const auto& e : fs::directory_iterator(kSource + "/configs/scenarios"))
    if (e.path().extension() == ".ini") out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

// A scratch directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("remc_config_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  fs::path dir_;
};

void expect_same(const RunConfig& a, const RunConfig& b, const std::string& what) {
  EXPECT_EQ(0, std::memcmp(&a.model, &b.model, sizeof(Model))) << what;
  EXPECT_EQ(a.material_names, b.material_names) << what;
  EXPECT_EQ(a.regime_names, b.regime_names) << what;
  EXPECT_EQ(a.sector_names, b.sector_names) << what;
  EXPECT_EQ(a.project_names, b.project_names) << what;
  EXPECT_EQ(a.uncertain_names, b.uncertain_names) << what;
  EXPECT_EQ(a.run.paths, b.run.paths) << what;
  EXPECT_EQ(a.run.seed, b.run.seed) << what;
  EXPECT_EQ(a.run.start_year, b.run.start_year) << what;
  EXPECT_EQ(a.run.start_month, b.run.start_month) << what;
  EXPECT_EQ(a.output.path, b.output.path) << what;
  EXPECT_EQ(a.output.bins, b.output.bins) << what;
  EXPECT_EQ(a.output.quantiles, b.output.quantiles) << what;
  EXPECT_EQ(a.output.hist.size(), b.output.hist.size()) << what;
  EXPECT_EQ(a.output.thresholds, b.output.thresholds) << what;
  EXPECT_EQ(a.resolved_text.substr(a.resolved_text.find('\n')),
            b.resolved_text.substr(b.resolved_text.find('\n'))) << what;
}

int index_of(const std::vector<std::string>& v, const std::string& s) {
  return static_cast<int>(std::find(v.begin(), v.end(), s) - v.begin());
}

TEST(Config, EveryShippedConfigLoads) {
  const std::vector<std::string> files = shipped_configs();
  std::set<std::string> names;
  for (const std::string& f : files) {
    SCOPED_TRACE(f);
    RunConfig c;
    ASSERT_NO_THROW(c = load_config(f));
    EXPECT_GT(c.model.months, 0);
    EXPECT_EQ(c.model.materials, 4);
    EXPECT_EQ(c.model.regime.count, 5);
    names.insert(fs::path(f).stem().string());
  }
  for (const char* s : {"quota-2010", "controls-2025", "escalation-spiral", "detente", "decoupling", "paper"})
    EXPECT_TRUE(names.count(s)) << "missing scenario " << s;
}

TEST(Config, BaselineShape) {
  const RunConfig c = load_config(kBaseline);
  EXPECT_EQ(c.material_names, (std::vector<std::string>{"ndpr", "dy", "tb", "ndfeb"}));
  EXPECT_EQ(c.regime_names, (std::vector<std::string>{"open", "licensing", "targeted", "broad", "embargo"}));
  EXPECT_EQ(c.sector_names, (std::vector<std::string>{"defense", "ev", "wind", "industrial"}));
  EXPECT_EQ(c.model.months, 120);
  EXPECT_EQ(c.run.paths, 100000u);
  EXPECT_EQ(c.run.seed, 20251u);
  EXPECT_EQ(c.run.start_year, 2025);
  EXPECT_EQ(c.run.start_month, 4);
  EXPECT_EQ(c.output.path, "results/baseline.h5");
  EXPECT_FLOAT_EQ(c.model.regime.initial[1], 1.0f);
  for (int k = 0; k < c.model.regime.count; ++k) {
    double sum = 0;
    for (int j = 0; j < c.model.regime.count; ++j) sum += c.model.regime.transition[k][j];
    EXPECT_NEAR(sum, 1.0, 1e-6) << "row " << k;
  }
  const int dy = index_of(c.material_names, "dy");
  EXPECT_FLOAT_EQ(c.model.regime.allow_importer[1][dy].value, 0.73f);  // B12
  EXPECT_FLOAT_EQ(c.model.price[dy].ref.value, 260.0f);          // S1
  EXPECT_GE(c.model.projects, 8);
  EXPECT_GE(c.uncertain_names.size(), 4u);
  EXPECT_NE(index_of(c.uncertain_names, "demand.importer.ndfeb.growth"), static_cast<int>(c.uncertain_names.size()));
  EXPECT_EQ(c.model.uncertain_count, static_cast<int>(c.uncertain_names.size()));
  EXPECT_EQ(c.model.tension.retaliate_at, 2);
  EXPECT_EQ(c.model.tension.accelerate_at, 2);
}

TEST(Config, IncludeThenOverride) {
  TempDir tmp;
  const std::string base = tmp.write("base/common.ini", "[run]\nmonths = 12\nseed = 7\n");
  (void)base;
  tmp.write("base/mid.ini", "include = common.ini\n[run]\nseed = 8\n");
  const std::string mid_text = std::string("include = ") + kMinimal + "\n[run]\nmonths = 24\n";
  const std::string top = tmp.write("top.ini", mid_text + "[price.dy]\nref = 300\n");
  const RunConfig c = load_config(top);
  EXPECT_EQ(c.model.months, 24);                    // top overrides the included file
  EXPECT_EQ(c.run.paths, 1000u);                    // kept from the included file
  EXPECT_FLOAT_EQ(c.model.price[0].ref.value, 300.0f);

  // Chains resolve relative to each including file; later files win.
  const std::string chain = tmp.write("chain.ini", std::string("include = ") + kMinimal +
                                                       "\ninclude = base/mid.ini\n");
  const RunConfig d = load_config(chain);
  EXPECT_EQ(d.model.months, 12);  // from common.ini, included after the minimal config
  EXPECT_EQ(d.run.seed, 8u);      // mid.ini overrides common.ini
}

TEST(Config, IncludeInsideRunSection) {
  TempDir tmp;
  const std::string f = tmp.write("a.ini", std::string("[run]\ninclude = ") + kMinimal + "\nmonths = 6\n");
  EXPECT_EQ(load_config(f).model.months, 6);
}

// Some editors start UTF-8 files with a byte-order mark; it is not a key.
TEST(Config, ByteOrderMarkIsSkipped) {
  TempDir tmp;
  const std::string f = tmp.write("bom.ini", std::string("\xEF\xBB\xBFinclude = ") + kMinimal + "\n[run]\nmonths = 7\n");
  EXPECT_EQ(load_config(f).model.months, 7);
}

TEST(Config, ScenarioOverridesOnlyWhatItNames) {
  const RunConfig base = load_config(kBaseline);
  const RunConfig det = load_config(kSource + "/configs/scenarios/detente.ini");
  EXPECT_FLOAT_EQ(det.model.tension.dialogue.value, 1.0f);
  EXPECT_FLOAT_EQ(det.model.tension.monitoring.value, 1.0f);
  EXPECT_EQ(det.output.path, "results/detente.h5");
  EXPECT_EQ(0, std::memcmp(&base.model.project, &det.model.project, sizeof(base.model.project)));
  EXPECT_EQ(0, std::memcmp(&base.model.price, &det.model.price, sizeof(base.model.price)));

  const RunConfig dec = load_config(kSource + "/configs/scenarios/decoupling.ini");
  EXPECT_FLOAT_EQ(dec.model.regime.initial[4], 1.0f);
  EXPECT_FLOAT_EQ(dec.model.regime.transition[4][4], 1.0f);

  const RunConfig q = load_config(kSource + "/configs/scenarios/quota-2010.ini");
  EXPECT_EQ(q.run.start_year, 2010);
  EXPECT_EQ(q.run.start_month, 9);
  for (int m = 0; m < 3; ++m) EXPECT_FLOAT_EQ(q.model.regime.allow_importer[1][m].value, 0.6f);
  EXPECT_LT(q.model.projects, base.model.projects);  // disabled projects are dropped
  EXPECT_EQ(index_of(q.project_names, "mp_mountain_pass"), static_cast<int>(q.project_names.size()));
}

TEST(Config, SetOverridesAnyKeyIncludingDottedSections) {
  const RunConfig c = load_config(kBaseline, {"run.months=24", "project.lynas_texas.fail_prob=0.5",
                                              "demand.importer.dy.growth=0.05", "project.mp_heavy.capacity_tpy.dy=300",
                                              "regime.licensing.allow_importer.dy=0.5", "output.hist.price.dy=log 10 1000 50",
                                              "tension.retaliate_at = broad"});
  EXPECT_EQ(c.model.months, 24);
  const int lt = index_of(c.project_names, "lynas_texas");
  const int mh = index_of(c.project_names, "mp_heavy");
  const int dy = index_of(c.material_names, "dy");
  EXPECT_FLOAT_EQ(c.model.project[lt].fail_prob.value, 0.5f);
  EXPECT_EQ(c.model.project[lt].fail_prob.draw, -1);  // was a distribution in the baseline
  EXPECT_FLOAT_EQ(c.model.demand[0][dy].growth.value, 0.05f);
  EXPECT_FLOAT_EQ(c.model.project[mh].capacity_tpy[dy].value, 300.0f);
  EXPECT_FLOAT_EQ(c.model.regime.allow_importer[1][dy].value, 0.5f);
  ASSERT_EQ(c.output.hist.count("price.dy"), 1u);
  const HistOverride& h = c.output.hist.at("price.dy");
  EXPECT_TRUE(h.log_scale);
  EXPECT_FLOAT_EQ(h.lo, 10.0f);
  EXPECT_FLOAT_EQ(h.hi, 1000.0f);
  EXPECT_EQ(h.bins, 50);
  EXPECT_EQ(c.model.tension.retaliate_at, 3);
  EXPECT_NE(c.resolved_text.find("fail_prob = 0.5\n"), std::string::npos);
}

// A project dated YYYY-MM keeps its calendar date when [run] start moves:
// Fort Worth (2025-10) is month 6 from the baseline's 2025-04 and month 9
// from 2025-01; a date before the start is a negative month. A plain number
// still counts from the start.
TEST(Config, ProjectDatesStayOnTheCalendar) {
  const auto online = [](const std::vector<std::string>& sets, const std::string& project) {
    const RunConfig c = load_config(kBaseline, sets);
    return c.model.project[index_of(c.project_names, project)].online_month.value;
  };
  EXPECT_FLOAT_EQ(online({}, "mp_fort_worth"), 6.0f);
  EXPECT_FLOAT_EQ(online({"run.start=2025-01"}, "mp_fort_worth"), 9.0f);
  EXPECT_FLOAT_EQ(online({"run.start=2026-01"}, "mp_fort_worth"), -3.0f);
  EXPECT_FLOAT_EQ(online({"run.start=2024-12"}, "mp_10x"), 37.0f);
  EXPECT_FLOAT_EQ(online({"run.start=2025-01", "project.mp_fort_worth.online_month=9"}, "mp_fort_worth"), 9.0f);
  EXPECT_THROW(online({"project.mp_fort_worth.online_month=2025-13"}, "mp_fort_worth"), ConfigError);
  // A triggered project's online_month counts from its trigger: no dates.
  EXPECT_THROW(online({"project.emergency_heavy.online_month=2027-01"}, "emergency_heavy"), ConfigError);
}

TEST(Config, SetCreatesSectionsAndLaterSetsWin) {
  const RunConfig c = load_config(kMinimal, {"stockpile.dy.initial_t=50", "stockpile.dy.initial_t=70",
                                             "project.new_mine.region=allies", "project.new_mine.capacity_tpy.dy=40"});
  EXPECT_FLOAT_EQ(c.model.stockpile[0].initial_t.value, 70.0f);
  ASSERT_EQ(c.model.projects, 1);
  EXPECT_EQ(c.project_names[0], "new_mine");
  EXPECT_EQ(c.model.project[0].region, 1);
  EXPECT_FLOAT_EQ(c.model.project[0].capacity_tpy[0].value, 40.0f);
}

TEST(Config, ResolvedTextRoundTripsToIdenticalModel) {
  TempDir tmp;
  std::vector<std::pair<std::string, std::vector<std::string>>> cases;
  for (const std::string& f : shipped_configs()) cases.push_back({f, {}});
  cases.push_back({kBaseline, {"project.lynas_texas.fail_prob=beta(2, 5)", "run.months=60"}});
  cases.push_back({kMinimal, {}});
  for (const auto& [file, sets] : cases) {
    SCOPED_TRACE(file);
    const RunConfig a = load_config(file, sets);
    const std::string resolved = tmp.write("resolved.ini", a.resolved_text);
    const RunConfig b = load_config(resolved);
    expect_same(a, b, file);
    const RunConfig again = load_config(file, sets);
    expect_same(a, again, file + " (twice)");
  }
}

TEST(Config, ResolvedTextIsSortedAndHasNoIncludes) {
  const RunConfig c = load_config(kSource + "/configs/scenarios/detente.ini");
  EXPECT_EQ(c.resolved_text.find("\ninclude"), std::string::npos);
  const auto run = c.resolved_text.find("[run]");
  const auto tension = c.resolved_text.find("[tension]");
  const auto demand = c.resolved_text.find("[demand.allies.dy]");
  ASSERT_NE(run, std::string::npos);
  EXPECT_LT(demand, run);
  EXPECT_LT(run, tension);
  EXPECT_NE(c.resolved_text.find("dialogue = 1\n"), std::string::npos);
}

RunConfig with_growth(const std::string& value) {
  return load_config(kMinimal, {"demand.importer.dy.growth=" + value});
}

// Thresholds are written to results (and values to messages) as the shortest
// decimal that reads back as the same float: as the config wrote them, so
// `.sel(threshold=1e30)` finds 1e30.
TEST(ConfigValues, FloatsPrintAsTheConfigWroteThem) {
  EXPECT_EQ(format_float(0.3f), "0.3");
  EXPECT_EQ(format_float(1560.2f), "1560.2");
  EXPECT_EQ(format_float(52.0f), "52");
  EXPECT_EQ(format_float(16777215.0f), "16777215");  // below 2^24: whole and exact
  EXPECT_EQ(format_float(1e30f), "1e+30");           // not 1.0000000150474662e+30
  EXPECT_EQ(format_float(3e9f), "3e+09");
  EXPECT_EQ(format_float(123456789.0f), "1.2345679e+08");  // the float holds 123456792
}

TEST(ConfigDistributions, EachKindParsesIntoItsDistSpec) {
  struct Case {
    const char* text;
    DistKind kind;
    float a, b, c;
    bool truncated;
    float lo, hi;
    float mean;
  };
  const Case cases[] = {
      {"normal(0.08, 0.02) truncate(0, 0.2)", DistKind::kNormal, 0.08f, 0.02f, 0, true, 0, 0.2f, 0.08f},
      {"lognormal(0.05, 0.5)", DistKind::kLognormal, 0.05f, 0.5f, 0, false, 0, 0, 0.05f * std::exp(0.125f)},
      {"uniform(0.01, 0.03)", DistKind::kUniform, 0.01f, 0.03f, 0, false, 0, 0, 0.02f},
      {"triangular(0, 0.05, 0.1)", DistKind::kTriangular, 0, 0.05f, 0.1f, false, 0, 0, 0.05f},
      {"beta(2, 8)", DistKind::kBeta, 2, 8, 0, false, 0, 0, 0.2f},
      {"bernoulli(0.3)", DistKind::kBernoulli, 0.3f, 0, 0, false, 0, 0, 0.3f},
      {"  normal( 0.1 ,0.05 )truncate( -0.5 , 0.5 )", DistKind::kNormal, 0.1f, 0.05f, 0, true, -0.5f, 0.5f, 0.1f},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.text);
    const RunConfig c = with_growth(k.text);
    const Param& p = c.model.demand[0][0].growth;
    ASSERT_EQ(p.draw, 0);
    ASSERT_EQ(c.model.uncertain_count, 1);
    ASSERT_EQ(c.uncertain_names, std::vector<std::string>{"demand.importer.dy.growth"});
    const DistSpec& d = c.model.uncertain[0];
    EXPECT_EQ(d.kind, k.kind);
    EXPECT_FLOAT_EQ(d.a, k.a);
    EXPECT_FLOAT_EQ(d.b, k.b);
    EXPECT_FLOAT_EQ(d.c, k.c);
    EXPECT_EQ(d.truncated, k.truncated);
    EXPECT_FLOAT_EQ(d.lo, k.lo);
    EXPECT_FLOAT_EQ(d.hi, k.hi);
    EXPECT_NEAR(p.value, k.mean, 1e-6);
  }
}

TEST(ConfigDistributions, DrawIndicesFollowBuildOrder) {
  const RunConfig c = load_config(kMinimal, {"price.dy.eta=uniform(0.2, 0.3)", "tension.jump=lognormal(1, 0.3)",
                                             "demand.allies.dy.growth=normal(0.05, 0.01) truncate(0, 0.1)"});
  ASSERT_EQ(c.model.uncertain_count, 3);
  // [tension] is built before demand, demand before prices.
  EXPECT_EQ(c.uncertain_names,
            (std::vector<std::string>{"tension.jump", "demand.allies.dy.growth", "price.dy.eta"}));
  EXPECT_EQ(c.model.tension.jump.draw, 0);
  EXPECT_EQ(c.model.demand[1][0].growth.draw, 1);
  EXPECT_EQ(c.model.price[0].eta.draw, 2);
  EXPECT_EQ(c.model.uncertain[2].kind, DistKind::kUniform);
}

TEST(ConfigDistributions, TruncationMustKeepTenPercentOfTheMass) {
  // Phi(-1.2816) = 0.1000: keeps just over 10 %.
  EXPECT_NO_THROW(with_growth("normal(0, 1) truncate(-0.5, 1.2816)"));
  EXPECT_NO_THROW(with_growth("normal(0, 1) truncate(1.2815, 10)"));
  EXPECT_THROW(with_growth("normal(0, 1) truncate(1.2817, 10)"), ConfigError);
  // Uniform and triangular exactly.
  EXPECT_NO_THROW(with_growth("uniform(0, 1) truncate(0.9, 2)"));
  EXPECT_THROW(with_growth("uniform(0, 1) truncate(0.91, 2)"), ConfigError);
  EXPECT_NO_THROW(with_growth("triangular(0, 0, 1) truncate(0.68, 1)"));   // (1-0.68)^2 = 0.1024
  EXPECT_THROW(with_growth("triangular(0, 0, 1) truncate(0.69, 1)"), ConfigError);  // 0.0961
  // Beta through the regularized incomplete beta: Beta(1,1) is uniform.
  EXPECT_NO_THROW(with_growth("beta(1, 1) truncate(0.0, 0.11)"));
  EXPECT_THROW(with_growth("beta(1, 1) truncate(0.0, 0.09)"), ConfigError);
  // Beta(2, 2): I_0.2 = 3(0.04) - 2(0.008) = 0.104.
  EXPECT_NO_THROW(with_growth("beta(2, 2) truncate(0, 0.2)"));
  EXPECT_THROW(with_growth("beta(2, 2) truncate(0, 0.19)"), ConfigError);
  // Lognormal: median 1, sigma 1: P(X > e^1.2816) = 0.1.
  EXPECT_NO_THROW(with_growth("lognormal(1, 1) truncate(3.6, 100)"));
  EXPECT_THROW(with_growth("lognormal(1, 1) truncate(3.7, 100)"), ConfigError);
}

TEST(ConfigDistributions, RangeChecksUseTheSupport) {
  // A probability: beta and bernoulli live in [0, 1]; a normal must be truncated into it.
  EXPECT_NO_THROW(load_config(kMinimal, {"tension.retaliation_prob=beta(2, 5)"}));
  EXPECT_NO_THROW(load_config(kMinimal, {"tension.dialogue=bernoulli(0.5)"}));
  EXPECT_NO_THROW(load_config(kMinimal, {"tension.retaliation_prob=normal(0.5, 0.1) truncate(0, 1)"}));
  EXPECT_THROW(load_config(kMinimal, {"tension.retaliation_prob=normal(0.5, 0.1)"}), ConfigError);
  EXPECT_THROW(load_config(kMinimal, {"tension.retaliation_prob=normal(0.5, 0.1) truncate(0, 1.5)"}), ConfigError);
  EXPECT_THROW(load_config(kMinimal, {"tension.retaliation_prob=uniform(0.5, 1.5)"}), ConfigError);
  // Capacities: lognormal is non-negative, a normal is not.
  EXPECT_NO_THROW(load_config(kMinimal, {"project.p.region=importer", "project.p.capacity_tpy.dy=lognormal(100, 0.3)"}));
  EXPECT_THROW(load_config(kMinimal, {"project.p.region=importer", "project.p.capacity_tpy.dy=normal(100, 30)"}),
               ConfigError);
}

TEST(ConfigDefaults, MinimalConfigGetsDocumentedDefaults) {
  const RunConfig c = load_config(kMinimal);
  const Model& m = c.model;
  EXPECT_EQ(c.run.seed, 1u);
  EXPECT_EQ(c.run.start_year, 2025);
  EXPECT_EQ(c.run.start_month, 1);
  EXPECT_FLOAT_EQ(m.shortage_threshold, 0.1f);
  EXPECT_FLOAT_EQ(m.tension.escalation_mult.value, 1.0f);
  EXPECT_FLOAT_EQ(m.tension.deescalation_mult.value, 1.0f);
  EXPECT_FLOAT_EQ(m.tension.dialogue.value, 0.0f);
  EXPECT_FLOAT_EQ(m.tension.monitoring.value, 0.0f);
  EXPECT_FLOAT_EQ(m.tension.dialogue_deescalation.value, 2.0f);
  EXPECT_FLOAT_EQ(m.tension.monitoring_escalation.value, 0.5f);
  EXPECT_FLOAT_EQ(m.tension.half_life_months.value, 12.0f);
  EXPECT_EQ(m.tension.retaliate_at, kMaxRegimes);
  EXPECT_EQ(m.tension.accelerate_at, kMaxRegimes);
  EXPECT_FLOAT_EQ(m.demand[0][0].sector_share[0], 1.0f);  // one sector gets everything
  EXPECT_FLOAT_EQ(m.demand[0][0].growth.value, 0.0f);
  EXPECT_FLOAT_EQ(m.stockpile[0].initial_t.value, 0.0f);
  EXPECT_FLOAT_EQ(m.stockpile[0].release_max_fraction.value, 0.1f);
  EXPECT_TRUE(m.stockpile[0].priority_first);
  EXPECT_FLOAT_EQ(m.price[0].initial.value, 260.0f);  // initial = ref
  EXPECT_FLOAT_EQ(m.price[0].china_initial.value, 260.0f);
  EXPECT_FLOAT_EQ(m.price[0].eta.value, 0.25f);
  EXPECT_FLOAT_EQ(m.regime.allow_allies[1][0].value, 0.0f);  // allies default to the importer's value
  EXPECT_EQ(c.output.bins, 200);
  EXPECT_EQ(c.output.path, "results/baseline.h5");
}

TEST(ConfigDefaults, SharesAreEqualWhenNoneGiven) {
  const RunConfig c = load_config(kMinimal, {"run.sectors=defense ev wind industrial"});
  for (int k = 0; k < 4; ++k) EXPECT_FLOAT_EQ(c.model.demand[0][0].sector_share[k], 0.25f);
  const RunConfig d =
      load_config(kMinimal, {"run.sectors=defense ev", "demand.importer.dy.share.defense=0.2", "demand.importer.dy.share.ev=0.8"});
  EXPECT_FLOAT_EQ(d.model.demand[0][0].sector_share[0], 0.2f);
  EXPECT_FLOAT_EQ(d.model.demand[0][0].sector_share[1], 0.8f);
}

TEST(ConfigDefaults, PriceDefaultsShareTheReferenceDraw) {
  const RunConfig c = load_config(kMinimal, {"price.dy.ref=lognormal(260, 0.2)"});
  EXPECT_EQ(c.model.price[0].ref.draw, 0);
  EXPECT_EQ(c.model.price[0].initial.draw, 0);
  EXPECT_EQ(c.model.price[0].china_initial.draw, 0);
  EXPECT_EQ(c.model.uncertain_count, 1);
}

TEST(Config, InitialRegimeDistribution) {
  const RunConfig c = load_config(kMinimal, {"run.initial_regime=open:0.25 closed:0.75"});
  EXPECT_FLOAT_EQ(c.model.regime.initial[0], 0.25f);
  EXPECT_FLOAT_EQ(c.model.regime.initial[1], 0.75f);
}

TEST(Config, OutputOptions) {
  const RunConfig c = load_config(kMinimal, {"output.quantiles=0.1, 0.5, 0.9", "output.thresholds.peak_price_ratio=2 5",
                                             "output.hist.shortage_frac=linear 0 1", "output.file=out/x.h5",
                                             "output.bins=50", "output.shortage_threshold=0.2"});
  EXPECT_EQ(c.output.quantiles, (std::vector<double>{0.1, 0.5, 0.9}));
  EXPECT_EQ(c.output.thresholds.at("peak_price_ratio"), (std::vector<float>{2.0f, 5.0f}));
  EXPECT_FALSE(c.output.hist.at("shortage_frac").log_scale);
  EXPECT_EQ(c.output.hist.at("shortage_frac").bins, 0);
  EXPECT_EQ(c.output.path, "out/x.h5");
  EXPECT_EQ(c.output.bins, 50);
  EXPECT_FLOAT_EQ(c.model.shortage_threshold, 0.2f);
}

TEST(Config, TextLoaderMatchesFileLoader) {
  std::ifstream in(kMinimal);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const RunConfig a = load_config(kMinimal);
  const RunConfig b = load_config_text(text, "inline.ini");
  EXPECT_EQ(0, std::memcmp(&a.model, &b.model, sizeof(Model)));
  EXPECT_EQ(b.config_file, "inline.ini");
}

}  // namespace
}  // namespace remc
