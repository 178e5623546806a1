// The command line as a user meets it: help, version, exit codes, bad input
// (exit 2, a message naming file/section/key, no output file), runtime errors
// (exit 1, no output file), and a small successful run read back by `info`.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cli_util.h"

using remc::test::run_command;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

// A quick run: few paths, a short horizon.
const std::string kQuick = " --paths 2048 --set run.months=24 --quiet";

}  // namespace

TEST(Cli, HelpAndVersion) {
  const auto help = run_remc("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.output.find("usage: remc COMMAND"), std::string::npos);
  const auto version = run_remc("--version");
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.output.find("remc 0."), std::string::npos);
  EXPECT_NE(version.output.find("backends: cpu"), std::string::npos);
  for (const char* command : {"run", "validate", "info"}) {
    const auto r = run_remc(std::string(command) + " --help");
    EXPECT_EQ(r.exit_code, 0) << command;
    EXPECT_NE(r.output.find("usage: remc " + std::string(command)), std::string::npos) << r.output;
  }
}

TEST(Cli, UsageErrorsExitTwo) {
  EXPECT_EQ(run_remc("").exit_code, 2);
  const auto unknown = run_remc("frobnicate");
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("unknown command 'frobnicate'"), std::string::npos);
  EXPECT_EQ(run_remc("run").exit_code, 2);  // no --config
  EXPECT_EQ(run_remc("--version extra").exit_code, 2);
  // Each option error on an otherwise good run: exit 2, the option's own
  // message (not some other failure), and no output file.
  ScratchDir dir("usage");
  const std::string run = "run --config " + source_path("configs/baseline.ini") + " --quiet";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"--bogus", "unrecognised option '--bogus'"},
      {"--backend gpu", "--backend gpu: must be cpu or cuda"},
      {"--block-paths 1000", "--block-paths 1000: must be a multiple of 1024"},  // not a multiple of 1024
      {"--block-paths -1024", "--block-paths -1024: must be a multiple of 1024"},  // not a huge unsigned value
      {"--threads 0", "--threads 0: must be in 1..4096"},
      {"--threads 65536", "--threads 65536: must be in 1..4096"},  // OpenMP would crash, not refuse
      {"--paths 1e3", "the argument ('1e3') for option '--paths' is invalid: expected a whole number, digits only"},
      {"--checkpoint-every 5", "--checkpoint-every goes with --checkpoint FILE"},
      // --paths is checked as the option it is, not as the --set it becomes.
      {"--paths 9223372036854775807", "run: --paths 9223372036854775807: must be in 1..9e15"},
  };
  for (const auto& [args, message] : cases) {
    const auto r = run_remc(run + " " + args + " --out " + dir.file("o.h5"));
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << args << ": expected '" << message << "' in\n" << r.output;
    EXPECT_EQ(dir.entries(), 0) << args;
  }
  const auto empty_out = run_remc(run + " --out ''");
  EXPECT_EQ(empty_out.exit_code, 2);
  EXPECT_NE(empty_out.output.find("--out: the file name is empty"), std::string::npos) << empty_out.output;
  const auto resume = run_remc("run --resume " + dir.file("x.ckpt") + " --paths 5");  // --paths without --config
  EXPECT_EQ(resume.exit_code, 2);
  EXPECT_NE(resume.output.find("with --resume, --paths, --seed and --set only describe the config given by --config"),
            std::string::npos)
      << resume.output;
  EXPECT_EQ(run_remc("info").exit_code, 2);
  std::ofstream(dir.file("notes.h5")) << "not HDF5";
  const auto info = run_remc("info " + dir.file("notes.h5"));
  EXPECT_EQ(info.exit_code, 2) << info.output;
  EXPECT_NE(info.output.find("not a remc result or study file"), std::string::npos) << info.output;
}

