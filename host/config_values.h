// Value syntax of the config loader: numbers, integers, word lists,
// "name:weight" lists and distributions ("normal(0.08, 0.02) truncate(0, 0.2)").
// Parsing and checking only; each function throws a plain message (no file or
// key), which the caller (config_build) prefixes with where the value came from.
#pragma once

#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "distributions.h"

namespace remc {

// A message about a value, without location; converted to ConfigError by the caller.
struct ValueError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An allowed interval for a number. Open ends exclude the bound.
struct Range {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
  bool lo_open = false;
  bool hi_open = false;

  static Range any() { return {}; }
  static Range at_least(double v) { return {v, std::numeric_limits<double>::infinity(), false, false}; }
  static Range above(double v) { return {v, std::numeric_limits<double>::infinity(), true, false}; }
  static Range at_most(double v) { return {-std::numeric_limits<double>::infinity(), v, false, false}; }
  static Range closed(double lo, double hi) { return {lo, hi, false, false}; }
  static Range unit() { return closed(0.0, 1.0); }

  bool contains(double v) const;
  std::string describe() const;  // e.g. "must be >= 0", "must be in [0, 1]"
};

// Whole-string number parsing ("1e3", "-0.5"; no trailing text, finite).
double parse_number(const std::string& text);
long long parse_integer(const std::string& text);
std::vector<std::string> split_words(const std::string& text);  // on blanks and commas
std::vector<double> parse_number_list(const std::string& text);
// "YYYY-MM": true with the year and month (the month unchecked), false for
// any other shape.
bool parse_year_month(const std::string& text, int* year, int* month);
// "name:weight name:weight ..." (a single bare "name" means name:1).
std::vector<std::pair<std::string, double>> parse_weights(const std::string& text);

// Formats a double the way the messages and docs show it (shortest round-trip form).
std::string format_number(double v);
// The shortest decimal that reads back as the same float (1560.2, not 1560.199951171875).
std::string format_float(float v);
// A sum of probabilities, to 12 significant digits ("0.95", "1.00000001").
std::string format_sum(double v);
// Config text as a message quotes it: control characters written as \t, \r
// or \xNN, and anything past 120 characters cut (with the full length), so
// a stray carriage return or a megabyte-long line cannot garble the message.
std::string shown(const std::string& text);

// True if `text` looks like a distribution (a word followed by '(').
bool looks_like_distribution(const std::string& text);

// A parsed distribution, in double precision, with its derived properties.
struct ParsedDist {
  DistSpec spec;              // float copy for the kernels
  double a = 0, b = 0, c = 0;
  bool truncated = false;
  double lo = 0, hi = 0;      // truncation bounds
  double support_lo = 0, support_hi = 0;  // support after truncation
  double mean = 0;            // mean before truncation, clamped into the bounds
  double kept_mass = 1;       // probability mass inside the truncation bounds
};

// Parses and checks a distribution: parameter validity, and truncation keeping
// at least kMinTruncatedMass of the mass (see docs/config.md for the rule).
ParsedDist parse_distribution(const std::string& text);

// The interval every engine draw of the distribution lies in: its support,
// narrowed for an untruncated normal or lognormal to the 7 standard
// deviations the engine's normals can reach (kMaxNormalDraw).
std::pair<double, double> draw_bounds(const ParsedDist& d);

// The u-quantile of the distribution (after truncation), u in [0, 1]: the
// inverse CDF, so uniform u gives draws of the distribution (studies map
// their unit designs through it). -inf or +inf at 0 or 1 for an unbounded
// support.
double inverse_cdf(const ParsedDist& d, double u);

constexpr double kMinTruncatedMass = 0.1;
// The largest integer a config (or an option that becomes one) may give:
// beyond 2^53 a double no longer holds every integer exactly.
constexpr long long kMaxConfigInteger = 9000000000000000LL;

}  // namespace remc
