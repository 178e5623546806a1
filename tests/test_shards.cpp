// Shards and merge (remc run --shard K/N, remc merge): a merged result is
// bit-identical to the single run with the same config, seed and path count,
// whatever the number of shards and the order the parts are given in; parts
// that do not belong together are refused with exit 2 and the file named.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "cli_util.h"
#include "shard.h"

using remc::test::identical_results;
using remc::test::run_command;
using remc::test::run_python;
using remc::test::run_remc;
using remc::test::ScratchDir;
using remc::test::source_path;

namespace {

// 10,000 paths in blocks of 1024: 10 blocks, the last one partial.
const std::string kArgs = "--config " + source_path("configs/baseline.ini") +
                          " --paths 10000 --set run.months=24 --block-paths 1024 --quiet";

std::vector<std::string> run_shards(const ScratchDir& dir, int n, const std::string& extra = "") {
  std::vector<std::string> parts;
  for (int k = 0; k < n; ++k) {
    const std::string part = dir.file("part" + std::to_string(k) + "of" + std::to_string(n) + ".h5");
    const auto r = run_remc("run " + kArgs + " --seed 11 --shard " + std::to_string(k) + "/" + std::to_string(n) +
                            " --out " + part + extra);
    EXPECT_EQ(r.exit_code, 0) << r.output;
    parts.push_back(part);
  }
  return parts;
}

std::string join(const std::vector<std::string>& parts) {
  std::string s;
  for (const auto& p : parts) s += " " + p;
  return s;
}

}  // namespace

