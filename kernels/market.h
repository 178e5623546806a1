// Monthly market clearing for one material (MODEL.md section 5), the
// importer's stockpile (5.4-5.5) and the two price tiers (section 6).
// All flows are t/month. Templates over the value type F (float for one path,
// a GCC vector for W paths; kernels/lanes.h): branches are selects, so every
// lane takes the same steps.
#pragma once

#include <cmath>

#include "hd.h"
#include "lane_math.h"
#include "lanes.h"

namespace remc {

template <class F>
struct MarketInputsT {
  F demand_imp = splat<F>(0.0f);  // importer demand incl. stockpile refill purchases
  F demand_all = splat<F>(0.0f);  // allies' demand
  F output_imp = splat<F>(0.0f);  // importer plant output
  F output_all = splat<F>(0.0f);  // allied plant output
  F home_bias = splat<F>(0.0f);   // h in [0,1]
  F allow_imp = splat<F>(1.0f);   // a_imp of this regime and material
  F allow_all = splat<F>(1.0f);   // a_all
};
using MarketInputs = MarketInputsT<float>;

template <class F>
struct MarketFlowsT {
  F keep_all;    // K_all: allied output kept at home
  F to_allies;   // R_all: shared allied surplus (and importer surplus) to allies
  F to_imp;      // R_imp: shared allied surplus to the importer
  F gap_imp;     // G_imp: what China would normally export to the importer
  F gap_all;     // G_all
  F export_imp;  // X_imp: allowed Chinese exports
  F export_all;  // X_all
  F withheld;    // W: exports withheld, stay in China
  F supply_imp;  // S_imp: importer supply before the stockpile
  F short_all;   // allies' shortage
};
using MarketFlows = MarketFlowsT<float>;

template <class F>
REMC_HD_INLINE MarketFlowsT<F> clear_market(const MarketInputsT<F>& in) {
  const F zero = splat<F>(0.0f);
  MarketFlowsT<F> f;
  // 1. Allies keep K_all; the rest is shared with the importer pro rata to need.
  f.keep_all = min_lanes(in.output_all, in.home_bias * in.demand_all);
  const F surplus_all = in.output_all - f.keep_all;
  const F need_all = in.demand_all - f.keep_all;
  const F need_imp = max_lanes(zero, in.demand_imp - in.output_imp);
  const F need = need_all + need_imp;
  const auto any_need = need > 0.0f;
  const F share_of_need = min_lanes(surplus_all, need) / need;
  f.to_allies = select(any_need, need_all * share_of_need, zero);
  f.to_imp = select(any_need, need_imp * share_of_need, zero);
  // An importer surplus goes to the allies' remaining need.
  f.to_allies = f.to_allies + min_lanes(max_lanes(zero, in.output_imp - in.demand_imp), need_all - f.to_allies);
  // 2. China swings: fills the remaining gaps as far as the regime allows.
  f.gap_imp = max_lanes(zero, in.demand_imp - in.output_imp - f.to_imp);
  f.gap_all = max_lanes(zero, in.demand_all - f.keep_all - f.to_allies);
  f.export_imp = in.allow_imp * f.gap_imp;
  f.export_all = in.allow_all * f.gap_all;
  // W = G - X, computed per destination as (1 - a) G so it is never below 0
  // (G_imp + G_all - X_imp - X_all can round to a tiny negative under a = 1).
  f.withheld = (1.0f - in.allow_imp) * f.gap_imp + (1.0f - in.allow_all) * f.gap_all;
  // 3. Importer supply before the stockpile; the allies' shortage. S_imp =
  // min(D, Q) + R + a G equals D - (1 - a) G (G = D - Q - R when D > Q, else
  // 0), written so because the sum can round a few ulp below D under a = 1
  // and show a shortage where there is none; the difference cannot.
  f.supply_imp = in.demand_imp - (1.0f - in.allow_imp) * f.gap_imp;
  f.short_all = max_lanes(zero, in.demand_all - f.keep_all - f.to_allies - f.export_all);
  return f;
}

template <class F>
struct StockpileInputsT {
  F sector_demand = splat<F>(0.0f);         // importer demand of its sectors
  F priority_share = splat<F>(0.0f);        // share of the first-priority sector
  F refill = splat<F>(0.0f);                // refill purchases included in importer demand
  F supply = splat<F>(0.0f);                // S_imp
  F stock = splat<F>(0.0f);                 // stock at the start of the month, t
  F release_threshold = splat<F>(0.0f);     // unmet fraction above which stock is released
  F release_max_fraction = splat<F>(0.0f);
  bool priority_first = true;               // release covers the first-priority sector only
};
using StockpileInputs = StockpileInputsT<float>;

template <class F>
struct StockpileFlowsT {
  F served;         // sector demand met by supply
  F refill_bought;  // refill actually bought (after all sectors)
  F release;        // drawn from the stock
  F stock;          // stock at month end
  F shortage;       // importer sector shortage
  F priority_shortage;
};
using StockpileFlows = StockpileFlowsT<float>;

template <class F>
REMC_HD_INLINE StockpileFlowsT<F> stockpile_step(const StockpileInputsT<F>& in) {
  const F zero = splat<F>(0.0f);
  StockpileFlowsT<F> s;
  // Sectors are served before refill purchases, in priority order.
  s.served = min_lanes(in.supply, in.sector_demand);
  s.refill_bought = min_lanes(in.refill, in.supply - s.served);
  const F unmet = in.sector_demand - s.served;
  const F priority_demand = in.priority_share * in.sector_demand;
  const F priority_unmet = max_lanes(zero, priority_demand - s.served);
  const auto release = mask_and(in.sector_demand > 0.0f, unmet > in.release_threshold * in.sector_demand);
  const F cap = in.priority_first ? priority_unmet : unmet;
  s.release = select(release, min_lanes(in.release_max_fraction * in.stock, cap), zero);
  s.stock = in.stock + s.refill_bought - s.release;
  s.shortage = max_lanes(zero, unmet - s.release);
  s.priority_shortage = max_lanes(zero, priority_demand - s.served - s.release);
  return s;
}

// Partial adjustment of a log price towards log_target, plus noise, clamped.
template <class F>
REMC_HD_INLINE F price_step(F log_price, F log_target, F theta, F sigma, F z, F log_min, F log_max) {
  const F next = log_price + theta * (min_lanes(log_target, log_max) - log_price) + sigma * z;
  return min_lanes(max_lanes(next, log_min), log_max);
}

// Ex-China balance price: P_ref * (demand at reference price / supply)^(1/eta).
// Without demand the price falls to its floor if anything is supplied and
// stays at the reference if nothing is traded; without supply it rises to
// its cap.
// inv_eta is 1 / eta.
template <class F>
REMC_HD_INLINE F log_balance_price(F log_ref, F demand_ref, F supply, F inv_eta, F log_min, F log_max) {
  const auto traded = supply > 0.0f;
  const F no_demand = select(traded, log_min, log_ref);
  const F balance = select(traded, log_ref + log_lanes(demand_ref / supply) * inv_eta, log_max);
  return select(demand_ref <= 0.0f, no_demand, balance);
}

// China's domestic balance price: withheld exports add to domestic supply.
template <class F>
REMC_HD_INLINE F log_china_balance_price(F log_china_ref, F china_demand, F withheld, F inv_eta) {
  const F balance = log_china_ref + log_lanes(china_demand / (china_demand + withheld)) * inv_eta;
  return select(china_demand > 0.0f, balance, log_china_ref);
}

}  // namespace remc
