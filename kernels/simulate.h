// Simulated paths, month by month (MODEL.md sections 2-6; docs/model.md
// states the exact equations and their order). Written once for both
// backends as a template over the lane type (kernels/lanes.h): the CUDA
// backend runs one path per thread (ScalarLanes); the CPU backend runs W
// consecutive paths per call in SIMD registers (VectorLanes<W>). Every lane
// does the same arithmetic as a lone path would, so results do not depend on
// the lane type. No allocation, no exceptions.
#pragma once

#include <cmath>
#include <cstdint>

#include "distributions.h"
#include "hd.h"
#include "lane_math.h"
#include "lanes.h"
#include "market.h"
#include "model.h"
#include "model_limits.h"
#include "outputs.h"
#include "path_start.h"
#include "projects.h"
#include "regime.h"
#include "rng.h"
#include "study.h"

namespace remc {

// A material's parameters as a path sees them: drawn once per path, then read
// every month as plain values instead of re-resolving Param::get.
template <class F>
struct MaterialPathConsts {
  F p_ref, inv_p_ref, eta, inv_eta, theta, sigma;
  F stock0, target, refill_price_max, refill_per_month;
  F release_threshold, release_max_fraction, priority_share;
  F home_bias, voll, china_demand_month, substitution_rate_month, substitution_max;

  REMC_HD void init(const Model& md, int m, const F* d) {
    const PriceModel& pm = md.price[m];
    const StockpileModel& sp = md.stockpile[m];
    const MaterialModel& mm = md.material[m];
    p_ref = pm.ref.get(d);
    // eta > 0 and growth > -1 are open bounds a drawn value can still hit in
    // float (e.g. uniform(-1, 0) rounds to -1): keep them just inside.
    eta = max_lanes(pm.eta.get(d), splat<F>(1e-6f));
    // Reciprocals once per path: the monthly loop multiplies instead of dividing.
    inv_eta = 1.0f / eta;
    inv_p_ref = 1.0f / p_ref;
    theta = pm.theta.get(d);
    sigma = pm.sigma.get(d);
    stock0 = sp.initial_t.get(d);
    target = sp.target_t.get(d);
    refill_price_max = sp.refill_price_max.get(d);
    refill_per_month = sp.refill_t_per_month.get(d);
    release_threshold = sp.release_threshold.get(d);
    release_max_fraction = sp.release_max_fraction.get(d);
    priority_share = splat<F>(md.demand[0][m].sector_share[0]);
    home_bias = mm.home_bias.get(d);
    voll = mm.voll_per_t.get(d);
    china_demand_month = mm.china_demand_tpy.get(d) / 12.0f;
    substitution_rate_month = mm.substitution_rate.get(d) / 12.0f;
    substitution_max = mm.substitution_max.get(d);
  }
};

// A project's monthly-output parameters for a path, hoisted likewise.
template <class F>
struct ProjectPathConsts {
  F ramp_per_month, utilisation, utilisation_sigma;

  REMC_HD void init(const ProjectModel& pr, const F* d) {
    ramp_per_month = ramp_rate(pr.ramp_months.get(d));
    utilisation = pr.utilisation.get(d);
    utilisation_sigma = pr.utilisation_sigma.get(d);
  }
};

// The value of a per-state table in each lane's current state.
template <class F, class I>
REMC_HD_INLINE F of_regime(const F (*per_state)[kMaxMaterials], int m, I regime, int states) {
  F v = per_state[0][m];
  for (int k = 1; k < states; ++k) v = select(regime == k, per_state[k][m], v);
  return v;
}

template <class L>
struct PathSimulator {
  using F = typename L::F;
  using I = typename L::I;

  const Model* model = nullptr;
  OutputLayout layout;
  std::uint32_t seed = 0;
  std::uint64_t first_path = 0;  // global index of block-local path 0
  float* out = nullptr;          // [cell][stride]
  std::uint64_t stride = 0;
  // Studies only: when batch.models is set, each group simulates the model
  // and path indices of its design point (kernels/study.h) instead of
  // `model` and first_path + local.
  PointBatch batch;

  REMC_HD void put(int cell, std::uint64_t local, F v) const {
    stream_lanes(out + static_cast<std::uint64_t>(cell) * stride + local, v);
  }

