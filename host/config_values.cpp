// Value syntax: numbers, lists and distributions, with the truncation-mass
// rule of docs/config.md computed exactly on the host (double precision).
#include "config_values.h"

#include <cctype>
#include <cerrno>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <map>

namespace remc {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kFloatMax = std::numeric_limits<float>::max();
// The engine's normals come from Box-Muller on uniforms of at least
// 0.5 / 2^32 = 1.16e-10 (kernels/rng.h), so |z| <= 6.76: seven standard
// deviations bound every draw.
constexpr double kMaxNormalDraw = 7.0;
constexpr double kMaxExpArgument = 88.0;  // exp_lanes clamps its argument here (kernels/lane_math.h)
// A beta's gamma draws overflow float only for shapes below about 7e-38
// (log(u) / k with |log u| <= 22.9); 1e-6 is a wide margin, and smaller
// shapes draw only 0 or 1 in float anyway.
constexpr double kMinBetaShape = 1e-6;

// Standard normal CDF.
double phi(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Continued fraction for the regularized incomplete beta function (modified
// Lentz), converging for x < (a + 1) / (a + b + 2).
double beta_cf(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1.0;
  double d = 1.0 - (a + b) * x / (a + 1.0);
  if (std::fabs(d) < tiny) d = tiny;
  d = 1.0 / d;
  double h = d;
  for (int m = 1; m <= 1000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    h *= d * c;
    aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
    d = 1.0 + aa * d;
    if (std::fabs(d) < tiny) d = tiny;
    c = 1.0 + aa / c;
    if (std::fabs(c) < tiny) c = tiny;
    d = 1.0 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1.0) < 1e-14) break;
  }
  return h;
}

// Regularized incomplete beta I_x(a, b): the Beta(a, b) CDF at x.
double beta_cdf(double x, double a, double b) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1.0) / (a + b + 2.0)) return front * beta_cf(a, b, x) / a;
  return 1.0 - front * beta_cf(b, a, 1.0 - x) / b;
}

// CDF of the untruncated distribution at x.
double cdf(const ParsedDist& d, double x) {
  switch (d.spec.kind) {
    case DistKind::kNormal:
      return phi((x - d.a) / d.b);
    case DistKind::kLognormal:
      return x <= 0.0 ? 0.0 : phi((std::log(x) - std::log(d.a)) / d.b);
    case DistKind::kUniform:
      return std::min(1.0, std::max(0.0, (x - d.a) / (d.b - d.a)));
    case DistKind::kTriangular:
      if (x <= d.a) return 0.0;
      if (x >= d.c) return 1.0;
      if (x <= d.b) return (x - d.a) * (x - d.a) / ((d.c - d.a) * (d.b - d.a));
      return 1.0 - (d.c - x) * (d.c - x) / ((d.c - d.a) * (d.c - d.b));
    case DistKind::kBeta:
      return beta_cdf(x, d.a, d.b);
    case DistKind::kBernoulli:
    case DistKind::kFixed:
      break;
  }
  return 0.0;
}

