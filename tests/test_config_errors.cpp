// Bad config input: one test per case of tests/data/bad/CASES.txt (the same
// list the CLI tests use), each checking file, line, section and key in the
// message; then bad --set arguments, which have no file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <ostream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "config.h"
#include "errors.h"

namespace remc {
namespace {

const std::string kSource = REMC_SOURCE_DIR;
const std::string kBad = kSource + "/tests/data/bad/";
const std::string kMinimal = kSource + "/tests/data/config_minimal.ini";

struct BadCase {
  std::string file;
  std::string expected;
};

// Keeps ctest names readable (gtest_discover_tests appends the printed parameter).
void PrintTo(const BadCase& c, std::ostream* os) { *os << c.file; }

std::vector<BadCase> read_cases() {
  std::vector<BadCase> out;
  std::ifstream in(kBad + "CASES.txt");
  std::string line;
  while (std::getline(in, line)) {
    const auto sp = line.find(' ');
    if (line.empty() || sp == std::string::npos) continue;
    out.push_back({line.substr(0, sp), line.substr(sp + 1)});
  }
  return out;
}

// The message of the ConfigError that loading throws ("" if none).
std::string error_of(const std::string& path, const std::vector<std::string>& sets = {}) {
  try {
    load_config(path, sets);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

class BadConfig : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfig, MessageNamesFileLineSectionAndKey) {
  const BadCase& c = GetParam();
  const std::string path = kBad + c.file;
  const std::string msg = error_of(path);
  ASSERT_FALSE(msg.empty()) << c.file << " loaded without error";
  EXPECT_NE(msg.find(c.expected), std::string::npos) << "message: " << msg << "\nexpected: " << c.expected;
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "one line: " << msg;
}

std::string case_name(const ::testing::TestParamInfo<BadCase>& info) {
  std::string n = info.param.file.substr(0, info.param.file.find('.'));
  for (char& ch : n)
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Cases, BadConfig, ::testing::ValuesIn(read_cases()), case_name);

TEST(BadConfigList, CoversEveryFixture) {
  const std::vector<BadCase> cases = read_cases();
  EXPECT_GE(cases.size(), 25u);
  // cyclic_b.ini is only reached through cyclic_a.ini.
  for (const auto& e : std::filesystem::directory_iterator(kBad)) {
    const std::string name = e.path().filename().string();
    if (e.path().extension() != ".ini" || name == "cyclic_b.ini") continue;
    bool listed = false;
    for (const BadCase& c : cases) listed = listed || c.file == name;
    EXPECT_TRUE(listed) << name << " is not in CASES.txt";
  }
}

TEST(BadConfigExact, FullMessageFormat) {
  EXPECT_EQ(error_of(kBad + "paths_zero.ini"), kBad + "paths_zero.ini:3: [run] paths = 0: must be >= 1");
  EXPECT_EQ(error_of(kBad + "cyclic_a.ini"),
            kBad + "cyclic_b.ini:1: cyclic include of " + kBad + "cyclic_a.ini (" + kBad + "cyclic_a.ini -> " + kBad +
                "cyclic_b.ini -> " + kBad + "cyclic_a.ini)");
}

TEST(BadConfigExact, UnreadableTopFile) {
  EXPECT_EQ(error_of(kBad + "does_not_exist.ini"), kBad + "does_not_exist.ini: cannot read file");
  EXPECT_EQ(error_of(kBad), kBad + ": not a regular file");  // a directory
  EXPECT_EQ(error_of("/dev/zero"), "/dev/zero: not a regular file");  // reading it would never end
}

// Includes that would hang or exhaust memory, the stack or time are refused
// with the including line named: a device, a FIFO (opening one blocks until a
// writer comes), a file over 16 MiB, a chain of includes deeper than 64 files,
// and a file including the next one twice, level after level (2^n reads).
TEST(BadConfigExact, IncludesThatCannotEndAreRefused) {
  const test::ScratchDir dir("includes");
  const auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir.file(name)) << text;
    return dir.file(name);
  };
  EXPECT_EQ(error_of(write("device.ini", "include = /dev/zero\n")),
            "/dev/zero: not a regular file (included from " + dir.file("device.ini") + ":1)");
  ASSERT_EQ(::mkfifo(dir.file("fifo.ini").c_str(), 0600), 0);
  EXPECT_EQ(error_of(write("fifo_include.ini", "include = fifo.ini\n")),
            dir.file("fifo.ini") + ": not a regular file (included from " + dir.file("fifo_include.ini") + ":1)");
  write("huge.ini", "# " + std::string(std::size_t{16} << 20, 'x') + "\n");
  EXPECT_EQ(error_of(write("huge_include.ini", "include = huge.ini\n")),
            dir.file("huge.ini") + ": larger than any config (at most 16 MiB) (included from " +
                dir.file("huge_include.ini") + ":1)");

