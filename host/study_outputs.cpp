// Study output expressions: parsing, and each output's statistic and
// standard error from one design point's per-path values.
#include "study_outputs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <vector>

#include "config_values.h"
#include "expression_args.h"
#include "metrics.h"
#include "outputs.h"

namespace remc {
namespace {

using S = MetricScope;

[[noreturn]] void fail(const std::string& text, const std::string& why) {
  throw ValueError("output '" + shown(text) + "': " + why);
}

double number(const std::string& text, const std::string& arg) {
  double x = 0.0;
  std::string why;
  if (!parse_finite(arg, &x, &why)) fail(text, why);
  return x;
}

bool looks_like_month(const std::string& s) {
  if (s.size() != 7 || s[4] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6})
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}

int month_of(const std::string& text, const std::string& label, const RunConfig& config) {
  try {
    return month_index(label, config.run, config.model.months);
  } catch (const ValueError& e) {
    fail(text, e.what());
  }
}

// A summary cost named without a material: its total over materials.
const MetricInfo* total_of(const MetricInfo& m) {
  const std::string name = m.name;
  if (name == "shortage_cost" || name == "excess_import_cost" || name == "china_lost_revenue")
    return find_metric("total_" + name);
  return nullptr;
}

struct StatInfo {
  const char* name;
  OutputStat stat;
  bool takes_number;  // threshold or level as the last argument
};

const StatInfo kStats[] = {
    {"p_exceed", OutputStat::kPExceed, true},
    {"p_exceed_any", OutputStat::kPExceedAny, true},
    {"mean", OutputStat::kMean, false},
    {"quantile", OutputStat::kQuantile, true},
    {"expected_shortfall", OutputStat::kExpectedShortfall, true},
};

}  // namespace

