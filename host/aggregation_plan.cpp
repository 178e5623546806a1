// Default histogram ranges and thresholds per metric; [output] overrides.
#include "aggregation_plan.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>

#include "errors.h"
#include "outputs.h"

namespace remc {

namespace {

using S = MetricScope;

// Linear [0, upper) split so that each of `bins` bins is upper/bins wide and
// one extra bin [upper, upper + upper/bins) holds x == upper exactly (a
// fraction of 1, a full stockpile), which would otherwise be overflow.
HistSpec capped_linear(double upper, int bins) {
  if (!(upper > 0.0)) upper = 1.0;
  return HistSpec::make(0.0f, static_cast<float>(upper * (1.0 + 1.0 / bins)), bins + 1, false);
}

// The same on a log scale between lower and upper.
HistSpec capped_log(double lower, double upper, int bins) {
  const double step = (std::log(upper) - std::log(lower)) / bins;
  return HistSpec::make(static_cast<float>(lower), static_cast<float>(std::exp(std::log(upper) + step)), bins + 1,
                        true);
}

// Integer-valued month counts 0..months: one bin per integer.
HistSpec months_hist(int months) {
  return HistSpec::make(0.0f, static_cast<float>(months + 1), months + 1, false);
}

double positive_or(double x, double fallback) { return x > 0.0 ? x : fallback; }

// Importer (region 0) or allies (1) demand over the horizon in t, and the
// largest month's demand in t/month, at the parameters' nominal values.
double growth_factor(const Model& model, int region, int m) {
  const double g = model.demand[region][m].growth.value;
  return std::max(1.0, std::pow(std::max(1.0 + g, 1e-3), model.months / 12.0));
}
double peak_monthly_demand_t(const Model& model, int region, int m) {
  return std::max(0.0, static_cast<double>(model.demand[region][m].base_tpy.value)) / 12.0 *
         growth_factor(model, region, m);
}
double horizon_demand_t(const Model& model, int region, int m) {
  return peak_monthly_demand_t(model, region, m) * model.months;
}

double price_min(const Model& model, int m) { return model.price[m].min.value; }
double price_max(const Model& model, int m) { return model.price[m].max.value; }
double price_ref(const Model& model, int m) { return positive_or(model.price[m].ref.value, 1.0); }

// Log bins over a price clamp [lo, hi], or a decade either side of the
// reference when the clamp is unusable.
HistSpec price_hist(double lo, double hi, double ref, int bins) {
  if (!(lo > 0.0) || !(hi > lo)) {
    lo = ref / 10.0;
    hi = ref * 10.0;
  }
  return capped_log(lo, hi, bins);
}

double capacity_bound_tpy(const Model& model, int m) {
  double sum = 0.0;
  bool uncertain = false;
  for (int p = 0; p < model.projects; ++p) {
    if (model.project[p].region != 0) continue;
    sum += std::max(0.0f, model.project[p].capacity_tpy[m].value);
    uncertain = uncertain || model.project[p].capacity_tpy[m].draw >= 0;
  }
  return uncertain ? 2.0 * sum : sum;  // drawn capacities may exceed their nominal value
}

double shortage_cost_bound(const Model& model, int m) {
  return horizon_demand_t(model, 0, m) * std::max(0.0f, model.material[m].voll_per_t.value);
}
double excess_cost_low(const Model& model, int m) {
  const double p_lo = positive_or(price_min(model, m), 0.0);
  return std::min(0.0, (p_lo - price_ref(model, m)) * 1000.0 * horizon_demand_t(model, 0, m));
}
double excess_cost_high(const Model& model, int m) {
  const double p_hi = positive_or(price_max(model, m), 10.0 * price_ref(model, m));
  return (p_hi - price_ref(model, m)) * 1000.0 * horizon_demand_t(model, 0, m);
}
double lost_revenue_bound(const Model& model, int m) {
  const double p_hi = positive_or(price_max(model, m), 10.0 * price_ref(model, m));
  return (horizon_demand_t(model, 0, m) + horizon_demand_t(model, 1, m)) * p_hi * 1000.0;
}

HistSpec linear(double lo, double hi, int bins) {
  if (!(hi > lo)) hi = lo + 1.0;
  return HistSpec::make(static_cast<float>(lo), static_cast<float>(hi), bins, false);
}

template <class F>
double sum_over_materials(const Model& model, F f) {
  double s = 0.0;
  for (int m = 0; m < model.materials; ++m) s += f(model, m);
  return s;
}

[[noreturn]] void bad_output(const std::string& key, const std::string& why) {
  throw ConfigError("[output] " + key + ": " + why);
}

// Applies an [output] histogram override, checking it.
HistSpec overridden(const HistOverride& o, int default_bins, const std::string& key) {
  const int bins = o.bins > 0 ? o.bins : default_bins;
  if (!(o.lo < o.hi))
    bad_output("hist." + key, "lo (" + std::to_string(o.lo) + ") must be below hi (" + std::to_string(o.hi) + ")");
  if (o.log_scale && !(o.lo > 0.0f))
    bad_output("hist." + key, "a log scale needs lo > 0 (got " + std::to_string(o.lo) + ")");
  return HistSpec::make(o.lo, o.hi, bins, o.log_scale);
}

// A histogram without usable bins would report coarse quantiles as exact:
// refused, naming the key to set when a default range is at fault.
void check_usable(const HistSpec& spec, const std::string& key, bool overridden_here) {
  if (has_usable_bins(spec)) return;
  // Overrides from a config are checked as it loads (with file and line); this
  // guards those built in code.
  if (overridden_here)
    bad_output("hist." + key, "HI - LO must be a finite float (at most 3.4e38), and the bins must have a width");
  std::ostringstream range;
  range << "[" << spec.lo << ", " << spec.hi << "]";
  bad_output("hist." + key, "the default range " + range.str() +
                                " is not usable in float (extreme parameters in the config); set hist." + key +
                                " = linear LO HI or log LO HI");
}

int material_index(const RunConfig& config, const std::string& name) {
  for (std::size_t m = 0; m < config.material_names.size(); ++m)
    if (config.material_names[m] == name) return static_cast<int>(m);
  return -1;
}

// Rejects override keys that name no metric (or no material), and the
// regime's (its statistics are occupancy counts). load_config makes the same
// checks with file and line; these guard configs built in code.
void check_override_keys(const RunConfig& config) {
  for (const auto& [key, o] : config.output.hist) {
    const std::size_t dot = key.find('.');
    const std::string metric = key.substr(0, dot);
    const MetricInfo* info = find_metric(metric);
    if (!info) bad_output("hist." + key, "unknown metric '" + metric + "'");
    if (info->scope == S::kMonthlyGlobal && info->index == kRegime)
      bad_output("hist." + key, "the regime histogram is fixed (one bin per state)");
    if (dot != std::string::npos) {
      const bool per_material = info->scope == S::kMonthlyMaterial || info->scope == S::kSummaryMaterial;
      if (!per_material) bad_output("hist." + key, "'" + metric + "' has no material axis");
      if (material_index(config, key.substr(dot + 1)) < 0)
        bad_output("hist." + key, "unknown material '" + key.substr(dot + 1) + "'");
    }
  }
  for (const auto& [metric, list] : config.output.thresholds) {
    const MetricInfo* info = find_metric(metric);
    if (!info) bad_output("thresholds." + metric, "unknown metric '" + metric + "'");
    if (info->scope == S::kMonthlyGlobal && info->index == kRegime)
      bad_output("thresholds." + metric, "the regime is a state, not a quantity: its shares are /regime/occupancy");
  }
}

std::vector<float> thresholds_for(const OutputOptions& output, const std::string& metric) {
  const auto it = output.thresholds.find(metric);
  const std::vector<float> t =
      kept_thresholds(metric, it != output.thresholds.end() ? it->second : default_thresholds(metric));
  if (static_cast<int>(t.size()) > kMaxThresholds)
    bad_output("thresholds." + metric, std::to_string(t.size()) + " thresholds" +
                                           (metric == "max_shortage_frac" ? " (0.1 included)" : "") +
                                           ", at most " + std::to_string(kMaxThresholds) + " allowed");
  return t;
}

}  // namespace

bool has_usable_bins(const HistSpec& spec) {
  return std::isfinite(spec.lo) && std::isfinite(spec.hi) && std::isfinite(spec.origin) &&
         std::isfinite(spec.scale) && spec.scale > 0.0f;
}

HistSpec default_hist(const Model& model, const MetricInfo& metric, int m, int bins) {
  const int T = model.months;
  switch (metric.scope) {
    case S::kMonthlyMaterial:
      switch (metric.index) {
        case kShortageT: return linear(0.0, 1.5 * peak_monthly_demand_t(model, 0, m), bins);
        case kPrice:
          return price_hist(price_min(model, m), price_max(model, m), price_ref(model, m), bins);
        case kChinaPrice:
          return price_hist(model.price[m].china_min.value, model.price[m].china_max.value,
                            positive_or(model.price[m].china_ref.value, 1.0), bins);
        case kPriceGap: return HistSpec::make(0.1f, 100.0f, bins, true);
        case kStockpileT:
          return capped_linear(std::max(model.stockpile[m].initial_t.value, model.stockpile[m].target_t.value), bins);
        case kCapacityTpy: return capped_linear(capacity_bound_tpy(model, m), bins);
        default: return capped_linear(1.0, bins);  // fractions and shares
      }
    case S::kMonthlyGlobal: {
      if (metric.index == kRegime) return HistSpec::make(0.0f, static_cast<float>(model.regime.count), model.regime.count, false);
      // Tension: start plus a few jumps beyond its steady-state mean.
      const TensionModel& tn = model.tension;
      const double memory_months = std::max(0.0f, tn.half_life_months.value) / std::log(2.0);
      const double events = std::max(0.0f, tn.suppression_rate_per_year.value) / 12.0 * memory_months;
      const double upper = std::max(0.0f, tn.initial.value) + std::max(0.0f, tn.jump.value) * (4.0 + 3.0 * events);
      return linear(0.0, positive_or(upper, 1.0), bins);
    }
    case S::kSummaryMaterial:
      switch (metric.index) {
        case kCumShortageT: return linear(0.0, horizon_demand_t(model, 0, m), bins);
        case kMaxShortageFrac: return capped_linear(1.0, bins);
        case kPeakPriceRatio: return HistSpec::make(0.1f, 100.0f, bins, true);
        case kShortageCost: return linear(0.0, shortage_cost_bound(model, m), bins);
        case kExcessImportCost: return linear(excess_cost_low(model, m), excess_cost_high(model, m), bins);
        case kChinaLostRevenue: return linear(0.0, lost_revenue_bound(model, m), bins);
        default: return months_hist(T);  // months in shortage, first shortage, depletion month
      }
    case S::kSummaryGlobal:
      switch (metric.index) {
        case kTotalShortageCost: return linear(0.0, sum_over_materials(model, shortage_cost_bound), bins);
        case kTotalExcessImportCost:
          return linear(sum_over_materials(model, excess_cost_low), sum_over_materials(model, excess_cost_high), bins);
        case kTotalChinaLostRevenue: return linear(0.0, sum_over_materials(model, lost_revenue_bound), bins);
        default: return months_hist(T);  // months restricted
      }
    case S::kRegimeMonths: return months_hist(T);
  }
  return linear(0.0, 1.0, bins);
}

std::optional<float> always_kept_threshold(const std::string& metric) {
  // `remc info` reports P(max shortage fraction > 10 %) and the share of
  // paths whose price reached its cap, P(months at the cap > 0).
  if (metric == "max_shortage_frac") return 0.1f;
  if (metric == "months_at_price_cap") return 0.0f;
  return std::nullopt;
}

std::vector<float> kept_thresholds(const std::string& metric, std::vector<float> given) {
  if (const auto always = always_kept_threshold(metric)) given.push_back(*always);
  std::sort(given.begin(), given.end());
  given.erase(std::unique(given.begin(), given.end()), given.end());
  return given;
}

std::vector<float> default_thresholds(const std::string& metric) {
  if (metric == "shortage_frac" || metric == "max_shortage_frac") return {0.05f, 0.1f, 0.2f, 0.5f};
  if (metric == "peak_price_ratio") return {2.0f, 5.0f, 10.0f};
  if (metric == "price_gap") return {2.0f, 3.0f, 4.0f};
  return {};
}

std::vector<double> quantile_levels(const OutputOptions& output) {
  std::vector<double> q = {0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99};
  q.insert(q.end(), output.quantiles.begin(), output.quantiles.end());
  for (double level : q)
    if (!(level > 0.0 && level < 1.0)) bad_output("quantiles", std::to_string(level) + " is not in (0, 1)");
  std::sort(q.begin(), q.end());
  q.erase(std::unique(q.begin(), q.end()), q.end());
  return q;
}

const std::vector<double>& tail_levels() {
  static const std::vector<double> levels = {0.05, 0.01};
  return levels;
}

int material_extent(const OutputLayout& layout, const MetricInfo& metric) {
  return metric.scope == S::kMonthlyMaterial || metric.scope == S::kSummaryMaterial ? layout.materials : 1;
}

int inner_extent(const OutputLayout& layout, const MetricInfo& metric) {
  switch (metric.scope) {
    case S::kMonthlyMaterial:
    case S::kMonthlyGlobal: return layout.months;
    case S::kRegimeMonths: return layout.regimes;
    default: return 1;
  }
}

int cell_of(const OutputLayout& layout, const MetricInfo& metric, int material, int index) {
  switch (metric.scope) {
    case S::kMonthlyMaterial: return layout.monthly_material(metric.index, material, index);
    case S::kMonthlyGlobal: return layout.monthly_global(metric.index, index);
    case S::kSummaryMaterial: return layout.summary_material(metric.index, material);
    case S::kSummaryGlobal: return layout.summary_global(metric.index);
    case S::kRegimeMonths: return layout.months_in_regime(index);
  }
  return -1;
}

int spec_of(const AggregationPlan& plan, const MetricInfo& metric, int material) {
  return plan.cell_spec[cell_of(plan.layout, metric, material, 0)];
}

namespace {

AggregationPlan build_plan(const RunConfig& config) {
  const Model& model = config.model;
  const OutputOptions& output = config.output;
  if (output.bins < 1) bad_output("bins", std::to_string(output.bins) + " must be >= 1");
  check_override_keys(config);

  AggregationPlan plan;
  plan.layout.materials = model.materials;
  plan.layout.months = model.months;
  plan.layout.regimes = model.regime.count;
  plan.cell_spec.assign(plan.layout.cell_count(), -1);

  for (const MetricInfo& metric : metric_catalogue()) {
    const std::vector<float> thresholds = thresholds_for(output, metric.name);
    for (int m = 0; m < material_extent(plan.layout, metric); ++m) {
      HistSpec spec = default_hist(model, metric, m, output.bins);
      const bool per_material = metric.scope == S::kMonthlyMaterial || metric.scope == S::kSummaryMaterial;
      const std::string specific = per_material && m < static_cast<int>(config.material_names.size())
                                       ? std::string(metric.name) + "." + config.material_names[m]
                                       : std::string();
      std::string key = specific.empty() ? std::string(metric.name) : specific;
      bool set_in_config = true;
      if (!specific.empty() && output.hist.count(specific)) {
        spec = overridden(output.hist.at(specific), output.bins, specific);
      } else if (output.hist.count(metric.name)) {
        key = metric.name;
        spec = overridden(output.hist.at(metric.name), output.bins, metric.name);
      } else {
        set_in_config = false;
      }
      check_usable(spec, key, set_in_config);
      spec.threshold_count = static_cast<int>(thresholds.size());
      std::copy(thresholds.begin(), thresholds.end(), spec.thresholds);
      const int index = static_cast<int>(plan.specs.size());
      plan.specs.push_back(spec);
      plan.worst_is_low.push_back(metric.worst_is_low ? 1 : 0);
      for (int i = 0; i < inner_extent(plan.layout, metric); ++i) plan.cell_spec[cell_of(plan.layout, metric, m, i)] = index;
    }
  }

  plan.hist_offset.resize(plan.cell_spec.size());
  for (std::size_t c = 0; c < plan.cell_spec.size(); ++c) {
    plan.hist_offset[c] = plan.hist_size;
    plan.hist_size += static_cast<std::uint64_t>(plan.specs[plan.cell_spec[c]].bins) + 2;
  }
  return plan;
}

}  // namespace

AggregationPlan make_plan(const RunConfig& config) {
  try {
    return build_plan(config);
  } catch (const ConfigError& e) {
    if (config.config_file.empty()) throw;
    throw ConfigError(config.config_file + ": " + e.what());  // checks of the whole model name the file too
  }
}

}  // namespace remc
