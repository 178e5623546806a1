// Plain-text tables for `remc info`: aligned columns and values with their
// standard errors.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace remc {

// A value with its standard error: two significant digits of the error and
// the value to the same decimal place, e.g. "90.16 % ± 0.42 %"; `scale`
// multiplies both (100 for percentages).
std::string with_error(double value, double error, double scale = 1.0, const char* unit = "");

// A probability from n paths as "p % ± se %". When no path or every path
// counted (se is then 0), the exact one-sided 95 % bound instead, e.g.
// "0 % (< 0.015 %)", and *bounded is set.
std::string probability_with_error(double p, double error, double n, bool* bounded);

// That bound alone, for p = 0 or 1 from n >= 1 paths, with p and the bound
// multiplied by `scale`: "0 % (< 0.015 %)" (scale 100, unit " %"), or
// "1 (> 0.9970)" (scale 1, no unit).
std::string probability_bound(double p, double n, double scale, const std::string& unit);

// Prints rows with aligned columns: the first left-aligned, the rest right.
void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out);

}  // namespace remc