StudyOutput parse_study_output(const std::string& raw, const RunConfig& config) {
  const std::string text = trim_blanks(raw);
  const auto open = text.find('(');
  if (open == std::string::npos || text.back() != ')')
    fail(text, "expected STAT(METRIC, ...), STAT one of p_exceed, p_exceed_any, mean, quantile, expected_shortfall");
  const std::string stat_name = trim_blanks(text.substr(0, open));
  const StatInfo* stat = nullptr;
  for (const StatInfo& s : kStats)
    if (stat_name == s.name) stat = &s;
  if (!stat) fail(text, "unknown statistic '" + shown(stat_name) + "' (p_exceed, p_exceed_any, mean, quantile, expected_shortfall)");

  const std::vector<std::string> args = split_arguments(text.substr(open + 1, text.size() - open - 2));
  for (const std::string& a : args)
    if (a.empty()) fail(text, "empty argument");

  StudyOutput out;
  out.stat = stat->stat;
  std::size_t next = 0;
  const MetricInfo* metric = find_metric(args[next]);
  if (!metric || metric->scope == S::kRegimeMonths) {
    std::string names;
    for (const MetricInfo& m : metric_catalogue())
      if (m.scope != S::kRegimeMonths) names += std::string(names.empty() ? "" : ", ") + m.name;
    fail(text, "unknown metric '" + args[next] + "' (one of: " + names + ")");
  }
  ++next;
  const bool per_material = metric->scope == S::kMonthlyMaterial || metric->scope == S::kSummaryMaterial;

  int material = -1;
  if (per_material) {
    const bool named = next < args.size() && std::find(config.material_names.begin(), config.material_names.end(),
                                                       args[next]) != config.material_names.end();
    if (named) {
      material = static_cast<int>(std::find(config.material_names.begin(), config.material_names.end(), args[next]) -
                                  config.material_names.begin());
      ++next;
    } else if (const MetricInfo* total = total_of(*metric)) {
      metric = total;  // a cost over all materials
    } else {
      std::string names;
      for (const std::string& n : config.material_names) names += (names.empty() ? "" : ", ") + n;
      fail(text, std::string(metric->name) + " is per material: name one (" + names + ")" +
                     (next < args.size() ? ", not '" + args[next] + "'" : ""));
    }
  }
  const bool still_monthly = metric->scope == S::kMonthlyMaterial || metric->scope == S::kMonthlyGlobal;

  int month = -1;
  if (still_monthly && out.stat != OutputStat::kPExceedAny) {
    if (next >= args.size() || !looks_like_month(args[next]))
      fail(text, std::string(metric->name) + " is a monthly series: give the month as YYYY-MM" +
                     (out.stat == OutputStat::kMean ? "" : " (or use p_exceed_any for any month)"));
    month = month_of(text, args[next], config);
    ++next;
  }
  if (out.stat == OutputStat::kPExceedAny && !still_monthly)
    fail(text, std::string("p_exceed_any needs a monthly series; ") + metric->name + " is one value per path");

  double x = 0.0;
  if (stat->takes_number) {
    if (next >= args.size()) fail(text, "missing the last argument (threshold, quantile or level)");
    x = number(text, args[next]);
    ++next;
  }
  if (next != args.size()) fail(text, "too many arguments");
  if (out.stat == OutputStat::kQuantile || out.stat == OutputStat::kExpectedShortfall) {
    if (!(x > 0.0 && x < 1.0)) fail(text, "the level must lie strictly between 0 and 1");
    out.level = x;
  } else {
    out.threshold = x;
  }

  // The per-path value: one cell, or the maximum over a monthly series.
  const OutputLayout layout{config.model.materials, config.model.months, config.model.regime.count};
  switch (metric->scope) {
    case S::kMonthlyMaterial:
      out.extract.first_cell = layout.monthly_material(metric->index, material, month < 0 ? 0 : month);
      out.extract.cells = month < 0 ? layout.months : 1;
      break;
    case S::kMonthlyGlobal:
      out.extract.first_cell = layout.monthly_global(metric->index, month < 0 ? 0 : month);
      out.extract.cells = month < 0 ? layout.months : 1;
      break;
    case S::kSummaryMaterial:
      out.extract.first_cell = layout.summary_material(metric->index, material);
      break;
    default:
      out.extract.first_cell = layout.summary_global(metric->index);
      break;
  }

  // Normalised text and description.
  std::string norm = std::string(stat->name) + "(" + metric->name;
  if (material >= 0) norm += ", " + config.material_names[material];
  if (month >= 0) norm += ", " + args[next - (stat->takes_number ? 2 : 1)];
  if (stat->takes_number) norm += ", " + format_number(x);
  out.text = norm + ")";
  out.worst_is_low = metric->worst_is_low;
  const bool probability = out.stat == OutputStat::kPExceed || out.stat == OutputStat::kPExceedAny;
  out.units = probability ? "1" : metric->units;
  out.description = std::string(probability ? "probability over paths; " : "") + metric->name + ": " +
                    metric->description;
  return out;
}

