// Argument syntax shared by --target expressions and study outputs.
#include "expression_args.h"

#include <cstdio>

#include "config_values.h"

namespace remc {

std::string trim_blanks(const std::string& s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

std::vector<std::string> split_arguments(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = text.find(',', start);
    out.push_back(trim_blanks(text.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

bool parse_finite(const std::string& text, double* value, std::string* why) {
  try {
    *value = parse_number(text);
    return true;
  } catch (const ValueError& e) {
    *why = e.what();
    return false;
  }
}

std::string month_label(int year, int month) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", year, month);
  return text;
}

int month_index(const std::string& label, const RunOptions& run, int months) {
  const int last = run.start_month - 1 + months - 1;
  const std::string horizon =
      month_label(run.start_year, run.start_month) + " .. " + month_label(run.start_year + last / 12, last % 12 + 1);
  int year = 0, mon = 0;
  if (!parse_year_month(label, &year, &mon) || mon < 1 || mon > 12)
    throw ValueError("month '" + shown(label) + "' is not YYYY-MM");
  const int index = (year - run.start_year) * 12 + (mon - run.start_month);
  if (index < 0 || index >= months) throw ValueError("month " + label + " is outside the run's horizon " + horizon);
  return index;
}

}  // namespace remc
