// HDF5 result files: a round trip of every documented path (shapes, values,
// units and descriptions), atomic writing, errors that name the path, the
// reader's format checks, `remc info`, and xarray (h5netcdf) reading the file
// with labelled dimensions.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "cli_util.h"
#include "errors.h"
#include "h5_file.h"
#include "info.h"
#include "metrics.h"
#include "result_reader.h"
#include "result_writer.h"
#include "synthetic_run.h"
#include "config_values.h"
#include "text_table.h"

namespace remc {
namespace {

namespace fs = std::filesystem;
using S = MetricScope;

constexpr std::uint64_t kPaths = 5000;

// A fresh folder per test, removed afterwards.
struct TempFolder {
  fs::path path;
  TempFolder() {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path = fs::temp_directory_path() / ("remc-test-" + std::to_string(::getpid()) + "-" + test->name());
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempFolder() { fs::remove_all(path); }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path)) names.push_back(e.path().filename().string());
    return names;
  }
};

struct SyntheticResult {
  RunConfig config = test::small_config();
  AggregationPlan plan = make_plan(config);
  AggregateResults results;
  Provenance provenance;

  SyntheticResult() {
    config.output.quantiles = {0.5, 0.999};
    Aggregator agg(plan, quantile_levels(config.output));
    const test::PathValues values = test::synthetic_values(plan, kPaths);
    results = agg.finish(test::reduce_in_blocks(plan, values, kPaths, 2 * kChunkPaths, agg));
    provenance.backend = "cpu";
    provenance.device = "CPU (test)";
    provenance.threads = 2;
    provenance.wall_seconds = 1.25;
    provenance.created_utc = "2025-06-01T12:00:00Z";
  }
};

const std::vector<std::string> kStatistics = {"count", "mean", "std", "stderr", "min", "max"};

std::string group_of(const MetricInfo& m) {
  if (m.scope == S::kRegimeMonths) return "/regime/" + std::string(m.name);
  const bool monthly = m.scope == S::kMonthlyMaterial || m.scope == S::kMonthlyGlobal;
  return (monthly ? "/series/" : "/summary/") + std::string(m.name);
}

bool is_regime(const MetricInfo& m) { return m.scope == S::kMonthlyGlobal && m.index == kRegime; }

// Every dataset path the writer should produce for this plan.
std::set<std::string> expected_paths(const AggregationPlan& plan) {
  std::set<std::string> paths = {"/time",       "/material",          "/regime/regime",
                                 "/regime/regime_from", "/regime/regime_to", "/regime/time",
                                 "/quantile",   "/tail",              "/regime/occupancy",
                                 "/regime/transitions"};
  for (const MetricInfo& m : metric_catalogue()) {
    if (is_regime(m)) continue;
    std::vector<std::string> names = kStatistics;
    for (const char* n : {"bin", "edge", "quantiles", "resolution", "hist", "bin_edges", "bins", "log_scale",
                          "expected_shortfall", "quantile", "tail"})
      names.push_back(n);
    // The group's copies of the shared coordinates it uses.
    if (m.scope == S::kMonthlyMaterial || m.scope == S::kSummaryMaterial) names.push_back("material");
    if (m.scope == S::kMonthlyMaterial || m.scope == S::kMonthlyGlobal) names.push_back("time");
    if (m.scope == S::kRegimeMonths) names.push_back("regime");
    if (plan.specs[spec_of(plan, m, 0)].threshold_count > 0)
      for (const char* n : {"threshold", "exceedance", "exceedance_stderr"}) names.push_back(n);
    for (const std::string& n : names) paths.insert(group_of(m) + "/" + n);
  }
  return paths;
}

