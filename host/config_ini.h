// Raw INI layer of the config loader: reads a config file and its includes
// into section -> key -> value, remembering where each value came from
// (file:line, or the --set argument) so every later error can name it.
// Knows nothing about what the keys mean; see config_schema.h for that.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace remc {

// One key's value and its origin.
struct IniEntry {
  std::string value;    // trimmed text after '='
  std::string file;     // file it was read from (as opened), empty for --set
  int line = 0;         // 1-based line in `file`, 0 when unknown
  std::string set_arg;  // the --set argument that gave it, if any

  // "file:line" or "--set ARG": the prefix of error messages about this entry.
  std::string where() const;
};

struct IniSection {
  std::map<std::string, IniEntry> keys;  // sorted by key
  std::string file;  // where the section header was first seen (for messages)
  int line = 0;
};

// A whole config after includes: sections sorted by name, keys by key.
struct IniTree {
  std::map<std::string, IniSection> sections;
  std::vector<std::string> files;  // every file read (as opened): includes first, then the config
};

// Reads `path` and, first, the files it includes (`include = FILE` at top
// level or in [run], relative to the including file); the including file's
// keys override included ones. Throws ConfigError for unreadable files,
// syntax errors, duplicate keys within one file and cyclic includes.
IniTree read_ini_tree(const std::string& path);

// The whole text of one config file, read with the same limits as
// read_ini_tree (a regular file, at most 16 MiB; a byte-order mark dropped).
std::string read_config_text(const std::string& path);

// Parses INI text (not a file): used for tests and for re-reading resolved
// text. `name` stands for the file name in messages. Includes are not allowed.
IniTree read_ini_text(const std::string& text, const std::string& name);

// Sets section.key = value from a --set argument (section already split off
// by the caller); creates the section if needed.
void set_ini_value(IniTree& tree, const std::string& section, const std::string& key, const std::string& value,
                   const std::string& set_arg);

// The tree as INI text: sections and keys in sorted order, one
// "key = value" per line, no includes. Reading it back gives the same tree.
std::string render_ini(const IniTree& tree);

}  // namespace remc
