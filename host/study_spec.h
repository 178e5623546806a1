// A study file: a base config (included) plus a [study] section, factor
// sections [study.factor.NAME] and, for a grid of listed scenarios,
// [study.scenario.NAME] sections. Format: docs/studies.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config_ini.h"
#include "config_values.h"
#include "run_config.h"
#include "study_outputs.h"

namespace remc {

enum class StudyMethod { kGrid, kOat, kMorris, kSobol };
const char* method_name(StudyMethod method);

// One uncertain or varied input: a numeric key of the base config.
struct StudyFactor {
  std::string name;                 // NAME of [study.factor.NAME]
  std::string key;                  // "section.key", as for --set
  std::vector<double> levels;       // grid: the values taken
  double low = 0.0, high = 0.0;     // oat: the two values; morris, sobol: the range
  bool log_scale = false;           // morris, sobol: distribution = loguniform
  bool has_dist = false;            // morris, sobol: a config distribution instead of a range
  ParsedDist dist;
  std::string dist_text;
  double base = 0.0;                // the base config's value (oat's centre)
  bool has_base = false;

  // Morris and Sobol: the factor's value at unit coordinate u in [0, 1]
  // (uniform or log-uniform between low and high, or the distribution's
  // u-quantile).
  double value_at(double u) const;
  std::string distribution() const;  // e.g. "uniform(0.5, 2)"
};

// A listed grid scenario: overrides applied to the base config.
struct StudyScenario {
  std::string name;
  std::vector<std::string> sets;  // "section.key=value"
};

struct StudySpec {
  std::string file;          // the study file as given
  std::string study_text;    // its own text (what the user wrote)
  StudyMethod method = StudyMethod::kOat;
  std::uint64_t paths = 0;   // paths per design point
  std::uint32_t seed = 1;
  std::vector<StudyOutput> outputs;
  std::vector<StudyFactor> factors;
  std::vector<StudyScenario> scenarios;  // grid only, instead of a factorial
  int trajectories = 20;     // morris: r
  int levels = 4;            // morris: p, even
  int base_samples = 256;    // sobol: N
  bool sobol_sequence = true;  // sobol: scrambled Sobol base samples, else plain random
  int bootstrap = 500;       // sobol: resamples for the confidence intervals
  double confidence = 0.95;  // sobol
  IniTree base_tree;         // the base config after includes, without the study sections
  RunConfig base;            // the base config built
};

// The most design points a study may have: its design (factor values and a
// label per point) is built whole in every process, before any check of
// what the simulation needs, so a mistyped size must not exhaust memory.
constexpr std::uint64_t kMaxDesignPoints = std::uint64_t{1} << 20;

// The number of design points `spec` makes (saturating at UINT64_MAX).
std::uint64_t design_point_count(const StudySpec& spec);

// Reads and validates a study file. Throws ConfigError "FILE:LINE: [section]
// key = value: reason" for anything wrong, before any simulation.
StudySpec load_study(const std::string& path);

// The same from the texts a study part file keeps (the study file as written
// and its base config resolved), for merging parts without the files.
StudySpec load_study_texts(const std::string& name, const std::string& study_text, const std::string& base_text);

// The base config with one design point's factor values (or a scenario's
// overrides) applied. Throws ConfigError naming the factor on a value the
// config rejects.
RunConfig build_point(const StudySpec& spec, const std::vector<double>& factor_values);
RunConfig build_scenario(const StudySpec& spec, const StudyScenario& scenario);

}  // namespace remc