// A study file given to run (a likely slip) says which command takes it.
TEST(Cli, RunOnAStudyFileNamesTheStudyCommand) {
  ScratchDir dir("runstudy");
  const auto r = run_remc("run --config " + source_path("configs/studies/grid-dialogue-stockpile.ini") +
                          " --out " + dir.file("x.h5"));
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("[study]: a study section: this is a study file, run it with remc study --config FILE"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(dir.entries(), 0);
}

TEST(Cli, MissingConfigFileExitsTwoWithoutOutput) {
  ScratchDir dir("missing");
  const auto r = run_remc("run --config " + dir.file("nope.ini") + " --out " + dir.file("out.h5"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("nope.ini"), std::string::npos) << r.output;
  EXPECT_EQ(dir.entries(), 0);
}

TEST(Cli, BadSetExitsTwo) {
  ScratchDir dir("badset");
  const std::string config = source_path("configs/baseline.ini");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"run.paths", "--set run.paths: expected section.key=value"},
      {"=3", "--set =3: expected section.key=value, the key is empty"},
      {"nosuchsection.key=1", "--set nosuchsection.key=1: unknown section 'nosuchsection'"},
      {"run.nosuchkey=1", "--set run.nosuchkey=1: [run] nosuchkey = 1: unknown key"},
      {"run.paths=zero", "--set run.paths=zero: [run] paths = zero: 'zero' is not a number"},
  };
  for (const auto& [set, message] : cases) {
    const auto r = run_remc("run --config " + config + " --set '" + set + "' --out " + dir.file("o.h5"));
    EXPECT_EQ(r.exit_code, 2) << set << ": " << r.output;
    EXPECT_NE(r.output.find(message), std::string::npos) << set << ": expected '" << message << "' in\n" << r.output;
    EXPECT_EQ(dir.entries(), 0) << set;
  }
}

// Every fixture in tests/data/bad/CASES.txt ("<file> <expected message
// substring>"): validate and run both exit 2 with the message, and run leaves
// no output file.
TEST(Cli, EveryBadConfigExitsTwoWithMessageAndNoOutput) {
  std::ifstream cases(source_path("tests/data/bad/CASES.txt"));
  ASSERT_TRUE(cases.good()) << "tests/data/bad/CASES.txt missing";
  ScratchDir dir("badcfg");
  int checked = 0;
  for (std::string line; std::getline(cases, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string file, expected;
    in >> file;
    std::getline(in >> std::ws, expected);
    const std::string config = source_path("tests/data/bad/" + file);
    const auto v = run_remc("validate --config " + config);
    EXPECT_EQ(v.exit_code, 2) << file << ": " << v.output;
    EXPECT_NE(v.output.find(expected), std::string::npos) << file << ": expected '" << expected << "' in\n" << v.output;
    const auto r = run_remc("run --config " + config + " --out " + dir.file("out.h5"));
    EXPECT_EQ(r.exit_code, 2) << file << ": " << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << file << ": expected '" << expected << "' in\n" << r.output;
    EXPECT_EQ(dir.entries(), 0) << file;
    ++checked;
  }
  EXPECT_GT(checked, 10);
}

TEST(Cli, UnwritableOutputExitsOneWithoutOutput) {
  ScratchDir dir("unwritable");
  const std::string missing_dir = dir.file("no/such/dir/out.h5");
  const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + " --out " + missing_dir);
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("no/such/dir"), std::string::npos) << r.output;
  EXPECT_EQ(dir.entries(), 0);
}

TEST(Cli, OutputThatIsAFolderExitsOne) {
  ScratchDir dir("outdir");
  const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + " --out " + dir.file(""));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("it is a folder"), std::string::npos) << r.output;
}

// The result replaces --out by a rename: a link, pipe or device there would
// be swapped for a regular file, so remc refuses them and leaves them as they are.
TEST(Cli, OutputThatIsNotARegularFileExitsOneAndIsLeftAlone) {
  namespace fs = std::filesystem;
  ScratchDir dir("outspecial");
  const std::string target = dir.file("target.h5");
  std::ofstream(target) << "not a result";
  fs::create_symlink(target, dir.file("link.h5"));
  ASSERT_EQ(run_command("mkfifo " + dir.file("pipe.h5")).exit_code, 0);
  for (const char* name : {"link.h5", "pipe.h5"}) {
    const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + " --out " + dir.file(name));
    EXPECT_EQ(r.exit_code, 1) << name << ": " << r.output;
    EXPECT_NE(r.output.find(dir.file(name)), std::string::npos) << r.output;
  }
  EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dir.file("link.h5"))));
  EXPECT_TRUE(fs::is_fifo(fs::status(dir.file("pipe.h5"))));
  EXPECT_EQ(fs::file_size(target), 12u);
  EXPECT_EQ(dir.entries(), 3);  // no temporary file left
}

