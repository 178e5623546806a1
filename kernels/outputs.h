// What one path produces (MODEL.md section 9) and where each value goes in a
// block's output buffer. The buffer is cell-major: cell c of block-local path p
// is at out[c * stride + p] (stride = block paths plus a little padding, see
// host/engine_blocks.h), so the reduction walks each cell's values
// contiguously, and GPU threads (consecutive paths) write coalesced.
#pragma once

#include <cstdint>

#include "hd.h"

namespace remc {

// Per path, per month, per material.
enum MonthlyMaterialMetric : int {
  kShortageT = 0,          // importer shortage, t in the month
  kShortageFrac,           // importer shortage / importer sector demand
  kAlliesShortageFrac,     // allies' shortage / allies' demand
  kPriorityShortageFrac,   // first-priority (defence) sector shortage fraction
  kPrice,                  // ex-China price, $/kg
  kChinaPrice,             // China domestic price, $/kg
  kPriceGap,               // ex-China / China price
  kChinaShare,             // China's share of importer supply
  kStockpileT,             // importer stockpile at month end, t
  kCapacityTpy,            // importer capacity online (before utilisation), t/yr
  kSubstitutionFrac,       // designed-out fraction of demand
  kNumMonthlyMaterialMetrics
};

// Per path, per month.
enum MonthlyGlobalMetric : int {
  kTension = 0,
  kRegime,  // state index, stored as a float; aggregated as occupancy counts
  kNumMonthlyGlobalMetrics
};

// Per path, per material.
enum SummaryMaterialMetric : int {
  kCumShortageT = 0,
  kMaxShortageFrac,
  kMonthsInShortage,        // months with shortage fraction > threshold
  kFirstShortageMonth,      // first such month; = months when none
  kPeakPriceRatio,          // max over months of P / P_ref
  kStockpileDepletionMonth, // first month the stock is <= 1 % of its start; = months when never
  kShortageCost,            // sum of shortage t x VOLL, $
  kExcessImportCost,        // sum of (P - P_ref) x imports, $
  kChinaLostRevenue,        // sum of withheld exports x China price, $
  kMonthsAtPriceCap,        // months whose ex-China price stood at its cap (max)
  kNumSummaryMaterialMetrics
};

// Per path.
enum SummaryGlobalMetric : int {
  kTotalShortageCost = 0,
  kTotalExcessImportCost,
  kTotalChinaLostRevenue,
  kMonthsRestricted,        // months in any state other than the first
  kNumSummaryGlobalMetrics
  // followed by one "months in regime k" cell per regime
};

// Cell index arithmetic for a model with M materials, T months, K regimes.
struct OutputLayout {
  int materials = 0;
  int months = 0;
  int regimes = 0;

  REMC_HD int monthly_material(int metric, int m, int t) const {
    return (metric * materials + m) * months + t;
  }
  REMC_HD int monthly_global_base() const {
    return kNumMonthlyMaterialMetrics * materials * months;
  }
  REMC_HD int monthly_global(int metric, int t) const {
    return monthly_global_base() + metric * months + t;
  }
  REMC_HD int summary_material_base() const {
    return monthly_global_base() + kNumMonthlyGlobalMetrics * months;
  }
  REMC_HD int summary_material(int metric, int m) const {
    return summary_material_base() + metric * materials + m;
  }
  REMC_HD int summary_global(int metric) const {
    return summary_material_base() + kNumSummaryMaterialMetrics * materials + metric;
  }
  REMC_HD int months_in_regime(int k) const {
    return summary_global(kNumSummaryGlobalMetrics) + k;
  }
  REMC_HD int cell_count() const { return months_in_regime(regimes); }
};

}  // namespace remc
