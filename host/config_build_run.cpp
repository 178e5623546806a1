// Builds the run-level parts of a RunConfig: [run], the regime chain
// ([regime.*], [transitions], initial_regime), [tension] and [output].
#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "aggregation_plan.h"
#include "config_reader.h"
#include "config_schema.h"
#include "errors.h"
#include "metrics.h"

namespace remc {
namespace {

constexpr double kRowTolerance = 1e-9;  // rows and initial distributions must sum to 1 within this

std::vector<std::string> name_list(ConfigReader& r, const std::string& key, const std::string& fallback, int max,
                                   const char* limit) {
  const std::vector<std::string> names = split_words(r.text("run", key, fallback));
  if (names.empty()) r.fail("run", key, "needs at least one name");
  if (static_cast<int>(names.size()) > max)
    r.fail("run", key, std::to_string(names.size()) + " names; at most " + limit + " = " + std::to_string(max));
  std::set<std::string> seen;
  for (const std::string& n : names) {
    if (!valid_name(n)) r.fail("run", key, "'" + n + "' is not a valid name (letters, digits, '_' and '-')");
    if (!seen.insert(n).second) r.fail("run", key, "'" + n + "' is listed twice");
  }
  return names;
}

int regime_index(ConfigReader& r, const std::string& section, const std::string& key, const std::string& name) {
  const auto& names = r.out().regime_names;
  const auto it = std::find(names.begin(), names.end(), name);
  if (it == names.end()) {
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : " ") + n;
    r.fail(section, key, "unknown regime '" + name + "' (regimes: " + list + ")");
  }
  return static_cast<int>(it - names.begin());
}

// A "name:p name:p" distribution over regimes into `probs` (size K), summing to 1.
void regime_weights(ConfigReader& r, const std::string& section, const std::string& key, const std::string& text,
                    float* probs) {
  std::vector<std::pair<std::string, double>> w;
  try {
    w = parse_weights(text);
  } catch (const ValueError& e) {
    r.fail(section, key, e.what());
  }
  std::set<std::string> seen;
  double sum = 0.0;
  for (const auto& [name, p] : w) {
    const int k = regime_index(r, section, key, name);
    if (!seen.insert(name).second) r.fail(section, key, "regime '" + name + "' appears twice");
    if (!(p >= 0.0 && p <= 1.0)) r.fail(section, key, "probability of '" + name + "' must be in [0, 1]");
    probs[k] = static_cast<float>(p);
    sum += p;
  }
  if (std::fabs(sum - 1.0) > kRowTolerance)
    r.fail(section, key, "probabilities sum to " + format_sum(sum) + ", must sum to 1 (within 1e-9)");
}

// "never" or a regime name, as a state index (kMaxRegimes: never).
int regime_threshold(ConfigReader& r, const std::string& key) {
  const std::string v = r.text("tension", key, "never");
  if (v == "never") return kMaxRegimes;
  return regime_index(r, "tension", key, v);
}

}  // namespace

void build_names(ConfigReader& r) {
  RunConfig& c = r.out();
  c.material_names = name_list(r, "materials", "ndpr dy tb ndfeb", kMaxMaterials, "kMaxMaterials");
  c.regime_names = name_list(r, "regimes", "open licensing targeted broad embargo", kMaxRegimes, "kMaxRegimes");
  c.sector_names = name_list(r, "sectors", "defense ev wind industrial", kMaxSectors, "kMaxSectors");
  c.model.materials = static_cast<int>(c.material_names.size());
  c.model.regime.count = static_cast<int>(c.regime_names.size());
  c.model.sectors = static_cast<int>(c.sector_names.size());
}

void build_run(ConfigReader& r) {
  RunConfig& c = r.out();
  c.run.paths = static_cast<std::uint64_t>(r.integer("run", "paths", Range::at_least(1), 100000));
  c.run.seed = static_cast<std::uint32_t>(r.integer("run", "seed", Range::closed(0, 4294967295.0), 1));
  // Range-checked before the cast to int, so a huge value cannot wrap into range.
  const long long months = r.integer("run", "months", Range::at_least(1), 120);
  if (months > kMaxMonths) r.fail("run", "months", "must be <= kMaxMonths = " + std::to_string(kMaxMonths));
  c.model.months = static_cast<int>(months);
  if (!parse_year_month(r.text("run", "start", "2025-01"), &c.run.start_year, &c.run.start_month))
    r.fail("run", "start", "expected YYYY-MM");
  if (c.run.start_month < 1 || c.run.start_month > 12) r.fail("run", "start", "month must be 01..12");
  // Months are labelled YYYY-MM: the last one must still have four digits.
  const long long last = c.run.start_year * 12LL + (c.run.start_month - 1) + (c.model.months - 1);
  if (last > 9999LL * 12 + 11) r.fail("run", "start", "the run's last month falls after 9999-12");
}

