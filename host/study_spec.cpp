// Reading and validating a study file (docs/studies.md).
#include "study_spec.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "aggregation_plan.h"
#include "config.h"
#include "config_reader.h"
#include "config_schema.h"
#include "config_values.h"
#include "errors.h"
#include "sensitivity.h"

namespace remc {

const char* method_name(StudyMethod method) {
  switch (method) {
    case StudyMethod::kGrid: return "grid";
    case StudyMethod::kOat: return "oat";
    case StudyMethod::kMorris: return "morris";
    case StudyMethod::kSobol: return "sobol";
  }
  return "?";
}

double StudyFactor::value_at(double u) const {
  if (has_dist) {
    // The ends of an unbounded distribution are infinite: a design point at
    // u = 0 or 1 (possible for Sobol samples) takes a far quantile instead.
    const double x = inverse_cdf(dist, u);
    return std::isfinite(x) ? x : inverse_cdf(dist, std::min(std::max(u, 1e-12), 1.0 - 1e-12));
  }
  if (u >= 1.0) return high;  // exactly: rounding must not step outside the range a config key allows
  const double v = log_scale ? std::exp(std::log(low) + u * (std::log(high) - std::log(low))) : low + u * (high - low);
  return std::min(std::max(v, low), high);
}

std::string StudyFactor::distribution() const {
  if (has_dist) return dist_text;
  return std::string(log_scale ? "loguniform(" : "uniform(") + format_number(low) + ", " + format_number(high) + ")";
}

namespace {

const std::string kStudy = "study";
const std::string kFactorPrefix = "study.factor.";
const std::string kScenarioPrefix = "study.scenario.";

// Errors in the study's own sections, located like config errors.
class StudyReader {
 public:
  StudyReader(const IniTree& tree, const std::string& file) : tree_(tree), file_(file) {}

  const IniEntry* find(const std::string& section, const std::string& key) const {
    return find_entry(tree_, section, key);
  }

  [[noreturn]] void fail(const std::string& section, const std::string& key, const std::string& why) const {
    fail_at_key(tree_, file_, section, key, why);
  }

  [[noreturn]] void fail_section(const std::string& section, const std::string& why) const {
    fail_at_section(tree_, file_, section, why);
  }

  bool has(const std::string& section, const std::string& key) const { return find(section, key) != nullptr; }

  std::string text(const std::string& section, const std::string& key) const {
    const IniEntry* e = find(section, key);
    if (!e) fail(section, key, "missing");
    return e->value;
  }

  double number(const std::string& section, const std::string& key) const {
    try {
      return parse_number(text(section, key));
    } catch (const ValueError& err) {
      fail(section, key, err.what());
    }
  }

