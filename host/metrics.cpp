// Metric catalogue: one row per output of kernels/outputs.h.
#include "metrics.h"

#include "outputs.h"

namespace remc {

const std::vector<MetricInfo>& metric_catalogue() {
  using S = MetricScope;
  static const std::vector<MetricInfo> catalogue = {
      {"shortage_t", S::kMonthlyMaterial, kShortageT, "t",
       "importer shortage in the month: sector demand not met by supply or stockpile release"},
      {"shortage_frac", S::kMonthlyMaterial, kShortageFrac, "1",
       "importer shortage as a fraction of importer sector demand"},
      {"allies_shortage_frac", S::kMonthlyMaterial, kAlliesShortageFrac, "1",
       "allies' shortage as a fraction of allies' demand"},
      {"priority_shortage_frac", S::kMonthlyMaterial, kPriorityShortageFrac, "1",
       "shortage fraction of the importer's first-priority sector (defense by default)"},
      {"price", S::kMonthlyMaterial, kPrice, "USD/kg", "ex-China market price in effect during the month"},
      {"china_price", S::kMonthlyMaterial, kChinaPrice, "USD/kg", "China domestic price in effect during the month"},
      {"price_gap", S::kMonthlyMaterial, kPriceGap, "1", "ex-China price divided by China domestic price"},
      {"china_share", S::kMonthlyMaterial, kChinaShare, "1",
       "China's exports to the importer as a share of importer supply including stock releases"},
      {"stockpile_t", S::kMonthlyMaterial, kStockpileT, "t", "importer stockpile at the end of the month", true},
      {"capacity_tpy", S::kMonthlyMaterial, kCapacityTpy, "t/yr",
       "importer plant capacity online (ramp included, utilisation excluded)", true},
      {"substitution_frac", S::kMonthlyMaterial, kSubstitutionFrac, "1",
       "fraction of demand permanently designed out (substitution ratchet)"},
      {"tension", S::kMonthlyGlobal, kTension, "1", "importer technology-suppression tension tau"},
      {"regime", S::kMonthlyGlobal, kRegime, "1", "export-control regime state index"},
      {"cum_shortage", S::kSummaryMaterial, kCumShortageT, "t", "importer shortage summed over the horizon"},
      {"max_shortage_frac", S::kSummaryMaterial, kMaxShortageFrac, "1",
       "largest monthly importer shortage fraction over the horizon"},
      {"months_in_shortage", S::kSummaryMaterial, kMonthsInShortage, "months",
       "months with importer shortage fraction above [output] shortage_threshold"},
      {"first_shortage_month", S::kSummaryMaterial, kFirstShortageMonth, "months",
       "first month (0-based) with shortage fraction above the threshold; equals months when none", true},
      {"peak_price_ratio", S::kSummaryMaterial, kPeakPriceRatio, "1",
       "largest ex-China price over the horizon divided by the reference price"},
      {"stockpile_depletion_month", S::kSummaryMaterial, kStockpileDepletionMonth, "months",
       "first month the stockpile ends at or below 1 % of its initial level; equals months when never", true},
      {"shortage_cost", S::kSummaryMaterial, kShortageCost, "USD",
       "importer shortage times value of lost load, summed over the horizon"},
      {"excess_import_cost", S::kSummaryMaterial, kExcessImportCost, "USD",
       "(price - reference price) times importer imports (from allies and China), summed over the horizon; negative when prices sit below the reference"},
      {"china_lost_revenue", S::kSummaryMaterial, kChinaLostRevenue, "USD",
       "withheld exports times China domestic price, summed over the horizon"},
      {"months_at_price_cap", S::kSummaryMaterial, kMonthsAtPriceCap, "months",
       "months whose ex-China price stood at its cap ([price] max): held there by the clamp, or starting there"},
      {"total_shortage_cost", S::kSummaryGlobal, kTotalShortageCost, "USD", "shortage_cost summed over materials"},
      {"total_excess_import_cost", S::kSummaryGlobal, kTotalExcessImportCost, "USD",
       "excess_import_cost summed over materials"},
      {"total_china_lost_revenue", S::kSummaryGlobal, kTotalChinaLostRevenue, "USD",
       "china_lost_revenue summed over materials"},
      {"months_restricted", S::kSummaryGlobal, kMonthsRestricted, "months",
       "months in any regime other than the first (least restrictive) one"},
      {"months_in_regime", S::kRegimeMonths, 0, "months", "months spent in each regime"},
  };
  return catalogue;
}

const MetricInfo* find_metric(const std::string& name) {
  for (const MetricInfo& m : metric_catalogue())
    if (name == m.name) return &m;
  return nullptr;
}

}  // namespace remc
