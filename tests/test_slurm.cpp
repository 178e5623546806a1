// The Slurm array template's task body (scripts/slurm/array-task.sh), run
// locally once per array task with the variables Slurm would set, then the
// merge body: the merged result equals a single run bit for bit. (No Slurm
// controller runs in CI; submit.sh only wraps these two bodies in sbatch.)
#include <gtest/gtest.h>

#include <string>

#include "cli_util.h"

using remc::test::run_command;
using remc::test::identical_results;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

TEST(Slurm, ArrayTaskBodiesMergeToTheSingleRun) {
  ScratchDir dir("slurm");
  // One argument holds a space: REMC_ARGS is split as the shell would.
  const std::string args =
      "--paths 9000 --seed 21 --set run.months=24 --block-paths 1024 --set \"output.thresholds.price_gap=2 3\"";
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(run_remc("run --config " + source_path("configs/baseline.ini") + " " + args + " --quiet --out " + single)
                .exit_code,
            0);
  const std::string env = "REMC_BIN=" + std::string(REMC_BINARY) + " REMC_CONFIG=" +
                          source_path("configs/baseline.ini") + " REMC_OUT_DIR=" + dir.file("parts") +
                          " REMC_ARGS='" + args + "' SLURM_CPUS_PER_TASK=1";
  // --array=1-4: ids 1..4 with SLURM_ARRAY_TASK_MIN = 1.
  for (int id = 1; id <= 4; ++id) {
    const auto r = run_command(env + " SLURM_ARRAY_TASK_ID=" + std::to_string(id) +
                               " SLURM_ARRAY_TASK_COUNT=4 SLURM_ARRAY_TASK_MIN=1 " +
                               source_path("scripts/slurm/array-task.sh"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  const std::string merged = dir.file("merged.h5");
  const auto m = run_command("REMC_BIN=" + std::string(REMC_BINARY) + " REMC_OUT_DIR=" + dir.file("parts") +
                             " REMC_OUT=" + merged + " " + source_path("scripts/slurm/merge-task.sh"));
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_TRUE(identical_results(single, merged));
}

TEST(Slurm, ArrayTaskNeedsItsVariables) {
  const auto r = run_command("env -u SLURM_ARRAY_TASK_ID REMC_CONFIG=x REMC_OUT_DIR=/tmp " +
                             source_path("scripts/slurm/array-task.sh"));
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.output.find("SLURM_ARRAY_TASK_ID"), std::string::npos) << r.output;
}
