// Builds the market parts of the Model: [material.*], [project.*],
// [demand.REGION.MATERIAL], [stockpile.*] and [price.*].
#include <cmath>

#include "config_reader.h"
#include "errors.h"

namespace remc {
namespace {

constexpr double kShareTolerance = 1e-9;  // sector shares must sum to 1 within this
const Range kNonneg = Range::at_least(0);

// Cross check lo <= v <= hi when the bounds are plain numbers: a number
// itself, a distribution by the interval its draws lie in (the kernel does
// not clamp the starting price, so a draw outside the band would start
// outside it). A key left out takes the value, and the draw, of the first of
// `inherits` that is given (china_initial = china_ref = ref), so a drawn
// value is read from there; the comparison is in float, as the draws are.
void check_order(ConfigReader& r, const std::string& sec, const std::string& key, const Param& v, const Param& lo,
                 const Param& hi, const std::string& why, const std::vector<std::string>& inherits = {}) {
  if (lo.draw >= 0 || hi.draw >= 0) return;
  if (v.draw < 0) {
    if (v.value < lo.value || v.value > hi.value) r.fail(sec, key, why);
    return;
  }
  std::string source = key, text = r.text(sec, key, "");
  for (std::size_t i = 0; text.empty() && i < inherits.size(); ++i) {
    source = inherits[i];
    text = r.text(sec, source, "");
  }
  if (text.empty()) return;
  const auto [draw_lo, draw_hi] = draw_bounds(parse_distribution(text));
  if (static_cast<float>(draw_lo) < lo.value || static_cast<float>(draw_hi) > hi.value) {
    const std::string taken = source == key ? "" : " (" + key + " takes its draw)";
    r.fail(sec, source, "the distribution can take values outside the band" + taken + ": " + why +
                            " (give it truncate(lo, hi) within the band)");
  }
}

// A project's planned first month of output: months from [run] start (a
// number or a distribution), or a calendar month YYYY-MM, which stays on its
// date when a scenario moves the start. A date before the start gives a
// negative month: the project's delay and ramp count from that date.
Param online_month(ConfigReader& r, const std::string& s, bool triggered) {
  const RunOptions& run = r.out().run;
  int year = 0, month = 0;
  if (!parse_year_month(r.text(s, "online_month", ""), &year, &month))
    return r.param(s, "online_month", Range::closed(0, kMaxMonths), 0.0);
  if (month < 1 || month > 12) r.fail(s, "online_month", "month must be 01..12");
  if (triggered) r.fail(s, "online_month", "a triggered project's online_month counts months from its trigger, not a date");
  const int from_start = (year - run.start_year) * 12 + (month - run.start_month);
  if (from_start < -kMaxMonths || from_start > kMaxMonths)
    r.fail(s, "online_month", "more than kMaxMonths = " + std::to_string(kMaxMonths) + " months from [run] start");
  Param p;
  p.value = static_cast<float>(from_start);
  return p;
}

}  // namespace

void build_materials(ConfigReader& r) {
  RunConfig& c = r.out();
  for (int m = 0; m < c.model.materials; ++m) {
    const std::string s = "material." + c.material_names[m];
    MaterialModel& mm = c.model.material[m];
    mm.substitution_rate = r.param(s, "substitution_rate", kNonneg, 0.0);
    mm.substitution_max = r.param(s, "substitution_max", Range::unit(), 0.0);
    mm.home_bias = r.param(s, "home_bias", Range::unit(), 0.0);
    mm.voll_per_t = r.param(s, "voll_per_t", kNonneg, 0.0);
    mm.china_demand_tpy = r.param(s, "china_demand_tpy", kNonneg, 0.0);
  }
}

void build_projects(ConfigReader& r) {
  RunConfig& c = r.out();
  Model& md = c.model;
  // Projects in section-name order (the tree is sorted), disabled ones dropped.
  std::vector<std::string> sections;
  for (const std::string& name : r.section_names("project.")) sections.push_back(name);
  for (const std::string& s : sections) {
    if (!r.boolean(s, "enabled", true)) continue;
    if (md.projects >= kMaxProjects)
      r.fail_section(s, "too many projects: at most kMaxProjects = " + std::to_string(kMaxProjects));
    ProjectModel& p = md.project[md.projects];
    const std::string region = r.choice(s, "region", {"importer", "allies"}, true);
    p.region = region == "importer" ? 0 : 1;
    for (int m = 0; m < md.materials; ++m)
      p.capacity_tpy[m] = r.param(s, "capacity_tpy." + c.material_names[m], kNonneg, 0.0);
    p.on_restriction = r.choice(s, "trigger", {"none", "restriction"}) == "restriction";
    p.online_month = online_month(r, s, p.on_restriction);
    p.delay_median_months = r.param(s, "delay_median_months", kNonneg, 0.0);
    p.delay_sigma = r.param(s, "delay_sigma", kNonneg, 0.0);
    p.fail_prob = r.param(s, "fail_prob", Range::unit(), 0.0);
    p.ramp_months = r.param(s, "ramp_months", kNonneg, 0.0);
    p.utilisation = r.param(s, "utilisation", Range::unit(), 1.0);
    p.utilisation_sigma = r.param(s, "utilisation_sigma", kNonneg, 0.0);
    p.trigger_lag_months = r.param(s, "trigger_lag_months", kNonneg, 0.0);
    if (p.on_restriction && md.tension.accelerate_at >= kMaxRegimes)
      r.fail(s, "trigger", "trigger = restriction needs [tension] accelerate_at (a regime name)");
    c.project_names.push_back(s.substr(8));
    ++md.projects;
  }
}

void build_demand(ConfigReader& r) {
  RunConfig& c = r.out();
  Model& md = c.model;
  const char* regions[kNumRegions] = {"importer", "allies"};
  for (int g = 0; g < kNumRegions; ++g) {
    for (int m = 0; m < md.materials; ++m) {
      const std::string s = std::string("demand.") + regions[g] + "." + c.material_names[m];
      DemandModel& d = md.demand[g][m];
      d.base_tpy = r.param(s, "base_tpy", kNonneg);
      d.growth = r.param(s, "growth", Range::above(-1), 0.0);
      d.noise_sigma = r.param(s, "noise_sigma", kNonneg, 0.0);
      d.price_elasticity = r.param(s, "price_elasticity", Range::at_most(0), 0.0);
      if (g != 0) continue;
      // Sector shares: none given means equal shares; otherwise missing ones are 0.
      bool any = false;
      std::string first_key;
      for (const std::string& sec : c.sector_names)
        if (r.has(s, "share." + sec) && !any) any = true, first_key = "share." + sec;
      double sum = 0.0;
      for (int k = 0; k < md.sectors; ++k) {
        const double v = any ? r.number(s, "share." + c.sector_names[k], Range::unit(), 0.0) : 1.0 / md.sectors;
        d.sector_share[k] = static_cast<float>(v);
        sum += v;
      }
      if (any && std::fabs(sum - 1.0) > kShareTolerance)
        r.fail(s, first_key, "sector shares sum to " + format_sum(sum) + ", must sum to 1 (within 1e-9)");
    }
  }
}

void build_stockpiles(ConfigReader& r) {
  RunConfig& c = r.out();
  for (int m = 0; m < c.model.materials; ++m) {
    const std::string s = "stockpile." + c.material_names[m];
    StockpileModel& sp = c.model.stockpile[m];
    sp.initial_t = r.param(s, "initial_t", kNonneg, 0.0);
    sp.target_t = r.param(s, "target_t", kNonneg, 0.0);
    sp.release_threshold = r.param(s, "release_threshold", Range::unit(), 0.0);
    sp.release_max_fraction = r.param(s, "release_max_fraction", Range::unit(), 0.1);
    sp.refill_t_per_month = r.param(s, "refill_t_per_month", kNonneg, 0.0);
    sp.refill_price_max = r.param(s, "refill_price_max", Range::above(0), 1.0e9);
    sp.priority_first = r.choice(s, "release_to", {"priority", "all"}) == "priority";
  }
}

void build_prices(ConfigReader& r) {
  RunConfig& c = r.out();
  for (int m = 0; m < c.model.materials; ++m) {
    const std::string s = "price." + c.material_names[m];
    PriceModel& p = c.model.price[m];
    const Range positive = Range::above(0);
    p.ref = r.param(s, "ref", positive);
    p.initial = r.param_or(s, "initial", positive, p.ref);
    p.china_ref = r.param_or(s, "china_ref", positive, p.ref);
    p.china_initial = r.param_or(s, "china_initial", positive, p.china_ref);
    p.eta = r.param(s, "eta", positive, 0.25);
    p.theta = r.param(s, "theta", Range{0, 1, true, false}, 0.3);
    p.sigma = r.param(s, "sigma", kNonneg, 0.0);
    p.min = r.param(s, "min", positive, 0.01);
    p.max = r.param(s, "max", positive, 1.0e6);
    if (p.min.draw < 0 && p.max.draw < 0 && !(p.min.value < p.max.value)) r.fail(s, "min", "min must be < max");
    const std::string within = p.min.draw < 0 && p.max.draw < 0
                                   ? "must be within [min, max] = [" + format_float(p.min.value) + ", " +
                                         format_float(p.max.value) + "]"
                                   : "must be within [min, max]";
    check_order(r, s, "ref", p.ref, p.min, p.max, within);
    check_order(r, s, "initial", p.initial, p.min, p.max, within, {"ref"});
    // China's clamp defaults to the ex-China band scaled to China's reference
    // price, so a floor set for the ex-China market does not prop China's up.
    const double china_scale = static_cast<double>(p.china_ref.value) / p.ref.value;
    p.china_min = r.param(s, "china_min", positive, p.min.value * china_scale);
    p.china_max = r.param(s, "china_max", positive, p.max.value * china_scale);
    if (p.china_min.draw < 0 && p.china_max.draw < 0 && !(p.china_min.value < p.china_max.value))
      r.fail(s, "china_min", "china_min must be < china_max");
    const std::string china_within =
        p.china_min.draw < 0 && p.china_max.draw < 0
            ? "must be within [china_min, china_max] = [" + format_float(p.china_min.value) + ", " +
                  format_float(p.china_max.value) + "] (unless set, the band [min, max] scaled by china_ref / ref)"
            : "must be within [china_min, china_max]";
    check_order(r, s, "china_ref", p.china_ref, p.china_min, p.china_max, china_within, {"ref"});
    check_order(r, s, "china_initial", p.china_initial, p.china_min, p.china_max, china_within, {"china_ref", "ref"});
  }
}

}  // namespace remc
