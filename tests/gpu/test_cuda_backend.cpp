// CUDA backend against the CPU backend on the same paths (label "gpu"; run by
// scripts/gpu-check on a machine with an NVIDIA GPU, skipped elsewhere).
//
// Both backends draw the same random numbers and do the same arithmetic
// (remc's own exp/log/sin/cos, IEEE division and square root, no fused
// multiply-add), so they are expected to agree bit for bit. The run test
// keeps the documented fallback bound (scripts/compare_results.py) and says
// whether the results were identical; the study test asks for identity.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "config.h"
#include "engine.h"
#include "study_run.h"

namespace {

using namespace remc;

// Without a device the tests skip, unless REMC_REQUIRE_GPU=1 (scripts/gpu-check
// sets it): there a missing or unusable device must fail, not pass quietly.
bool have_gpu() {
  if (cuda_device_count() > 0) return true;
  const char* required = std::getenv("REMC_REQUIRE_GPU");
  if (required && std::string(required) == "1") ADD_FAILURE() << "REMC_REQUIRE_GPU=1 but no usable CUDA device";
  return false;
}

AggregateResults run(const RunConfig& cfg, const AggregationPlan& plan, Backend backend, std::uint64_t block) {
  Aggregator aggregator(plan, quantile_levels(cfg.output));
  EngineOptions options;
  options.backend = backend;
  options.block_paths = block;
  options.seed = cfg.run.seed;
  options.paths = cfg.run.paths;
  const CountTotals totals = run_engine(cfg.model, plan, options, aggregator);
  return aggregator.finish(totals);
}

// Largest total-variation distance between the two runs' histograms of any cell.
double max_histogram_distance(const AggregationPlan& plan, const AggregateResults& a, const AggregateResults& b) {
  double worst = 0.0;
  for (int c = 0; c < plan.layout.cell_count(); ++c) {
    const int bins = plan.specs[plan.cell_spec[c]].bins + 2;
    double tv = 0.0;
    for (int k = 0; k < bins; ++k) {
      const std::uint64_t i = plan.hist_offset[c] + k;
      tv += std::fabs(static_cast<double>(a.hist[i]) - static_cast<double>(b.hist[i]));
    }
    worst = std::fmax(worst, 0.5 * tv / static_cast<double>(a.paths));
  }
  return worst;
}

TEST(CudaBackend, MatchesCpuOnBaseline) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  const RunConfig cfg =
      load_config(std::string(REMC_SOURCE_DIR) + "/configs/baseline.ini", {"run.paths=65536", "run.seed=5"});
  const AggregationPlan plan = make_plan(cfg);
  const AggregateResults cpu = run(cfg, plan, Backend::kCpu, 4096);
  const AggregateResults gpu = run(cfg, plan, Backend::kCuda, 16384);
  ASSERT_EQ(cpu.count, gpu.count);
  // Documented tolerance (scripts/gpu-check): at most 0.2 % of the paths
  // move bins in any histogram.
  const double distance = max_histogram_distance(plan, cpu, gpu);
  EXPECT_LE(distance, 0.002);
  std::printf("cuda against cpu: %s\n", cpu.hist == gpu.hist && cpu.mean == gpu.mean ? "bit-identical histograms and means"
                                                                                   : "histograms or means differ");
}

// A batched study on the GPU gives the CPU study's per-point estimates.
TEST(CudaBackend, StudyMatchesCpuStudy) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  const StudySpec spec = load_study(std::string(REMC_SOURCE_DIR) + "/configs/studies/oat-baseline.ini");
  const StudyDesign design = make_design(spec);
  StudyRunOptions cpu, gpu;
  gpu.backend = Backend::kCuda;
  const StudyResults a = run_study(spec, design, cpu);
  const StudyResults b = run_study(spec, design, gpu);
  EXPECT_EQ(a.estimate, b.estimate);
  EXPECT_EQ(a.difference_stderr, b.difference_stderr);
}

TEST(CudaBackend, BlockSizeDoesNotChangeStatistics) {
  if (!have_gpu()) GTEST_SKIP() << "no CUDA device";
  const RunConfig cfg =
      load_config(std::string(REMC_SOURCE_DIR) + "/configs/baseline.ini", {"run.paths=20000", "run.seed=6"});
  const AggregationPlan plan = make_plan(cfg);
  const AggregateResults a = run(cfg, plan, Backend::kCuda, 4096);
  const AggregateResults b = run(cfg, plan, Backend::kCuda, 16384);
  EXPECT_EQ(a.hist, b.hist);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.variance, b.variance);
  EXPECT_EQ(a.quantile, b.quantile);
}

}  // namespace