void build_regimes(ConfigReader& r) {
  RunConfig& c = r.out();
  RegimeModel& rg = c.model.regime;
  const int K = rg.count;
  const int M = c.model.materials;
  // An allowance may be a distribution, drawn once per path. A key without a
  // material suffix is one parameter for all materials (one draw, not one per
  // material), and the allies' default is the importer's parameter itself.
  for (int k = 0; k < K; ++k) {
    const std::string sec = "regime." + c.regime_names[k];
    const bool any_imp = r.has(sec, "allow_importer");
    const bool any_all = r.has(sec, "allow_allies");
    const Param imp_all_materials = any_imp ? r.param(sec, "allow_importer", Range::unit()) : Param{};
    const Param all_all_materials = any_all ? r.param(sec, "allow_allies", Range::unit()) : Param{};
    for (int m = 0; m < M; ++m) {
      const std::string& mat = c.material_names[m];
      const std::string imp_key = "allow_importer." + mat;
      if (!r.has(sec, imp_key) && !any_imp)
        r.fail(sec, "allow_importer", "required key missing (or give allow_importer." + mat + ")");
      const Param imp = r.has(sec, imp_key) ? r.param(sec, imp_key, Range::unit()) : imp_all_materials;
      const Param all = r.param_or(sec, "allow_allies." + mat, Range::unit(), any_all ? all_all_materials : imp);
      rg.allow_importer[k][m] = imp;
      rg.allow_allies[k][m] = all;
    }
  }
  for (int k = 0; k < K; ++k) {
    const std::string& name = c.regime_names[k];
    const IniEntry* e = r.find("transitions", name);
    if (e == nullptr) r.fail("transitions", name, "required key missing (one row per regime)");
    regime_weights(r, "transitions", name, e->value, rg.transition[k]);
  }
  const auto& names = c.regime_names;
  const std::string fallback =
      std::find(names.begin(), names.end(), "licensing") != names.end() ? "licensing" : names.front();
  regime_weights(r, "run", "initial_regime", r.text("run", "initial_regime", fallback), rg.initial);
}

void build_tension(ConfigReader& r) {
  TensionModel& t = r.out().model.tension;
  const std::string s = "tension";
  const Range nonneg = Range::at_least(0);
  t.initial = r.param(s, "initial", nonneg, 0.0);
  // At most 30 events a month: beyond that the monthly Poisson draw
  // (kernels/regime.h, capped at 64 events) loses accuracy.
  t.suppression_rate_per_year = r.param(s, "suppression_rate_per_year", Range::closed(0.0, 360.0), 0.0);
  t.jump = r.param(s, "jump", nonneg, 1.0);
  t.half_life_months = r.param(s, "half_life_months", nonneg, 12.0);
  t.escalation_sensitivity = r.param(s, "escalation_sensitivity", nonneg, 0.0);
  t.escalation_mult = r.param(s, "escalation_mult", nonneg, 1.0);
  t.deescalation_mult = r.param(s, "deescalation_mult", nonneg, 1.0);
  t.dialogue = r.param(s, "dialogue", Range::unit(), 0.0);
  t.dialogue_deescalation = r.param(s, "dialogue_deescalation", nonneg, 2.0);
  t.monitoring = r.param(s, "monitoring", Range::unit(), 0.0);
  t.monitoring_escalation = r.param(s, "monitoring_escalation", nonneg, 0.5);
  t.retaliate_at = regime_threshold(r, "retaliate_at");
  t.retaliation_prob = r.param(s, "retaliation_prob", Range::unit(), 0.0);
  t.accelerate_at = regime_threshold(r, "accelerate_at");
  t.accelerate_factor = r.param(s, "accelerate_factor", nonneg, 1.0);
}