TEST(Shards, SlicesTileTheRunOnBlockBoundaries) {
  for (int n : {1, 2, 3, 7, 10}) {
    std::uint64_t next = 0;
    for (int k = 0; k < n; ++k) {
      const remc::PathSlice s = remc::shard_slice(10000, 1024, {k, n});
      EXPECT_EQ(s.first_path, next) << k << "/" << n;
      EXPECT_EQ(s.first_path % 1024, 0u);
      EXPECT_GT(s.paths, 0u);
      next = s.first_path + s.paths;
    }
    EXPECT_EQ(next, 10000u) << n;
  }
  EXPECT_THROW(remc::shard_slice(10000, 1024, {0, 11}), std::exception);  // more shards than blocks
  EXPECT_THROW(remc::parse_shard("3/3"), std::exception);
  EXPECT_THROW(remc::parse_shard("1-3"), std::exception);
  EXPECT_THROW(remc::parse_shard("0/ 3"), std::exception);  // digits and one slash only
  EXPECT_THROW(remc::parse_shard("+0/3"), std::exception);
  // A count beyond int is refused, not wrapped into another shard count.
  try {
    remc::parse_shard("1/99999999999");
    ADD_FAILURE() << "accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("at most 2147483647 shards"), std::string::npos) << e.what();
  }
  // The message names what the user gave: shards, or the ranks of an MPI run.
  try {
    remc::shard_slice(3073, 4096, {0, 2}, true);
    ADD_FAILURE() << "accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("mpirun with 2 ranks: the run has 1 block of 4096 paths, fewer than the ranks"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(remc::parse_shard("2/5").index, 2);
}

TEST(Shards, MergeOfThreeAndSevenShardsEqualsTheSingleRun) {
  ScratchDir dir("shards");
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --seed 11 --out " + single).exit_code, 0);
  for (int n : {3, 7}) {
    std::vector<std::string> parts = run_shards(dir, n);
    std::swap(parts.front(), parts.back());  // order on the command line does not matter
    const std::string merged = dir.file("merged" + std::to_string(n) + ".h5");
    const auto m = run_remc("merge" + join(parts) + " -o " + merged);
    ASSERT_EQ(m.exit_code, 0) << m.output;
    EXPECT_TRUE(identical_results(single, merged));
  }
}

TEST(Shards, PartialResultsAreResultsOnTheirOwn) {
  ScratchDir dir("partial");
  const auto parts = run_shards(dir, 2);
  const auto info = run_remc("info " + parts[1]);
  EXPECT_EQ(info.exit_code, 0) << info.output;
  EXPECT_NE(info.output.find("partial result: shard 1/2"), std::string::npos) << info.output;
  // Its /state datasets carry units and a description like every other
  // dataset, and each is documented in docs/hdf5-schema.md.
  const auto check = run_python(
      "-c \"import h5py, sys\n"
      "doc = open('" + source_path("docs/hdf5-schema.md") + "').read()\n"
      "f = h5py.File('" + parts[1] + "', 'r')\n"
      "bad = [n for n, d in f['state'].items() if 'units' not in d.attrs or 'description' not in d.attrs "
      "or chr(96) + '/state/' + n + chr(96) not in doc]\n"
      "sys.exit('state datasets lacking units, description or docs: %s' % bad if bad else 0)\"");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

// Parts named through the config's [output] file rather than --out still
// belong to one run: where a result goes does not change what it holds.
TEST(Shards, PartsMayNameTheirFileInTheConfig) {
  ScratchDir dir("output-file");
  std::string parts;
  for (int k = 0; k < 2; ++k) {
    const std::string part = dir.file("named" + std::to_string(k) + ".h5");
    const auto r = run_remc("run " + kArgs + " --seed 11 --shard " + std::to_string(k) + "/2 --set output.file=" + part);
    ASSERT_EQ(r.exit_code, 0) << r.output;
    parts += " " + part;
  }
  // The merged file carries the first part's config; the single run, the same text.
  const std::string single = dir.file("single.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --seed 11 --set output.file=" + dir.file("named0.h5") + " --out " + single)
                .exit_code,
            0);
  const auto m = run_remc("merge" + parts + " -o " + dir.file("merged.h5"));
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_TRUE(identical_results(single, dir.file("merged.h5")));
}

TEST(Shards, MergeRefusesPartsThatDoNotBelongTogether) {
  ScratchDir dir("refuse");
  const auto parts = run_shards(dir, 3);
  const std::string out = dir.file("out.h5");
  const int files_before = dir.entries();

  // A part from another seed.
  const std::string other_seed = dir.file("other_seed.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --seed 12 --shard 1/3 --out " + other_seed).exit_code, 0);
  auto r = run_remc("merge " + parts[0] + " " + other_seed + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("other_seed.h5: seed 12 differs"), std::string::npos) << r.output;

  // A part from another config.
  const std::string other_config = dir.file("other_config.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --seed 11 --set tension.dialogue=1 --shard 1/3 --out " + other_config)
                .exit_code,
            0);
  r = run_remc("merge " + parts[0] + " " + other_config + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("other_config.h5: config differs"), std::string::npos) << r.output;
  // The message names the first differing key of the two resolved configs.
  EXPECT_NE(r.output.find("'[tension] dialogue = 1' against '[tension] dialogue = 0'"), std::string::npos)
      << r.output;

  // A part written by another remc version, or with another block size.
  const std::string other_version = dir.file("other_version.h5");
  std::filesystem::copy_file(parts[1], other_version);
  const auto edit = run_python("-c \"import h5py; f = h5py.File('" + other_version +
                               "', 'r+'); f.attrs['remc_version'] = '0.0.1'\"");
  ASSERT_EQ(edit.exit_code, 0) << edit.output;
  r = run_remc("merge " + parts[0] + " " + other_version + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("other_version.h5: remc version 0.0.1 differs"), std::string::npos) << r.output;
  const std::string other_block = dir.file("other_block.h5");
  ASSERT_EQ(run_remc("run " + std::string(kArgs).replace(kArgs.find("--block-paths 1024"), 18, "--block-paths 2048") +
                     " --seed 11 --shard 1/3 --out " + other_block)
                .exit_code,
            0);
  r = run_remc("merge " + parts[0] + " " + other_block + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("other_block.h5: block size 2048 differs"), std::string::npos) << r.output;

  // Output onto one of the parts, and a file that is not a result.
  r = run_remc("merge " + parts[0] + " " + parts[1] + " " + parts[2] + " -o " + parts[1]);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("is one of the parts"), std::string::npos) << r.output;
  const std::string not_result = dir.file("notes.txt");
  ASSERT_EQ(run_command("echo hello > " + not_result).exit_code, 0);
  r = run_remc("merge " + parts[0] + " " + not_result + " -o " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;

  // The same slice twice.
  r = run_remc("merge " + parts[0] + " " + parts[1] + " " + parts[1] + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("overlaps"), std::string::npos) << r.output;

  // A missing slice.
  r = run_remc("merge " + parts[0] + " " + parts[2] + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("slices missing: paths 3072..6144"), std::string::npos) << r.output;

  // A complete (non-shard) result is not a part.
  const std::string whole = dir.file("whole.h5");
  ASSERT_EQ(run_remc("run " + kArgs + " --seed 11 --out " + whole).exit_code, 0);
  r = run_remc("merge " + whole + " -o " + out);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("whole.h5: not a shard result"), std::string::npos) << r.output;

  // No output was written by any refused merge.
  EXPECT_EQ(dir.entries(), files_before + 6);  // other_seed/_config/_version/_block, notes.txt, whole
}