// The outer shape of a metric's datasets: (material, time), (time), ...
std::vector<hsize_t> outer_shape(const OutputLayout& layout, const MetricInfo& m) {
  std::vector<hsize_t> shape;
  if (m.scope == S::kMonthlyMaterial || m.scope == S::kSummaryMaterial) shape.push_back(layout.materials);
  if (m.scope == S::kMonthlyMaterial || m.scope == S::kMonthlyGlobal) shape.push_back(layout.months);
  if (m.scope == S::kRegimeMonths) shape.push_back(layout.regimes);
  return shape;
}

std::vector<int> cells_of(const OutputLayout& layout, const MetricInfo& m) {
  std::vector<int> cells;
  for (int k = 0; k < material_extent(layout, m); ++k)
    for (int i = 0; i < inner_extent(layout, m); ++i) cells.push_back(cell_of(layout, m, k, i));
  return cells;
}

std::vector<hsize_t> plus(std::vector<hsize_t> shape, hsize_t last) {
  shape.push_back(last);
  return shape;
}

// NaN-aware exact comparison.
void expect_same(const std::vector<double>& got, const std::vector<double>& want, const std::string& where) {
  ASSERT_EQ(got.size(), want.size()) << where;
  for (std::size_t i = 0; i < got.size(); ++i)
    if (!(std::isnan(got[i]) && std::isnan(want[i]))) ASSERT_EQ(got[i], want[i]) << where << "[" << i << "]";
}