// A tiny cursor over the distribution text.
struct Cursor {
  const std::string& s;
  std::size_t i = 0;
  void skip() {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  bool eat(char c) {
    skip();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) throw ValueError("malformed distribution '" + s + "': expected '" + std::string(1, c) + "'" + near());
  }
  std::string word() {
    skip();
    const std::size_t b = i;
    while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    return s.substr(b, i - b);
  }
  double number() {
    skip();
    const std::size_t b = i;
    while (i < s.size() && s[i] != ',' && s[i] != ')' && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    const std::string tok = s.substr(b, i - b);
    if (tok.empty()) throw ValueError("malformed distribution '" + s + "': expected a number" + near());
    try {
      return parse_number(tok);
    } catch (const ValueError& e) {
      throw ValueError("malformed distribution '" + s + "': " + e.what());  // says what is wrong with the number
    }
  }
  std::vector<double> args() {
    expect('(');
    std::vector<double> v;
    if (eat(')')) return v;
    do v.push_back(number());
    while (eat(','));
    expect(')');
    return v;
  }
  std::string near() const { return i < s.size() ? " at '" + s.substr(i) + "'" : " at end"; }
};

struct DistInfo {
  DistKind kind;
  int params;
  const char* usage;
};

const std::map<std::string, DistInfo>& dist_table() {
  static const std::map<std::string, DistInfo> t = {
      {"normal", {DistKind::kNormal, 2, "normal(mu, sd)"}},
      {"lognormal", {DistKind::kLognormal, 2, "lognormal(median, sigma)"}},
      {"uniform", {DistKind::kUniform, 2, "uniform(lo, hi)"}},
      {"triangular", {DistKind::kTriangular, 3, "triangular(lo, mode, hi)"}},
      {"beta", {DistKind::kBeta, 2, "beta(a, b)"}},
      {"bernoulli", {DistKind::kBernoulli, 1, "bernoulli(p)"}},
  };
  return t;
}

}  // namespace

bool Range::contains(double v) const {
  if (lo_open ? !(v > lo) : !(v >= lo)) return false;
  if (hi_open ? !(v < hi) : !(v <= hi)) return false;
  return true;
}

std::string Range::describe() const {
  const bool has_lo = std::isfinite(lo);
  const bool has_hi = std::isfinite(hi);
  if (has_lo && has_hi)
    return std::string("must be in ") + (lo_open ? "(" : "[") + format_number(lo) + ", " + format_number(hi) +
           (hi_open ? ")" : "]");
  if (has_lo) return std::string("must be ") + (lo_open ? "> " : ">= ") + format_number(lo);
  if (has_hi) return std::string("must be ") + (hi_open ? "< " : "<= ") + format_number(hi);
  return "must be a finite number";
}

std::string format_number(double v) {
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
    return buf;
  }
  for (int prec = 1; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string shown(const std::string& text) {
  constexpr std::size_t kShownChars = 120;
  std::string out;
  for (std::size_t i = 0; i < text.size() && i < kShownChars; ++i) {
    const unsigned char ch = static_cast<unsigned char>(text[i]);
    if (ch == '\t') {
      out += "\\t";
    } else if (ch == '\r') {
      out += "\\r";
    } else if (ch < 0x20 || ch == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", ch);
      out += escaped;
    } else {
      out += text[i];
    }
  }
  if (text.size() > kShownChars) out += "... (" + std::to_string(text.size()) + " characters)";
  return out;
}

std::string format_float(float v) {
  // Whole numbers below 2^24 are exact in float: print them whole. Larger
  // floats are whole too, but 1e30f is 1.0000000150474662e+30 as a double:
  // they take the shortest form below, as the config wrote them.
  if (v == std::floor(v) && std::fabs(v) < 16777216.0f) return format_number(v);
  char buf[64];
  for (int prec = 1; prec <= 9; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(v));
    if (static_cast<float>(std::strtod(buf, nullptr)) == v) break;
  }
  return buf;
}

std::string format_sum(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.12g", v);
  return buf;
}

bool parse_year_month(const std::string& text, int* year, int* month) {
  auto digit = [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)) != 0; };
  if (text.size() != 7 || text[4] != '-' || !std::all_of(text.begin(), text.begin() + 4, digit) || !digit(text[5]) ||
      !digit(text[6]))
    return false;
  *year = std::stoi(text.substr(0, 4));
  *month = std::stoi(text.substr(5, 2));
  return true;
}