  long long integer(const std::string& section, const std::string& key, long long lo, long long hi,
                    long long fallback) const {
    if (!has(section, key)) return fallback;
    long long v = 0;
    try {
      v = parse_integer(text(section, key));
    } catch (const ValueError& err) {
      fail(section, key, err.what());
    }
    if (v < lo || v > hi) fail(section, key, "must be an integer in [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    return v;
  }

  std::vector<double> numbers(const std::string& section, const std::string& key) const {
    try {
      return parse_number_list(text(section, key));
    } catch (const ValueError& err) {
      fail(section, key, err.what());
    }
  }

  void only_keys(const std::string& section, const std::set<std::string>& allowed, const std::string& hint) const {
    const auto s = tree_.sections.find(section);
    if (s == tree_.sections.end()) return;
    for (const auto& [key, entry] : s->second.keys)
      if (!allowed.count(key)) fail(section, key, "unknown key (" + hint + ")");
  }

 private:
  const IniTree& tree_;
  const std::string& file_;
};

// The base config's text of a "section.key", or "" when it is not set there.
std::string base_text(const IniTree& tree, const std::string& dotted) {
  const SetTarget t = split_set_argument(dotted + "=0");
  const IniEntry* e = find_entry(tree, t.section, t.key);
  return e ? e->value : "";
}

// The whole-model checks `remc run` makes after loading (aggregation_plan.h:
// values float can carry, usable histogram ranges), so a design point is
// valid exactly when a run of its config would be. Errors come without the
// file name: the caller says which file, section and point.
void check_as_run(const RunConfig& config) {
  RunConfig unnamed = config;
  unnamed.config_file.clear();
  make_plan(unnamed);
}

RunConfig build_with(const StudySpec& spec, const std::vector<std::string>& sets) {
  RunConfig config = load_config_tree(spec.base_tree, spec.file, sets);
  check_as_run(config);
  return config;
}

std::string set_arg(const StudyFactor& f, double value) { return f.key + "=" + format_number(value); }

// Builds the base config with the factor at `value`, so a key the config
// does not know, or a value it rejects, fails before anything runs.
void check_factor_value(const StudySpec& spec, const StudyReader& r, const std::string& section,
                        const std::string& key_of_value, const StudyFactor& f, double value) {
  try {
    build_with(spec, {set_arg(f, value)});
  } catch (const ConfigError& err) {
    r.fail(section, key_of_value, "with " + set_arg(f, value) + " the base config is invalid: " + err.what());
  }
}

StudyFactor read_factor(const StudySpec& spec, const StudyReader& r, const std::string& section) {
  StudyFactor f;
  f.name = section.substr(kFactorPrefix.size());
  r.only_keys(section, {"key", "levels", "low", "high", "distribution", "base"},
              "a factor has key, levels (grid), low and high (oat, morris, sobol), distribution, base");
  f.key = r.text(section, "key");
  if (f.key.rfind("run.", 0) == 0 || f.key.rfind("output.", 0) == 0)
    r.fail(section, "key", "a factor varies the model; [run] and [output] keys are the study's own settings");
  try {
    split_set_argument(f.key + "=0");
  } catch (const ConfigError&) {
    r.fail(section, "key", "expected section.key of the base config, as for --set");
  }
  const std::string base = base_text(spec.base_tree, f.key);
  if (r.has(section, "base")) {
    f.base = r.number(section, "base");
    f.has_base = true;
  } else if (!base.empty() && !looks_like_distribution(base)) {
    try {
      f.base = parse_number(base);
      f.has_base = true;
    } catch (const ValueError&) {
      r.fail(section, "key", "the base config's value '" + base + "' is not a number");
    }
  }

  const auto not_for = [&](const std::string& key, const std::string& methods) {
    if (r.has(section, key)) r.fail(section, key, std::string("only for method = ") + methods + " (this study is " + method_name(spec.method) + ")");
  };
  if (spec.method == StudyMethod::kGrid) {
    for (const char* key : {"low", "high", "distribution"}) not_for(key, "oat, morris or sobol");
    not_for("base", "oat");
    f.levels = r.numbers(section, "levels");
    if (f.levels.empty()) r.fail(section, "levels", "empty: give one or more values");
    for (std::size_t i = 0; i < f.levels.size(); ++i)
      for (std::size_t j = 0; j < i; ++j)
        if (f.levels[i] == f.levels[j])
          r.fail(section, "levels", format_number(f.levels[i]) + " is listed twice (design points must differ)");
    for (double v : f.levels) check_factor_value(spec, r, section, "levels", f, v);
    return f;
  }
  not_for("levels", "grid");
  if (spec.method == StudyMethod::kOat) not_for("distribution", "morris or sobol");
  else not_for("base", "oat");
  const std::string dist = r.has(section, "distribution") ? r.text(section, "distribution") : "uniform";
  if (looks_like_distribution(dist)) {
    // A config distribution: the factor's values are its quantiles.
    if (r.has(section, "low") || r.has(section, "high"))
      r.fail(section, r.has(section, "low") ? "low" : "high", "give either low and high or a distribution, not both");
    try {
      f.dist = parse_distribution(dist);
    } catch (const ValueError& err) {
      r.fail(section, "distribution", err.what());
    }
    f.has_dist = true;
    f.dist_text = dist;
    f.low = inverse_cdf(f.dist, 0.0);  // the support: infinite for an unbounded distribution
    f.high = inverse_cdf(f.dist, 1.0);
    if (spec.method == StudyMethod::kMorris && !(std::isfinite(f.low) && std::isfinite(f.high)))
      r.fail(section, "distribution", "Morris levels include the ends of the range: give a bounded distribution "
                                      "(add truncate(lo, hi))");
    // Values the config must accept: the range's ends, or far quantiles of an unbounded one.
    check_factor_value(spec, r, section, "distribution", f, f.value_at(0.0));
    check_factor_value(spec, r, section, "distribution", f, f.value_at(1.0));
    return f;
  }
  if (dist != "uniform" && dist != "loguniform")
    r.fail(section, "distribution", "expected uniform or loguniform (between low and high), or a distribution such as "
                                    "normal(mu, sd) truncate(lo, hi)");
  f.low = r.number(section, "low");
  f.high = r.number(section, "high");
  if (!(f.low < f.high)) r.fail(section, "high", "empty range: high must be above low (" + format_number(f.low) + ")");
  if (dist == "loguniform") {
    if (!(f.low > 0.0)) r.fail(section, "low", "loguniform needs low > 0");
    f.log_scale = true;
  }
  // The config's own checks first: an unknown key is reported as such.
  check_factor_value(spec, r, section, "low", f, f.low);
  check_factor_value(spec, r, section, "high", f, f.high);
  // Sobol samples anywhere between the ends, Morris at its inner levels: a
  // key that takes only some values there (a 0/1 switch, a whole number)
  // fails at the middle, or at Morris's first inner level (none when levels = 2).
  if (spec.method == StudyMethod::kSobol) check_factor_value(spec, r, section, "key", f, f.value_at(0.5));
  if (spec.method == StudyMethod::kMorris && spec.levels > 2)
    check_factor_value(spec, r, section, "key", f, f.value_at(1.0 / (spec.levels - 1)));
  if (spec.method == StudyMethod::kOat) {
    if (!f.has_base)
      r.fail(section, "base", "the base config does not set " + f.key +
                                  (base.empty() ? "" : " to a number (it is a distribution)") +
                                  ": give the factor's base value");
    if (r.has(section, "base")) check_factor_value(spec, r, section, "base", f, f.base);
  }
  return f;
}

}  // namespace

namespace {

// The study text without its include lines (its base config comes separately).
std::string without_includes(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line)) {
    const auto first = line.find_first_not_of(" \t");
    const bool include = first != std::string::npos && line.compare(first, 7, "include") == 0 &&
                         line.find('=', first) != std::string::npos &&
                         line.substr(first + 7, line.find('=', first) - first - 7).find_first_not_of(" \t") ==
                             std::string::npos;
    out += (include ? std::string() : line) + "\n";  // keep the line count: messages cite lines
  }
  return out;
}

StudySpec load_study_tree(const IniTree& tree, const std::string& path, const std::string& study_text);

}  // namespace

