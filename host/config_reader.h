// Typed access to one config's keys while building the Model: each getter
// parses a key (or applies its documented default), checks its range, and on
// failure throws ConfigError "FILE:LINE: [section] key = value: reason".
// Distribution-valued parameters are registered in Model::uncertain here.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config_ini.h"
#include "config_values.h"
#include "run_config.h"

namespace remc {

// Where a key or section was written, for messages about any INI tree (the
// config's, or a study file's own sections): the key or section, or
// ConfigError "FILE:LINE: [section] key = value: why" naming it.
const IniEntry* find_entry(const IniTree& tree, const std::string& section, const std::string& key);
[[noreturn]] void fail_at_key(const IniTree& tree, const std::string& top_file, const std::string& section,
                              const std::string& key, const std::string& why);
[[noreturn]] void fail_at_section(const IniTree& tree, const std::string& top_file, const std::string& section,
                                  const std::string& why);

class ConfigReader {
 public:
  ConfigReader(const IniTree& tree, RunConfig& out, std::string top_file)
      : tree_(tree), out_(out), top_file_(std::move(top_file)) {}

  const IniEntry* find(const std::string& section, const std::string& key) const;
  bool has(const std::string& section, const std::string& key) const { return find(section, key) != nullptr; }
  bool has_section(const std::string& section) const;
  // Names of the sections starting with `prefix`, sorted.
  std::vector<std::string> section_names(const std::string& prefix) const;
  // The keys of a section (empty if the section is absent).
  const std::map<std::string, IniEntry>& section_keys(const std::string& section) const;

  // A Param: a number or a distribution. Without a default the key is required.
  Param param(const std::string& section, const std::string& key, const Range& range,
              std::optional<double> fallback = std::nullopt);
  // A Param whose default is another Param (e.g. price initial = ref).
  Param param_or(const std::string& section, const std::string& key, const Range& range, const Param& fallback);
  double number(const std::string& section, const std::string& key, const Range& range,
                std::optional<double> fallback = std::nullopt);
  long long integer(const std::string& section, const std::string& key, const Range& range,
                    std::optional<long long> fallback = std::nullopt);
  bool boolean(const std::string& section, const std::string& key, bool fallback);
  // One of `allowed` (the first is the default when `required` is false).
  std::string choice(const std::string& section, const std::string& key, const std::vector<std::string>& allowed,
                     bool required = false);
  std::string text(const std::string& section, const std::string& key, const std::string& fallback);

  // Errors about a key, present (with its location) or missing (top file).
  [[noreturn]] void fail(const std::string& section, const std::string& key, const std::string& why) const;
  // Errors about a whole section.
  [[noreturn]] void fail_section(const std::string& section, const std::string& why) const;

  const std::string& top_file() const { return top_file_; }
  RunConfig& out() { return out_; }

 private:
  Param make_param(const std::string& section, const std::string& key, const IniEntry& e, const Range& range);

  const IniTree& tree_;
  RunConfig& out_;
  std::string top_file_;
};

// Builders, in the order that fixes the order of Model::uncertain.
void build_run(ConfigReader& r);           // [run] except names (already read)
void build_regimes(ConfigReader& r);       // [regime.*], [transitions], initial_regime
void build_tension(ConfigReader& r);       // [tension]
void build_materials(ConfigReader& r);     // [material.*]
void build_projects(ConfigReader& r);      // [project.*]
void build_demand(ConfigReader& r);        // [demand.*.*]
void build_stockpiles(ConfigReader& r);    // [stockpile.*]
void build_prices(ConfigReader& r);        // [price.*]
void build_output(ConfigReader& r);        // [output]
// The name lists of [run] (materials, regimes, sectors), needed before the schema check.
void build_names(ConfigReader& r);

}  // namespace remc