double parse_number(const std::string& text) {
  if (text.empty()) throw ValueError("expected a number, got nothing");
  const char* b = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(b, &end);
  if (end == b || *end != '\0' || std::isspace(static_cast<unsigned char>(text[0])))
    throw ValueError("'" + shown(text) + "' is not a number");
  if (std::isnan(v) || std::isinf(v)) throw ValueError("'" + shown(text) + "' is not a finite number");
  if (errno == ERANGE) throw ValueError("'" + shown(text) + "' is out of the representable range");
  // The engine computes in float: refuse what float cannot hold rather than
  // let it become inf or 0 after the range checks.
  const double magnitude = std::fabs(v);
  if (magnitude > FLT_MAX)
    throw ValueError("'" + shown(text) + "' is too large for single precision (at most 3.4e38)");
  if (magnitude > 0.0 && magnitude < FLT_MIN)
    throw ValueError("'" + shown(text) +
                     "' is too small for single precision (a non-zero magnitude must be at least 1.2e-38)");
  return v;
}

long long parse_integer(const std::string& text) {
  const double v = parse_number(text);
  if (v != std::floor(v)) throw ValueError("'" + shown(text) + "' is not an integer");
  if (std::fabs(v) > static_cast<double>(kMaxConfigInteger))
    throw ValueError("'" + shown(text) + "' is too large (at most 9e15)");
  return static_cast<long long>(v);
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == ',') {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

std::vector<double> parse_number_list(const std::string& text) {
  std::vector<double> out;
  for (const std::string& w : split_words(text)) out.push_back(parse_number(w));
  return out;
}

std::vector<std::pair<std::string, double>> parse_weights(const std::string& text) {
  std::vector<std::pair<std::string, double>> out;
  const std::vector<std::string> words = split_words(text);
  if (words.empty()) throw ValueError("expected 'name:probability ...', got nothing");
  for (const std::string& w : words) {
    const auto colon = w.find(':');
    if (colon == std::string::npos) {
      if (words.size() != 1) throw ValueError("'" + w + "': expected name:probability");
      out.emplace_back(w, 1.0);
      continue;
    }
    const std::string name = w.substr(0, colon);
    if (name.empty()) throw ValueError("'" + w + "': expected name:probability");
    double p = 0.0;
    try {
      p = parse_number(w.substr(colon + 1));
    } catch (const ValueError&) {
      throw ValueError("'" + w + "': probability is not a number");
    }
    out.emplace_back(name, p);
  }
  return out;
}

bool looks_like_distribution(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size() && (std::isalpha(static_cast<unsigned char>(text[i])) || text[i] == '_')) ++i;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  return i > 0 && i < text.size() && text[i] == '(';
}

std::pair<double, double> draw_bounds(const ParsedDist& d) {
  double lo = d.support_lo, hi = d.support_hi;
  const DistKind kind = d.spec.kind;
  if (kind == DistKind::kBernoulli) {
    // Only 0 and 1, each if it has mass and truncation keeps it.
    const auto kept = [&](double v) {
      return (v == 1.0 ? d.a > 0 : d.a < 1) && (!d.truncated || (d.lo <= v && v <= d.hi));
    };
    lo = kept(0.0) ? 0.0 : 1.0;
    hi = kept(1.0) ? 1.0 : 0.0;
  } else if (kind == DistKind::kNormal) {
    lo = std::max(lo, d.a - kMaxNormalDraw * d.b);
    hi = std::min(hi, d.a + kMaxNormalDraw * d.b);
  } else if (kind == DistKind::kLognormal) {
    lo = std::max(lo, d.a * std::exp(-kMaxNormalDraw * d.b));
    hi = std::min(hi, d.a * std::exp(kMaxNormalDraw * d.b));
  }
  return {lo, hi};
}

