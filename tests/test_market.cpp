// Tests of monthly market clearing, the importer's stockpile and the two
// price tiers (kernels/market.h) on hand-computed cases. Flows are t/month.
//
// Exactness: the kernels work in float, so each expected value (worked out
// by hand in the comments) is matched within 4 float ULPs relative to the
// largest flow of the case (4 * FLT_EPSILON * scale), which absorbs the
// rounding of the few float operations behind each value, including
// cancellations that leave a small or zero result.
#include <gtest/gtest.h>

#include <cfloat>
#include <cmath>
#include <initializer_list>

#include "market.h"

namespace {

using remc::MarketFlows;
using remc::MarketInputs;
using remc::StockpileFlows;
using remc::StockpileInputs;

void expect_close(float actual, double expected, double scale, const char* what) {
  EXPECT_NEAR(actual, expected, 4.0 * FLT_EPSILON * scale) << what;
}

struct ExpectedFlows {
  double keep_all, to_allies, to_imp, gap_imp, gap_all, export_imp, export_all, withheld, supply_imp, short_all;
};

void expect_flows(const MarketFlows& f, const ExpectedFlows& e, double scale) {
  expect_close(f.keep_all, e.keep_all, scale, "K_all");
  expect_close(f.to_allies, e.to_allies, scale, "R_all");
  expect_close(f.to_imp, e.to_imp, scale, "R_imp");
  expect_close(f.gap_imp, e.gap_imp, scale, "G_imp");
  expect_close(f.gap_all, e.gap_all, scale, "G_all");
  expect_close(f.export_imp, e.export_imp, scale, "X_imp");
  expect_close(f.export_all, e.export_all, scale, "X_all");
  expect_close(f.withheld, e.withheld, scale, "W");
  expect_close(f.supply_imp, e.supply_imp, scale, "S_imp");
  expect_close(f.short_all, e.short_all, scale, "allies' shortage");
}

// The base case: D_imp = 100, D_all = 200, Q_imp = 40, Q_all = 150, h = 0.5.
MarketInputs base_inputs() {
  MarketInputs in;
  in.demand_imp = 100.0f;
  in.demand_all = 200.0f;
  in.output_imp = 40.0f;
  in.output_all = 150.0f;
  in.home_bias = 0.5f;
  in.allow_imp = 1.0f;
  in.allow_all = 1.0f;
  return in;
}

TEST(Market, OpenRegimeSharesAlliedSurplusProRata) {
  // K_all = min(150, 0.5 * 200) = 100; surplus R = 50.
  // Needs: allies 200 - 100 = 100, importer 100 - 40 = 60, total 160.
  // R_all = 50 * 100/160 = 31.25, R_imp = 50 * 60/160 = 18.75.
  // G_imp = 100 - 40 - 18.75 = 41.25, G_all = 200 - 100 - 31.25 = 68.75.
  // Open: X = G, W = 0. S_imp = min(100, 40) + 18.75 + 41.25 = 100.
  expect_flows(remc::clear_market(base_inputs()),
               {100.0, 31.25, 18.75, 41.25, 68.75, 41.25, 68.75, 0.0, 100.0, 0.0}, 200.0);
}

TEST(Market, HomeBias) {
  MarketInputs in = base_inputs();
  // h = 1: allies keep all 150 (< 200); nothing to share.
  // G_imp = 60, G_all = 50; S_imp = 40 + 60 = 100.
  in.home_bias = 1.0f;
  expect_flows(remc::clear_market(in), {150.0, 0.0, 0.0, 60.0, 50.0, 60.0, 50.0, 0.0, 100.0, 0.0}, 200.0);
  // h = 1 with Q_all = 300: K_all = 200, surplus 100, needs: allies 0,
  // importer 60. Shared = min(100, 60) = 60, all to the importer; 40 unsold.
  in.output_all = 300.0f;
  expect_flows(remc::clear_market(in), {200.0, 0.0, 60.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0, 0.0}, 300.0);
  // h = 0 with Q_all = 150: K_all = 0, the whole 150 is shared against needs
  // 200 (allies) and 60 (importer): R_all = 150 * 200/260 = 115.3846...,
  // R_imp = 150 * 60/260 = 34.6153...; G_imp = 60 - R_imp, G_all = 200 - R_all.
  in.home_bias = 0.0f;
  in.output_all = 150.0f;
  const double r_all = 150.0 * 200.0 / 260.0, r_imp = 150.0 * 60.0 / 260.0;
  expect_flows(remc::clear_market(in),
               {0.0, r_all, r_imp, 60.0 - r_imp, 200.0 - r_all, 60.0 - r_imp, 200.0 - r_all, 0.0, 100.0, 0.0}, 200.0);
}

TEST(Market, ImporterSurplusOfferedToAllies) {
  MarketInputs in = base_inputs();
  // Q_imp = 130 > D_imp = 100. K_all = 100; needs: allies 100, importer 0:
  // R_all = min(50, 100) = 50 from allied plants, then the importer's surplus
  // of 30 fills min(30, 100 - 50) = 30 more: R_all = 80.
  // G_imp = 0, G_all = 200 - 100 - 80 = 20; S_imp = min(100, 130) = 100.
  in.output_imp = 130.0f;
  expect_flows(remc::clear_market(in), {100.0, 80.0, 0.0, 0.0, 20.0, 0.0, 20.0, 0.0, 100.0, 0.0}, 200.0);
  // Q_imp = 200: surplus 100 but the allies only need 50 more: R_all = 100.
  in.output_imp = 200.0f;
  expect_flows(remc::clear_market(in), {100.0, 100.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 100.0, 0.0}, 200.0);
}

TEST(Market, ChinaAllowanceCutsExportsProportionally) {
  MarketInputs in = base_inputs();
  // Allowance 0.6 (a 40 % cut) for both: gaps as in the open case,
  // X_imp = 0.6 * 41.25 = 24.75, X_all = 0.6 * 68.75 = 41.25,
  // W = 0.4 * (41.25 + 68.75) = 44. S_imp = 40 + 18.75 + 24.75 = 83.5.
  // Allies' shortage 200 - 100 - 31.25 - 41.25 = 27.5 (= 0.4 G_all).
  in.allow_imp = 0.6f;
  in.allow_all = 0.6f;
  const MarketFlows f = remc::clear_market(in);
  expect_flows(f, {100.0, 31.25, 18.75, 41.25, 68.75, 24.75, 41.25, 44.0, 83.5, 27.5}, 200.0);
  expect_close(f.export_imp, 0.6 * f.gap_imp, 200.0, "X_imp = 0.6 G_imp");
  expect_close(f.withheld, 0.4 * (f.gap_imp + f.gap_all), 200.0, "W = 0.4 G");
}

// W is what the allowances hold back, (1 - a) of each gap: exactly 0 in an
// open regime and never below 0, for any gaps. (Computed as G - X it was a
// rounding residue of either sign for 291 of these 1,000 pairs, and China's
// lost revenue went negative.)
TEST(Market, WithheldIsExactlyWhatTheAllowancesHoldBack) {
  MarketInputs in = base_inputs();
  in.output_imp = 0.0f;  // no plant output: the gaps are the demands
  in.output_all = 0.0f;
  for (int i = 1; i <= 1000; ++i) {
    in.demand_imp = 0.1f * static_cast<float>(i) + 0.37f;
    in.demand_all = 0.3f * static_cast<float>(i) + 0.11f;
    in.allow_imp = in.allow_all = 1.0f;
    MarketFlows f = remc::clear_market(in);
    ASSERT_EQ(f.gap_imp, in.demand_imp);
    ASSERT_EQ(f.withheld, 0.0f) << "pair " << i;
    in.allow_imp = 0.25f;
    in.allow_all = 1.0f;
    f = remc::clear_market(in);
    ASSERT_EQ(f.withheld, 0.75f * in.demand_imp) << "pair " << i;
  }
}

// With China free to export (a = 1) the importer's supply is its whole
// demand, to the bit, whatever the plant output, allied surplus and home
// bias: S_imp = min(D, Q) + R + G summed in float could round a few ulp below
// D and record a shortage where there is none (case 47 here did).
TEST(Market, OpenRegimeSupplyIsExactlyTheDemand) {
  MarketInputs in = base_inputs();
  for (int i = 1; i <= 1000; ++i) {
    in.demand_imp = 0.1f * static_cast<float>(i) + 0.37f;
    in.demand_all = 0.3f * static_cast<float>(i % 97) + 0.11f;
    in.output_imp = 0.07f * static_cast<float>(i % 53);
    in.output_all = 0.9f * static_cast<float>(i % 31);
    in.home_bias = 0.01f * static_cast<float>(i % 101);
    const MarketFlows f = remc::clear_market(in);
    ASSERT_EQ(f.supply_imp, in.demand_imp) << "case " << i;
    ASSERT_EQ(f.short_all, 0.0f) << "case " << i;
  }
}

TEST(Market, EmbargoOnImporterOnly) {
  MarketInputs in = base_inputs();
  // allow_imp = 0, allow_all = 1: the importer gets nothing from China, the
  // allies their whole gap. X_imp = 0, X_all = 68.75, W = G_imp = 41.25,
  // S_imp = 40 + 18.75 = 58.75, allies not short.
  in.allow_imp = 0.0f;
  expect_flows(remc::clear_market(in), {100.0, 31.25, 18.75, 41.25, 68.75, 0.0, 68.75, 41.25, 58.75, 0.0}, 200.0);
}

StockpileInputs stock_inputs() {
  StockpileInputs in;
  in.sector_demand = 100.0f;
  in.priority_share = 0.2f;  // defence: 20 t/month
  in.refill = 0.0f;
  in.supply = 10.0f;
  in.stock = 1000.0f;
  in.release_threshold = 0.25f;
  in.release_max_fraction = 0.05f;
  in.priority_first = true;
  return in;
}

struct ExpectedStock {
  double served, refill_bought, release, stock, shortage, priority_shortage;
};

void expect_stock(const StockpileFlows& s, const ExpectedStock& e, double scale) {
  expect_close(s.served, e.served, scale, "served");
  expect_close(s.refill_bought, e.refill_bought, scale, "refill bought");
  expect_close(s.release, e.release, scale, "release");
  expect_close(s.stock, e.stock, scale, "stock");
  expect_close(s.shortage, e.shortage, scale, "shortage");
  expect_close(s.priority_shortage, e.priority_shortage, scale, "priority shortage");
}

TEST(Market, StockpileReleasesOnlyAboveThreshold) {
  StockpileInputs in = stock_inputs();
  // Supply 80: unmet 20 %, below the 25 % threshold: no release.
  in.supply = 80.0f;
  expect_stock(remc::stockpile_step(in), {80.0, 0.0, 0.0, 1000.0, 20.0, 0.0}, 1000.0);
  // Supply 75: unmet exactly 25 % (exact in binary): "exceeds" is strict, no release.
  in.supply = 75.0f;
  expect_stock(remc::stockpile_step(in), {75.0, 0.0, 0.0, 1000.0, 25.0, 0.0}, 1000.0);
  // No demand: nothing happens (and no division by zero).
  in.sector_demand = 0.0f;
  in.supply = 0.0f;
  expect_stock(remc::stockpile_step(in), {0.0, 0.0, 0.0, 1000.0, 0.0, 0.0}, 1000.0);
}

TEST(Market, StockpileReleaseCapsPriorityFirst) {
  StockpileInputs in = stock_inputs();
  // Supply 10 of 100 (90 % unmet). Priority first: the 20 t of defence demand
  // is served first by supply (10), so its unmet need is 10: release =
  // min(0.05 * 1000 = 50, 10) = 10. Stock 990, shortage 90 - 10 = 80,
  // defence shortage 20 - 10 - 10 = 0.
  expect_stock(remc::stockpile_step(in), {10.0, 0.0, 10.0, 990.0, 80.0, 0.0}, 1000.0);
  // Stock 100: the fraction cap binds, release = 0.05 * 100 = 5. Stock 95,
  // shortage 85, defence shortage 20 - 10 - 5 = 5.
  in.stock = 100.0f;
  expect_stock(remc::stockpile_step(in), {10.0, 0.0, 5.0, 95.0, 85.0, 5.0}, 100.0);
  // Supply 30 covers defence entirely: nothing is released even though 70 %
  // is unmet.
  in.stock = 1000.0f;
  in.supply = 30.0f;
  expect_stock(remc::stockpile_step(in), {30.0, 0.0, 0.0, 1000.0, 70.0, 0.0}, 1000.0);
}

TEST(Market, StockpileReleaseCapsAllSectors) {
  StockpileInputs in = stock_inputs();
  in.priority_first = false;
  // All sectors: cap = unmet 90; release = min(50, 90) = 50. Stock 950,
  // shortage 40; defence, served first, short max(0, 20 - 10 - 50) = 0.
  expect_stock(remc::stockpile_step(in), {10.0, 0.0, 50.0, 950.0, 40.0, 0.0}, 1000.0);
  // Stock 10000: release = min(500, 90) = 90, no shortage left.
  in.stock = 10000.0f;
  expect_stock(remc::stockpile_step(in), {10.0, 0.0, 90.0, 9910.0, 0.0, 0.0}, 10000.0);
}

TEST(Market, RefillBoughtOnlyAfterSectorsAreServed) {
  StockpileInputs in = stock_inputs();
  in.refill = 20.0f;
  // Supply 110 for 100 of sector demand plus 20 of refill: sectors take 100,
  // refill gets the remaining 10. Stock 1010.
  in.supply = 110.0f;
  expect_stock(remc::stockpile_step(in), {100.0, 10.0, 0.0, 1010.0, 0.0, 0.0}, 1000.0);
  // Supply 130: the whole 20 is bought.
  in.supply = 130.0f;
  expect_stock(remc::stockpile_step(in), {100.0, 20.0, 0.0, 1020.0, 0.0, 0.0}, 1000.0);
  // Supply 90: sectors short by 10 (10 %, under the threshold): no refill.
  in.supply = 90.0f;
  expect_stock(remc::stockpile_step(in), {90.0, 0.0, 0.0, 1000.0, 10.0, 0.0}, 1000.0);
}

// Log prices are compared within 4 float ULPs relative to their magnitude.
void expect_log(float actual, double expected, const char* what) {
  EXPECT_NEAR(actual, expected, 4.0 * FLT_EPSILON * std::fmax(1.0, std::fabs(expected))) << what;
}

TEST(Market, PriceStepAdjustsPartWayAndClamps) {
  const float lmin = std::log(1.0f), lmax = std::log(100.0f);
  // From 10 towards 20 with theta 0.5, no noise: ln 10 + 0.5 ln 2 = ln(10 sqrt 2).
  expect_log(remc::price_step(std::log(10.0f), std::log(20.0f), 0.5f, 0.0f, 0.0f, lmin, lmax), std::log(10.0 * std::sqrt(2.0)),
             "half way in logs");
  // Noise adds sigma * z to the log: + 0.1 * 1.5.
  expect_log(remc::price_step(std::log(10.0f), std::log(20.0f), 0.5f, 0.1f, 1.5f, lmin, lmax),
             std::log(10.0 * std::sqrt(2.0)) + 0.15, "with noise");
  // theta 1 reaches the target.
  expect_log(remc::price_step(std::log(10.0f), std::log(20.0f), 1.0f, 0.0f, 0.0f, lmin, lmax), std::log(20.0), "theta 1");
  // A target above the cap is capped first: ln 10 + 0.5 (ln 100 - ln 10) = ln 10^1.5.
  expect_log(remc::price_step(std::log(10.0f), std::log(1000.0f), 0.5f, 0.0f, 0.0f, lmin, lmax), 1.5 * std::log(10.0),
             "target capped");
  // Clamped at both ends.
  EXPECT_EQ(remc::price_step(std::log(10.0f), std::log(50.0f), 1.0f, 1.0f, 5.0f, lmin, lmax), lmax);
  EXPECT_EQ(remc::price_step(std::log(10.0f), std::log(5.0f), 1.0f, 1.0f, -10.0f, lmin, lmax), lmin);
}

TEST(Market, BalancePrices) {
  // The functions take 1 / eta (the simulator computes it once per path).
  const float log_ref = std::log(50.0f), inv_eta = 1.0f / 0.25f, lmin = std::log(5.0f), lmax = std::log(5000.0f);
  // D = S: the reference price.
  expect_log(remc::log_balance_price(log_ref, 80.0f, 80.0f, inv_eta, lmin, lmax), std::log(50.0), "D = S");
  // D = 2 S: P_ref * 2^(1/eta) = 50 * 16 = 800.
  expect_log(remc::log_balance_price(log_ref, 160.0f, 80.0f, inv_eta, lmin, lmax), std::log(800.0), "D = 2S");
  // No supply at all: the price cap.
  EXPECT_EQ(remc::log_balance_price(log_ref, 160.0f, 0.0f, inv_eta, lmin, lmax), lmax);
  // No demand: the floor when something is supplied, the reference when nothing is traded.
  EXPECT_EQ(remc::log_balance_price(log_ref, 0.0f, 80.0f, inv_eta, lmin, lmax), lmin);
  EXPECT_EQ(remc::log_balance_price(log_ref, 0.0f, 0.0f, inv_eta, lmin, lmax), log_ref);

  // China: nothing withheld leaves the reference; withholding as much as
  // China's own demand (balance 1/2) gives P_ref_china * 2^(-1/eta) = 20 / 16.
  const float log_china_ref = std::log(20.0f);
  expect_log(remc::log_china_balance_price(log_china_ref, 100.0f, 0.0f, inv_eta), std::log(20.0), "none withheld");
  expect_log(remc::log_china_balance_price(log_china_ref, 100.0f, 100.0f, inv_eta), std::log(20.0 / 16.0), "W = demand");
  // The China price falls as more is withheld.
  float previous = remc::log_china_balance_price(log_china_ref, 100.0f, 0.0f, inv_eta);
  for (float w : {1.0f, 10.0f, 50.0f, 300.0f}) {
    const float p = remc::log_china_balance_price(log_china_ref, 100.0f, w, inv_eta);
    EXPECT_LT(p, previous) << "withheld " << w;
    previous = p;
  }
  // No Chinese demand configured: the reference price.
  EXPECT_EQ(remc::log_china_balance_price(log_china_ref, 0.0f, 50.0f, inv_eta), log_china_ref);
}

}  // namespace
