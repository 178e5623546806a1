// Argument syntax shared by `remc run --target` expressions (targets.cpp)
// and study outputs (study_outputs.cpp): STAT(ARG, ARG, ...) with blanks
// around arguments ignored and months written YYYY-MM.
#pragma once

#include <string>
#include <vector>

#include "run_config.h"

namespace remc {

// `s` without leading and trailing spaces and tabs.
std::string trim_blanks(const std::string& s);

// The arguments between a call's parentheses, split at commas and trimmed.
std::vector<std::string> split_arguments(const std::string& text);

// A whole-string finite number into *value (config_values' parse_number), or
// false with the reason in *why (which quotes the text).
bool parse_finite(const std::string& text, double* value, std::string* why);

// "YYYY-MM".
std::string month_label(int year, int month);

// The index of month `label` (YYYY-MM) in a run of `months` months starting
// at run.start_year-run.start_month. Throws ValueError "month 'X' is not
// YYYY-MM" or "month X is outside the run's horizon A .. B".
int month_index(const std::string& label, const RunOptions& run, int months);

}  // namespace remc