// Files remc reads must be regular files: opening a FIFO blocks until a
// writer comes, so `info`, `merge`, `--resume` and `study` given one would
// hang. Each is refused at once (exit 2, the file named).
TEST(Cli, InputThatIsAPipeIsRefusedNotWaitedOn) {
  ScratchDir dir("inpipe");
  const std::string pipe = dir.file("pipe.h5");
  ASSERT_EQ(run_command("mkfifo " + pipe).exit_code, 0);
  for (const std::string command : {"info " + pipe, "merge " + pipe + " -o " + dir.file("m.h5"), "run --resume " + pipe,
                                    "study --config " + pipe + " --out " + dir.file("s.h5")}) {
    const auto r = run_command("timeout 20 " + std::string(REMC_BINARY) + " " + command);
    EXPECT_EQ(r.exit_code, 2) << command << ": " << r.output;
    EXPECT_NE(r.output.find(pipe), std::string::npos) << command << ": " << r.output;
  }
  EXPECT_EQ(dir.entries(), 1);
}

// A mistyped --out must not destroy the config, a file it includes or any
// other file remc did not write: the config cases are usage errors (exit 2),
// a foreign file (text, or HDF5 without remc's filetype) an unwritable output
// (exit 1), found before any simulation, and every file is left as it was.
// An empty file is replaced.
TEST(Cli, OutputNeverReplacesTheConfigOrAFileRemcDidNotWrite) {
  ScratchDir dir("outinput");
  std::filesystem::copy_file(source_path("configs/baseline.ini"), dir.file("baseline.ini"));
  std::ofstream(dir.file("scenario.ini")) << "include = baseline.ini\n[tension]\ndialogue = 1\n";
  std::ofstream(dir.file("study.ini")) << "include = baseline.ini\n[study]\nmethod = grid\npaths = 1024\n"
                                       << "outputs = mean(months_restricted)\n[study.factor.dialogue]\n"
                                       << "key = tension.dialogue\nlevels = 0, 1\n";
  std::ofstream(dir.file("notes.txt")) << "an analyst's notes";
  const auto made = remc::test::run_python("-c \"import h5py; h5py.File('" + dir.file("data.h5") +
                                           "', 'w')['x'] = [1.0, 2.0]\"");
  ASSERT_EQ(made.exit_code, 0) << made.output;
  const auto contents = [&](const std::string& name) {
    std::ifstream in(dir.file(name), std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  const std::vector<std::string> kept = {"baseline.ini", "scenario.ini", "study.ini", "notes.txt", "data.h5"};
  std::vector<std::string> before;
  for (const std::string& name : kept) before.push_back(contents(name));
  const std::string run = "run --config " + dir.file("scenario.ini") + kQuick + " --out ";
  const std::string study = "study --quiet --config " + dir.file("study.ini") + " --out ";
  const std::string foreign = "it exists and is not a file remc wrote";
  struct Case {
    std::string args;
    int exit_code;
    std::string message;
  };
  const Case cases[] = {
      {run + dir.file("scenario.ini"), 2, "is the config file"},
      {run + dir.file("baseline.ini"), 2, "is a file the config includes, " + dir.file("baseline.ini")},
      {run + dir.file("notes.txt"), 1, foreign},
      {run + dir.file("data.h5"), 1, foreign},
      {study + dir.file("study.ini"), 2, "is the config file"},
      {study + dir.file("baseline.ini"), 2, "a file the config includes"},
      {study + dir.file("notes.txt"), 1, foreign},
  };
  for (const Case& c : cases) {
    const auto r = run_remc(c.args);
    EXPECT_EQ(r.exit_code, c.exit_code) << c.args << ": " << r.output;
    EXPECT_NE(r.output.find(c.message), std::string::npos) << c.args << ": " << r.output;
  }
  for (std::size_t i = 0; i < kept.size(); ++i) EXPECT_EQ(contents(kept[i]), before[i]) << kept[i];
  EXPECT_EQ(dir.entries(), 5);  // nothing written, no temporary file left
  // An empty file holds nothing to lose; a remc result may be replaced.
  std::ofstream(dir.file("empty.h5")).close();
  EXPECT_EQ(run_remc(run + dir.file("empty.h5")).exit_code, 0);
  EXPECT_EQ(run_remc(run + dir.file("empty.h5")).exit_code, 0);
}

// A block never holds more paths than the run: a huge --block-paths on a
// small run would otherwise allocate cells x block floats for nothing.
TEST(Cli, BlockLargerThanTheRunIsShrunkToIt) {
  ScratchDir dir("bigblock");
  const std::string out = dir.file("o.h5");
  const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick +
                          " --threads 1 --block-paths 1073741824 --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto check = remc::test::run_python("-c \"import h5py; assert h5py.File('" + out +
                                            "').attrs['block_paths'] == 2048\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST(Cli, ValidateAcceptsEveryShippedConfig) {
  std::vector<std::string> configs = {"configs/baseline.ini"};
  for (const char* folder : {"configs/scenarios", "configs/studies"})  // studies: every design point too
    for (const auto& e : std::filesystem::directory_iterator(source_path(folder)))
      configs.push_back(std::string(folder) + "/" + e.path().filename().string());
  EXPECT_GE(configs.size(), 11u);
  for (const auto& c : configs) {
    const auto r = run_remc("validate --config " + source_path(c));
    EXPECT_EQ(r.exit_code, 0) << c << ": " << r.output;
  }
}

TEST(Cli, RunWritesResultAtomicallyAndInfoReadsIt) {
  ScratchDir dir("run");
  const std::string out = dir.file("baseline.h5");
  const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + " --out " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(dir.entries(), 1);  // no temporary file left beside it
  const auto info = run_remc("info " + out);
  EXPECT_EQ(info.exit_code, 0) << info.output;
  for (const char* word : {"ndpr", "dy", "tb", "ndfeb", "seed", "paths"})
    EXPECT_NE(info.output.find(word), std::string::npos) << word << " missing from\n" << info.output;
  const auto bad = run_remc("info " + dir.file("nope.h5"));
  EXPECT_EQ(bad.exit_code, 2) << bad.output;  // a missing input is a usage error
}

// A result edited or damaged so that a dataset no longer fits the file's own
// coordinates is refused by name (exit 2), never read out of bounds.
TEST(Cli, InfoRefusesADatasetThatContradictsTheCoordinates) {
  ScratchDir dir("info-damaged");
  const std::string out = dir.file("baseline.h5");
  ASSERT_EQ(run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + " --out " + out).exit_code, 0);
  const auto edit = remc::test::run_python("-c \"import h5py; f = h5py.File('" + out +
                                "', 'r+'); g = f['summary/cum_shortage']; v = g['mean'][:]; del g['mean']; "
                                "g['mean'] = v[:1]\"");
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  const auto info = run_remc("info " + out);
  EXPECT_EQ(info.exit_code, 2) << info.output;
  EXPECT_NE(info.output.find("/summary/cum_shortage/mean has 1 values, the file's coordinates give 4"),
            std::string::npos)
      << info.output;
}

// Quantiles come from histograms: with ten bins of width 5 for the peak price
// ratio, info marks them as known only to within their bin.
TEST(Cli, InfoMarksQuantilesOfCoarseHistograms) {
  ScratchDir dir("coarse");
  const auto info_of_run = [&](const std::string& name, const std::string& extra) {
    const std::string out = dir.file(name);
    const auto r = run_remc("run --config " + source_path("configs/baseline.ini") + kQuick + extra + " --out " + out);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    const auto info = run_remc("info " + out);
    EXPECT_EQ(info.exit_code, 0) << info.output;
    return info.output;
  };
  const std::string coarse = info_of_run("coarse.h5", " --set 'output.hist.peak_price_ratio=linear 0 50 10'");
  EXPECT_NE(coarse.find(" *"), std::string::npos) << coarse;
  EXPECT_NE(coarse.find("wider than 5 % of it"), std::string::npos) << coarse;
  const std::string fine = info_of_run("fine.h5", "");
  EXPECT_EQ(fine.find("wider than 5 %"), std::string::npos) << fine;
}
