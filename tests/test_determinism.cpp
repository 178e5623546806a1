// Reproducibility: the same seed gives bit-identical statistics whatever the
// thread count or block size, and run to run. Checked on whole result files
// with scripts/compare_results.py --exact (every dataset, every root attribute
// except the provenance ones that describe the run itself).
#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "cli_util.h"

using remc::test::compare_exact;
using remc::test::identical_results;
using remc::test::run_command;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

// 5005 paths: the last 1024-path chunk is partial (909 paths), and not a
// multiple of 8 or 16 either, so the reducer's vector sweeps leave a tail
// (13 values after 16-value steps, 5 after 8-value steps).
const std::string kRun = "run --config " + source_path("configs/baseline.ini") +
                         " --paths 5005 --set run.months=36 --quiet --seed ";

}  // namespace

TEST(Determinism, SameSeedTwiceIsBitIdentical) {
  ScratchDir dir("det-twice");
  ASSERT_EQ(run_remc(kRun + "99 --out " + dir.file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_remc(kRun + "99 --out " + dir.file("b.h5")).exit_code, 0);
  EXPECT_TRUE(identical_results(dir.file("a.h5"), dir.file("b.h5")));
}

TEST(Determinism, ThreadCountDoesNotChangeStatistics) {
  ScratchDir dir("det-threads");
  ASSERT_EQ(run_remc(kRun + "99 --threads 1 --out " + dir.file("t1.h5")).exit_code, 0);
  ASSERT_EQ(run_remc(kRun + "99 --threads 2 --out " + dir.file("t2.h5")).exit_code, 0);
  EXPECT_TRUE(identical_results(dir.file("t1.h5"), dir.file("t2.h5")));
}

TEST(Determinism, BlockSizeDoesNotChangeStatistics) {
  ScratchDir dir("det-blocks");
  ASSERT_EQ(run_remc(kRun + "99 --block-paths 1024 --out " + dir.file("b1.h5")).exit_code, 0);
  ASSERT_EQ(run_remc(kRun + "99 --block-paths 3072 --out " + dir.file("b3.h5")).exit_code, 0);
  EXPECT_TRUE(identical_results(dir.file("b1.h5"), dir.file("b3.h5")));
}

TEST(Determinism, DifferentSeedsDiffer) {
  ScratchDir dir("det-seeds");
  ASSERT_EQ(run_remc(kRun + "99 --out " + dir.file("a.h5")).exit_code, 0);
  ASSERT_EQ(run_remc(kRun + "100 --out " + dir.file("b.h5")).exit_code, 0);
  const auto r = compare_exact(dir.file("a.h5"), dir.file("b.h5"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("summary/cum_shortage/mean: differs"), std::string::npos) << r.output;
}

// The CPU engine is built once per instruction-set level with a different
// number of paths per SIMD step (baseline: 1, x86-64-v3: 8, x86-64-v4: 16);
// each must give the same bits. REMC_CPU_ISA forces a build; levels this CPU
// lacks are skipped (remc exits 2 naming the level).
namespace {

void expect_instruction_sets_agree(const std::string& name, const std::string& extra_args) {
  ScratchDir dir(name);
  const auto run = [&](const std::string& isa) {
    return run_command("REMC_CPU_ISA=" + isa + " " + std::string(REMC_BINARY) + " " + kRun + "99 " + extra_args +
                       " --out " + dir.file(isa + ".h5"));
  };
  const auto base = run("baseline");
  ASSERT_EQ(base.exit_code, 0) << base.output;
  int compared = 0;
  for (const std::string isa : {"x86-64-v3", "x86-64-v4"}) {
    const auto r = run(isa);
    if (r.exit_code == 2 && r.output.find("does not support") != std::string::npos) continue;
    if (r.exit_code == 2 && r.output.find("unknown") != std::string::npos) continue;  // not an x86-64 build
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(identical_results(dir.file("baseline.h5"), dir.file(isa + ".h5"))) << isa;
    ++compared;
  }
  std::printf("compared %d SIMD build(s) with the baseline\n", compared);
  if (compared == 0) GTEST_SKIP() << "this CPU or build has no SIMD engine to compare with the baseline";
}

}  // namespace

TEST(Determinism, InstructionSetDoesNotChangeStatistics) { expect_instruction_sets_agree("det-isa", ""); }

// The same with a parameter of every law the baseline lacks, some truncated
// so tightly that most first attempts are rejected: the SIMD builds draw
// every lane's first attempt at once and redraw the rejected ones alone
// (kernels/path_start.h), the baseline build walks each path's sequence.
// Two delayed projects get utilisation noise, so lanes start producing at
// different months, some in the middle of a four-month noise draw.
TEST(Determinism, InstructionSetDoesNotChangeStatisticsForAnyLaw) {
  expect_instruction_sets_agree(
      "det-isa-laws",
      "--set 'tension.dialogue=bernoulli(0.5)' --set 'tension.jump=uniform(0.5, 1.5)'"
      " --set 'tension.retaliation_prob=uniform(0, 0.3) truncate(0.05, 0.1)'"
      " --set 'project.mp_10x.fail_prob=beta(2, 8)'"
      " --set 'project.mp_heavy.fail_prob=beta(0.5, 0.5) truncate(0.05, 0.3)'"
      " --set 'project.mp_heavy.delay_median_months=lognormal(6, 0.5)'"
      " --set 'project.mp_fort_worth.delay_median_months=lognormal(2, 0.8) truncate(1, 4)'"
      " --set project.mp_fort_worth.utilisation_sigma=0.2 --set project.mp_heavy.utilisation_sigma=0.15");
}