  // Simulates block-local paths group * W ... group * W + W - 1.
  REMC_HD void operator()(std::uint64_t group) const {
    const std::uint64_t local = group * L::width;
    const bool batched = batch.models != nullptr;
    const Model& md = batched ? batch.models[batch.point_of(batch.first_column + local)] : *model;
    const std::uint64_t path0 = batched ? batch.path_of(batch.first_column + local) : first_path + local;
    const LaneRng<L> rng(seed, kStreamSimulation, path0);
    const int M = md.materials;
    const int T = md.months;
    const F zero = splat<F>(0.0f);
    const F one = splat<F>(1.0f);

    PathStart<L> fate;
    fate.draw(md, seed, path0);
    const F* d = fate.draws;
    F* start = fate.start;
    const F* delay = fate.delay;
    const F* failed = fate.failed;
    I regime = fate.regime;

    // Regime and tension.
    const TensionModel& tn = md.tension;
    const RegimeModel& rg = md.regime;
    F tension = tn.initial.get(d);
    const auto dialogue = tn.dialogue.get(d) > 0.5f;
    const auto monitoring = tn.monitoring.get(d) > 0.5f;
    const F half_life = tn.half_life_months.get(d) * select(dialogue, splat<F>(0.5f), one);
    const F decay = select(half_life > 0.0f, exp_lanes(-0.693147180559945309f / half_life), zero);
    const F e_mult = select(monitoring, tn.monitoring_escalation.get(d), tn.escalation_mult.get(d));
    const F d_mult = tn.deescalation_mult.get(d) * select(dialogue, tn.dialogue_deescalation.get(d), one);
    const F beta = tn.escalation_sensitivity.get(d);
    const F events_per_month = tn.suppression_rate_per_year.get(d) / 12.0f;
    const F jump = tn.jump.get(d);
    const F retaliation_prob = tn.retaliation_prob.get(d);
    auto accelerated = zero > 1.0f;  // all false
    I retaliations = splat<I>(0);    // counter-moves this month, acting from next month like suppression events

    // Per-material state.
    F log_price[kMaxMaterials], log_china_price[kMaxMaterials], subst[kMaxMaterials], stock[kMaxMaterials];
    F cum_short[kMaxMaterials], max_frac[kMaxMaterials], short_months[kMaxMaterials];
    F first_short[kMaxMaterials], peak_ratio[kMaxMaterials], depletion[kMaxMaterials];
    F short_cost[kMaxMaterials], excess_cost[kMaxMaterials], lost_rev[kMaxMaterials], at_cap[kMaxMaterials];
    for (int m = 0; m < M; ++m) {
      log_price[m] = log_lanes(md.price[m].initial.get(d));
      log_china_price[m] = log_lanes(md.price[m].china_initial.get(d));
      subst[m] = zero;
      stock[m] = md.stockpile[m].initial_t.get(d);
      cum_short[m] = max_frac[m] = short_months[m] = peak_ratio[m] = zero;
      short_cost[m] = excess_cost[m] = lost_rev[m] = at_cap[m] = zero;
      first_short[m] = splat<F>(static_cast<float>(T));
      depletion[m] = splat<F>(static_cast<float>(T));
    }
    // Per-path constants of the monthly loop, hoisted out of it: logs of
    // prices and demand terms, so each month costs few transcendentals.
    F log_ref[kMaxMaterials], log_min[kMaxMaterials], log_max[kMaxMaterials], log_china_ref[kMaxMaterials];
    F log_china_min[kMaxMaterials], log_china_max[kMaxMaterials];
    F log_demand0[kNumRegions][kMaxMaterials], log_growth_month[kNumRegions][kMaxMaterials];
    F demand_sd[kNumRegions][kMaxMaterials], elasticity[kNumRegions][kMaxMaterials];
    // Whether a region demands the material at all: the log of a zero base is
    // not -inf in lane_math (and exp never returns 0), so zero demand must be
    // kept zero explicitly.
    F demand_on[kNumRegions][kMaxMaterials];
    for (int m = 0; m < M; ++m) {
      log_ref[m] = log_lanes(md.price[m].ref.get(d));
      log_min[m] = log_lanes(md.price[m].min.get(d));
      log_max[m] = log_lanes(md.price[m].max.get(d));
      log_china_ref[m] = log_lanes(md.price[m].china_ref.get(d));
      log_china_min[m] = log_lanes(md.price[m].china_min.get(d));
      log_china_max[m] = log_lanes(md.price[m].china_max.get(d));
      for (int r = 0; r < kNumRegions; ++r) {
        const DemandModel& dm = md.demand[r][m];
        const F sd = dm.noise_sigma.get(d);
        // ln(base / 12) - sd^2 / 2: monthly base with the lognormal mean correction.
        const F base = dm.base_tpy.get(d);
        log_demand0[r][m] = log_lanes(base / 12.0f) - 0.5f * sd * sd;
        demand_on[r][m] = select(base > 0.0f, one, zero);
        log_growth_month[r][m] = log1p_lanes(max_lanes(dm.growth.get(d), splat<F>(-0.999999f))) / 12.0f;
        demand_sd[r][m] = sd;
        elasticity[r][m] = dm.price_elasticity.get(d);
      }
    }
    // Export allowances of every state for this path (fixed, or drawn once).
    F allow_imp[kMaxRegimes][kMaxMaterials], allow_all[kMaxRegimes][kMaxMaterials];
    for (int k = 0; k < rg.count; ++k) {
      for (int m = 0; m < M; ++m) {
        allow_imp[k][m] = rg.allow_importer[k][m].get(d);
        allow_all[k][m] = rg.allow_allies[k][m].get(d);
      }
    }
    MaterialPathConsts<F> mc[kMaxMaterials];
    for (int m = 0; m < M; ++m) mc[m].init(md, m, d);
    ProjectPathConsts<F> pc[kMaxProjects];
    for (int p = 0; p < md.projects; ++p) pc[p].init(md.project[p], d);
    // Each project's utilisation noise for the four months of block util_block[p].
    Normals4<L> util_z[kMaxProjects];
    int util_block[kMaxProjects];
    for (int p = 0; p < md.projects; ++p) util_block[p] = -1;
    F months_in_regime[kMaxRegimes];
    for (int k = 0; k < rg.count; ++k) months_in_regime[k] = zero;
    F months_restricted = zero;

    for (int t = 0; t < T; ++t) {
      const float now = static_cast<float>(t);
      // 1. Regime move (China) with tension from suppression events.
      const Uniforms4<L> ur = rng.uniforms(static_cast<std::uint32_t>(t), kSlotRegime);
      if (t > 0) {
        const I events = poisson_small(events_per_month, ur.u[2]) + retaliations;
        tension = tension * decay + jump * to_float(events);
        retaliations = splat<I>(0);
        regime = next_regime(rg, regime, tension, beta, e_mult, d_mult, ur.u[0]);
      }
      put(layout.monthly_global(kTension, t), local, tension);
      put(layout.monthly_global(kRegime, t), local, to_float(regime));
      for (int k = 0; k < rg.count; ++k) months_in_regime[k] = months_in_regime[k] + select(regime == k, one, zero);
      months_restricted = months_restricted + select(regime > 0, one, zero);
      // Importer counter-move: a retaliation is a suppression event of next month.
      retaliations = select(mask_and(regime >= tn.retaliate_at, ur.u[1] <= retaliation_prob), splat<I>(1), splat<I>(0));
      // First restrictive month: emergency projects start their clock, and
      // pending projects' remaining delay shrinks.
      const auto trigger = mask_and(mask_not(accelerated), regime >= tn.accelerate_at);
      if (any(trigger)) {
        accelerated = mask_or(accelerated, trigger);
        const F factor = tn.accelerate_factor.get(d);
        for (int p = 0; p < md.projects; ++p) {
          const ProjectModel& pr = md.project[p];
          const F moved = start_after_trigger(start[p], pr.on_restriction, now, pr.trigger_lag_months.get(d),
                                              pr.online_month.get(d), delay[p], factor);
          start[p] = select(mask_and(trigger, failed[p] < 0.5f), moved, start[p]);
        }
      }

      // 2. Plant output this month, t/month, and importer capacity online, t/yr.
      F q[kNumRegions][kMaxMaterials];
      F capacity_imp[kMaxMaterials];
      for (int m = 0; m < M; ++m) q[0][m] = q[1][m] = capacity_imp[m] = zero;
      for (int p = 0; p < md.projects; ++p) {
        const ProjectModel& pr = md.project[p];
        const F ramp = ramp_fraction_at(start[p], pc[p].ramp_per_month, t);
        const auto producing = ramp > 0.0f;
        if (!any(producing)) continue;
        F util = pc[p].utilisation;
        const F su = pc[p].utilisation_sigma;
        const auto noisy = mask_and(producing, su > 0.0f);
        if (any(noisy)) {
          // One draw on the project's own slot serves four months of its noise.
          const int block = t / 4;
          if (util_block[p] != block) {
            util_block[p] = block;
            util_z[p] = rng.normals(static_cast<std::uint32_t>(block), pr.utilisation_slot);
          }
          util = select(noisy, util * exp_lanes(su * util_z[p].z[t % 4] - 0.5f * su * su), util);
        }
        util = min_lanes(util, one);
        // Lanes not yet producing add cap * 0, leaving their sums unchanged.
        const F monthly_output_per_tpy = ramp * util * (1.0f / 12.0f);
        for (int m = 0; m < M; ++m) {
          const F cap = pr.capacity_tpy[m].get(d);
          q[pr.region][m] = q[pr.region][m] + cap * monthly_output_per_tpy;
          if (pr.region == 0) capacity_imp[m] = capacity_imp[m] + cap * ramp;
        }
      }

      for (int m = 0; m < M; ++m) {
        const Normals4<L> z = rng.normals(static_cast<std::uint32_t>(t), md.material[m].noise_slot);
        const MaterialPathConsts<F>& c = mc[m];
        const F price = exp_lanes(log_price[m]);
        const F china_price = exp_lanes(log_china_price[m]);
        const F log_ratio = log_price[m] - log_ref[m];

        // 3. Demand, t/month: reference path with growth and noise, less the
        //    substituted fraction; then the short-run price response.
        F demand_ref[kNumRegions], demand[kNumRegions];
        for (int r = 0; r < kNumRegions; ++r) {
          demand_ref[r] = select(demand_on[r][m] > 0.0f,
                                 exp_lanes(log_demand0[r][m] + now * log_growth_month[r][m] + demand_sd[r][m] * z.z[r]) *
                                     (1.0f - subst[m]),
                                 zero);
          demand[r] = demand_ref[r] * exp_lanes(elasticity[r][m] * log_ratio);
        }
        const F d_sec = demand[0];  // importer sector demand
        const F d_all = demand[1];
        const auto refilling = mask_and(regime == 0, mask_and(stock[m] < c.target, price < c.refill_price_max));
        const F refill = select(refilling, min_lanes(c.refill_per_month, c.target - stock[m]), zero);
        MarketInputsT<F> mi;
        mi.demand_imp = d_sec + refill;
        mi.demand_all = d_all;
        mi.output_imp = q[0][m];
        mi.output_all = q[1][m];
        mi.home_bias = c.home_bias;
        mi.allow_imp = of_regime(allow_imp, m, regime, rg.count);
        mi.allow_all = of_regime(allow_all, m, regime, rg.count);
        const MarketFlowsT<F> f = clear_market(mi);

        // 5. Importer: sectors first, refill last; stockpile release on shortage.
        StockpileInputsT<F> si;
        si.sector_demand = d_sec;
        si.priority_share = c.priority_share;
        si.refill = refill;
        si.supply = f.supply_imp;
        si.stock = stock[m];
        si.release_threshold = c.release_threshold;
        si.release_max_fraction = c.release_max_fraction;
        si.priority_first = md.stockpile[m].priority_first;
        const StockpileFlowsT<F> s = stockpile_step(si);
        stock[m] = s.stock;
        const F shortage = s.shortage;
        // Fractions by division (correctly rounded on both backends, and never
        // above 1 when the numerator is at most the denominator).
        const F frac = select(d_sec > 0.0f, shortage / d_sec, zero);
        const F d_priority = si.priority_share * d_sec;
        const F priority_frac = select(d_priority > 0.0f, s.priority_shortage / d_priority, zero);
        const F frac_all = select(d_all > 0.0f, f.short_all / d_all, zero);
        const F delivered = f.supply_imp + s.release;
        const F china_share = select(delivered > 0.0f, f.export_imp / delivered, zero);

        put(layout.monthly_material(kShortageT, m, t), local, shortage);
        put(layout.monthly_material(kShortageFrac, m, t), local, frac);
        put(layout.monthly_material(kAlliesShortageFrac, m, t), local, frac_all);
        put(layout.monthly_material(kPriorityShortageFrac, m, t), local, priority_frac);
        put(layout.monthly_material(kPrice, m, t), local, price);
        put(layout.monthly_material(kChinaPrice, m, t), local, china_price);
        put(layout.monthly_material(kPriceGap, m, t), local, price / china_price);
        put(layout.monthly_material(kChinaShare, m, t), local, china_share);
        put(layout.monthly_material(kStockpileT, m, t), local, stock[m]);
        put(layout.monthly_material(kCapacityTpy, m, t), local, capacity_imp[m]);
        put(layout.monthly_material(kSubstitutionFrac, m, t), local, subst[m]);

        // Path summaries.
        const auto in_shortage = frac > md.shortage_threshold;
        cum_short[m] = cum_short[m] + shortage;
        max_frac[m] = max_lanes(max_frac[m], frac);
        short_months[m] = short_months[m] + select(in_shortage, one, zero);
        first_short[m] = select(in_shortage, min_lanes(first_short[m], splat<F>(now)), first_short[m]);
        peak_ratio[m] = max_lanes(peak_ratio[m], price * c.inv_p_ref);
        // The clamp sets the log price to log_max exactly, so equality is the test.
        at_cap[m] = at_cap[m] + select(log_price[m] >= log_max[m], one, zero);
        const auto depleted = mask_and(c.stock0 > 0.0f, stock[m] <= 0.01f * c.stock0);
        depletion[m] = select(depleted, min_lanes(depletion[m], splat<F>(now)), depletion[m]);
        short_cost[m] = short_cost[m] + shortage * c.voll;
        excess_cost[m] = excess_cost[m] + (price - c.p_ref) * 1000.0f * (f.to_imp + f.export_imp);
        lost_rev[m] = lost_rev[m] + f.withheld * china_price * 1000.0f;

        // 6. Prices for next month: partial adjustment towards the balance prices.
        // The balance price compares demand and supply both at the reference
        // price: eta is the combined elasticity, so demand's own price response
        // must not feed back into it (it would steepen the price response to
        // 1 / (eta - |eps_d|)). Supply at the reference price is what China
        // would export against reference-price demand under this regime.
        MarketInputsT<F> mi_ref = mi;
        mi_ref.demand_imp = demand_ref[0] + refill;
        mi_ref.demand_all = demand_ref[1];
        const MarketFlowsT<F> f_ref = clear_market(mi_ref);
        const F demand_ex = mi_ref.demand_imp + mi_ref.demand_all;
        const F supply_ex = mi.output_imp + mi.output_all + f_ref.export_imp + f_ref.export_all + s.release;
        log_price[m] = price_step(log_price[m], log_balance_price(log_ref[m], demand_ex, supply_ex, c.inv_eta, log_min[m], log_max[m]),
                                  c.theta, c.sigma, z.z[2], log_min[m], log_max[m]);
        const F china_target = log_china_balance_price(log_china_ref[m], c.china_demand_month, f.withheld, c.inv_eta);
        log_china_price[m] = price_step(log_china_price[m], china_target, c.theta, c.sigma, z.z[3], log_china_min[m],
                                        log_china_max[m]);

        // 7. Substitution ratchet: grows with log2 of the price ratio, never falls.
        subst[m] = min_lanes(subst[m] + c.substitution_rate_month * max_lanes(zero, log_ratio * 1.44269504f),
                             max_lanes(subst[m], c.substitution_max));
      }
    }

    F total_cost = zero, total_excess = zero, total_lost = zero;
    for (int m = 0; m < M; ++m) {
      put(layout.summary_material(kCumShortageT, m), local, cum_short[m]);
      put(layout.summary_material(kMaxShortageFrac, m), local, max_frac[m]);
      put(layout.summary_material(kMonthsInShortage, m), local, short_months[m]);
      put(layout.summary_material(kFirstShortageMonth, m), local, first_short[m]);
      put(layout.summary_material(kPeakPriceRatio, m), local, peak_ratio[m]);
      put(layout.summary_material(kStockpileDepletionMonth, m), local, depletion[m]);
      put(layout.summary_material(kShortageCost, m), local, short_cost[m]);
      put(layout.summary_material(kExcessImportCost, m), local, excess_cost[m]);
      put(layout.summary_material(kChinaLostRevenue, m), local, lost_rev[m]);
      put(layout.summary_material(kMonthsAtPriceCap, m), local, at_cap[m]);
      total_cost = total_cost + short_cost[m];
      total_excess = total_excess + excess_cost[m];
      total_lost = total_lost + lost_rev[m];
    }
    put(layout.summary_global(kTotalShortageCost), local, total_cost);
    put(layout.summary_global(kTotalExcessImportCost), local, total_excess);
    put(layout.summary_global(kTotalChinaLostRevenue), local, total_lost);
    put(layout.summary_global(kMonthsRestricted), local, months_restricted);
    for (int k = 0; k < rg.count; ++k) put(layout.months_in_regime(k), local, months_in_regime[k]);
    stream_fence();
  }
};

}  // namespace remc
