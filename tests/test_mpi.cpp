// MPI runs (mpirun -n R remc run ...): ranks split the blocks like shards and
// rank 0 merges in rank order, so statistics are bit-identical to the
// single-process run for any R; a failure on a rank ends every rank with one
// message and the right exit code, never a hang (each run is under `timeout`).
// Skipped when remc was built without MPI or mpirun is missing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_util.h"

using remc::test::run_command;
using remc::test::identical_results;
using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

bool mpi_available() {
  return run_remc("--version").output.find("mpi: yes") != std::string::npos &&
         run_command("command -v mpirun").exit_code == 0;
}

std::string mpirun(int ranks) {
  return "timeout 300 mpirun --allow-run-as-root --oversubscribe -n " + std::to_string(ranks) + " " +
         std::string(REMC_BINARY);
}

std::size_t count(const std::string& text, const std::string& word) {
  std::size_t n = 0;
  for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) ++n;
  return n;
}

const std::string kArgs = "--config " + source_path("configs/baseline.ini") +
                          " --paths 9000 --seed 5 --set run.months=24 --block-paths 1024 --threads 1 --quiet";

}  // namespace

TEST(Mpi, RanksGiveTheSingleProcessStatistics) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  ScratchDir dir("mpi");
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --out " + single).exit_code, 0);
  for (int ranks : {1, 2, 3}) {
    const std::string out = dir.file("ranks" + std::to_string(ranks) + ".h5");
    const auto r = run_command(mpirun(ranks) + " run " + kArgs + " --out " + out);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(identical_results(single, out)) << ranks << " ranks";
  }
}

// With precision targets the ranks take blocks round-robin and stop together:
// the run stops after a whole number of rounds (3 ranks: a multiple of 3
// blocks) and equals a plain single-process run of that many paths.
TEST(Mpi, TargetsStopAllRanksTogether) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  ScratchDir dir("mpi-targets");
  const std::string out = dir.file("targets.h5");
  const std::string args = kArgs.substr(0, kArgs.find(" --paths")) + kArgs.substr(kArgs.find(" --seed"));
  const auto r = run_command(mpirun(3) + " run " + args + " --max-paths 60000" +
                             " --target 'mean(peak_price_ratio, dy)=0.15' --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  ASSERT_NE(r.output.find("all targets met after"), std::string::npos) << r.output;
  const auto paths = run_python("-c \"import h5py; print(h5py.File('" + out + "').attrs['paths'])\"");
  const long long n = std::stoll(paths.output);
  EXPECT_EQ(n % (3 * 1024), 0) << n;
  EXPECT_LT(n, 60000);
  const std::string plain = dir.file("plain.h5");
  ASSERT_EQ(run_remc("run " + args + " --paths " + std::to_string(n) + " --out " + plain).exit_code, 0);
  const auto same =
      run_python(source_path("scripts/compare_results.py") + " --exact --ignore targets " + plain + " " + out);
  EXPECT_EQ(same.exit_code, 0) << same.output;
}

namespace {

// `remc run ARGS --out FILE` on 2 ranks is a usage error: exit 2 on every
// rank, `message` printed once, no file written.
void expect_usage_error_on_two_ranks(const std::string& name, const std::string& args, const std::string& message) {
  ScratchDir dir(name);
  const auto r = run_command(mpirun(2) + " run " + args + " --out " + dir.file("x.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count(r.output, message), 1u) << r.output;
  EXPECT_EQ(dir.entries(), 0);
}

}  // namespace

TEST(Mpi, ConfigErrorEndsEveryRankWithOneMessage) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  expect_usage_error_on_two_ranks("mpi-bad", "--config " + source_path("tests/data/bad/paths_zero.ini"),
                                  "[run] paths = 0: must be >= 1");
}

TEST(Mpi, TooManyRanksForTheBlocksNamesTheRanks) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  expect_usage_error_on_two_ranks("mpi-ranks",
                                  "--config " + source_path("configs/baseline.ini") +
                                      " --paths 1000 --block-paths 1024 --quiet",
                                  "mpirun with 2 ranks: the run has 1 block");
}

// A study with fewer design points than ranks would leave a rank idle (and
// its provenance empty): like a run with too few blocks, exit 2.
TEST(Mpi, TooManyRanksForTheStudyNamesTheRanks) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  ScratchDir dir("mpi-study-ranks");
  std::ofstream(dir.file("one.ini")) << "include = " << source_path("configs/baseline.ini") << "\n"
                                     << "[study]\nmethod = grid\npaths = 1024\noutputs = mean(months_restricted)\n"
                                     << "[study.factor.dialogue]\nkey = tension.dialogue\nlevels = 1\n";
  const auto r = run_command(mpirun(3) + " study --quiet --config " + dir.file("one.ini") + " --out " + dir.file("x.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_EQ(count(r.output, "mpirun with 3 ranks, but the study has 2 design points"), 1u) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
}

TEST(Mpi, UnwritableOutputEndsEveryRankWithExitOne) {
  if (!mpi_available()) GTEST_SKIP() << "remc built without MPI, or no mpirun";
  ScratchDir dir("mpi-unwritable");
  const auto r = run_command(mpirun(2) + " run " + kArgs + " --out " + dir.file("no/such/dir/x.h5"));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_EQ(count(r.output, "cannot write"), 1u) << r.output;
}
