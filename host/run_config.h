// A fully resolved, validated configuration: what the config loader produces
// (host/config_*.cpp) and what `remc run` consumes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model.h"

namespace remc {

// Histogram override for one metric, from [output] (see docs/config.md).
struct HistOverride {
  float lo = 0.0f;
  float hi = 1.0f;
  int bins = 0;  // 0: default bin count
  bool log_scale = false;
};

struct OutputOptions {
  int bins = 200;  // default histogram bins per cell
  std::vector<double> quantiles = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
  // Keys are a metric name ("shortage_frac") or metric.material ("price.dy");
  // the material-specific entry wins.
  std::map<std::string, HistOverride> hist;
  std::map<std::string, std::vector<float>> thresholds;  // per metric name
  std::string path = "results/baseline.h5";              // default output file
};

struct RunOptions {
  std::uint64_t paths = 100000;
  std::uint32_t seed = 1;
  int start_year = 2025;
  int start_month = 1;  // 1..12
};

struct RunConfig {
  std::string config_file;     // as given on the command line
  std::vector<std::string> input_files;  // the config and every file it includes
  std::string resolved_text;   // the fully resolved config (includes and --set applied), INI text
  RunOptions run;
  OutputOptions output;
  Model model;
  std::vector<std::string> material_names;  // index = material
  std::vector<std::string> regime_names;    // index = state, escalation order
  std::vector<std::string> sector_names;    // index = priority
  std::vector<std::string> project_names;   // index = project
  std::vector<std::string> uncertain_names; // index = Model::uncertain, "section.key"
};

}  // namespace remc
