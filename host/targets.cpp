// Precision targets: parsing the expression grammar (targets.h) against the
// config and plan, and evaluating a target from the aggregation state.
#include "targets.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "aggregation_plan.h"
#include "config_values.h"
#include "errors.h"
#include "expression_args.h"
#include "metrics.h"

namespace remc {

namespace {

using S = MetricScope;

// Thresholds as the user typed them (floats shown with %g: 0.1, not 0.100000001).
std::string format_g(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", x);
  return text;
}

// Parses the pieces of one expression; `fail` throws with the argument named.
class ExpressionParser {
 public:
  ExpressionParser(const std::string& argument, const RunConfig& config, const AggregationPlan& plan)
      : argument_(argument), config_(config), plan_(plan) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("run: --target " + shown(argument_) + ": " + what);
  }

  const MetricInfo& metric(const std::string& name) const {
    const MetricInfo* m = find_metric(name);
    if (!m) {
      std::string names;
      for (const MetricInfo& info : metric_catalogue())
        if (info.scope != S::kRegimeMonths) names += std::string(names.empty() ? "" : ", ") + info.name;
      fail("unknown metric '" + shown(name) + "' (one of: " + names + ")");
    }
    if (m->scope == S::kRegimeMonths) fail("months_in_regime (per regime) cannot be a target");
    return *m;
  }

  int material(const std::string& name) const {
    std::string names;
    for (std::size_t i = 0; i < config_.material_names.size(); ++i) {
      if (config_.material_names[i] == name) return static_cast<int>(i);
      names += (i ? ", " : "") + config_.material_names[i];
    }
    fail("unknown material '" + shown(name) + "' (one of: " + names + ")");
  }

  // The month index of a YYYY-MM label from the run's start.
  int month(const std::string& label) const {
    try {
      return month_index(label, config_.run, plan_.layout.months);
    } catch (const ValueError& e) {
      fail(e.what());
    }
  }

  // The index of threshold X among the cell's exceedance thresholds.
  int threshold(const MetricInfo& metric, const HistSpec& spec, const std::string& text) const {
    double x = 0.0;
    std::string why;
    if (!parse_finite(text, &x, &why)) fail("threshold " + why);
    std::string listed;
    for (int j = 0; j < spec.threshold_count; ++j) {
      if (spec.thresholds[j] == static_cast<float>(x)) return j;
      listed += (j ? " " : "") + format_g(spec.thresholds[j]);
    }
    fail(std::string(metric.name) + " has no exceedance threshold " + text + " (available: " +
         (listed.empty() ? "none" : listed) + "); add it with --set output.thresholds." + metric.name + "=\"" +
         (listed.empty() ? "" : listed + " ") + text + "\"");
  }

 private:
  const std::string& argument_;
  const RunConfig& config_;
  const AggregationPlan& plan_;
};

}  // namespace

Target parse_target(const std::string& argument, const RunConfig& config, const AggregationPlan& plan) {
  const ExpressionParser p(argument, config, plan);
  const std::size_t eq = argument.rfind('=');
  if (eq == std::string::npos) p.fail("expected EXPR=HALFWIDTH, e.g. mean(cum_shortage, dy)=0.5");
  Target t;
  t.expression = trim_blanks(argument.substr(0, eq));
  const std::string width = trim_blanks(argument.substr(eq + 1));
  std::string why;
  if (!parse_finite(width, &t.halfwidth, &why)) p.fail("half-width " + why);
  if (!(t.halfwidth > 0.0)) p.fail("half-width '" + shown(width) + "' must be > 0");

  const std::size_t open = t.expression.find('(');
  if (open == std::string::npos || t.expression.back() != ')')
    p.fail("expected mean(...) or p_exceed(...), got '" + shown(t.expression) + "'");
  const std::string function = trim_blanks(t.expression.substr(0, open));
  if (function != "mean" && function != "p_exceed")
    p.fail("unknown function '" + shown(function) + "' (mean or p_exceed)");
  t.exceedance = function == "p_exceed";
  const std::vector<std::string> args = split_arguments(t.expression.substr(open + 1, t.expression.size() - open - 2));

  // The arguments this metric takes, in order.
  const MetricInfo& metric = p.metric(args[0]);
  const bool per_material = metric.scope == S::kMonthlyMaterial || metric.scope == S::kSummaryMaterial;
  const bool monthly = metric.scope == S::kMonthlyMaterial || metric.scope == S::kMonthlyGlobal;
  const std::string form = function + "(" + metric.name + (per_material ? ", MATERIAL" : "") +
                           (monthly ? ", YYYY-MM" : "") + (t.exceedance ? ", X" : "") + ")";
  const std::size_t expected = 1 + (per_material ? 1 : 0) + (monthly ? 1 : 0) + (t.exceedance ? 1 : 0);
  if (args.size() != expected)
    p.fail("expected " + form + " (" + metric.name + " is " + (per_material ? "per material" : "global") + ", " +
           (monthly ? "a monthly series" : "a per-path summary") + ")");

  std::size_t next = 1;
  const int material = per_material ? p.material(args[next++]) : 0;
  const int month = monthly ? p.month(args[next++]) : 0;
  t.cell = cell_of(plan.layout, metric, material, month);
  t.units = t.exceedance ? "1" : metric.units;
  if (t.exceedance) t.threshold = p.threshold(metric, plan.specs[plan.cell_spec[t.cell]], args[next]);
  return t;
}

TargetStatus evaluate_target(const Target& target, const std::vector<MomentTree>& trees,
                             const std::vector<std::uint64_t>& exceed) {
  const ChunkMoments m = trees.at(target.cell).result();
  TargetStatus s;
  s.paths = m.count;
  s.estimate = std::numeric_limits<double>::quiet_NaN();
  s.halfwidth = std::numeric_limits<double>::quiet_NaN();
  if (m.count < 1) return s;
  const double n = static_cast<double>(m.count);
  // Same formulas, in the same order, as the aggregator's stderr and
  // exceedance_stderr, so the result's datasets reproduce these exactly.
  // One path gives an estimate; its mean's standard error is 0 / 0 = NaN.
  double stderr_ = 0.0;
  if (target.exceedance) {
    s.estimate = static_cast<double>(exceed.at(static_cast<std::size_t>(target.cell) * kMaxThresholds +
                                              static_cast<std::size_t>(target.threshold))) / n;
    stderr_ = std::sqrt(s.estimate * (1.0 - s.estimate) / n);
  } else {
    s.estimate = m.mean;
    stderr_ = std::sqrt(m.m2 / (n - 1.0)) / std::sqrt(n);
  }
  s.halfwidth = kTargetZ * stderr_;
  s.met = stderr_ > 0.0 && s.halfwidth <= target.halfwidth;
  return s;
}

bool all_targets_met(const std::vector<Target>& targets, const std::vector<MomentTree>& trees,
                     const std::vector<std::uint64_t>& exceed) {
  for (const Target& t : targets)
    if (!evaluate_target(t, trees, exceed).met) return false;
  return true;
}

}  // namespace remc
