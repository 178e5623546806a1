// Schema tables and the unknown-section / unknown-key check.
#include "config_schema.h"

#include <algorithm>
#include <cctype>

#include "config_reader.h"
#include "config_values.h"
#include "errors.h"
#include "metrics.h"

namespace remc {
namespace {

enum class Suffix { kNone, kMaterial, kSector, kMetric, kMetricMaterial };

struct KeySpec {
  const char* base;
  Suffix suffix;
};

struct KindInfo {
  const char* word;
  SectionKind kind;
  int parts;  // name parts after the kind word
  const char* pattern;
  std::vector<KeySpec> keys;
};

const std::vector<KindInfo>& kinds() {
  using S = Suffix;
  static const std::vector<KindInfo> k = {
      {"run", SectionKind::kRun, 0, "[run]",
       {{"paths", S::kNone}, {"seed", S::kNone}, {"months", S::kNone}, {"start", S::kNone},
        {"materials", S::kNone}, {"regimes", S::kNone}, {"sectors", S::kNone}, {"initial_regime", S::kNone}}},
      {"material", SectionKind::kMaterial, 1, "[material.MATERIAL]",
       {{"substitution_rate", S::kNone}, {"substitution_max", S::kNone}, {"home_bias", S::kNone},
        {"voll_per_t", S::kNone}, {"china_demand_tpy", S::kNone}}},
      {"regime", SectionKind::kRegime, 1, "[regime.REGIME]",
       {{"allow_importer", S::kNone}, {"allow_importer", S::kMaterial}, {"allow_allies", S::kNone},
        {"allow_allies", S::kMaterial}}},
      {"transitions", SectionKind::kTransitions, 0, "[transitions]", {}},  // keys are regime names
      {"tension", SectionKind::kTension, 0, "[tension]",
       {{"initial", S::kNone}, {"suppression_rate_per_year", S::kNone}, {"jump", S::kNone},
        {"half_life_months", S::kNone}, {"escalation_sensitivity", S::kNone}, {"escalation_mult", S::kNone},
        {"deescalation_mult", S::kNone}, {"dialogue", S::kNone}, {"dialogue_deescalation", S::kNone},
        {"monitoring", S::kNone}, {"monitoring_escalation", S::kNone}, {"retaliate_at", S::kNone},
        {"retaliation_prob", S::kNone}, {"accelerate_at", S::kNone}, {"accelerate_factor", S::kNone}}},
      {"project", SectionKind::kProject, 1, "[project.NAME]",
       {{"enabled", S::kNone}, {"region", S::kNone}, {"capacity_tpy", S::kMaterial}, {"online_month", S::kNone},
        {"delay_median_months", S::kNone}, {"delay_sigma", S::kNone}, {"fail_prob", S::kNone},
        {"ramp_months", S::kNone}, {"utilisation", S::kNone}, {"utilisation_sigma", S::kNone},
        {"trigger", S::kNone}, {"trigger_lag_months", S::kNone}}},
      {"demand", SectionKind::kDemand, 2, "[demand.REGION.MATERIAL]",
       {{"base_tpy", S::kNone}, {"growth", S::kNone}, {"noise_sigma", S::kNone}, {"price_elasticity", S::kNone},
        {"share", S::kSector}}},
      {"stockpile", SectionKind::kStockpile, 1, "[stockpile.MATERIAL]",
       {{"initial_t", S::kNone}, {"target_t", S::kNone}, {"release_threshold", S::kNone},
        {"release_max_fraction", S::kNone}, {"refill_t_per_month", S::kNone}, {"refill_price_max", S::kNone},
        {"release_to", S::kNone}}},
      {"price", SectionKind::kPrice, 1, "[price.MATERIAL]",
       {{"ref", S::kNone}, {"initial", S::kNone}, {"china_ref", S::kNone}, {"china_initial", S::kNone},
        {"china_min", S::kNone}, {"china_max", S::kNone},
        {"eta", S::kNone}, {"theta", S::kNone}, {"sigma", S::kNone}, {"min", S::kNone}, {"max", S::kNone}}},
      {"output", SectionKind::kOutput, 0, "[output]",
       {{"file", S::kNone}, {"bins", S::kNone}, {"quantiles", S::kNone}, {"shortage_threshold", S::kNone},
        {"hist", S::kMetricMaterial}, {"thresholds", S::kMetric}}},
  };
  return k;
}

const KindInfo* find_kind(const std::string& word) {
  for (const KindInfo& k : kinds())
    if (word == k.word) return &k;
  return nullptr;
}

std::vector<std::string> split_dots(const std::string& s) {
  std::vector<std::string> out;
  std::size_t b = 0;
  for (;;) {
    const auto e = s.find('.', b);
    out.push_back(s.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : " ") + s;
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string known_sections() {
  std::string out;
  for (const KindInfo& k : kinds()) out += (out.empty() ? "" : ", ") + std::string(k.pattern);
  return out;
}

std::string known_keys(const KindInfo& k) {
  std::string out;
  for (const KeySpec& s : k.keys) {
    std::string name = s.base;
    if (s.suffix == Suffix::kMaterial) name += ".MATERIAL";
    if (s.suffix == Suffix::kSector) name += ".SECTOR";
    if (s.suffix == Suffix::kMetric) name += ".METRIC";
    if (s.suffix == Suffix::kMetricMaterial) name += ".METRIC[.MATERIAL]";
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
}

// Checks one key of a section; returns an empty string or the reason it is wrong.
std::string check_key(const KindInfo& k, const SectionId& id, const std::string& key, const SchemaNames& names) {
  if (k.kind == SectionKind::kTransitions)
    return contains(names.regimes, key) ? "" : "unknown regime '" + key + "' (regimes: " + join(names.regimes) + ")";
  const auto dot = key.find('.');
  const std::string base = key.substr(0, dot);
  const std::string rest = dot == std::string::npos ? "" : key.substr(dot + 1);
  bool base_known = false;
  for (const KeySpec& s : k.keys) {
    if (base != s.base) continue;
    base_known = true;
    switch (s.suffix) {
      case Suffix::kNone:
        if (rest.empty()) return "";
        break;
      case Suffix::kMaterial:
        if (rest.empty()) break;
        return contains(names.materials, rest) ? ""
                                               : "unknown material '" + rest + "' (materials: " + join(names.materials) + ")";
      case Suffix::kSector:
        if (rest.empty()) break;
        if (id.parts[0] != "importer") return "share.SECTOR is only allowed for the importer";
        return contains(names.sectors, rest) ? "" : "unknown sector '" + rest + "' (sectors: " + join(names.sectors) + ")";
      case Suffix::kMetric:
      case Suffix::kMetricMaterial: {
        if (rest.empty()) break;
        const auto d2 = rest.find('.');
        const std::string metric = rest.substr(0, d2);
        const MetricInfo* info = find_metric(metric);
        if (info == nullptr) return "unknown metric '" + metric + "' (the metrics are listed in docs/hdf5-schema.md)";
        if (d2 == std::string::npos) return "";
        const std::string mat = rest.substr(d2 + 1);
        if (s.suffix == Suffix::kMetric) return "expected " + std::string(s.base) + ".METRIC";
        if (info->scope != MetricScope::kMonthlyMaterial && info->scope != MetricScope::kSummaryMaterial)
          return "metric '" + metric + "' is not per material";
        return contains(names.materials, mat) ? ""
                                              : "unknown material '" + mat + "' (materials: " + join(names.materials) + ")";
      }
    }
  }
  if (base_known) return "malformed key (known keys: " + known_keys(k) + ")";
  return "unknown key (known keys: " + known_keys(k) + ")";
}

}  // namespace

bool valid_name(const std::string& name) {
  if (name.empty()) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

SectionId parse_section_name(const std::string& section, const SchemaNames& names) {
  const std::vector<std::string> words = split_dots(section);
  const KindInfo* k = find_kind(words[0]);
  if (k == nullptr && words[0] == "study")
    throw ValueError("a study section: this is a study file, run it with remc study --config FILE");
  if (k == nullptr) throw ValueError("unknown section (known: " + known_sections() + ")");
  if (static_cast<int>(words.size()) != k->parts + 1) throw ValueError(std::string("expected ") + k->pattern);
  SectionId id{k->kind, std::vector<std::string>(words.begin() + 1, words.end())};
  for (const std::string& p : id.parts)
    if (!valid_name(p)) throw ValueError("'" + p + "' is not a valid name (letters, digits, '_' and '-')");
  auto need_material = [&](const std::string& m) {
    if (!contains(names.materials, m))
      throw ValueError("unknown material '" + m + "' (materials: " + join(names.materials) + ")");
  };
  switch (k->kind) {
    case SectionKind::kMaterial:
    case SectionKind::kStockpile:
    case SectionKind::kPrice:
      need_material(id.parts[0]);
      break;
    case SectionKind::kRegime:
      if (!contains(names.regimes, id.parts[0]))
        throw ValueError("unknown regime '" + id.parts[0] + "' (regimes: " + join(names.regimes) + ")");
      break;
    case SectionKind::kDemand:
      if (id.parts[0] != "importer" && id.parts[0] != "allies")
        throw ValueError("unknown region '" + id.parts[0] + "' (importer or allies)");
      need_material(id.parts[1]);
      break;
    default:
      break;
  }
  return id;
}

void check_schema(const IniTree& tree, const SchemaNames& names) {
  for (const auto& [section, sec] : tree.sections) {
    SectionId id{};
    try {
      id = parse_section_name(section, names);
    } catch (const ValueError& e) {
      fail_at_section(tree, sec.file, section, e.what());
    }
    const KindInfo& k = *find_kind(split_dots(section)[0]);
    for (const auto& [key, entry] : sec.keys) {
      const std::string why = check_key(k, id, key, names);
      if (!why.empty())
        throw ConfigError(entry.where() + ": [" + section + "] " + shown(key) + " = " + shown(entry.value) + ": " +
                          why);
    }
  }
}

SetTarget split_set_argument(const std::string& arg) {
  const std::string bad = "--set " + arg + ": ";
  const auto eq = arg.find('=');
  if (eq == std::string::npos) throw ConfigError(bad + "expected section.key=value");
  auto trim = [](const std::string& s) {
    const auto b = s.find_first_not_of(" \t");
    if (b == std::string::npos) return std::string();
    return s.substr(b, s.find_last_not_of(" \t") - b + 1);
  };
  const std::string path = trim(arg.substr(0, eq));
  const std::string value = trim(arg.substr(eq + 1));
  if (path.empty()) throw ConfigError(bad + "expected section.key=value, the key is empty");
  if (value.find('#') != std::string::npos)
    throw ConfigError(bad + "a value cannot contain '#' (it starts a comment in config files)");
  if (path.find_first_of(" \t[]#") != std::string::npos || value.find('\n') != std::string::npos)
    throw ConfigError(bad + "expected section.key=value");
  const std::vector<std::string> words = split_dots(path);
  const KindInfo* k = find_kind(words[0]);
  if (k == nullptr) throw ConfigError(bad + "unknown section '" + words[0] + "' (known: " + known_sections() + ")");
  const std::size_t n = static_cast<std::size_t>(k->parts) + 1;
  if (words.size() <= n) throw ConfigError(bad + "expected " + std::string(k->pattern).substr(1, std::string(k->pattern).size() - 2) + ".KEY=VALUE");
  SetTarget t;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].empty()) throw ConfigError(bad + "empty name between dots");
    std::string& dst = i < n ? t.section : t.key;
    dst += (dst.empty() ? "" : ".") + words[i];
  }
  if (t.key == "include") throw ConfigError(bad + "include cannot be set from the command line");
  t.value = value;
  return t;
}

}  // namespace remc
