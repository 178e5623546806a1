// Plain-text tables for `remc info`.
#include "text_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace remc {

namespace {

// Display width of UTF-8 text (counts code points, so "±" is one column).
std::size_t display_width(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

}  // namespace

std::string with_error(double value, double error, double scale, const char* unit) {
  if (std::isnan(value)) return "n/a";
  value *= scale;
  error *= scale;
  if (std::isnan(error)) {  // one path: no spread to estimate an error from
    char text[64];
    std::snprintf(text, sizeof text, "%.4g%s ± n/a", value, unit);
    return text;
  }
  if (!(error > 0.0)) {
    char text[64];
    std::snprintf(text, sizeof text, "%.4g%s ± 0%s", value, unit, unit);
    return text;
  }
  // Large numbers share one power of ten: (1.25 ± 0.47)e+10, not 12488558592 ± 4672041423.
  const double largest = std::max(std::fabs(value), error);
  const int exponent = largest >= 1e6 ? static_cast<int>(std::floor(std::log10(largest))) : 0;
  const double power = std::pow(10.0, exponent);
  value /= power;
  error /= power;
  const int decimals = std::clamp(1 - static_cast<int>(std::floor(std::log10(error))), 0, 6);
  char text[128];
  if (exponent == 0)
    std::snprintf(text, sizeof text, "%.*f%s ± %.*f%s", decimals, value, unit, decimals, error, unit);
  else
    std::snprintf(text, sizeof text, "(%.*f ± %.*f)e%+03d%s", decimals, value, decimals, error, exponent, unit);
  return text;
}

// Prints rows with aligned columns: the first left-aligned, the rest right.
void print_table(const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> width;
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (width.size() <= i) width.push_back(0);
      width[i] = std::max(width[i], display_width(row[i]));
    }
  for (const auto& row : rows) {
    out << "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const std::string pad(width[i] - display_width(row[i]), ' ');
      out << (i == 0 ? row[i] + pad : "   " + pad + row[i]);
    }
    out << "\n";
  }
}

// The binomial standard error of 0 of n (or n of n) is 0, which would claim
// certainty. With 0 of n paths the exact one-sided 95 % bound is p < 1 -
// 0.05^(1/n) (about 3/n); it is rounded outwards to two significant digits.
std::string probability_with_error(double p, double error, double n, bool* bounded) {
  if (!(n >= 1.0) || (p != 0.0 && p != 1.0)) return with_error(p, error, 100.0, " %");
  *bounded = true;
  return probability_bound(p, n, 100.0, " %");
}

std::string probability_bound(double p, double n, double scale, const std::string& unit) {
  const double gap = scale * (1.0 - std::pow(0.05, 1.0 / n));  // in the display's scale
  const double magnitude = std::floor(std::log10(gap));
  int decimals = std::max(0, 1 - static_cast<int>(magnitude));  // two significant digits
  // Rounding up can carry into the next power of ten (0.0998 -> 0.100): then one digit fewer.
  if (decimals > 0 && std::ceil(gap * std::pow(10.0, decimals)) >= std::pow(10.0, decimals + magnitude + 1)) --decimals;
  const double step = std::pow(10.0, -decimals);
  char value[32], bound[64];
  std::snprintf(value, sizeof value, "%.0f", p * scale);  // 0, or the whole scale
  if (p == 0.0) std::snprintf(bound, sizeof bound, "%.*f", decimals, std::ceil(gap / step) * step);
  else std::snprintf(bound, sizeof bound, "%.*f", decimals, std::floor((scale - gap) / step) * step);
  return value + unit + (p == 0.0 ? " (< " : " (> ") + bound + unit + ")";
}

}  // namespace remc