StudySpec load_study(const std::string& path) {
  const IniTree tree = read_ini_tree(path);  // first: it names the file in its errors
  return load_study_tree(tree, path, read_config_text(path));
}

StudySpec load_study_texts(const std::string& name, const std::string& study_text, const std::string& base_text) {
  IniTree tree = read_ini_text(base_text, name + " (base config)");
  const IniTree own = read_ini_text(without_includes(study_text), name);
  for (const auto& [section_name, section] : own.sections) {
    IniSection& target = tree.sections[section_name];
    if (target.keys.empty()) {
      target.file = section.file;
      target.line = section.line;
    }
    for (const auto& [key, entry] : section.keys) target.keys[key] = entry;
  }
  return load_study_tree(tree, name, study_text);
}

namespace {

StudySpec load_study_tree(const IniTree& tree, const std::string& path, const std::string& study_text) {
  StudySpec spec;
  spec.file = path;
  spec.study_text = study_text;
  const StudyReader r(tree, path);
  if (!tree.sections.count(kStudy))
    throw ConfigError(path + ": [study]: missing (a study file includes a base config and adds a [study] section)");

  // The study's own sections come out of the tree; the rest is the base config.
  spec.base_tree = tree;
  std::vector<std::string> factor_sections, scenario_sections;
  for (const auto& [name, section] : tree.sections) {
    if (name.rfind("study", 0) == 0) {
      // Checked key by key: the study file's own [study] header would hide
      // keys an included file put in the same section.
      if (section.file != path)
        r.fail_section(name, "study sections belong in the study file itself, not in an included file");
      for (const auto& [key, entry] : section.keys)
        if (entry.file != path)
          r.fail(name, key, "study sections belong in the study file itself, not in an included file");
    }
    if (name == kStudy) continue;
    if (name.rfind(kFactorPrefix, 0) == 0) factor_sections.push_back(name);
    else if (name.rfind(kScenarioPrefix, 0) == 0) scenario_sections.push_back(name);
    else if (name.rfind("study.", 0) == 0) r.fail_section(name, "unknown study section (study.factor.NAME or study.scenario.NAME)");
  }
  // Factors and scenarios in the order the file lists them (the tree sorts by name).
  const auto by_position = [&](const std::string& a, const std::string& b) {
    const IniSection& x = tree.sections.at(a);
    const IniSection& y = tree.sections.at(b);
    return x.file != y.file ? x.file < y.file : x.line < y.line;
  };
  std::stable_sort(factor_sections.begin(), factor_sections.end(), by_position);
  std::stable_sort(scenario_sections.begin(), scenario_sections.end(), by_position);
  spec.base_tree.sections.erase(kStudy);
  for (const std::string& s : factor_sections) spec.base_tree.sections.erase(s);
  for (const std::string& s : scenario_sections) spec.base_tree.sections.erase(s);
  spec.base = load_config_tree(spec.base_tree, path);
  try {
    check_as_run(spec.base);
  } catch (const ConfigError& err) {
    throw ConfigError(path + ": the base config: " + err.what());
  }

  r.only_keys(kStudy, {"method", "paths", "seed", "outputs", "trajectories", "levels", "base_samples", "sampler",
                       "bootstrap", "confidence"},
              "see docs/studies.md");
  const std::string method = r.text(kStudy, "method");
  if (method == "grid") spec.method = StudyMethod::kGrid;
  else if (method == "oat") spec.method = StudyMethod::kOat;
  else if (method == "morris") spec.method = StudyMethod::kMorris;
  else if (method == "sobol") spec.method = StudyMethod::kSobol;
  else r.fail(kStudy, "method", "expected grid, oat, morris or sobol");

  spec.paths = static_cast<std::uint64_t>(r.integer(kStudy, "paths", 2, 1000000000LL, 0));
  if (spec.paths == 0) r.fail(kStudy, "paths", "missing: paths per design point (at least 2)");
  spec.seed = static_cast<std::uint32_t>(r.integer(kStudy, "seed", 0, 4294967295LL, spec.base.run.seed));
  try {
    spec.outputs = parse_study_outputs(r.text(kStudy, "outputs"), spec.base);
  } catch (const ValueError& err) {
    r.fail(kStudy, "outputs", err.what());
  }
  if (spec.outputs.size() > static_cast<std::size_t>(kMaxStudyExtracts))
    r.fail(kStudy, "outputs", "at most " + std::to_string(kMaxStudyExtracts) + " outputs");

  const auto only_for = [&](const std::string& key, StudyMethod m) {
    if (r.has(kStudy, key) && spec.method != m)
      r.fail(kStudy, key, std::string("only for method = ") + method_name(m));
  };
  only_for("trajectories", StudyMethod::kMorris);
  only_for("levels", StudyMethod::kMorris);
  for (const char* key : {"base_samples", "sampler", "bootstrap", "confidence"}) only_for(key, StudyMethod::kSobol);
  spec.trajectories = static_cast<int>(r.integer(kStudy, "trajectories", 2, 100000, 20));
  spec.levels = static_cast<int>(r.integer(kStudy, "levels", 2, 1000, 4));
  if (spec.levels % 2 != 0) r.fail(kStudy, "levels", "must be even (the Morris step is levels / (2 (levels - 1)))");
  spec.base_samples = static_cast<int>(r.integer(kStudy, "base_samples", 2, 10000000, 256));
  spec.bootstrap = static_cast<int>(r.integer(kStudy, "bootstrap", 10, 100000, 500));
  if (r.has(kStudy, "confidence")) {
    spec.confidence = r.number(kStudy, "confidence");
    if (!(spec.confidence > 0.0 && spec.confidence < 1.0)) r.fail(kStudy, "confidence", "must lie strictly between 0 and 1");
  }
  if (r.has(kStudy, "sampler")) {
    const std::string s = r.text(kStudy, "sampler");
    if (s == "random") spec.sobol_sequence = false;
    else if (s != "sobol") r.fail(kStudy, "sampler", "expected sobol (scrambled Sobol sequence) or random");
  }

  for (const std::string& section : factor_sections) spec.factors.push_back(read_factor(spec, r, section));
  if (spec.method == StudyMethod::kSobol && spec.sobol_sequence && 2 * spec.factors.size() > static_cast<std::size_t>(sens::kSobolMaxDimensions))
    r.fail_section(kStudy, "the Sobol sequence has " + std::to_string(sens::kSobolMaxDimensions) +
                               " dimensions, enough for " + std::to_string(sens::kSobolMaxDimensions / 2) +
                               " factors (Saltelli's design uses two per factor); use sampler = random or fewer factors");
  std::set<std::string> keys;
  for (const StudyFactor& f : spec.factors)
    if (!keys.insert(f.key).second) r.fail(kFactorPrefix + f.name, "key", "another factor varies the same key");

  for (const std::string& section : scenario_sections) {
    if (spec.method != StudyMethod::kGrid) r.fail_section(section, "scenarios are for method = grid");
    StudyScenario sc;
    sc.name = section.substr(kScenarioPrefix.size());
    for (const auto& [key, entry] : tree.sections.at(section).keys) {
      // As for factors: the study's [run] and [output] settings are shared by every point.
      if (key.rfind("run.", 0) == 0 || key.rfind("output.", 0) == 0)
        r.fail(section, key, "a scenario varies the model; [run] and [output] keys are the study's own settings");
      sc.sets.push_back(key + "=" + entry.value);
    }
    if (sc.sets.empty()) r.fail_section(section, "empty: list base-config keys to override, e.g. tension.dialogue = 1");
    try {
      build_scenario(spec, sc);
    } catch (const ConfigError& err) {
      r.fail_section(section, std::string("the base config with these overrides is invalid: ") + err.what());
    }
    spec.scenarios.push_back(sc);
  }

  if (spec.method == StudyMethod::kGrid) {
    if (spec.factors.empty() == spec.scenarios.empty())
      r.fail_section(kStudy, "a grid needs either factors with levels (a full factorial) or "
                             "[study.scenario.NAME] sections (a listed set), not both");
  } else if (spec.factors.empty()) {
    r.fail_section(kStudy, "no factors: add [study.factor.NAME] sections with key, low and high");
  }
  const std::uint64_t points = design_point_count(spec);
  if (points > kMaxDesignPoints)
    r.fail_section(kStudy, "the design has " + (points == UINT64_MAX ? std::string("2^64 or more") : std::to_string(points)) +
                               " points, more than the " + std::to_string(kMaxDesignPoints) +
                               " a study may have; use fewer factors, levels, trajectories or base_samples");
  return spec;
}

}  // namespace