  for (int i = 0; i < 100; ++i)
    write("c" + std::to_string(i) + ".ini", "include = c" + std::to_string(i + 1) + ".ini\n");
  write("c100.ini", "include = " + kMinimal + "\n");
  const std::string deep = error_of(dir.file("c0.ini"));
  EXPECT_NE(deep.find("c63.ini:1: includes nested more than 64 files deep"), std::string::npos) << deep;
  // 64 files deep (c0 ... c62, then the minimal config) is fine.
  write("c62.ini", "include = " + kMinimal + "\n");
  EXPECT_EQ(error_of(dir.file("c0.ini")), "");

  // Twenty levels of double includes would read 2^20 files.
  for (int i = 0; i < 20; ++i)
    write("d" + std::to_string(i) + ".ini", "include = d" + std::to_string(i + 1) + ".ini\ninclude = d" +
                                                std::to_string(i + 1) + ".ini\n");
  write("d20.ini", "include = " + kMinimal + "\n");
  const std::string wide = error_of(dir.file("d0.ini"));
  EXPECT_NE(wide.find("more than 1024 files read for one config"), std::string::npos) << wide;
}

// Messages quote config text safely: a carriage return is written as \r, and
// a long value is cut after 120 characters with its full length.
TEST(BadSet, MessagesQuoteValuesSafely) {
  EXPECT_EQ(error_of(kMinimal, {"run.paths=5\r"}),
            "--set run.paths=5\\r: [run] paths = 5\\r: '5\\r' is not a number");
  const std::string msg = error_of(kMinimal, {"run.paths=" + std::string(1000, '7')});
  EXPECT_NE(msg.find("[run] paths = " + std::string(120, '7') + "... (1000 characters): "), std::string::npos) << msg;
  EXPECT_LT(msg.size(), 500u) << msg;
}

TEST(BadSet, Syntax) {
  EXPECT_EQ(error_of(kMinimal, {"run.paths"}), "--set run.paths: expected section.key=value");
  EXPECT_EQ(error_of(kMinimal, {"=5"}), "--set =5: expected section.key=value, the key is empty");
  EXPECT_NE(error_of(kMinimal, {"run=5"}).find("--set run=5: expected run.KEY=VALUE"), std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"paths=5"}).find("--set paths=5: unknown section 'paths'"), std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"project.x=5"}).find("--set project.x=5: expected project.NAME.KEY=VALUE"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"run..paths=5"}).find("--set run..paths=5: empty name"), std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"weather.rain=1"}).find("--set weather.rain=1: unknown section 'weather'"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"run.include=x.ini"}).find("include cannot be set"), std::string::npos);
}

TEST(BadSet, UnknownKeyOrValueNamesTheArgument) {
  EXPECT_EQ(error_of(kMinimal, {"run.pahts=5"}).rfind("--set run.pahts=5: [run] pahts = 5: unknown key", 0), 0u);
  EXPECT_EQ(error_of(kMinimal, {"run.paths=0"}), "--set run.paths=0: [run] paths = 0: must be >= 1");
  EXPECT_EQ(error_of(kMinimal, {"demand.importer.dy.base_tpy=-3"}),
            "--set demand.importer.dy.base_tpy=-3: [demand.importer.dy] base_tpy = -3: must be >= 0");
  EXPECT_EQ(error_of(kMinimal, {"price.nd.ref=60"}).rfind("--set price.nd.ref=60: [price.nd]: unknown material 'nd'", 0),
            0u);
  // A section created by --set that lacks a required key points at the argument.
  EXPECT_EQ(error_of(kMinimal, {"project.p.capacity_tpy.dy=5"}),
            "--set project.p.capacity_tpy.dy=5: [project.p] region: required key missing");
}

