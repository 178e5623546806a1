// Reading INI files with includes. Boost.Program_options does the parsing;
// a line scan of the same text, with the same rules, supplies the line
// numbers (Boost does not report them) and the section of each key, since a
// flattened "demand.importer.dy.growth" cannot tell section from key.
#include "config_ini.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/program_options/options_description.hpp>
#include <boost/program_options/parsers.hpp>

#include "config_values.h"
#include "errors.h"

namespace remc {
namespace {

namespace fs = std::filesystem;
namespace po = boost::program_options;

struct ScannedKey {
  std::string section;  // "" before the first header
  std::string key;
  std::string value;
  int line = 0;
};

struct ScannedHeader {
  std::string section;
  int line = 0;
};

struct ScannedFile {
  std::vector<ScannedKey> keys;
  std::vector<ScannedHeader> headers;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string at(const std::string& file, int line) { return file + ":" + std::to_string(line); }

// The line scan: '#' starts a comment anywhere (as in Boost), blank lines are
// skipped, "[name]" opens a section, anything else must be "key = value".
ScannedFile scan(const std::string& text, const std::string& file) {
  ScannedFile out;
  std::istringstream in(text);
  std::string raw;
  std::string section;
  int line = 0;
  while (std::getline(in, raw)) {
    ++line;
    const auto hash = raw.find('#');
    const std::string s = trim(hash == std::string::npos ? raw : raw.substr(0, hash));
    if (s.empty()) continue;
    if (s.front() == '[') {
      if (s.back() != ']') throw ConfigError(at(file, line) + ": malformed section header '" + s + "': expected ']'");
      section = s.substr(1, s.size() - 2);
      if (section.empty() || section.find_first_of(" \t[]=") != std::string::npos || section.back() == '.' ||
          section.front() == '.')
        throw ConfigError(at(file, line) + ": malformed section header '" + s + "'");
      out.headers.push_back({section, line});
      continue;
    }
    const auto eq = s.find('=');
    if (eq == std::string::npos)
      throw ConfigError(at(file, line) + ": " + (section.empty() ? "" : "[" + section + "] ") + "'" + s +
                        "': expected 'key = value'");
    const std::string key = trim(s.substr(0, eq));
    if (key.empty() || key.find_first_of(" \t[]") != std::string::npos || key.front() == '.' || key.back() == '.')
      throw ConfigError(at(file, line) + ": " + (section.empty() ? "" : "[" + section + "] ") + "'" + s +
                        "': malformed key");
    out.keys.push_back({section, key, trim(s.substr(eq + 1)), line});
  }
  return out;
}

// Parses `text` with Boost.Program_options (unregistered options collected,
// never accepted: the schema check decides) and pairs each option with the
// line scan's section, key and line.
ScannedFile parse(const std::string& text, const std::string& file) {
  ScannedFile scanned = scan(text, file);
  std::istringstream in(text);
  po::options_description none;
  po::parsed_options parsed(&none);
  try {
    parsed = po::parse_config_file(in, none, /*allow_unregistered=*/true);
  } catch (const po::error& e) {
    throw ConfigError(file + ": " + e.what());
  }
  if (parsed.options.size() != scanned.keys.size())
    throw ConfigError(file + ": internal error: Boost found " + std::to_string(parsed.options.size()) +
                      " keys, the line scan " + std::to_string(scanned.keys.size()));
  for (std::size_t i = 0; i < scanned.keys.size(); ++i) {
    ScannedKey& k = scanned.keys[i];
    const po::option& o = parsed.options[i];
    const std::string flat = k.section.empty() ? k.key : k.section + "." + k.key;
    if (o.string_key != flat)
      throw ConfigError(at(file, k.line) + ": internal error: Boost read key '" + o.string_key + "'");
    k.value = o.value.empty() ? std::string() : trim(o.value.front());
  }
  return scanned;
}

// Limits on what a config may be, so that no input makes loading run without end.
constexpr std::size_t kMaxConfigBytes = std::size_t{16} << 20;
constexpr std::size_t kMaxIncludeDepth = 64;
constexpr std::size_t kMaxIncludedFiles = 1024;  // file reads per config, includes counted each time

std::string read_whole_file(const std::string& path, const std::string& included_from) {
  const std::string from = included_from.empty() ? "" : " (included from " + included_from + ")";
  std::error_code ec;
  // Only regular files: a FIFO blocks on open until a writer comes (and a
  // pipe could not be read twice, as remc does to tell a study file from a
  // run config), a device such as /dev/zero never ends, a folder is no config.
  if (fs::exists(path, ec) && !fs::is_regular_file(path, ec)) throw ConfigError(path + ": not a regular file" + from);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot read file" + from);
  std::string text;
  char chunk[1 << 16];
  while (in.read(chunk, sizeof chunk) || in.gcount() > 0) {
    text.append(chunk, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes)
      throw ConfigError(path + ": larger than any config (at most 16 MiB)" + from);
  }
  if (in.bad()) throw ConfigError(path + ": cannot read file" + from);
  // Editors on some systems start UTF-8 files with a byte-order mark: skip it.
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return text;
}

bool is_include(const ScannedKey& k) { return k.key == "include" && (k.section.empty() || k.section == "run"); }

void merge_into(IniTree& dst, const IniTree& src) {
  for (const auto& [name, sec] : src.sections) {
    IniSection& d = dst.sections[name];
    if (d.file.empty() || !sec.file.empty()) {
      d.file = sec.file;
      d.line = sec.line;
    }
    for (const auto& [key, entry] : sec.keys) d.keys[key] = entry;
  }
  dst.files.insert(dst.files.end(), src.files.begin(), src.files.end());
}

// Adds one file's own keys (not its includes) to `tree`, overriding.
void add_own_keys(IniTree& tree, const ScannedFile& sf, const std::string& file, bool allow_include) {
  std::map<std::pair<std::string, std::string>, int> seen;
  for (const ScannedHeader& h : sf.headers) {
    IniSection& sec = tree.sections[h.section];
    sec.file = file;
    sec.line = h.line;
  }
  for (const ScannedKey& k : sf.keys) {
    if (is_include(k)) {
      if (!allow_include) throw ConfigError(at(file, k.line) + ": include is not allowed here");
      continue;
    }
    if (k.section.empty())
      throw ConfigError(at(file, k.line) + ": " + shown(k.key) + " = " + shown(k.value) +
                        ": key outside any section (only 'include' may come before the first [section])");
    const auto [it, fresh] = seen.emplace(std::make_pair(k.section, k.key), k.line);
    if (!fresh)
      throw ConfigError(at(file, k.line) + ": [" + k.section + "] " + shown(k.key) + " = " + shown(k.value) +
                        ": duplicate key (first given at line " + std::to_string(it->second) + ")");
    IniEntry e;
    e.value = k.value;
    e.file = file;
    e.line = k.line;
    tree.sections[k.section].keys[k.key] = e;
  }
}

// (canonical path, path as opened) of the files being read, outermost first;
// and how many files the whole tree has read, so that a file including the
// next one twice, level after level, cannot make the work grow without end.
struct IncludeStack {
  std::vector<std::pair<std::string, std::string>> open;
  std::size_t files_read = 0;
};

IniTree read_recursive(const std::string& path, IncludeStack& stack, const std::string& included_from) {
  std::error_code ec;
  const std::string canon = fs::weakly_canonical(fs::path(path), ec).string();
  const std::string id = ec ? path : canon;
  for (const auto& open : stack.open) {
    if (open.first != id) continue;
    std::string chain;
    for (const auto& s : stack.open) chain += s.second + " -> ";
    throw ConfigError(included_from + ": cyclic include of " + path + " (" + chain + path + ")");
  }
  if (stack.open.size() >= kMaxIncludeDepth)
    throw ConfigError(included_from + ": includes nested more than " + std::to_string(kMaxIncludeDepth) +
                      " files deep (" + stack.open.front().second + " -> ... -> " + path + ")");
  if (++stack.files_read > kMaxIncludedFiles)
    throw ConfigError(included_from + ": more than " + std::to_string(kMaxIncludedFiles) +
                      " files read for one config (a file included many times over?)");
  const ScannedFile sf = parse(read_whole_file(path, included_from), path);
  stack.open.emplace_back(id, path);
  IniTree tree;
  for (const ScannedKey& k : sf.keys) {
    if (!is_include(k)) continue;
    if (k.value.empty()) throw ConfigError(at(path, k.line) + ": include = : expected a file name");
    const fs::path target = fs::path(k.value).is_absolute()
                                ? fs::path(k.value)
                                : (fs::path(path).parent_path() / k.value).lexically_normal();
    merge_into(tree, read_recursive(target.string(), stack, at(path, k.line)));
  }
  stack.open.pop_back();
  add_own_keys(tree, sf, path, true);
  tree.files.push_back(path);
  return tree;
}

}  // namespace

std::string IniEntry::where() const {
  if (!set_arg.empty()) return "--set " + shown(set_arg);
  if (line > 0) return file + ":" + std::to_string(line);
  return file;
}

IniTree read_ini_tree(const std::string& path) {
  IncludeStack stack;
  return read_recursive(path, stack, "");
}

std::string read_config_text(const std::string& path) { return read_whole_file(path, ""); }

IniTree read_ini_text(const std::string& text, const std::string& name) {
  IniTree tree;
  add_own_keys(tree, parse(text, name), name, false);
  return tree;
}

void set_ini_value(IniTree& tree, const std::string& section, const std::string& key, const std::string& value,
                   const std::string& set_arg) {
  IniSection& sec = tree.sections[section];
  if (sec.file.empty()) sec.file = "--set " + set_arg;
  IniEntry e;
  e.value = value;
  e.set_arg = set_arg;
  sec.keys[key] = e;
}

std::string render_ini(const IniTree& tree) {
  std::string out;
  for (const auto& [name, sec] : tree.sections) {
    if (!out.empty()) out += "\n";
    out += "[" + name + "]\n";
    for (const auto& [key, entry] : sec.keys) out += key + " = " + entry.value + "\n";
  }
  return out;
}

}  // namespace remc
