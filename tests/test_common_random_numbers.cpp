// Common random numbers between scenarios (MODEL.md section 8): each draw's
// random-number slot is named after what it belongs to (host/random_slots.h),
// so a scenario that adds a project, drops one or turns a fixed number into a
// distribution leaves every other draw of every path as it was. Each test
// below failed when slots were positions in the config's lists.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "cli_util.h"
#include "config.h"
#include "path_start.h"
#include "random_slots.h"
#include "rng.h"
#include "simulate.h"
#include "simulate_paths.h"

namespace {

using remc::RunConfig;
using remc::test::ScratchDir;
using remc::test::source_path;

constexpr int kPaths = 400;
constexpr std::uint32_t kSeed = 7;
const std::vector<std::string> kShortRun = {"run.months=36"};

RunConfig baseline(std::vector<std::string> sets = {}) {
  sets.insert(sets.end(), kShortRun.begin(), kShortRun.end());
  return remc::load_config(source_path("configs/baseline.ini"), sets);
}

// Every monthly and summary value of paths 0 .. kPaths - 1, cell-major.
std::vector<float> simulate(const RunConfig& c) { return remc_test::simulate_paths(c.model, kSeed, 0, kPaths); }

// Number of (cell, path) values that differ in their bits or NaN-ness.
int differing_values(const std::vector<float>& a, const std::vector<float>& b) {
  int n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) n += a[i] == b[i] || (a[i] != a[i] && b[i] != b[i]) ? 0 : 1;
  return n;
}

int project_index(const RunConfig& c, const std::string& name) {
  for (std::size_t p = 0; p < c.project_names.size(); ++p)
    if (c.project_names[p] == name) return static_cast<int>(p);
  return -1;
}

}  // namespace

// A project with no capacity adds exactly 0 t to every sum, so a baseline
// with one more such project must simulate every path exactly as the baseline
// does, although the new project draws a fate, utilisation noise and a drawn
// delay of its own, and its name sorts before every other project's.
TEST(CommonRandomNumbers, AProjectThatProducesNothingChangesNoPath) {
  ScratchDir dir("crn-project");
  const std::string file = dir.file("plus-project.ini");
  std::ofstream(file) << "include = " << source_path("configs/baseline.ini") << "\n"
                      << "[project.a_new]\nregion = importer\ncapacity_tpy.ndpr = 0\nonline_month = 0\n"
                      << "delay_median_months = uniform(1, 5)\ndelay_sigma = 0.5\nfail_prob = 0.3\n"
                      << "utilisation = 0.9\nutilisation_sigma = 0.2\n";
  const RunConfig base = baseline();
  const RunConfig plus = remc::load_config(file, kShortRun);
  ASSERT_EQ(plus.project_names.size(), base.project_names.size() + 1);
  ASSERT_EQ(plus.project_names[0], "a_new");  // first in the list, so every other project moved
  ASSERT_EQ(plus.model.uncertain_count, base.model.uncertain_count + 1);
  EXPECT_EQ(differing_values(simulate(base), simulate(plus)), 0);
}

// tension.monitoring = bernoulli(0) is always 0, as the baseline's fixed 0;
// the new distribution is drawn before every other one.
TEST(CommonRandomNumbers, ANewDistributionMovesNoOtherDraw) {
  const RunConfig base = baseline();
  const RunConfig drawn = baseline({"tension.monitoring=bernoulli(0)"});
  ASSERT_EQ(drawn.model.uncertain_count, base.model.uncertain_count + 1);
  ASSERT_EQ(drawn.uncertain_names[0], "tension.monitoring");
  EXPECT_EQ(differing_values(simulate(base), simulate(drawn)), 0);
}