std::vector<StudyOutput> parse_study_outputs(const std::string& list, const RunConfig& config) {
  std::vector<StudyOutput> outputs;
  std::size_t start = 0;
  while (start <= list.size()) {
    const auto semi = list.find(';', start);
    const std::string one = trim_blanks(list.substr(start, semi == std::string::npos ? std::string::npos : semi - start));
    if (!one.empty()) outputs.push_back(parse_study_output(one, config));
    if (semi == std::string::npos) break;
    start = semi + 1;
  }
  if (outputs.empty()) throw ValueError("no outputs: give one or more expressions separated by ';'");
  for (std::size_t i = 0; i < outputs.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (outputs[i].text == outputs[j].text) throw ValueError("output '" + outputs[i].text + "' is listed twice");
  return outputs;
}

bool output_is_mean(const StudyOutput& output) {
  return output.stat == OutputStat::kPExceed || output.stat == OutputStat::kPExceedAny ||
         output.stat == OutputStat::kMean;
}

double path_term(const StudyOutput& output, float value) {
  if (output.stat == OutputStat::kPExceed || output.stat == OutputStat::kPExceedAny)
    return value > output.threshold ? 1.0 : 0.0;
  return value;
}

namespace {

// The sorted values at fractional rank h, interpolated linearly.
double sorted_quantile_at(const std::vector<double>& sorted, double h) {
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

// Sample quantile, linear interpolation between order statistics (type 7).
double sorted_quantile(const std::vector<double>& sorted, double q) {
  const double h = (static_cast<double>(sorted.size()) - 1.0) * q;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

bool averages_lower_tail(const StudyOutput& output) {
  return output.stat == OutputStat::kExpectedShortfall && output.worst_is_low;
}

StudyOutput upper_tail_of(StudyOutput output) {
  output.worst_is_low = false;
  return output;
}

double statistic(const StudyOutput& output, std::vector<float>& values) {
  if (averages_lower_tail(output)) {
    for (float& v : values) v = -v;
    const double upper = statistic(upper_tail_of(output), values);
    for (float& v : values) v = -v;
    return -upper;
  }
  const std::uint64_t n = values.size();
  if (output_is_mean(output)) {
    double sum = 0.0;
    for (float v : values) sum += path_term(output, v);
    return sum / static_cast<double>(n);
  }
  // Order statistics by selection, without a full sort.
  const double h = (static_cast<double>(n) - 1.0) * output.level;
  const std::size_t lo = static_cast<std::size_t>(std::floor(h));
  std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(lo), values.end());
  const double at_lo = values[lo];
  const double at_hi = lo + 1 < n ? *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(lo + 1), values.end()) : at_lo;
  const double var_q = at_lo + (h - static_cast<double>(lo)) * (at_hi - at_lo);
  if (output.stat == OutputStat::kQuantile) return var_q;
  double sum = 0.0;
  std::size_t tail = 0;
  for (std::size_t i = lo; i < n; ++i)
    if (values[i] >= var_q) sum += values[i], ++tail;
  return sum / static_cast<double>(tail);
}

Estimate estimate(const StudyOutput& output, const float* values, std::uint64_t n) {
  if (averages_lower_tail(output)) {
    std::vector<float> negated(values, values + n);
    for (float& v : negated) v = -v;
    Estimate e = estimate(upper_tail_of(output), negated.data(), n);
    e.value = -e.value;
    return e;
  }
  if (output_is_mean(output))
    return mean_of_terms(n, [&](std::uint64_t i) { return path_term(output, values[i]); });
  Estimate e;
  if (n == 0) return e;
  const double dn = static_cast<double>(n);
  std::vector<double> sorted(values, values + n);
  std::sort(sorted.begin(), sorted.end());
  const double q = output.level;
  const double var_q = sorted_quantile(sorted, q);
  if (output.stat == OutputStat::kQuantile) {
    e.value = var_q;
    // Order statistics one binomial standard deviation either side of the
    // estimate's rank h = (n - 1) q. Too few paths in the tail to have
    // them (n q (1 - q) < 1): no standard error (NaN) rather than a false 0.
    const double spread = std::sqrt(dn * q * (1.0 - q));
    const double h = (dn - 1.0) * q;
    if (spread < 1.0 || h - spread < 0.0 || h + spread > dn - 1.0) {
      e.stderr_ = std::numeric_limits<double>::quiet_NaN();
      return e;
    }
    e.stderr_ = 0.5 * (sorted_quantile_at(sorted, h + spread) - sorted_quantile_at(sorted, h - spread));
    return e;
  }
  // Expected shortfall: mean of the values at or above the L-quantile.
  const std::size_t first = static_cast<std::size_t>(std::floor((dn - 1.0) * q));
  double sum = 0.0, sum2 = 0.0;
  std::size_t tail = 0;
  for (std::size_t i = first; i < sorted.size(); ++i) {
    if (sorted[i] < var_q) continue;
    sum += sorted[i];
    sum2 += sorted[i] * sorted[i];
    ++tail;
  }
  e.value = sum / static_cast<double>(tail);
  // The asymptotic formula needs a tail of some size: below 10 expected
  // paths beyond the quantile, no standard error (NaN) rather than a false one.
  if (dn * (1.0 - q) < 10.0 || tail < 2) {
    e.stderr_ = std::numeric_limits<double>::quiet_NaN();
    return e;
  }
  const double var_tail =
      std::max(0.0, (sum2 - sum * sum / static_cast<double>(tail)) / static_cast<double>(tail - 1));
  e.stderr_ = std::sqrt((var_tail + q * (e.value - var_q) * (e.value - var_q)) / (dn * (1.0 - q)));
  return e;
}

}  // namespace remc