ParsedDist parse_distribution(const std::string& text) {
  Cursor cur{text};
  const std::string name = cur.word();
  const auto it = dist_table().find(name);
  if (it == dist_table().end())
    throw ValueError("unknown distribution '" + name +
                     "' (known: normal, lognormal, uniform, triangular, beta, bernoulli)");
  const DistInfo& info = it->second;
  const std::vector<double> args = cur.args();
  if (static_cast<int>(args.size()) != info.params)
    throw ValueError(std::string("malformed distribution '") + text + "': " + info.usage + " takes " +
                     std::to_string(info.params) + " parameter" + (info.params == 1 ? "" : "s") + ", got " +
                     std::to_string(args.size()));
  ParsedDist d;
  d.spec.kind = info.kind;
  d.a = args[0];
  d.b = args.size() > 1 ? args[1] : 0.0;
  d.c = args.size() > 2 ? args[2] : 0.0;
  const std::string bad = std::string("invalid distribution '") + text + "': ";
  switch (info.kind) {
    case DistKind::kNormal:
      if (!(d.b > 0)) throw ValueError(bad + "sd must be > 0");
      d.support_lo = -kInf, d.support_hi = kInf, d.mean = d.a;
      break;
    case DistKind::kLognormal:
      if (!(d.a > 0)) throw ValueError(bad + "median must be > 0");
      if (!(d.b > 0)) throw ValueError(bad + "sigma must be > 0");
      // exp's argument is clamped at 88: beyond, draws would be distorted.
      if (!(kMaxNormalDraw * d.b <= kMaxExpArgument)) throw ValueError(bad + "sigma must be at most 88 / 7");
      d.support_lo = 0, d.support_hi = kInf, d.mean = d.a * std::exp(0.5 * d.b * d.b);
      break;
    case DistKind::kUniform:
      if (!(d.a < d.b)) throw ValueError(bad + "lo must be < hi");
      d.support_lo = d.a, d.support_hi = d.b, d.mean = 0.5 * (d.a + d.b);
      break;
    case DistKind::kTriangular:
      if (!(d.a < d.c)) throw ValueError(bad + "lo must be < hi");
      if (!(d.a <= d.b && d.b <= d.c)) throw ValueError(bad + "mode must be in [lo, hi]");
      d.support_lo = d.a, d.support_hi = d.c, d.mean = (d.a + d.b + d.c) / 3.0;
      break;
    case DistKind::kBeta:
      if (!(d.a > 0 && d.b > 0)) throw ValueError(bad + "a and b must be > 0");
      if (!(d.a >= kMinBetaShape && d.b >= kMinBetaShape))
        throw ValueError(bad + "a and b must be >= 1e-6 (smaller shapes draw only 0 or 1 in float: use bernoulli)");
      d.support_lo = 0, d.support_hi = 1, d.mean = d.a / (d.a + d.b);
      break;
    case DistKind::kBernoulli:
      if (!(d.a >= 0 && d.a <= 1)) throw ValueError(bad + "p must be in [0, 1]");
      d.support_lo = 0, d.support_hi = 1, d.mean = d.a;
      break;
    case DistKind::kFixed:
      break;
  }
  cur.skip();
  if (cur.i < text.size()) {
    const std::string t = cur.word();
    if (t != "truncate")
      throw ValueError("malformed distribution '" + text + "': expected 'truncate(lo, hi)'" + " or nothing after ')'");
    const std::vector<double> tr = cur.args();
    if (tr.size() != 2)
      throw ValueError("malformed distribution '" + text + "': truncate(lo, hi) takes 2 parameters, got " +
                       std::to_string(tr.size()));
    cur.skip();
    if (cur.i < text.size()) throw ValueError("malformed distribution '" + text + "': unexpected text" + cur.near());
    d.truncated = true;
    d.lo = tr[0];
    d.hi = tr[1];
    if (!(d.lo < d.hi)) throw ValueError(bad + "truncate(lo, hi) needs lo < hi");
    if (info.kind == DistKind::kBernoulli) {
      d.kept_mass = ((d.lo <= 0 && 0 <= d.hi) ? 1.0 - d.a : 0.0) + ((d.lo <= 1 && 1 <= d.hi) ? d.a : 0.0);
    } else {
      d.kept_mass = cdf(d, d.hi) - cdf(d, d.lo);
    }
    // The 1e-12 slack lets exact 10 % cases (uniform(0, 1) truncate(0.9, 2)) pass despite rounding.
    if (!(d.kept_mass >= kMinTruncatedMass - 1e-12))
      throw ValueError(bad + "truncation keeps " + format_number(std::round(d.kept_mass * 1e4) / 100.0) +
                       " % of the mass; at least " + format_number(kMinTruncatedMass * 100) + " % is required");
    d.support_lo = std::max(d.support_lo, d.lo);
    d.support_hi = std::min(d.support_hi, d.hi);
    d.mean = std::min(std::max(d.mean, d.lo), d.hi);
  }
  // Every draw must be a finite float. A truncated law redraws what falls
  // outside its bounds, infinities included; an untruncated normal or
  // lognormal must keep its widest draws (7 sd) below float's maximum.
  if (!d.truncated && info.kind == DistKind::kNormal && !(std::fabs(d.a) + kMaxNormalDraw * d.b <= kFloatMax))
    throw ValueError(bad + "draws reach mu +- 7 sd, which must stay below 3.4e38 (the largest float); "
                           "or truncate it");
  if (!d.truncated && info.kind == DistKind::kLognormal &&
      !(std::log(d.a) + kMaxNormalDraw * d.b <= std::log(kFloatMax)))
    throw ValueError(bad + "draws reach median * e^(7 sigma), which must stay below 3.4e38 (the largest float); "
                           "or truncate it");
  d.spec.a = static_cast<float>(d.a);
  d.spec.b = static_cast<float>(d.b);
  d.spec.c = static_cast<float>(d.c);
  d.spec.truncated = d.truncated;
  d.spec.lo = static_cast<float>(d.lo);
  d.spec.hi = static_cast<float>(d.hi);
  return d;
}