TEST(BadValues, MoreRangeAndLimitChecks) {
  auto err = [](const std::string& set) { return error_of(kMinimal, {set}); };
  EXPECT_NE(err("run.materials=a b c d e f g h i j k l m n o p q").find("at most kMaxMaterials = 16"), std::string::npos);
  EXPECT_NE(err("run.regimes=a b c d e f g h i").find("at most kMaxRegimes = 8"), std::string::npos);
  EXPECT_NE(err("run.sectors=a b c d e f g h i").find("at most kMaxSectors = 8"), std::string::npos);
  EXPECT_NE(err("run.materials=dy dy").find("'dy' is listed twice"), std::string::npos);
  EXPECT_NE(err("run.initial_regime=open:0.5 closed:0.4").find("must sum to 1"), std::string::npos);
  EXPECT_NE(err("run.initial_regime=war").find("unknown regime 'war'"), std::string::npos);
  EXPECT_NE(err("transitions.open=open:0.900000002 closed:0.1").find("must sum to 1 (within 1e-9)"), std::string::npos);
  EXPECT_EQ(err("transitions.open=open:0.9000000001 closed:0.1"), "");  // within 1e-9
  EXPECT_NE(err("transitions.open=open:1.5 closed:-0.5").find("must be in [0, 1]"), std::string::npos);
  EXPECT_NE(err("regime.open.allow_importer=-0.1").find("must be in [0, 1]"), std::string::npos);
  EXPECT_NE(err("project.p.region=china").find("[project.p] region = china: must be importer or allies"),
            std::string::npos);
  EXPECT_NE(err("stockpile.dy.release_to=some").find("must be priority or all"), std::string::npos);
  EXPECT_NE(err("stockpile.dy.initial_t=-1").find("[stockpile.dy] initial_t = -1: must be >= 0"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.price_elasticity=0.2").find("must be <= 0"), std::string::npos);
  EXPECT_NE(err("demand.allies.dy.share.all=1").find("only allowed for the importer"), std::string::npos);
  EXPECT_NE(err("price.dy.ref=0").find("[price.dy] ref = 0: must be > 0"), std::string::npos);
  EXPECT_NE(err("price.dy.min=300").find("[price.dy] ref = 260: must be within [min, max] = [300, 1000000]"),
            std::string::npos);
  EXPECT_NE(err("output.bins=0").find("[output] bins = 0: must be in [1, 100000]"), std::string::npos);
  EXPECT_NE(err("output.quantiles=0.5 0.1").find("strictly increasing"), std::string::npos);
  EXPECT_NE(err("output.hist.price=cubic 0 1").find("expected 'linear LO HI [BINS]'"), std::string::npos);
  EXPECT_NE(err("output.hist.regime.dy=linear 0 1").find("is not per material"), std::string::npos);
  EXPECT_NE(err("output.thresholds.price=1 2 3 4 5 6 7 8 9").find("at most kMaxThresholds = 8"), std::string::npos);
  EXPECT_NE(err("tension.dialogue=maybe").find("'maybe' is not a number"), std::string::npos);
  EXPECT_NE(err("project.p.enabled=perhaps").find("expected true or false"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.share.all=beta(2,2)").find("takes a plain number"), std::string::npos);
  EXPECT_EQ(err("regime.open.allow_importer=beta(2,2)"), "");  // allowances may be drawn per path
  EXPECT_NE(err("run.paths=9223372036854775807").find("is too large (at most 9e15)"), std::string::npos);
  EXPECT_NE(err("price.dy.ref=nan").find("'nan' is not a finite number"), std::string::npos);
  // The engine holds numbers in float: what float cannot hold is refused, and
  // checks that depend on float rounding are made with the file and line.
  // Beyond 30 events a month the Poisson draw (capped at 64 events) loses accuracy.
  EXPECT_NE(err("tension.suppression_rate_per_year=400").find("must be in [0, 360]"), std::string::npos);
  EXPECT_EQ(err("tension.suppression_rate_per_year=360"), "");
  EXPECT_NE(err("price.dy.eta=1e-50").find("[price.dy] eta = 1e-50: '1e-50' is too small for single precision"),
            std::string::npos);
  EXPECT_NE(err("price.dy.max=1e300").find("[price.dy] max = 1e300: '1e300' is too large for single precision"),
            std::string::npos);
  EXPECT_EQ(err("price.dy.eta=1.2e-38"), "");  // the smallest normal float
  EXPECT_NE(err("output.hist.price=linear 1 1.00000001").find("also in single precision"), std::string::npos);
  EXPECT_NE(err("output.hist.tension=linear -2e38 2e38").find("HI - LO must be a finite float"), std::string::npos);
  EXPECT_NE(err("output.hist.price=log 100 100.00002").find("too close in single precision for the bins to have a width"),
            std::string::npos);
  // Checked before the cast to int: 2^31 + 1 and 2^32 + 1 must not wrap into range.
  EXPECT_NE(err("run.months=2147483649").find("must be <= kMaxMonths = 1200"), std::string::npos);
  EXPECT_NE(err("run.months=4294967297").find("must be <= kMaxMonths = 1200"), std::string::npos);
  EXPECT_NE(err("run.start=9999-12").find("[run] start = 9999-12: the run's last month falls after 9999-12"),
            std::string::npos);
  EXPECT_EQ(err("run.start=9999-01"), "");  // the minimal config's 12 months end in 9999-12
  EXPECT_EQ(err("output.hist.tension=linear -1e38 1e38"), "");
  EXPECT_NE(err("output.thresholds.max_shortage_frac=0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9")
                .find("[output] thresholds.max_shortage_frac = 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9: 9 distinct "
                      "thresholds (with the 0.1 always kept)"),
            std::string::npos);
  EXPECT_EQ(err("output.thresholds.max_shortage_frac=0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8"), "");  // 0.1 already there
  EXPECT_NE(err("run.paths=5 # five").find("a value cannot contain '#'"), std::string::npos);
  EXPECT_NE(err("regime.open.allow_importer=normal(0.5, 0.2)").find("outside the allowed range (must be in [0, 1])"),
            std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=normal(0.1)").find("normal(mu, sd) takes 2 parameters, got 1"),
            std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=uniform(0.1, 0.1)").find("lo must be < hi"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=triangular(0, 0.3, 0.2)").find("mode must be in [lo, hi]"),
            std::string::npos);
  EXPECT_NE(err("tension.retaliation_prob=beta(0, 1)").find("a and b must be > 0"), std::string::npos);
  // Draws must be finite floats: these would give inf or NaN in the kernels.
  EXPECT_NE(err("material.dy.home_bias=beta(1.2e-38, 1.2e-38)").find("a and b must be >= 1e-6"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.base_tpy=lognormal(1e30, 5)").find("median * e^(7 sigma)"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=normal(0, 1e38)").find("mu +- 7 sd"), std::string::npos);
  EXPECT_EQ(err("demand.importer.dy.growth=normal(0, 1e38) truncate(-0.5, 1e38)"), "");  // redrawn if inf
  EXPECT_NE(err("demand.importer.dy.base_tpy=lognormal(100, 13)").find("sigma must be at most 88 / 7"),
            std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=uniform(-0.5, 1e39)").find("too large for single precision"),
            std::string::npos);
  EXPECT_NE(err("tension.dialogue=bernoulli(1.2)").find("p must be in [0, 1]"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.base_tpy=lognormal(-1, 0.2)").find("median must be > 0"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=normal(0, 1) truncate(1, 0)").find("needs lo < hi"), std::string::npos);
  EXPECT_NE(err("demand.importer.dy.growth=normal(0, 1) clamp(0, 1)").find("expected 'truncate(lo, hi)'"),
            std::string::npos);
}

// A drawn price must lie in its band, judged by the interval its draws can
// reach (7 sd for an untruncated lognormal), in float like the draws; a key
// left out is judged by the draw it takes over (china_ref takes ref's).
TEST(BadValues, DrawnPricesMustStayInTheirBands) {
  EXPECT_EQ(error_of(kMinimal, {"price.dy.min=0.1", "price.dy.ref=1", "price.dy.initial=uniform(0.1, 5)"}), "");
  EXPECT_EQ(error_of(kMinimal, {"price.dy.ref=lognormal(260, 0.3)"}), "");  // draws within 260 e^(+-2.1)
  EXPECT_NE(error_of(kMinimal, {"price.dy.max=1000", "price.dy.ref=lognormal(260, 0.3)"})
                .find("[price.dy] ref = lognormal(260, 0.3): the distribution can take values outside the band: "
                      "must be within [min, max] = [0.01, 1000]"),
            std::string::npos);
  EXPECT_NE(error_of(kMinimal, {"price.dy.china_max=100", "price.dy.ref=uniform(50, 500)"})
                .find("[price.dy] ref = uniform(50, 500): the distribution can take values outside the band "
                      "(china_ref takes its draw): must be within [china_min, china_max]"),
            std::string::npos);
  EXPECT_EQ(error_of(kMinimal, {"price.dy.china_max=100", "price.dy.china_ref=80", "price.dy.ref=uniform(50, 500)"}),
            "");
}

// A bernoulli draws exactly 0 or 1, so a key that must be > 0 refuses one
// that can draw 0 (a price of 0 on half the paths); one that only draws 1
// is a price of 1, within a band that holds 1.
TEST(BadValues, BernoulliDrawsAreCheckedAgainstOpenBounds) {
  EXPECT_NE(error_of(kMinimal, {"price.dy.ref=bernoulli(0.5)"})
                .find("[price.dy] ref = bernoulli(0.5): the distribution can take values outside the allowed range "
                      "(must be > 0)"),
            std::string::npos);
  EXPECT_EQ(error_of(kMinimal, {"price.dy.ref=bernoulli(1)"}), "");
  EXPECT_EQ(error_of(kMinimal, {"price.dy.min=0.7", "price.dy.max=5", "price.dy.ref=bernoulli(0.5) truncate(0.5, 2)"}),
            "");
  EXPECT_EQ(error_of(kMinimal, {"tension.dialogue=bernoulli(0.3)"}), "");  // [0, 1] holds both
}

// The threshold a metric always keeps counts towards the eight, and the
// message says so.
TEST(BadValues, AlwaysKeptThresholdIsNamedInTheLimitMessage) {
  EXPECT_NE(error_of(kMinimal, {"output.thresholds.months_at_price_cap=1 2 3 4 5 6 7 8"})
                .find("9 distinct thresholds (with the 0 always kept); at most kMaxThresholds = 8"),
            std::string::npos);
}

TEST(BadValues, TooManyUncertainAndProjects) {
  std::vector<std::string> sets;
  for (int i = 0; i <= kMaxProjects; ++i) sets.push_back("project.p" + std::to_string(100 + i) + ".region=importer");
  EXPECT_NE(error_of(kMinimal, sets).find("at most kMaxProjects = 64"), std::string::npos);
  sets.clear();
  for (int i = 0; i <= kMaxUncertain / 2; ++i) {
    const std::string p = "project.p" + std::to_string(100 + i);
    sets.push_back(p + ".region=importer");
    sets.push_back(p + ".fail_prob=beta(1, 1)");
    sets.push_back(p + ".ramp_months=uniform(0, 1)");
  }
  EXPECT_NE(error_of(kMinimal, sets).find("at most kMaxUncertain = 64"), std::string::npos);
}

}  // namespace
}  // namespace remc