// Dropping a project changes the paths, but every other project keeps its
// fate (failure and delay) on every path, and every parameter its draws.
TEST(CommonRandomNumbers, DroppingAProjectKeepsEveryOtherFateAndDraw) {
  const RunConfig base = baseline();
  const RunConfig without = baseline({"project.emergency_heavy.enabled=false"});
  ASSERT_EQ(project_index(without, "emergency_heavy"), -1);
  ASSERT_LT(project_index(base, "emergency_heavy"), project_index(base, "mp_10x"));  // later projects moved
  int fates_compared = 0, draws_compared = 0;
  for (std::uint64_t path = 0; path < kPaths; ++path) {
    remc::PathStart<remc::ScalarLanes> a, b;
    a.draw(base.model, kSeed, path);
    b.draw(without.model, kSeed, path);
    for (std::size_t q = 0; q < without.project_names.size(); ++q) {
      const int p = project_index(base, without.project_names[q]);
      ASSERT_GE(p, 0);
      EXPECT_EQ(a.failed[p], b.failed[q]) << without.project_names[q] << " path " << path;
      EXPECT_EQ(a.delay[p], b.delay[q]) << without.project_names[q] << " path " << path;
      ++fates_compared;
    }
    for (int j = 0; j < without.model.uncertain_count; ++j) {
      for (int i = 0; i < base.model.uncertain_count; ++i) {
        if (base.uncertain_names[i] != without.uncertain_names[j]) continue;
        EXPECT_EQ(a.draws[i], b.draws[j]) << without.uncertain_names[j] << " path " << path;
        ++draws_compared;
      }
    }
  }
  EXPECT_EQ(fates_compared, kPaths * 9);
  EXPECT_GT(draws_compared, 0);
}

// Slots are a function of the name alone, distinct within each kind of draw,
// and inside that kind's range of slots.
TEST(CommonRandomNumbers, SlotsComeFromNames) {
  const RunConfig c = baseline();
  for (std::size_t p = 0; p < c.project_names.size(); ++p) {
    EXPECT_EQ(c.model.project[p].fate_slot, remc::kSlotProjectFateBase + remc::slot_hash(c.project_names[p]));
    EXPECT_EQ(c.model.project[p].utilisation_slot, remc::kSlotProjectUtilBase + remc::slot_hash(c.project_names[p]));
  }
  for (std::size_t m = 0; m < c.material_names.size(); ++m)
    EXPECT_EQ(c.model.material[m].noise_slot, remc::kSlotMaterialBase + remc::slot_hash(c.material_names[m]));
  for (int i = 0; i < c.model.uncertain_count; ++i)
    EXPECT_EQ(c.model.uncertain_slot[i], remc::kSlotParamBase + remc::slot_hash(c.uncertain_names[i]));
  // FNV-1a known answer: "a" hashes to 0xe40c292c, of which 28 bits remain.
  EXPECT_EQ(remc::slot_hash("a"), 0xe40c292cu & remc::kSlotHashMask);
}

// Two names whose 28-bit hashes collide (found by search) must not share
// numbers: the one that sorts first keeps its hash, the other moves.
TEST(CommonRandomNumbers, CollidingNamesGetDistinctSlots) {
  ASSERT_EQ(remc::slot_hash("p38324"), remc::slot_hash("p79640"));
  ScratchDir dir("crn-collision");
  const std::string file = dir.file("collide.ini");
  std::ofstream out(file);
  out << "include = " << source_path("configs/baseline.ini") << "\n";
  for (const char* name : {"p79640", "p38324"})
    out << "[project." << name << "]\nregion = importer\ncapacity_tpy.ndpr = 100\nonline_month = 0\n"
        << "utilisation = 0.9\nutilisation_sigma = 0.2\n";
  out.close();
  const RunConfig c = remc::load_config(file, kShortRun);
  const remc::ProjectModel& first = c.model.project[project_index(c, "p38324")];
  const remc::ProjectModel& second = c.model.project[project_index(c, "p79640")];
  EXPECT_EQ(first.fate_slot, remc::kSlotProjectFateBase + remc::slot_hash("p38324"));
  EXPECT_EQ(second.fate_slot, remc::kSlotProjectFateBase + remc::slot_hash("p79640#1"));
  EXPECT_EQ(second.utilisation_slot, remc::kSlotProjectUtilBase + remc::slot_hash("p79640#1"));
}
