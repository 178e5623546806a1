// ConfigReader: typed getters with ranges, defaults and error locations.
#include "config_reader.h"

#include <cmath>

#include "config_values.h"
#include "errors.h"

namespace remc {

const IniEntry* find_entry(const IniTree& tree, const std::string& section, const std::string& key) {
  const auto s = tree.sections.find(section);
  if (s == tree.sections.end()) return nullptr;
  const auto k = s->second.keys.find(key);
  return k == s->second.keys.end() ? nullptr : &k->second;
}

namespace {

// "file:line" of a section's header ("file" when the line is unknown).
std::string header_where(const IniSection& sec) {
  return sec.line > 0 ? sec.file + ":" + std::to_string(sec.line) : sec.file;
}

}  // namespace

void fail_at_key(const IniTree& tree, const std::string& top_file, const std::string& section, const std::string& key,
                 const std::string& why) {
  const IniEntry* e = find_entry(tree, section, key);
  if (e != nullptr)
    throw ConfigError(e->where() + ": [" + section + "] " + shown(key) + " = " + shown(e->value) + ": " + why);
  // A missing key: point at the section header if there is one, else the top file.
  const auto s = tree.sections.find(section);
  if (s != tree.sections.end() && !s->second.file.empty())
    throw ConfigError(header_where(s->second) + ": [" + section + "] " + key + ": " + why);
  throw ConfigError(top_file + ": [" + section + "] " + key + ": " + why);
}

void fail_at_section(const IniTree& tree, const std::string& top_file, const std::string& section,
                     const std::string& why) {
  const auto s = tree.sections.find(section);
  if (s != tree.sections.end()) throw ConfigError(header_where(s->second) + ": [" + section + "]: " + why);
  throw ConfigError(top_file + ": [" + section + "]: " + why);
}

const IniEntry* ConfigReader::find(const std::string& section, const std::string& key) const {
  return find_entry(tree_, section, key);
}

bool ConfigReader::has_section(const std::string& section) const {
  return tree_.sections.count(section) != 0;
}

const std::map<std::string, IniEntry>& ConfigReader::section_keys(const std::string& section) const {
  static const std::map<std::string, IniEntry> empty;
  const auto s = tree_.sections.find(section);
  return s == tree_.sections.end() ? empty : s->second.keys;
}

std::vector<std::string> ConfigReader::section_names(const std::string& prefix) const {
  std::vector<std::string> out;
  for (const auto& [name, sec] : tree_.sections)
    if (name.compare(0, prefix.size(), prefix) == 0) out.push_back(name);
  return out;
}

void ConfigReader::fail(const std::string& section, const std::string& key, const std::string& why) const {
  fail_at_key(tree_, top_file_, section, key, why);
}

void ConfigReader::fail_section(const std::string& section, const std::string& why) const {
  fail_at_section(tree_, top_file_, section, why);
}

Param ConfigReader::make_param(const std::string& section, const std::string& key, const IniEntry& e,
                               const Range& range) {
  Param p;
  if (!looks_like_distribution(e.value)) {
    double v = 0.0;
    try {
      v = parse_number(e.value);
    } catch (const ValueError& err) {
      fail(section, key, std::string(err.what()) + " (expected a number or a distribution such as normal(mu, sd))");
    }
    if (!range.contains(v)) fail(section, key, range.describe());
    p.value = static_cast<float>(v);
    return p;
  }
  ParsedDist d;
  try {
    d = parse_distribution(e.value);
  } catch (const ValueError& err) {
    fail(section, key, err.what());
  }
  // A bernoulli draws its ends exactly, so an open bound must exclude them
  // (a price of bernoulli(0.5) would be 0 on half the paths).
  const auto [draw_lo, draw_hi] = draw_bounds(d);
  const bool on_open_end = d.spec.kind == DistKind::kBernoulli && !(range.contains(draw_lo) && range.contains(draw_hi));
  if (d.support_lo < range.lo || d.support_hi > range.hi || on_open_end) {
    std::string why = "the distribution can take values outside the allowed range (" + range.describe() + ")";
    why += d.truncated ? ": narrow its truncate(lo, hi)" : ": add truncate(lo, hi) within the range";
    fail(section, key, why);
  }
  Model& m = out_.model;
  if (m.uncertain_count >= kMaxUncertain)
    fail(section, key,
         "too many uncertain parameters: at most kMaxUncertain = " + std::to_string(kMaxUncertain) +
             " may be distributions");
  p.value = static_cast<float>(d.mean);
  p.draw = m.uncertain_count;
  // Field by field, so the slot's padding stays as load_config zeroed it
  // (resolved configs must reproduce the Model byte for byte). Its random
  // number slot comes from its name, once all are known (random_slots.h).
  DistSpec& slot = m.uncertain[m.uncertain_count++];
  slot.kind = d.spec.kind;
  slot.a = d.spec.a;
  slot.b = d.spec.b;
  slot.c = d.spec.c;
  slot.truncated = d.spec.truncated;
  slot.lo = d.spec.lo;
  slot.hi = d.spec.hi;
  out_.uncertain_names.push_back(section + "." + key);
  return p;
}

Param ConfigReader::param(const std::string& section, const std::string& key, const Range& range,
                          std::optional<double> fallback) {
  const IniEntry* e = find(section, key);
  if (e == nullptr) {
    if (!fallback) fail(section, key, "required key missing");
    Param p;
    p.value = static_cast<float>(*fallback);
    return p;
  }
  return make_param(section, key, *e, range);
}

Param ConfigReader::param_or(const std::string& section, const std::string& key, const Range& range,
                             const Param& fallback) {
  const IniEntry* e = find(section, key);
  return e == nullptr ? fallback : make_param(section, key, *e, range);
}

double ConfigReader::number(const std::string& section, const std::string& key, const Range& range,
                            std::optional<double> fallback) {
  const IniEntry* e = find(section, key);
  if (e == nullptr) {
    if (!fallback) fail(section, key, "required key missing");
    return *fallback;
  }
  double v = 0.0;
  try {
    v = parse_number(e->value);
  } catch (const ValueError& err) {
    fail(section, key, std::string(err.what()) + (looks_like_distribution(e->value) ? " (this key takes a plain number, not a distribution)" : ""));
  }
  if (!range.contains(v)) fail(section, key, range.describe());
  return v;
}

long long ConfigReader::integer(const std::string& section, const std::string& key, const Range& range,
                                std::optional<long long> fallback) {
  const IniEntry* e = find(section, key);
  if (e == nullptr) {
    if (!fallback) fail(section, key, "required key missing");
    return *fallback;
  }
  long long v = 0;
  try {
    v = parse_integer(e->value);
  } catch (const ValueError& err) {
    fail(section, key, err.what());
  }
  if (!range.contains(static_cast<double>(v))) fail(section, key, range.describe());
  return v;
}

bool ConfigReader::boolean(const std::string& section, const std::string& key, bool fallback) {
  const IniEntry* e = find(section, key);
  if (e == nullptr) return fallback;
  const std::string& v = e->value;
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off") return false;
  fail(section, key, "expected true or false (1/0, yes/no, on/off)");
}

std::string ConfigReader::choice(const std::string& section, const std::string& key,
                                 const std::vector<std::string>& allowed, bool required) {
  const IniEntry* e = find(section, key);
  if (e == nullptr) {
    if (required) fail(section, key, "required key missing");
    return allowed.front();
  }
  for (const std::string& a : allowed)
    if (e->value == a) return a;
  std::string list;
  for (const std::string& a : allowed) list += (list.empty() ? "" : " or ") + a;
  fail(section, key, "must be " + list);
}

std::string ConfigReader::text(const std::string& section, const std::string& key, const std::string& fallback) {
  const IniEntry* e = find(section, key);
  return e == nullptr ? fallback : e->value;
}

}  // namespace remc
