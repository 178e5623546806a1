// One simulated path, month by month (MODEL.md sections 2-6; docs/model.md
// states the exact equations and their order). Written once for both backends:
// a plain functor over the global path index, no allocation, no exceptions.
#pragma once

#include <cmath>
#include <cstdint>

#include "distributions.h"
#include "market.h"
#include "hd.h"
#include "model_limits.h"
#include "model.h"
#include "outputs.h"
#include "projects.h"
#include "regime.h"
#include "rng.h"

namespace remc {

// A material's parameters as one path sees them: drawn once per path, then
// read every month. Hoisted out of the monthly loop so each month reads plain
// floats instead of re-resolving Param::get (a branch and an indexed load
// each) and re-dividing by constants. CPU-motivated; neutral for the GPU
// (the same values, held per thread).
struct MaterialPathConsts {
  float p_ref, eta, theta, sigma;
  float stock0, target, refill_price_max, refill_per_month;
  float release_threshold, release_max_fraction, priority_share;
  float home_bias, voll, china_demand_month, substitution_rate_month, substitution_max;

  REMC_HD void init(const Model& md, int m, const float* d) {
    const PriceModel& pm = md.price[m];
    const StockpileModel& sp = md.stockpile[m];
    const MaterialModel& mm = md.material[m];
    p_ref = pm.ref.get(d);
    // eta > 0 and growth > -1 are open bounds a drawn value can still hit in
    // float (e.g. uniform(-1, 0) rounds to -1): keep them just inside.
    eta = max_f(pm.eta.get(d), 1e-6f);
    theta = pm.theta.get(d);
    sigma = pm.sigma.get(d);
    stock0 = sp.initial_t.get(d);
    target = sp.target_t.get(d);
    refill_price_max = sp.refill_price_max.get(d);
    refill_per_month = sp.refill_t_per_month.get(d);
    release_threshold = sp.release_threshold.get(d);
    release_max_fraction = sp.release_max_fraction.get(d);
    priority_share = md.demand[0][m].sector_share[0];
    home_bias = mm.home_bias.get(d);
    voll = mm.voll_per_t.get(d);
    china_demand_month = mm.china_demand_tpy.get(d) / 12.0f;
    substitution_rate_month = mm.substitution_rate.get(d) / 12.0f;
    substitution_max = mm.substitution_max.get(d);
  }
};

// A project's monthly-output parameters for one path, hoisted like
// MaterialPathConsts.
struct ProjectPathConsts {
  float ramp_months, utilisation, utilisation_sigma;

  REMC_HD void init(const ProjectModel& pr, const float* d) {
    ramp_months = pr.ramp_months.get(d);
    utilisation = pr.utilisation.get(d);
    utilisation_sigma = pr.utilisation_sigma.get(d);
  }
};

struct PathSimulator {
  const Model* model = nullptr;
  OutputLayout layout;
  std::uint32_t seed = 0;
  std::uint64_t first_path = 0;  // global index of block-local path 0
  float* out = nullptr;          // [cell][stride]
  std::uint64_t stride = 0;

  REMC_HD void put(int cell, std::uint64_t local, float v) const {
    out[static_cast<std::uint64_t>(cell) * stride + local] = v;
  }