std::uint64_t design_point_count(const StudySpec& spec) {
  const auto times = [](std::uint64_t a, std::uint64_t b) { return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b; };
  const std::uint64_t k = spec.factors.size();
  switch (spec.method) {
    case StudyMethod::kGrid: {
      if (!spec.scenarios.empty()) return 1 + spec.scenarios.size();
      std::uint64_t cells = 1;
      for (const StudyFactor& f : spec.factors) cells = times(cells, f.levels.size());
      return cells == UINT64_MAX ? cells : 1 + cells;  // the base point, then the full factorial
    }
    case StudyMethod::kOat:
      return 1 + 2 * k;
    case StudyMethod::kMorris:
      return times(static_cast<std::uint64_t>(spec.trajectories), k + 1);
    case StudyMethod::kSobol:
      return times(static_cast<std::uint64_t>(spec.base_samples), k + 2);
  }
  return 0;
}

RunConfig build_point(const StudySpec& spec, const std::vector<double>& factor_values) {
  std::vector<std::string> sets;
  for (std::size_t i = 0; i < spec.factors.size(); ++i) sets.push_back(set_arg(spec.factors[i], factor_values[i]));
  return build_with(spec, sets);
}

RunConfig build_scenario(const StudySpec& spec, const StudyScenario& scenario) {
  return build_with(spec, scenario.sets);
}

}  // namespace remc
