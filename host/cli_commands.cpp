// `remc validate` and `remc info`: the two small commands.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "aggregation_plan.h"
#include "cli.h"
#include "cli_options.h"
#include "config.h"
#include "errors.h"
#include "config_ini.h"
#include "info.h"
#include "study_run.h"

namespace po = boost::program_options;

namespace remc {

int command_validate(const std::vector<std::string>& args) {
  std::string config;
  std::vector<std::string> sets;
  po::options_description desc(
      "usage: remc validate --config FILE [--set SECTION.KEY=VALUE]...\n"
      "  FILE may be a config or a study file (docs/studies.md)\n\noptions");
  desc.add_options()("help,h", "this help")("config", po::value(&config), "config file to check")(
      "set", po::value(&sets)->composing(), "override a config key (repeatable)");
  if (parse_command_options(args, desc)) return kExitOk;
  if (config.empty()) throw UsageError("validate: --config FILE is required");
  if (read_ini_tree(config).sections.count("study")) {
    // A study file: check it as `remc study` would, and say what it would run.
    if (!sets.empty()) throw UsageError("validate: --set is for configs; a study file sets its own factors");
    const StudySpec spec = load_study(config);
    const StudyDesign design = make_design(spec);
    check_design_points(spec, design);
    std::cout << config << ": ok (" << method_name(spec.method) << " study, " << spec.factors.size() << " factor"
              << (spec.factors.size() == 1 ? "" : "s") << ", " << spec.outputs.size() << " output"
              << (spec.outputs.size() == 1 ? "" : "s") << ", " << design.points << " design points x " << spec.paths
              << " paths = " << design.points * spec.paths << " paths)\n";
    return kExitOk;
  }
  const RunConfig cfg = load_config(config, sets);
  make_plan(cfg);  // the [output] checks that need the whole model, as `run` makes them
  const auto count = [](int n, const std::string& noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  std::cout << config << ": ok (" << count(cfg.model.materials, "material") << ", "
            << count(cfg.model.regime.count, "regime") << ", " << count(cfg.model.projects, "project") << ", "
            << count(cfg.model.months, "month") << ", " << count(cfg.model.uncertain_count, "uncertain parameter")
            << ")\n";
  return kExitOk;
}

int command_info(const std::vector<std::string>& args) {
  std::string path;
  po::options_description desc("usage: remc info RESULT.h5 | STUDY.h5\n\noptions");
  desc.add_options()("help,h", "this help");
  po::options_description hidden;
  hidden.add_options()("result", po::value(&path), "result or study file");
  po::positional_options_description positional;
  positional.add("result", 1);
  if (parse_command_options(args, desc, &positional, nullptr, &hidden)) return kExitOk;
  if (path.empty()) throw UsageError("info: a result file is required (remc info RESULT.h5)");
  if (!std::filesystem::exists(path)) throw UsageError("info: " + path + ": no such file");
  return info_command(path, std::cout);
}

}  // namespace remc