  REMC_HD void operator()(std::uint64_t local) const {
    const Model& md = *model;
    const PathRng rng(seed, kStreamSimulation, first_path + local);
    const int M = md.materials;
    const int T = md.months;

    // Uncertain parameters, drawn once per path.
    float draws[kMaxUncertain];
    for (int i = 0; i < md.uncertain_count; ++i) {
      UniformSequence seq(rng, kSlotParam + static_cast<std::uint32_t>(i));
      draws[i] = sample(md.uncertain[i], seq);
    }
    const float* d = draws;

    // Project fates: failure, lognormal delay, start month.
    float start[kMaxProjects];
    float delay[kMaxProjects];
    bool failed[kMaxProjects];
    for (int p = 0; p < md.projects; ++p) {
      const ProjectModel& pr = md.project[p];
      const auto r = rng.raw(kMonthPerPath, kSlotProjectFate + static_cast<std::uint32_t>(p));
      failed[p] = r123::u01<float>(r.v[0]) <= pr.fail_prob.get(d);
      const float median = pr.delay_median_months.get(d);
      const float z = r123::boxmuller(r.v[1], r.v[2]).x;
      delay[p] = median > 0.0f ? median * expf(pr.delay_sigma.get(d) * z) : 0.0f;
      start[p] = (failed[p] || pr.on_restriction) ? kNeverStarts : pr.online_month.get(d) + delay[p];
    }

    // Regime and tension.
    const TensionModel& tn = md.tension;
    const RegimeModel& rg = md.regime;
    int regime = 0;
    {
      // Walk the initial law; if rounding leaves u above its sum, take the
      // last state with positive mass (never a state the config excludes).
      const float u = rng.uniforms(kMonthPerPath, kSlotRegime).u[0];
      float cdf = 0.0f;
      regime = -1;
      for (int k = 0; k < rg.count && regime < 0; ++k) {
        cdf += rg.initial[k];
        if (u <= cdf) regime = k;
      }
      for (int k = rg.count - 1; regime < 0 && k >= 0; --k)
        if (rg.initial[k] > 0.0f) regime = k;
    }
    float tension = tn.initial.get(d);
    const bool dialogue = tn.dialogue.get(d) > 0.5f;
    const bool monitoring = tn.monitoring.get(d) > 0.5f;
    const float half_life = tn.half_life_months.get(d) * (dialogue ? 0.5f : 1.0f);
    const float decay = half_life > 0.0f ? exp2f(-1.0f / half_life) : 0.0f;
    const float e_mult = monitoring ? tn.monitoring_escalation.get(d) : tn.escalation_mult.get(d);
    const float d_mult = tn.deescalation_mult.get(d) * (dialogue ? tn.dialogue_deescalation.get(d) : 1.0f);
    const float beta = tn.escalation_sensitivity.get(d);
    const float events_per_month = tn.suppression_rate_per_year.get(d) / 12.0f;
    const float jump = tn.jump.get(d);
    const float retaliation_prob = tn.retaliation_prob.get(d);
    bool accelerated = false;
    int retaliations = 0;  // counter-moves this month, acting from next month like suppression events

    // Per-material state.
    float log_price[kMaxMaterials], log_china_price[kMaxMaterials], subst[kMaxMaterials], stock[kMaxMaterials];
    float cum_short[kMaxMaterials] = {}, max_frac[kMaxMaterials] = {}, short_months[kMaxMaterials] = {};
    float first_short[kMaxMaterials], peak_ratio[kMaxMaterials] = {}, depletion[kMaxMaterials];
    float short_cost[kMaxMaterials] = {}, excess_cost[kMaxMaterials] = {}, lost_rev[kMaxMaterials] = {};
    for (int m = 0; m < M; ++m) {
      log_price[m] = logf(md.price[m].initial.get(d));
      log_china_price[m] = logf(md.price[m].china_initial.get(d));
      subst[m] = 0.0f;
      stock[m] = md.stockpile[m].initial_t.get(d);
      first_short[m] = static_cast<float>(T);
      depletion[m] = static_cast<float>(T);
    }
    // Per-path constants of the monthly loop, hoisted out of it: logs of
    // prices and demand terms, so each month costs few transcendentals.
    float log_ref[kMaxMaterials], log_min[kMaxMaterials], log_max[kMaxMaterials], log_china_ref[kMaxMaterials];
    float log_china_min[kMaxMaterials], log_china_max[kMaxMaterials];
    float log_demand0[kNumRegions][kMaxMaterials], log_growth_month[kNumRegions][kMaxMaterials];
    float demand_sd[kNumRegions][kMaxMaterials], elasticity[kNumRegions][kMaxMaterials];
    for (int m = 0; m < M; ++m) {
      log_ref[m] = logf(md.price[m].ref.get(d));
      log_min[m] = logf(md.price[m].min.get(d));
      log_max[m] = logf(md.price[m].max.get(d));
      log_china_ref[m] = logf(md.price[m].china_ref.get(d));
      log_china_min[m] = logf(md.price[m].china_min.get(d));
      log_china_max[m] = logf(md.price[m].china_max.get(d));
      for (int r = 0; r < kNumRegions; ++r) {
        const DemandModel& dm = md.demand[r][m];
        const float sd = dm.noise_sigma.get(d);
        // ln(base / 12) - sd^2 / 2: monthly base with the lognormal mean correction.
        log_demand0[r][m] = logf(dm.base_tpy.get(d) / 12.0f) - 0.5f * sd * sd;
        log_growth_month[r][m] = log1pf(max_f(dm.growth.get(d), -0.999999f)) / 12.0f;
        demand_sd[r][m] = sd;
        elasticity[r][m] = dm.price_elasticity.get(d);
      }
    }
    MaterialPathConsts mc[kMaxMaterials];
    for (int m = 0; m < M; ++m) mc[m].init(md, m, d);
    ProjectPathConsts pc[kMaxProjects];
    for (int p = 0; p < md.projects; ++p) pc[p].init(md.project[p], d);
    float months_in_regime[kMaxRegimes] = {};
    float months_restricted = 0.0f;

    for (int t = 0; t < T; ++t) {
      // 1. Regime move (China) with tension from suppression events.
      const Uniform4 ur = rng.uniforms(static_cast<std::uint32_t>(t), kSlotRegime);
      if (t > 0) {
        const int events = poisson_small(events_per_month, ur.u[2]) + retaliations;
        tension = tension * decay + jump * static_cast<float>(events);
        retaliations = 0;
        regime = next_regime(rg, regime, tension, beta, e_mult, d_mult, ur.u[0]);
      }
      put(layout.monthly_global(kTension, t), local, tension);
      put(layout.monthly_global(kRegime, t), local, static_cast<float>(regime));
      months_in_regime[regime] += 1.0f;
      if (regime > 0) months_restricted += 1.0f;
      // Importer counter-move: a retaliation is a suppression event of next month.
      if (regime >= tn.retaliate_at && ur.u[1] <= retaliation_prob) retaliations = 1;
      // First restrictive month: emergency projects start their clock, and
      // pending projects' remaining delay shrinks.
      if (!accelerated && regime >= tn.accelerate_at) {
        accelerated = true;
        const float now = static_cast<float>(t);
        const float factor = tn.accelerate_factor.get(d);
        for (int p = 0; p < md.projects; ++p) {
          const ProjectModel& pr = md.project[p];
          if (failed[p]) continue;
          start[p] = start_after_trigger(start[p], pr.on_restriction, now, pr.trigger_lag_months.get(d),
                                         pr.online_month.get(d), delay[p], factor);
        }
      }

      // 2. Plant output this month, t/month, and importer capacity online, t/yr.
      float q[kNumRegions][kMaxMaterials] = {};
      float capacity_imp[kMaxMaterials] = {};
      int util_group = -1;
      Normal4 util_z{};
      for (int p = 0; p < md.projects; ++p) {
        const ProjectModel& pr = md.project[p];
        const float ramp = ramp_fraction(start[p], pc[p].ramp_months, t);
        if (ramp <= 0.0f) continue;
        float util = pc[p].utilisation;
        const float su = pc[p].utilisation_sigma;
        if (su > 0.0f) {
          // One draw serves four consecutive projects.
          if (p / 4 != util_group) {
            util_group = p / 4;
            util_z = rng.normals(static_cast<std::uint32_t>(t), kSlotProjectUtil + static_cast<std::uint32_t>(util_group));
          }
          util *= expf(su * util_z.z[p % 4] - 0.5f * su * su);
        }
        util = min_f(util, 1.0f);
        const float monthly_output_per_tpy = ramp * util / 12.0f;
        for (int m = 0; m < M; ++m) {
          const float cap = pr.capacity_tpy[m].get(d);
          q[pr.region][m] += cap * monthly_output_per_tpy;
          if (pr.region == 0) capacity_imp[m] += cap * ramp;
        }
      }

      for (int m = 0; m < M; ++m) {
        const Normal4 z = rng.normals(static_cast<std::uint32_t>(t), kSlotMaterial + static_cast<std::uint32_t>(m));
        const MaterialPathConsts& c = mc[m];
        const float price = expf(log_price[m]);
        const float china_price = expf(log_china_price[m]);
        const float log_ratio = log_price[m] - log_ref[m];

        // 3. Demand, t/month: reference path with growth and noise, less the
        //    substituted fraction; then the short-run price response.
        float demand_ref[kNumRegions], demand[kNumRegions];
        for (int r = 0; r < kNumRegions; ++r) {
          demand_ref[r] = expf(log_demand0[r][m] + static_cast<float>(t) * log_growth_month[r][m] +
                               demand_sd[r][m] * z.z[r]) *
                          (1.0f - subst[m]);
          demand[r] = demand_ref[r] * expf(elasticity[r][m] * log_ratio);
        }
        const float d_sec = demand[0];  // importer sector demand
        const float d_all = demand[1];
        float refill = 0.0f;
        if (regime == 0 && stock[m] < c.target && price < c.refill_price_max)
          refill = min_f(c.refill_per_month, c.target - stock[m]);
        MarketInputs mi;
        mi.demand_imp = d_sec + refill;
        mi.demand_all = d_all;
        mi.output_imp = q[0][m];
        mi.output_all = q[1][m];
        mi.home_bias = c.home_bias;
        mi.allow_imp = rg.allow_importer[regime][m];
        mi.allow_all = rg.allow_allies[regime][m];
        const MarketFlows f = clear_market(mi);

        // 5. Importer: sectors first, refill last; stockpile release on shortage.
        StockpileInputs si;
        si.sector_demand = d_sec;
        si.priority_share = c.priority_share;
        si.refill = refill;
        si.supply = f.supply_imp;
        si.stock = stock[m];
        si.release_threshold = c.release_threshold;
        si.release_max_fraction = c.release_max_fraction;
        si.priority_first = md.stockpile[m].priority_first;
        const StockpileFlows s = stockpile_step(si);
        stock[m] = s.stock;
        const float shortage = s.shortage;
        const float frac = d_sec > 0.0f ? shortage / d_sec : 0.0f;
        const float d_priority = si.priority_share * d_sec;
        const float priority_frac = d_priority > 0.0f ? s.priority_shortage / d_priority : 0.0f;
        const float frac_all = d_all > 0.0f ? f.short_all / d_all : 0.0f;
        const float delivered = f.supply_imp + s.release;
        const float china_share = delivered > 0.0f ? f.export_imp / delivered : 0.0f;

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
        const float threshold = md.shortage_threshold;
        cum_short[m] += shortage;
        max_frac[m] = max_f(max_frac[m], frac);
        if (frac > threshold) {
          short_months[m] += 1.0f;
          first_short[m] = min_f(first_short[m], static_cast<float>(t));
        }
        peak_ratio[m] = max_f(peak_ratio[m], price / c.p_ref);
        if (c.stock0 > 0.0f && stock[m] <= 0.01f * c.stock0) depletion[m] = min_f(depletion[m], static_cast<float>(t));
        short_cost[m] += shortage * c.voll;
        excess_cost[m] += (price - c.p_ref) * 1000.0f * (f.to_imp + f.export_imp);
        lost_rev[m] += f.withheld * china_price * 1000.0f;

        // 6. Prices for next month: partial adjustment towards the balance prices.
        // The balance price compares demand and supply both at the reference
        // price: eta is the combined elasticity, so demand's own price response
        // must not feed back into it (it would steepen the price response to
        // 1 / (eta - |eps_d|)). Supply at the reference price is what China
        // would export against reference-price demand under this regime.
        MarketInputs mi_ref = mi;
        mi_ref.demand_imp = demand_ref[0] + refill;
        mi_ref.demand_all = demand_ref[1];
        const MarketFlows f_ref = clear_market(mi_ref);
        const float demand_ex = mi_ref.demand_imp + mi_ref.demand_all;
        const float supply_ex = mi.output_imp + mi.output_all + f_ref.export_imp + f_ref.export_all + s.release;
        log_price[m] = price_step(log_price[m], log_balance_price(log_ref[m], demand_ex, supply_ex, c.eta, log_min[m], log_max[m]),
                                  c.theta, c.sigma, z.z[2], log_min[m], log_max[m]);
        const float china_target =
            log_china_balance_price(log_china_ref[m], c.china_demand_month, f.withheld, c.eta);
        log_china_price[m] = price_step(log_china_price[m], china_target, c.theta, c.sigma, z.z[3], log_china_min[m],
                                        log_china_max[m]);

        // 7. Substitution ratchet: grows with log2 of the price ratio, never falls.
        subst[m] = min_f(subst[m] + c.substitution_rate_month * max_f(0.0f, log_ratio * 1.44269504f),
                         max_f(subst[m], c.substitution_max));
      }
    }

    float total_cost = 0.0f, total_excess = 0.0f, total_lost = 0.0f;
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
      total_cost += short_cost[m];
      total_excess += excess_cost[m];
      total_lost += lost_rev[m];
    }
    put(layout.summary_global(kTotalShortageCost), local, total_cost);
    put(layout.summary_global(kTotalExcessImportCost), local, total_excess);
    put(layout.summary_global(kTotalChinaLostRevenue), local, total_lost);
    put(layout.summary_global(kMonthsRestricted), local, months_restricted);
    for (int k = 0; k < rg.count; ++k) put(layout.months_in_regime(k), local, months_in_regime[k]);
  }
};

}  // namespace remc
