// The model's parameters as plain structs: what the host builds from a config
// and hands to the kernels (MODEL.md sections 1-7). Units are in the names or
// comments: t/yr for capacities and demands, t for stocks, $/kg for prices,
// months for times. Indices: region 0 = importer, 1 = allies.
#pragma once

#include <cstdint>

#include "distributions.h"
#include "hd.h"
#include "lanes.h"
#include "model_limits.h"

namespace remc {

// A scalar parameter: a fixed value, or a distribution drawn once per path.
// Drawn values live in the path's draw table at index `draw`.
struct Param {
  float value = 0.0f;
  std::int32_t draw = -1;  // -1: fixed; otherwise index into Model::uncertain

  // draws: the path's drawn values (F = float), or W paths' (F = a lane vector).
  template <class F>
  REMC_HD F get(const F* draws) const {
    return draw < 0 ? splat<F>(value) : draws[draw];
  }
};

struct RegimeModel {
  int count = 0;                                  // K states, in escalation order
  float transition[kMaxRegimes][kMaxRegimes] = {};  // base monthly matrix P0, rows sum to 1
  Param allow_importer[kMaxRegimes][kMaxMaterials] = {};  // a_imp[k][m] in [0,1], fixed or drawn per path
  Param allow_allies[kMaxRegimes][kMaxMaterials] = {};    // a_all[k][m] in [0,1]
  float initial[kMaxRegimes] = {};                // initial distribution, sums to 1
};

struct TensionModel {
  Param initial;                    // tau(0)
  Param suppression_rate_per_year;  // Poisson rate of suppression events
  Param jump;                       // tension added per event
  Param half_life_months;           // decay half-life of tension
  Param escalation_sensitivity;     // beta
  Param escalation_mult;            // e_mult without monitoring (normally 1)
  Param deescalation_mult;          // d_mult without dialogue (normally 1)
  Param dialogue;                   // 0 or 1 (bernoulli allowed)
  Param dialogue_deescalation;      // multiplies d_mult under dialogue
  Param monitoring;                 // 0 or 1
  Param monitoring_escalation;      // e_mult under monitoring (< 1)
  int retaliate_at = kMaxRegimes;   // state index from which the importer may retaliate
  Param retaliation_prob;           // per month in such a state
  int accelerate_at = kMaxRegimes;  // state index whose first visit triggers acceleration
  Param accelerate_factor;          // multiplies pending projects' remaining delay
};

struct ProjectModel {
  int region = 0;                   // 0 importer, 1 allies
  bool on_restriction = false;      // trigger = restriction
  Param capacity_tpy[kMaxMaterials];
  Param online_month;               // planned online month from start (from trigger + lag if triggered)
  Param delay_median_months;        // lognormal delay median (0: no delay)
  Param delay_sigma;                // lognormal delay sigma
  Param fail_prob;                  // probability it never comes online
  Param ramp_months;                // linear ramp to full capacity (0: immediate)
  Param utilisation;                // mean utilisation u
  Param utilisation_sigma;          // monthly noise sigma_u
  Param trigger_lag_months;         // for triggered projects
  std::uint32_t fate_slot = 0;      // random-number slots named after the project (kernels/rng.h)
  std::uint32_t utilisation_slot = 0;
};

struct DemandModel {
  Param base_tpy;          // demand at start
  Param growth;            // annual growth rate g
  Param noise_sigma;       // monthly lognormal noise sigma_d
  Param price_elasticity;  // eps_d <= 0
  float sector_share[kMaxSectors] = {};  // importer only; sums to 1; order = priority
};

struct MaterialModel {
  Param substitution_rate;  // per year, per doubling of price
  Param substitution_max;   // cap on the designed-out fraction
  Param home_bias;          // allies' home bias h in [0,1]
  Param voll_per_t;         // value of lost load, $/t of shortage
  Param china_demand_tpy;   // China's domestic demand (for the China price)
  std::uint32_t noise_slot = 0;  // demand and price noise, named after the material (kernels/rng.h)
};

struct StockpileModel {
  Param initial_t;
  Param target_t;
  Param release_threshold;     // unmet fraction that triggers release
  Param release_max_fraction;  // of the stock, per month
  Param refill_t_per_month;
  Param refill_price_max;      // $/kg; refill only below this ex-China price
  bool priority_first = true;  // release covers the first-priority sector only
};

struct PriceModel {
  Param ref;            // P_ref, $/kg ex-China
  Param initial;        // P(0), $/kg
  Param china_ref;      // China domestic reference, $/kg
  Param china_initial;  // $/kg
  Param eta;            // combined short-run elasticity
  Param theta;          // monthly adjustment speed in (0,1]
  Param sigma;          // monthly log-price noise
  Param min;            // clamp of the ex-China price, $/kg
  Param max;            // clamp of the ex-China price, $/kg
  Param china_min;      // clamp of the China price, $/kg
  Param china_max;      // clamp of the China price, $/kg
};

struct Model {
  int months = 0;
  int materials = 0;
  int projects = 0;
  int sectors = 0;
  float shortage_threshold = 0.1f;  // shortage fraction that counts as "in shortage"

  RegimeModel regime;
  TensionModel tension;
  ProjectModel project[kMaxProjects];
  DemandModel demand[kNumRegions][kMaxMaterials];
  MaterialModel material[kMaxMaterials];
  StockpileModel stockpile[kMaxMaterials];
  PriceModel price[kMaxMaterials];

  int uncertain_count = 0;
  DistSpec uncertain[kMaxUncertain];  // drawn once per path, in this order
  // The random-number slot of each uncertain parameter, named after its
  // "section.key" (kernels/rng.h), so a parameter draws the same numbers
  // whatever else a config draws.
  std::uint32_t uncertain_slot[kMaxUncertain] = {};
};

}  // namespace remc
