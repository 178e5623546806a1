// Checkpoint and restart: a run killed with SIGKILL part way and
// resumed from its last checkpoint, and a run stopped by SIGTERM (exit 3) and
// resumed, give statistics bit-identical to an uninterrupted run; resuming
// with another config or remc version is refused (exit 2).
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.h"

using remc::test::run_command;
using remc::test::identical_results;
using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

// Long enough (about 2 s on one thread of the development machine) to be
// interrupted part way; the tests that wait before the signal scale the wait
// to the uninterrupted run's time, so a faster machine is still caught mid-run.
const std::string kRun = "run --config " + source_path("configs/baseline.ini") +
                         " --paths 150000 --seed 17 --threads 1 --quiet";

// Starts the run with checkpoints every 0.1 s, waits for the first one, then
// `delay` seconds more, and sends `signal`; returns the run's exit code.
int interrupted_run(const ScratchDir& dir, const std::string& signal, double delay) {
  const std::string ck = dir.file("ck.h5");
  const std::string script = std::string(REMC_BINARY) + " " + kRun + " --out " + dir.file("never.h5") +
                             " --checkpoint " + ck + " --checkpoint-every 0.1 & pid=$!; " +
                             "while [ ! -f " + ck + " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; " +
                             "sleep " + std::to_string(delay) + "; kill -" + signal + " $pid; wait $pid; exit $?";
  return run_command("sh -c '" + script + "'").exit_code;
}