TEST(ResultFile, RoundTripOfEveryPath) {
  const TempFolder folder;
  const SyntheticResult s;
  const std::string path = (folder.path / "result.h5").string();
  write_result(path, s.config, s.results, s.provenance);
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"result.h5"});  // no temporary file left

  const ResultReader reader(path);
  const AggregateResults& r = s.results;
  const OutputLayout& layout = r.plan.layout;

  // Exactly the expected datasets, each with units and a description.
  const std::vector<std::string> listed = reader.file().dataset_paths();
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected_paths(s.plan));
  for (const std::string& p : listed) {
    const h5::Dataset d = reader.dataset(p);
    EXPECT_TRUE(d.has_attribute("units")) << p;
    EXPECT_TRUE(d.has_attribute("description")) << p;
    // A group's copy of a shared coordinate holds the root's values.
    const std::string name = p.substr(p.rfind('/') + 1);
    if (p == "/" + name || p == "/regime/" + name) continue;
    if (name == "time" || name == "material") EXPECT_EQ(reader.strings(p), reader.strings("/" + name)) << p;
    if (name == "regime") EXPECT_EQ(reader.strings(p), reader.strings("/regime/regime")) << p;
    if (name == "quantile" || name == "tail") EXPECT_EQ(reader.doubles(p), reader.doubles("/" + name)) << p;
  }
  EXPECT_EQ(reader.strings("/regime/time"), reader.strings("/time"));

  // Root attributes.
  const ResultProvenance p = reader.provenance();
  EXPECT_EQ(p.config, s.config.resolved_text);
  EXPECT_EQ(p.config_file, "configs/synthetic.ini");
  EXPECT_EQ(p.seed, 7);
  EXPECT_EQ(p.paths, static_cast<std::int64_t>(kPaths));
  EXPECT_EQ(p.months, 3);
  EXPECT_EQ(p.start, "2025-11");
  EXPECT_EQ(p.backend, "cpu");
  EXPECT_EQ(p.device, "CPU (test)");
  EXPECT_EQ(p.threads, 2);
  EXPECT_EQ(p.created_utc, "2025-06-01T12:00:00Z");
  EXPECT_EQ(p.wall_seconds, 1.25);
  EXPECT_FALSE(p.rng.empty());
  EXPECT_FALSE(p.remc_version.empty());
  EXPECT_EQ(reader.file().string_attribute("filetype"), "remc-result");

  // Coordinates.
  EXPECT_EQ(reader.strings("/time"), (std::vector<std::string>{"2025-11", "2025-12", "2026-01"}));
  EXPECT_EQ(reader.strings("/material"), s.config.material_names);
  EXPECT_EQ(reader.strings("/regime/regime"), s.config.regime_names);
  EXPECT_EQ(reader.doubles("/quantile"), r.quantile_levels);
  EXPECT_EQ(reader.doubles("/tail"), r.tail_levels);

  // Every metric's datasets: shapes and values.
  const std::size_t nq = r.quantile_levels.size(), ntail = r.tail_levels.size();
  for (const MetricInfo& m : metric_catalogue()) {
    if (is_regime(m)) continue;
    const std::string g = group_of(m);
    const std::vector<hsize_t> outer = outer_shape(layout, m);
    const std::vector<int> cells = cells_of(layout, m);
    const HistSpec& spec = r.plan.specs[spec_of(r.plan, m, 0)];
    const auto per_cell = [&](const std::vector<double>& v, std::size_t stride, std::size_t width) {
      std::vector<double> out;
      for (int c : cells)
        for (std::size_t j = 0; j < width; ++j) out.push_back(v[c * stride + j]);
      return out;
    };
    for (const std::string& name : kStatistics) EXPECT_EQ(reader.dataset(g + "/" + name).shape(), outer) << g << name;
    std::vector<std::uint64_t> counts;
    for (int c : cells) counts.push_back(r.count[c]);
    EXPECT_EQ(reader.counts(g + "/count"), counts) << g;
    expect_same(reader.doubles(g + "/mean"), per_cell(r.mean, 1, 1), g + "/mean");
    expect_same(reader.doubles(g + "/std"), per_cell(r.std_dev, 1, 1), g + "/std");
    expect_same(reader.doubles(g + "/stderr"), per_cell(r.std_error, 1, 1), g + "/stderr");
    expect_same(reader.doubles(g + "/min"), per_cell(r.min, 1, 1), g + "/min");
    expect_same(reader.doubles(g + "/max"), per_cell(r.max, 1, 1), g + "/max");
    EXPECT_EQ(reader.dataset(g + "/quantiles").shape(), plus(outer, nq));
    expect_same(reader.doubles(g + "/quantiles"), per_cell(r.quantile, nq, nq), g + "/quantiles");
    expect_same(reader.doubles(g + "/resolution"), per_cell(r.resolution, nq, nq), g + "/resolution");
    EXPECT_EQ(reader.dataset(g + "/expected_shortfall").shape(), plus(outer, ntail));
    expect_same(reader.doubles(g + "/expected_shortfall"), per_cell(r.expected_shortfall, ntail, ntail), g + "/es");
    // Same bins for every material here, so no padding.
    const auto width = static_cast<std::size_t>(spec.bins + 2);
    EXPECT_EQ(reader.dataset(g + "/hist").shape(), plus(outer, width));
    std::vector<std::uint64_t> hist;
    for (int c : cells) hist.insert(hist.end(), r.hist.begin() + r.plan.hist_offset[c], r.hist.begin() + r.plan.hist_offset[c] + width);
    EXPECT_EQ(reader.counts(g + "/hist"), hist) << g;
    const std::vector<double> edges = reader.doubles(g + "/bin_edges");
    const auto extent = static_cast<std::size_t>(material_extent(layout, m));
    EXPECT_EQ(edges.size(), extent * (spec.bins + 1));
    EXPECT_FLOAT_EQ(static_cast<float>(edges.front()), spec.lo) << g;
    for (std::size_t k = 0; k < extent; ++k)
      for (int e = 0; e <= spec.bins; ++e)
        ASSERT_EQ(edges[k * (spec.bins + 1) + e], bin_edge(spec, e)) << g << " edge " << e;
    EXPECT_EQ(reader.dataset(g + "/bins").read_int64(), std::vector<std::int64_t>(extent, spec.bins)) << g;
    EXPECT_EQ(reader.dataset(g + "/log_scale").read_int64(), std::vector<std::int64_t>(extent, spec.log_scale ? 1 : 0))
        << g;
    std::vector<std::int64_t> bin_index(width), edge_index(width - 1);
    for (std::size_t i = 0; i < width; ++i) bin_index[i] = static_cast<std::int64_t>(i);
    for (std::size_t i = 0; i + 1 < width; ++i) edge_index[i] = static_cast<std::int64_t>(i);
    EXPECT_EQ(reader.dataset(g + "/bin").read_int64(), bin_index) << g;
    EXPECT_EQ(reader.dataset(g + "/edge").read_int64(), edge_index) << g;
    if (spec.threshold_count > 0) {
      const auto nt = static_cast<std::size_t>(spec.threshold_count);
      // Written as the shortest decimal of the float compared against.
      const std::vector<double> written = reader.doubles(g + "/threshold");
      ASSERT_EQ(written.size(), nt) << g;
      for (std::size_t i = 0; i < nt; ++i) {
        EXPECT_EQ(static_cast<float>(written[i]), spec.thresholds[i]) << g;
        EXPECT_EQ(written[i], std::stod(format_float(spec.thresholds[i]))) << g;
      }
      EXPECT_EQ(reader.dataset(g + "/exceedance").shape(), plus(outer, nt));
      expect_same(reader.doubles(g + "/exceedance"), per_cell(r.exceedance, kMaxThresholds, nt), g + "/exceedance");
      expect_same(reader.doubles(g + "/exceedance_stderr"), per_cell(r.exceedance_stderr, kMaxThresholds, nt),
                  g + "/exceedance_stderr");
    }
  }
  EXPECT_EQ(reader.dataset("/regime/occupancy").shape(), (std::vector<hsize_t>{3, 3}));
  expect_same(reader.doubles("/regime/occupancy"), r.occupancy, "occupancy");
  EXPECT_EQ(reader.strings("/regime/regime_from"), s.config.regime_names);
  EXPECT_EQ(reader.strings("/regime/regime_to"), s.config.regime_names);
  EXPECT_EQ(reader.dataset("/regime/transitions").shape(), (std::vector<hsize_t>{3, 3, 3}));
  EXPECT_EQ(reader.counts("/regime/transitions"), r.transitions);
}

