// Monthly market clearing for one material (MODEL.md section 5), the
// importer's stockpile (5.4-5.5) and the two price tiers (section 6).
// All flows are t/month.
#pragma once

#include <cmath>

#include "hd.h"

namespace remc {

struct MarketInputs {
  float demand_imp = 0.0f;  // importer demand incl. stockpile refill purchases
  float demand_all = 0.0f;  // allies' demand
  float output_imp = 0.0f;  // importer plant output
  float output_all = 0.0f;  // allied plant output
  float home_bias = 0.0f;   // h in [0,1]
  float allow_imp = 1.0f;   // a_imp of this regime and material
  float allow_all = 1.0f;   // a_all
};

struct MarketFlows {
  float keep_all = 0.0f;    // K_all: allied output kept at home
  float to_allies = 0.0f;   // R_all: shared allied surplus (and importer surplus) to allies
  float to_imp = 0.0f;      // R_imp: shared allied surplus to the importer
  float gap_imp = 0.0f;     // G_imp: what China would normally export to the importer
  float gap_all = 0.0f;     // G_all
  float export_imp = 0.0f;  // X_imp: allowed Chinese exports
  float export_all = 0.0f;  // X_all
  float withheld = 0.0f;    // W: exports withheld, stay in China
  float supply_imp = 0.0f;  // S_imp: importer supply before the stockpile
  float short_all = 0.0f;   // allies' shortage
};

REMC_HD_INLINE MarketFlows clear_market(const MarketInputs& in) {
  MarketFlows f;
  // 1. Allies keep K_all; the rest is shared with the importer pro rata to need.
  f.keep_all = min_f(in.output_all, in.home_bias * in.demand_all);
  const float surplus_all = in.output_all - f.keep_all;
  const float need_all = in.demand_all - f.keep_all;
  const float need_imp = max_f(0.0f, in.demand_imp - in.output_imp);
  if (need_all + need_imp > 0.0f) {
    const float shared = min_f(surplus_all, need_all + need_imp);
    f.to_allies = shared * need_all / (need_all + need_imp);
    f.to_imp = shared * need_imp / (need_all + need_imp);
  }
  // An importer surplus goes to the allies' remaining need.
  f.to_allies += min_f(max_f(0.0f, in.output_imp - in.demand_imp), need_all - f.to_allies);
  // 2. China swings: fills the remaining gaps as far as the regime allows.
  f.gap_imp = max_f(0.0f, in.demand_imp - in.output_imp - f.to_imp);
  f.gap_all = max_f(0.0f, in.demand_all - f.keep_all - f.to_allies);
  f.export_imp = in.allow_imp * f.gap_imp;
  f.export_all = in.allow_all * f.gap_all;
  f.withheld = f.gap_imp + f.gap_all - f.export_imp - f.export_all;
  // 3. Importer supply before the stockpile; the allies' shortage.
  f.supply_imp = min_f(in.demand_imp, in.output_imp) + f.to_imp + f.export_imp;
  f.short_all = max_f(0.0f, in.demand_all - f.keep_all - f.to_allies - f.export_all);
  return f;
}

struct StockpileInputs {
  float sector_demand = 0.0f;      // importer demand of its sectors
  float priority_share = 0.0f;     // share of the first-priority sector
  float refill = 0.0f;             // refill purchases included in importer demand
  float supply = 0.0f;             // S_imp
  float stock = 0.0f;              // stock at the start of the month, t
  float release_threshold = 0.0f;  // unmet fraction above which stock is released
  float release_max_fraction = 0.0f;
  bool priority_first = true;      // release covers the first-priority sector only
};

struct StockpileFlows {
  float served = 0.0f;          // sector demand met by supply
  float refill_bought = 0.0f;   // refill actually bought (after all sectors)
  float release = 0.0f;         // drawn from the stock
  float stock = 0.0f;           // stock at month end
  float shortage = 0.0f;        // importer sector shortage
  float priority_shortage = 0.0f;
};

REMC_HD_INLINE StockpileFlows stockpile_step(const StockpileInputs& in) {
  StockpileFlows s;
  // Sectors are served before refill purchases, in priority order.
  s.served = min_f(in.supply, in.sector_demand);
  s.refill_bought = min_f(in.refill, in.supply - s.served);
  const float unmet = in.sector_demand - s.served;
  const float priority_demand = in.priority_share * in.sector_demand;
  const float priority_unmet = max_f(0.0f, priority_demand - s.served);
  if (in.sector_demand > 0.0f && unmet / in.sector_demand > in.release_threshold) {
    const float cap = in.priority_first ? priority_unmet : unmet;
    s.release = min_f(in.release_max_fraction * in.stock, cap);
  }
  s.stock = in.stock + s.refill_bought - s.release;
  s.shortage = max_f(0.0f, unmet - s.release);
  s.priority_shortage = max_f(0.0f, priority_demand - s.served - s.release);
  return s;
}

// Partial adjustment of a log price towards log_target, plus noise, clamped.
REMC_HD_INLINE float price_step(float log_price, float log_target, float theta, float sigma, float z, float log_min,
                                float log_max) {
  const float next = log_price + theta * (min_f(log_target, log_max) - log_price) + sigma * z;
  return min_f(max_f(next, log_min), log_max);
}

// Ex-China balance price: P_ref * (demand at reference price / supply)^(1/eta).
// Without demand the price falls to its floor if anything is supplied and
// stays at the reference if nothing is traded; without supply it rises to
// its cap.
REMC_HD_INLINE float log_balance_price(float log_ref, float demand_ref, float supply, float eta, float log_min,
                                       float log_max) {
  if (demand_ref <= 0.0f) return supply > 0.0f ? log_min : log_ref;
  if (supply <= 0.0f) return log_max;
  return log_ref + logf(demand_ref / supply) / eta;
}

// China's domestic balance price: withheld exports add to domestic supply.
REMC_HD_INLINE float log_china_balance_price(float log_china_ref, float china_demand, float withheld, float eta) {
  return china_demand > 0.0f ? log_china_ref + logf(china_demand / (china_demand + withheld)) / eta : log_china_ref;
}

}  // namespace remc