// A damaged or hand-edited part is refused (exit 2, file named), never merged
// into wrong statistics and never read out of bounds: node tables of unequal
// length, impossible or misaligned tree levels, impossible cell counts, and
// moments, histogram, exceedance or transition counts that do not cover the
// part's paths.
TEST(Shards, MergeRefusesDamagedParts) {
  ScratchDir dir("damaged");
  const auto parts = run_shards(dir, 2);
  const std::string out = dir.file("out.h5");
  const std::vector<std::pair<std::string, std::string>> damages = {
      {"short_table", "m2 = g['node_m2'][:]; del g['node_m2']; g['node_m2'] = m2[:-3]"},
      {"level", "g['node_level'][0] = 64"},
      {"cells", "g.attrs['cells'] = 10**9"},
      {"node_count", "c = g['node_count'][:]; c[0] += 1; g['node_count'][:] = c"},
      {"hist", "h = g['hist'][:]; h[0] += 5; g['hist'][:] = h"},
      {"paths", "g.attrs['paths'] = 2**62"},
      {"level_up", "l = g['node_level'][:]; l[0] += 1; g['node_level'][:] = l"},
      {"exceed", "e = g['exceed'][:]; e[:] = 10**6; g['exceed'][:] = e"},
      {"transitions", "t = g['transitions'][:]; t[:] = 7; g['transitions'][:] = t"},
      {"m2_nan", "m = g['node_m2'][:]; m[24] = float('nan'); g['node_m2'][:] = m"},
      {"m2_negative", "m = g['node_m2'][:]; m[24] = -1; g['node_m2'][:] = m"},
      {"mean_inf", "m = g['node_mean'][:]; m[24] = float('inf'); g['node_mean'][:] = m"},
      {"mean_doubled", "m = g['node_mean'][:]; m[:] = 2 * m + 1; g['node_mean'][:] = m"},
  };
  for (const auto& [name, edit] : damages) {
    const std::string part = dir.file(name + ".h5");
    std::filesystem::copy_file(parts[1], part);
    const auto e = run_python("-c \"import h5py; f = h5py.File('" + part + "', 'r+'); g = f['state']; " + edit + "\"");
    ASSERT_EQ(e.exit_code, 0) << name << ": " << e.output;
    const auto r = run_remc("merge " + parts[0] + " " + part + " -o " + out);
    EXPECT_EQ(r.exit_code, 2) << name << ": " << r.output;
    EXPECT_NE(r.output.find(name + ".h5: /state is damaged"), std::string::npos) << name << ": " << r.output;
    EXPECT_FALSE(std::filesystem::exists(out)) << name;
  }
  // A dataset missing altogether: refused the same way (it was a runtime error, exit 1).
  const std::string part = dir.file("no_exceed.h5");
  std::filesystem::copy_file(parts[1], part);
  ASSERT_EQ(run_python("-c \"import h5py; del h5py.File('" + part + "', 'r+')['state/exceed']\"").exit_code, 0);
  const auto r = run_remc("merge " + parts[0] + " " + part + " -o " + out);
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no_exceed.h5: not a readable shard result"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(Shards, AllowPartialRecordsThePathsCovered) {
  ScratchDir dir("allow");
  const auto parts = run_shards(dir, 3);
  const std::string out = dir.file("partial.h5");
  const auto r = run_remc("merge " + parts[0] + " " + parts[2] + " --allow-partial -o " + out);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const auto info = run_remc("info " + out);
  EXPECT_NE(info.output.find("6928 paths"), std::string::npos) << info.output;
  EXPECT_NE(info.output.find("missing paths 3072..6144"), std::string::npos) << info.output;
}