TEST(ResultFile, EveryPathIsDocumented) {
  const TempFolder folder;
  const SyntheticResult s;
  const std::string path = (folder.path / "result.h5").string();
  write_result(path, s.config, s.results, s.provenance);
  std::ifstream doc(std::string(REMC_SOURCE_DIR) + "/docs/hdf5-schema.md");
  ASSERT_TRUE(doc) << "docs/hdf5-schema.md missing";
  const std::string text((std::istreambuf_iterator<char>(doc)), std::istreambuf_iterator<char>());
  const ResultReader reader(path);
  std::set<std::string> patterns;  // the file's dataset paths as the doc writes them
  for (std::string p : reader.file().dataset_paths()) {
    patterns.insert(p);
    // /series/price/mean is documented as /series/NAME/mean; the datasets of
    // /regime/months_in_regime are those of any /summary/NAME group.
    const std::string in_regime = "/regime/months_in_regime/";
    if (p.rfind(in_regime, 0) == 0) {
      EXPECT_NE(text.find("`" + in_regime + "`"), std::string::npos);
      p = "/summary/months_in_regime/" + p.substr(in_regime.size());
    }
    for (const char* top : {"/series/", "/summary/"})
      if (p.rfind(top, 0) == 0) p = top + std::string("NAME") + p.substr(p.find('/', std::string(top).size()));
    EXPECT_NE(text.find("`" + p + "`"), std::string::npos) << p << " is not in docs/hdf5-schema.md";
    patterns.insert(p);
  }
  // And the other way: every result-file dataset the doc names exists. Groups
  // (`/series/NAME/`, `/regime`) and the other file kinds' sections
  // (`/targets`, `/state`: their own tests) are left out, and so is the
  // `/series/regime` the doc says does not exist.
  const std::set<std::string> groups = {"/regime", "/summary", "/series/regime"};
  for (std::size_t at = text.find("`/"); at != std::string::npos; at = text.find("`/", at + 1)) {
    const std::size_t end = text.find('`', at + 1);
    const std::string named = text.substr(at + 1, end - at - 1);
    if (named.find(' ') != std::string::npos || named.back() == '/' || groups.count(named)) continue;
    if (named.rfind("/targets", 0) == 0 || named.rfind("/state", 0) == 0) continue;
    EXPECT_TRUE(patterns.count(named)) << named << " is in docs/hdf5-schema.md but in no result file";
  }
  // Each metric's row of the metrics table gives its units, worst tail and
  // description exactly as the file's group attributes do.
  for (const MetricInfo& m : metric_catalogue()) {
    const std::string tail = std::string(m.name) == "regime" ? "-" : m.worst_is_low ? "low" : "high";
    const std::string row_end = std::string(" | ") + m.units + " | " + tail + " | " + m.description + " |\n";
    const std::size_t row = text.find(std::string("\n| `") + m.name + "` | ");
    ASSERT_NE(row, std::string::npos) << m.name << " has no row in the metrics table";
    const std::size_t end = text.find('\n', row + 1);
    EXPECT_NE(text.substr(row, end + 1 - row).find(row_end), std::string::npos)
        << m.name << ": the table row does not end with '" << row_end << "'";
  }
}