namespace {

// Inverse of the standard normal CDF: Acklam's rational approximation
// (relative error below 1.2e-9), refined by one Halley step on erfc, which
// brings it to double precision.
double inverse_phi(double p) {
  if (p <= 0.0) return -kInf;
  if (p >= 1.0) return kInf;
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01, -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  double x;
  if (p < 0.02425) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p > 1.0 - 0.02425) {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  }
  const double e = 0.5 * std::erfc(-x / std::sqrt(2.0)) - p;
  const double u = e * std::sqrt(2.0 * M_PI) * std::exp(0.5 * x * x);
  return x - u / (1.0 + 0.5 * x * u);
}

}  // namespace

double inverse_cdf(const ParsedDist& d, double u) {
  u = std::min(1.0, std::max(0.0, u));
  if (d.truncated && (u == 0.0 || u == 1.0)) return u == 0.0 ? d.lo : d.hi;  // exactly, not through the CDF
  const double p = d.truncated ? cdf(d, d.lo) + u * (cdf(d, d.hi) - cdf(d, d.lo)) : u;
  double x = 0.0;
  switch (d.spec.kind) {
    case DistKind::kUniform:
      x = d.a + p * (d.b - d.a);
      break;
    case DistKind::kTriangular: {
      const double left = (d.b - d.a) / (d.c - d.a);
      x = p <= left ? d.a + std::sqrt(p * (d.c - d.a) * (d.b - d.a)) : d.c - std::sqrt((1.0 - p) * (d.c - d.a) * (d.c - d.b));
      break;
    }
    case DistKind::kNormal:
      x = d.a + d.b * inverse_phi(p);
      break;
    case DistKind::kLognormal:
      x = d.a * std::exp(d.b * inverse_phi(p));
      break;
    case DistKind::kBeta: {
      // No closed form: bisection on the CDF (60 halvings of [0, 1]).
      double lo = 0.0, hi = 1.0;
      for (int i = 0; i < 60; ++i) (cdf(d, 0.5 * (lo + hi)) < p ? lo : hi) = 0.5 * (lo + hi);
      x = 0.5 * (lo + hi);
      break;
    }
    case DistKind::kBernoulli:
      x = p > 1.0 - d.a ? 1.0 : 0.0;
      break;
    case DistKind::kFixed:
      x = d.a;
      break;
  }
  return d.truncated ? std::min(d.hi, std::max(d.lo, x)) : x;
}

}  // namespace remc
