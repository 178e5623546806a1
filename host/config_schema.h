// The config schema: which sections and keys exist (docs/config.md is the
// prose version of these tables). check_schema rejects anything else, so a
// misspelt key is an error, never silently ignored.
#pragma once

#include <string>
#include <vector>

#include "config_ini.h"

namespace remc {

enum class SectionKind { kRun, kMaterial, kRegime, kTransitions, kTension, kProject, kDemand, kStockpile, kPrice, kOutput };

// The names that section names and key suffixes may refer to, from [run].
struct SchemaNames {
  std::vector<std::string> materials;
  std::vector<std::string> regimes;
  std::vector<std::string> sectors;
};

// A section name split into its kind and its name parts:
// "demand.importer.dy" -> kDemand, {"importer", "dy"}.
struct SectionId {
  SectionKind kind;
  std::vector<std::string> parts;
};

// Splits and checks a section name (kind known, right number of parts, names
// known); throws ValueError with the reason.
SectionId parse_section_name(const std::string& section, const SchemaNames& names);

// Throws ConfigError for the first unknown section or key, naming where it is.
void check_schema(const IniTree& tree, const SchemaNames& names);

// A --set argument "section.key=value" split at the section boundary, which the
// first word decides: run, transitions, tension and output have one word,
// material, regime, project, stockpile and price two, demand three; the rest
// is the key (which may itself hold dots: capacity_tpy.dy).
struct SetTarget {
  std::string section;
  std::string key;
  std::string value;
};
SetTarget split_set_argument(const std::string& arg);  // throws ConfigError naming the argument

// True for names usable for materials, regimes, sectors and projects.
bool valid_name(const std::string& name);

}  // namespace remc