TEST(ResultFile, UnwritablePathThrowsAndLeavesNothing) {
  const TempFolder folder;
  const SyntheticResult s;
  const std::string missing = (folder.path / "no-such-folder" / "result.h5").string();
  try {
    write_result(missing, s.config, s.results, s.provenance);
    FAIL() << "no exception";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(missing), std::string::npos) << e.what();
  }
  // The target is an existing folder: everything is written, the rename fails,
  // and the temporary file is removed.
  fs::create_directory(folder.path / "taken");
  const std::string taken = (folder.path / "taken").string();
  try {
    write_result(taken, s.config, s.results, s.provenance);
    FAIL() << "no exception";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(taken), std::string::npos) << e.what();
  }
  EXPECT_EQ(folder.entries(), std::vector<std::string>{"taken"});
  EXPECT_TRUE(fs::is_empty(folder.path / "taken"));
}

TEST(ResultFile, ReaderChecksFiletypeFirst) {
  const TempFolder folder;
  const std::string bare = (folder.path / "bare.h5").string();
  {
    h5::File f = h5::File::create(bare);
    f.set_attribute("filetype", "something-else");
    f.close();
  }
  EXPECT_THROW(ResultReader{bare}, RuntimeError);
  const std::string text = (folder.path / "text.h5").string();
  std::ofstream(text) << "not hdf5\n";
  try {
    ResultReader reader(text);
    FAIL() << "no exception";
  } catch (const RuntimeError& e) {
    EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
  }
  const SyntheticResult s;
  const std::string old = (folder.path / "old.h5").string();
  write_result(old, s.config, s.results, s.provenance);
  {
    // Rewrite the version: the reader must refuse it.
    h5::silence_errors();
    const hid_t f = H5Fopen(old.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    ASSERT_GE(f, 0);
    const std::int64_t version = 99;
    const hid_t a = H5Aopen(f, "format_version", H5P_DEFAULT);
    H5Awrite(a, H5T_NATIVE_INT64, &version);
    H5Aclose(a);
    H5Fclose(f);
  }
  EXPECT_THROW(ResultReader{old}, RuntimeError);
}

// A value with no standard error (one path) says so instead of "± 0".
TEST(ResultFile, InfoShowsAMissingErrorAsNotAvailable) {
  EXPECT_EQ(with_error(68.53, std::nan(""), 1.0, ""), "68.53 ± n/a");
  EXPECT_EQ(with_error(68.53, 0.0, 1.0, ""), "68.53 ± 0");
  EXPECT_EQ(with_error(68.53, 0.25, 1.0, ""), "68.53 ± 0.25");
  // Large numbers share one power of ten.
  EXPECT_EQ(with_error(12488558592.0, 4672041423.0, 1.0, " USD"), "(1.25 ± 0.47)e+10 USD");
  EXPECT_EQ(with_error(3.5e7, 2.1e5, 1.0, ""), "(3.500 ± 0.021)e+07");
}

// A probability of 0 or 1 has a binomial standard error of 0; info gives the
// exact one-sided 95 % bound 1 - 0.05^(1/n) instead, rounded outwards to two
// significant digits (n = 20000: 0.01498 %; n = 3000: 0.09981 %; n = 1: 95 %).
TEST(ResultFile, InfoBoundsProbabilitiesOfZeroAndOne) {
  bool bounded = false;
  EXPECT_EQ(probability_with_error(0.0733, 0.0018, 20000, &bounded), "7.33 % ± 0.18 %");
  EXPECT_FALSE(bounded);
  EXPECT_EQ(probability_with_error(0.0, 0.0, 20000, &bounded), "0 % (< 0.015 %)");
  EXPECT_TRUE(bounded);
  EXPECT_EQ(probability_with_error(1.0, 0.0, 20000, &bounded), "100 % (> 99.985 %)");
  EXPECT_EQ(probability_with_error(0.0, 0.0, 3000, &bounded), "0 % (< 0.10 %)");  // not 0.100
  EXPECT_EQ(probability_with_error(1.0, 0.0, 3000, &bounded), "100 % (> 99.90 %)");
  EXPECT_EQ(probability_with_error(1.0, 0.0, 1, &bounded), "100 % (> 5 %)");
}

TEST(ResultFile, InfoPrintsTheHeadlineTable) {
  const TempFolder folder;
  const SyntheticResult s;
  const std::string path = (folder.path / "result.h5").string();
  write_result(path, s.config, s.results, s.provenance);
  std::ostringstream out;
  EXPECT_EQ(info_command(path, out), 0);
  const std::string text = out.str();
  for (const char* expected : {"nd", "dy", "P(shortage > 10 % in any month)", "±", "cumulative shortage",
                               "months restricted", "seed:", "7", "configs/synthetic.ini", "CPU (test)",
                               "2025-06-01T12:00:00Z", "1.2 s"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " missing from:\n" << text;
  // The P(> 10 %) column is the max_shortage_frac exceedance at 0.1, in percent.
  const HistSpec& spec = s.plan.specs[spec_of(s.plan, *find_metric("max_shortage_frac"), 0)];
  const int j = static_cast<int>(std::find(spec.thresholds, spec.thresholds + spec.threshold_count, 0.1f) - spec.thresholds);
  const double p = s.results.exceedance[s.plan.layout.summary_material(kMaxShortageFrac, 0) * kMaxThresholds + j];
  const double error = 100.0 * std::sqrt(p * (1 - p) / kPaths);
  const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(error))), 0, 6);
  char percent[64];
  std::snprintf(percent, sizeof percent, "%.*f %% ± %.*f %%", decimals, 100.0 * p, decimals, error);
  EXPECT_NE(text.find(percent), std::string::npos) << percent << " missing from:\n" << text;
}

TEST(ResultFile, XarrayReadsLabelledDimensions) {
  const TempFolder folder;
  const SyntheticResult s;
  const std::string path = (folder.path / "result.h5").string();
  write_result(path, s.config, s.results, s.provenance);
  const std::string command = test::python_interpreter() + " " + std::string(REMC_SOURCE_DIR) + "/tests/test_xarray.py " + path +
                              " nd,dy 2025-11 3 > " + (folder.path / "xarray.log").string() + " 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream log(folder.path / "xarray.log");
  const std::string output((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << command << "\n" << output;
}

}  // namespace
}  // namespace remc