// Runs kRun uninterrupted into `out`; returns its wall time in seconds.
double timed_full_run(const std::string& out) {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_remc(kRun + " --out " + out);
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST(Checkpoint, KilledAndResumedRunIsBitIdentical) {
  ScratchDir dir("ck-kill");
  const std::string full = dir.file("full.h5");
  // The kill comes a third of the way into the run after its first
  // checkpoint (checkpoints every 0.1 s, so the moment falls anywhere in a
  // checkpoint cycle, a save included); the delay is printed for a replay.
  const double delay = timed_full_run(full) / 3;
  EXPECT_EQ(interrupted_run(dir, "KILL", delay), 137) << "delay " << delay;
  ASSERT_TRUE(std::filesystem::exists(dir.file("ck.h5"))) << "delay " << delay;
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.h5")));

  const std::string resumed = dir.file("resumed.h5");
  const auto r = run_remc("run --resume " + dir.file("ck.h5") + " --threads 2 --quiet --out " + resumed);
  ASSERT_EQ(r.exit_code, 0) << r.output << " (delay " << delay << ")";
  EXPECT_TRUE(identical_results(full, resumed));
  EXPECT_FALSE(std::filesystem::exists(dir.file("ck.h5")));  // removed once the result is written
}

TEST(Checkpoint, SigtermSavesAndExitsThree) {
  ScratchDir dir("ck-term");
  const std::string full = dir.file("full.h5");
  const double delay = timed_full_run(full) / 5;
  EXPECT_EQ(interrupted_run(dir, "TERM", delay), 3) << "delay " << delay;
  ASSERT_TRUE(std::filesystem::exists(dir.file("ck.h5")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.h5")));
  const auto seconds_of = [](const std::string& file) {
    const auto r = run_python("-c \"import h5py; print(h5py.File('" + file + "').attrs['wall_seconds'])\"");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return std::atof(r.output.c_str());
  };
  const double before = seconds_of(dir.file("ck.h5"));  // the interrupted process's time
  EXPECT_GT(before, 0.0);
  const std::string resumed = dir.file("resumed.h5");
  ASSERT_EQ(run_remc("run --resume " + dir.file("ck.h5") + " --quiet --out " + resumed).exit_code, 0);
  EXPECT_TRUE(identical_results(full, resumed));
  // The resumed result's wall time includes the interrupted process's.
  EXPECT_GT(seconds_of(resumed), before);
}

TEST(Checkpoint, ResumeRefusesAnotherConfigOrVersion) {
  ScratchDir dir("ck-refuse");
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  const std::string ck = dir.file("ck.h5");
  auto r = run_remc("run --resume " + ck + " --config " + source_path("configs/baseline.ini") +
                    " --paths 150000 --seed 18 --out " + dir.file("x.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("written for another config"), std::string::npos) << r.output;
  // The same config is accepted.
  r = run_remc("run --resume " + ck + " --config " + source_path("configs/baseline.ini") +
               " --paths 150000 --seed 17 --quiet --out " + dir.file("ok.h5"));
  EXPECT_EQ(r.exit_code, 0) << r.output;

  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  // info names a checkpoint for what it is (exit 2) and says how to continue it.
  r = run_remc("info " + ck);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("a remc checkpoint, not a result; continue the run with remc run --resume"),
            std::string::npos)
      << r.output;
  const auto edit = run_python("-c \"import h5py; f = h5py.File('" + ck + "', 'r+'); f.attrs['remc_version'] = '0.0.1'\"");
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  r = run_remc("run --resume " + ck + " --out " + dir.file("y.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("written by remc 0.0.1"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("y.h5")));
}

// A checkpoint whose slice end was damaged would resume into a run of 2^64
// paths (the unsigned difference wraps): refused, like a damaged /state. An
// invalid recorded config is named as the checkpoint's, whose text its line
// numbers count in.
TEST(Checkpoint, ResumeRefusesADamagedCheckpoint) {
  ScratchDir dir("ck-damaged");
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  const std::string ck = dir.file("ck.h5");
  const auto bad_config =
      run_python("-c \"import h5py; f = h5py.File('" + ck + "', 'r+'); "
                 "f.attrs.modify('config', f.attrs['config'].replace('paths = 150000', 'paths = 0'))\"");
  ASSERT_EQ(bad_config.exit_code, 0) << bad_config.output;
  auto r = run_remc("run --resume " + ck + " --out " + dir.file("y.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("--resume " + ck + ": the config it recorded (resolved from " +
                          source_path("configs/baseline.ini") + ") is invalid: "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("is invalid: recorded config:"), std::string::npos) << r.output;  // its lines, not the file's
  EXPECT_NE(r.output.find("[run] paths = 0: must be >= 1"), std::string::npos) << r.output;

  // The slice's end: before the paths done, far beyond the run, at the paths
  // done (a result short of its config's paths), and with the run's total
  // paths edited to match.
  const std::vector<std::pair<std::string, std::string>> edits = {
      {"f.attrs.modify('end_path', 0)", "not a readable remc checkpoint (its slice is paths 0..0, the run's 0..150000)"},
      {"f.attrs.modify('end_path', 2**62)", "not a readable remc checkpoint (its slice is paths 0..4611686018427387904"},
      {"f.attrs.modify('end_path', int(f['state'].attrs['paths']))", "not a readable remc checkpoint (its slice"},
      {"f.attrs.modify('end_path', 2**62); f['state'].attrs.modify('total_paths', 2**62)",
       " of 4611686018427387904 in blocks of 4096 (the config runs 150000 paths)"},
  };
  for (const auto& [edit, wanted] : edits) {
    std::filesystem::remove(ck);
    ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
    const auto e = run_python("-c \"import h5py; f = h5py.File('" + ck + "', 'r+'); " + edit + "\"");
    ASSERT_EQ(e.exit_code, 0) << e.output;
    r = run_remc("run --resume " + ck + " --out " + dir.file("y.h5"));
    EXPECT_EQ(r.exit_code, 2) << edit << ": " << r.output;
    EXPECT_NE(r.output.find(wanted), std::string::npos) << edit << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.file("y.h5")));
  }
}

// A finished run removes its checkpoints, so a checkpoint that is the result
// however spelt (relative, "./", "sub/..", absolute) would delete the result
// just written: refused before anything runs. So is a checkpoint that is the
// config.
TEST(Checkpoint, CheckpointAndResultMustDiffer) {
  ScratchDir dir("ck-same");
  std::filesystem::create_directories(dir.file("sub"));
  const std::vector<std::pair<std::string, std::string>> spellings = {
      {"same.h5", "same.h5"}, {"same.h5", "./same.h5"}, {"same.h5", "sub/../same.h5"},
      {dir.file("same.h5"), "same.h5"}};
  for (const auto& [out, checkpoint] : spellings) {
    const auto r = run_command("cd " + dir.file("") + " && " + REMC_BINARY + " " + kRun + " --out " + out +
                               " --checkpoint " + checkpoint);
    EXPECT_EQ(r.exit_code, 2) << out << " " << checkpoint << ": " << r.output;
    EXPECT_NE(r.output.find("cannot be the same file"), std::string::npos) << r.output;
  }
  const auto config = run_remc(kRun + " --out " + dir.file("x.h5") + " --checkpoint " + source_path("configs/baseline.ini"));
  EXPECT_EQ(config.exit_code, 2) << config.output;
  EXPECT_NE(config.output.find("is the config file"), std::string::npos) << config.output;
  EXPECT_EQ(dir.entries(), 1);  // sub: nothing written

  // Resuming: neither the checkpoint resumed from nor a new one may be the result.
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  for (const std::string extra : {" --out ./ck.h5", " --out ck.h5 --checkpoint ck2.h5", " --checkpoint ./r.h5 --out r.h5"}) {
    const auto r = run_command("cd " + dir.file("") + " && " + REMC_BINARY + " run --resume ck.h5 --quiet" + extra);
    EXPECT_EQ(r.exit_code, 2) << extra << ": " << r.output;
    EXPECT_NE(r.output.find("cannot be the same file"), std::string::npos) << extra << ": " << r.output;
  }
  EXPECT_TRUE(std::filesystem::exists(dir.file("ck.h5")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.h5")));
}

// Targets decide after every block where a run stops: a run checkpointed
// without them cannot take them on when resumed.
TEST(Checkpoint, ResumeCannotAddTargets) {
  ScratchDir dir("ck-add-target");
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  const auto r = run_remc("run --resume " + dir.file("ck.h5") + " --quiet --out " + dir.file("r.h5") +
                          " --target 'mean(cum_shortage, dy)=1'");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("the checkpointed run had no --target; resume it without one"), std::string::npos)
      << r.output;
  EXPECT_FALSE(std::filesystem::exists(dir.file("r.h5")));
}

TEST(Checkpoint, ResumeWritesWhereTheRunWasToAndKeepsItsBlockSize) {
  ScratchDir dir("ck-out");
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  auto r = run_remc("run --resume " + dir.file("ck.h5") + " --block-paths 2048");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  r = run_remc("run --resume " + dir.file("ck.h5") + " --quiet");  // no --out: the interrupted run's
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.file("never.h5")));
}

TEST(Checkpoint, AnExistingCheckpointIsNeverOverwritten) {
  ScratchDir dir("ck-exists");
  ASSERT_EQ(interrupted_run(dir, "TERM", 0.0), 3);
  const std::string ck = dir.file("ck.h5");
  const auto size = std::filesystem::file_size(ck);
  // A requeued job re-running its first command: refused, progress kept.
  const auto r = run_remc(kRun + " --out " + dir.file("x.h5") + " --checkpoint " + ck);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("the file exists; continue that run with --resume " + ck), std::string::npos) << r.output;
  EXPECT_EQ(std::filesystem::file_size(ck), size);
  EXPECT_FALSE(std::filesystem::exists(dir.file("x.h5")));
  // Resumed with a new checkpoint file: once the result is written, neither is left.
  const auto resumed = run_remc("run --resume " + ck + " --checkpoint " + dir.file("ck2.h5") + " --quiet --out " +
                                dir.file("r.h5"));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_FALSE(std::filesystem::exists(ck));
  EXPECT_FALSE(std::filesystem::exists(dir.file("ck2.h5")));
}

TEST(Checkpoint, ResumeFromAnotherFolderWritesWhereTheRunWasTo) {
  ScratchDir dir("ck-relative");
  // Started in dir with a relative --out, stopped, resumed from the root folder.
  const std::string script = "cd " + dir.file("") + " || exit 1; " + std::string(REMC_BINARY) + " " + kRun +
                             " --out rel.h5 --checkpoint ck.h5 --checkpoint-every 0.1 & pid=$!; " +
                             "while [ ! -f " + dir.file("ck.h5") + " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; " +
                             "kill -TERM $pid; wait $pid; exit $?";
  ASSERT_EQ(run_command("sh -c '" + script + "'").exit_code, 3);
  const auto r = run_command("cd / && " + std::string(REMC_BINARY) + " run --resume " + dir.file("ck.h5") + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(dir.file("rel.h5")));
}

// A target run stopped early stores its config with run.paths = the paths
// done; resumed, the header line still names every original --set. The
// checkpoint keeps the targets: a requeued job that repeats only --resume
// still stops at them (not at --max-paths), and different targets on resume
// are refused.
TEST(Checkpoint, ResumedTargetRunKeepsItsTargetsAndSets) {
  ScratchDir dir("ck-target");
  // About 500,000 paths (std of Dy cum_shortage about 20 t): a second or two.
  const std::string target = " --target \"mean(cum_shortage, dy)=0.055\"";
  const std::string ck = dir.file("ck.h5"), out = dir.file("out.h5");
  const std::string script = std::string(REMC_BINARY) + " run --config " + source_path("configs/baseline.ini") +
                             " --set run.months=24 --seed 11 --threads 1 --quiet --max-paths 2000000" + target +
                             " --out " + out +
                             " --checkpoint " + ck + " --checkpoint-every 0.05 & pid=$!; while [ ! -f " + ck +
                             " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; kill -TERM $pid; wait $pid; exit $?";
  ASSERT_EQ(run_command("sh -c '" + script + "'").exit_code, 3);
  const auto other = run_remc("run --resume " + ck + " --quiet --target \"mean(cum_shortage, dy)=0.5\"");
  EXPECT_EQ(other.exit_code, 2) << other.output;
  EXPECT_NE(other.output.find("--target differs from the checkpointed run's targets"), std::string::npos)
      << other.output;
  const auto r = run_remc("run --resume " + ck + " --quiet");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto header = run_python("-c \"import h5py; print(h5py.File('" + out + "')['/'].attrs['config'].splitlines()[0])\"");
  ASSERT_EQ(header.exit_code, 0) << header.output;
  EXPECT_NE(header.output.find("--set run.months=24 --set run.paths="), std::string::npos) << header.output;
  const auto stopped = run_python("-c \"import h5py; f = h5py.File('" + out +
                                  "'); print(f.attrs['paths'], f['/targets'].attrs['stop_reason'])\"");
  ASSERT_EQ(stopped.exit_code, 0) << stopped.output;
  EXPECT_NE(stopped.output.find("all targets met"), std::string::npos) << stopped.output;
  EXPECT_LT(std::stoll(stopped.output), 2000000) << stopped.output;
}

// A checkpoint is saved after each block, before the targets are checked on
// that block, so a run that ends between the two (here: its result cannot be
// written) leaves a checkpoint whose paths already meet the targets. Resumed,
// it stops there, as the uninterrupted run did, with the same statistics;
// before, it ran one block more.
TEST(Checkpoint, ResumedTargetRunStopsWhereTheTargetsWereMet) {
  ScratchDir dir("ck-target-met");
  // About 150 blocks of 1,024 paths, under 2 s on one thread.
  const std::string run = "run --config " + source_path("configs/baseline.ini") +
                          " --set run.months=24 --seed 5 --threads 1 --quiet --block-paths 1024 --max-paths 1000000"
                          " --target \"mean(cum_shortage, dy)=0.1\"";
  const std::string full = dir.file("full.h5"), out = dir.file("out.h5"), ck = dir.file("ck.h5");
  ASSERT_EQ(run_remc(run + " --out " + full).exit_code, 0);
  // A folder takes the result's name once the run is under way: the run
  // does all its blocks, cannot write the result (exit 1), keeps its last checkpoint.
  const std::string script = std::string(REMC_BINARY) + " " + run + " --out " + out + " --checkpoint " + ck +
                             " --checkpoint-every 1e-9 & pid=$!; while [ ! -f " + ck +
                             " ] && kill -0 $pid 2>/dev/null; do sleep 0.01; done; mkdir " + out + "; wait $pid; exit $?";
  ASSERT_EQ(run_command("sh -c '" + script + "'").exit_code, 1);
  ASSERT_TRUE(std::filesystem::exists(ck));
  std::filesystem::remove(out);
  const auto r = run_remc("run --resume " + ck + " --quiet --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  // Every dataset bit for bit and the same path count (the stored config's
  // header line names the resume, so it differs).
  const auto same = run_python(
      "-c \"import h5py, numpy as np, sys\n"
      "a, b = h5py.File('" + full + "'), h5py.File('" + out + "')\n"
      "names = []\n"
      "a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)\n"
      "bad = [n for n in names if not np.array_equal(a[n][()], b[n][()], equal_nan=a[n].dtype.kind == 'f')]\n"
      "print(a.attrs['paths'], b.attrs['paths'], len(names), bad[:5])\n"
      "sys.exit(1 if bad or a.attrs['paths'] != b.attrs['paths'] else 0)\"");
  EXPECT_EQ(same.exit_code, 0) << same.output;
}