void build_output(ConfigReader& r) {
  RunConfig& c = r.out();
  OutputOptions& o = c.output;
  const std::string s = "output";
  o.path = r.text(s, "file", o.path);
  if (o.path.empty()) r.fail(s, "file", "must not be empty");
  o.bins = static_cast<int>(r.integer(s, "bins", Range::closed(1, 100000), o.bins));
  if (const IniEntry* e = r.find(s, "quantiles")) {
    std::vector<double> q;
    try {
      q = parse_number_list(e->value);
    } catch (const ValueError& err) {
      r.fail(s, "quantiles", err.what());
    }
    if (q.empty()) r.fail(s, "quantiles", "needs at least one quantile");
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (!(q[i] > 0.0 && q[i] < 1.0)) r.fail(s, "quantiles", "each quantile must be in (0, 1)");
      if (i > 0 && !(q[i] > q[i - 1])) r.fail(s, "quantiles", "quantiles must be strictly increasing");
    }
    o.quantiles = q;
  }
  c.model.shortage_threshold = static_cast<float>(r.number(s, "shortage_threshold", Range::unit(), 0.1));

  // hist.METRIC[.MATERIAL] and thresholds.METRIC; names were checked by the schema.
  for (const auto& [key, entry] : r.section_keys(s)) {
    // The regime is a state index: its statistics are the occupancy counts.
    if (key == "hist.regime") r.fail(s, key, "the regime histogram is fixed (one bin per state)");
    if (key == "thresholds.regime")
      r.fail(s, key, "the regime is a state, not a quantity: its shares are /regime/occupancy");
    if (key.rfind("hist.", 0) == 0) {
      const std::vector<std::string> w = split_words(entry.value);
      if (w.size() < 3 || w.size() > 4 || (w[0] != "linear" && w[0] != "log"))
        r.fail(s, key, "expected 'linear LO HI [BINS]' or 'log LO HI [BINS]'");
      HistOverride h;
      h.log_scale = w[0] == "log";
      double lo = 0, hi = 0, bins = 0;
      try {
        lo = parse_number(w[1]);
        hi = parse_number(w[2]);
        bins = w.size() == 4 ? static_cast<double>(parse_integer(w[3])) : 0.0;
      } catch (const ValueError& err) {
        r.fail(s, key, err.what());
      }
      // Compared as the engine will hold them, in float.
      if (!(static_cast<float>(lo) < static_cast<float>(hi)))
        r.fail(s, key, lo < hi ? "LO must be < HI, also in single precision (they round to the same float)"
                               : "LO must be < HI");
      if (h.log_scale && !(lo > 0)) r.fail(s, key, "a log histogram needs LO > 0");
      if (!std::isfinite(static_cast<float>(hi) - static_cast<float>(lo)))
        r.fail(s, key, "HI - LO must be a finite float (at most 3.4e38)");
      if (w.size() == 4 && !(bins >= 1 && bins <= 100000)) r.fail(s, key, "BINS must be in [1, 100000]");
      h.lo = static_cast<float>(lo);
      h.hi = static_cast<float>(hi);
      h.bins = static_cast<int>(bins);
      // The bins must have a width in float: a log range like 100 .. 100.00002
      // has log(HI) - log(LO) round to 0.
      if (!has_usable_bins(HistSpec::make(h.lo, h.hi, h.bins > 0 ? h.bins : o.bins, h.log_scale)))
        r.fail(s, key, "LO and HI are too close in single precision for the bins to have a width");
      o.hist[key.substr(5)] = h;
    } else if (key.rfind("thresholds.", 0) == 0) {
      std::vector<double> v;
      try {
        v = parse_number_list(entry.value);
      } catch (const ValueError& err) {
        r.fail(s, key, err.what());
      }
      if (v.empty()) r.fail(s, key, "needs at least one threshold");
      // Counted as the plan will keep them (in float), here with the line.
      const std::string metric = key.substr(11);
      const std::vector<float> kept = kept_thresholds(metric, std::vector<float>(v.begin(), v.end()));
      const auto always = always_kept_threshold(metric);
      if (static_cast<int>(kept.size()) > kMaxThresholds)
        r.fail(s, key, std::to_string(kept.size()) + " distinct thresholds" +
                           (always ? " (with the " + format_float(*always) + " always kept)" : "") +
                           "; at most kMaxThresholds = " + std::to_string(kMaxThresholds));
      o.thresholds[metric] = std::vector<float>(v.begin(), v.end());
    }
  }
}

}  // namespace remc
