// The config loader's public API: INI file (with includes) plus --set
// overrides -> validated RunConfig. Format and keys: docs/config.md.
#pragma once

#include <string>
#include <vector>

#include "run_config.h"

namespace remc {

// Reads, resolves and validates a config. `sets` are --set arguments,
// "section.key=value", applied after all includes, in order.
// Throws ConfigError "FILE:LINE: [section] key = value: reason" on bad input.
RunConfig load_config(const std::string& path, const std::vector<std::string>& sets = {});

// The same from INI text instead of a file (no includes); `name` stands for the
// file name in messages and in RunConfig::config_file.
RunConfig load_config_text(const std::string& text, const std::string& name,
                           const std::vector<std::string>& sets = {});

// The resolved config a result, shard part or checkpoint recorded, loaded as
// the run saw it (text and file name kept in the RunConfig). A ConfigError
// names `recorder` (the recording file) and cites lines of the recorded text
// ("recorded config:274"), not of the original file.
RunConfig load_recorded_config(const std::string& text, const std::string& config_file, const std::string& recorder);

// The same from an already read tree (a study builds one model per design
// point from its base tree); `name` stands for the file name in messages.
struct IniTree;
RunConfig load_config_tree(IniTree tree, const std::string& name, const std::vector<std::string>& sets = {});

}  // namespace remc
