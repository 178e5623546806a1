// Option parsing for `remc run`.
#include "run_args.h"

#include <string>

#include "cli_options.h"
#include "config_values.h"
#include "errors.h"
#include "model_limits.h"

namespace po = boost::program_options;

namespace remc {

RunArgs parse_run_args(const std::vector<std::string>& raw_args) {
  RunArgs a;
  std::string shard;
  long long block_paths = 0;  // signed, so that a negative value is an error, not a wrap-around
  po::options_description desc(
      "usage: remc run --config FILE [--paths N] [--seed S] [--out FILE] [--set SECTION.KEY=VALUE]...\n"
      "                [--backend cpu|cuda] [--threads N] [--block-paths N] [--shard K/N] [--quiet]\n"
      "                [--checkpoint FILE [--checkpoint-every SECONDS]] [--target EXPR=HALFWIDTH]... [--max-paths N]\n"
      "       remc run --resume FILE [--out FILE] [--threads N] [--checkpoint FILE] ...\n\noptions");
  desc.add_options()("help,h", "this help")("config", po::value(&a.config), "config file (INI)")(
      "paths", po::value(&a.paths), "number of paths (overrides [run] paths)")(
      "seed", po::value(&a.seed), "random seed, 0..4294967295 (overrides [run] seed)")(
      "out", po::value(&a.out), "result file (overrides [output] file)")(
      "set", po::value(&a.sets)->composing(), "override a config key, SECTION.KEY=VALUE (repeatable)")(
      "backend", po::value(&a.backend), "cpu (default) or cuda")(
      "threads", po::value(&a.threads), "CPU threads (default: all cores)")(
      "block-paths", po::value(&block_paths), "paths per block, a multiple of 1024 (default: per backend)")(
      "shard", po::value(&shard), "simulate only slice K/N (0 <= K < N) and write a partial result for remc merge")(
      "checkpoint", po::value(&a.checkpoint),
      "save the state every --checkpoint-every seconds and on SIGTERM/SIGINT (then exit 3)")(
      "checkpoint-every", po::value(&a.checkpoint_every), "seconds between checkpoints (default 600)")(
      "resume", po::value(&a.resume), "continue the run saved in this checkpoint")(
      "target", po::value(&a.targets)->composing(),
      "run blocks until this 95 % half-width is reached, e.g. 'mean(cum_shortage, dy)=0.5' (repeatable)")(
      "max-paths", po::value(&a.max_paths), "with --target: the most paths to simulate (default [run] paths)")(
      "quiet", po::bool_switch(&a.quiet), "no progress line");
  a.help = parse_command_options(raw_args, desc, nullptr, &a.given);
  if (a.help) return a;

  const auto given = [&](const char* name) { return a.given.count(name) > 0; };
  if (a.config.empty() && a.resume.empty()) throw UsageError("run: --config FILE (or --resume FILE) is required");
  if (given("out") && a.out.empty()) throw UsageError("run: --out: the file name is empty");
  if (given("config") && a.config.empty()) throw UsageError("run: --config: the file name is empty");
  if (given("checkpoint") && a.checkpoint.empty()) throw UsageError("run: --checkpoint: the file name is empty");
  if (given("resume") && a.resume.empty()) throw UsageError("run: --resume: the file name is empty");
  if (!a.resume.empty() && given("shard")) throw UsageError("run: --resume continues the checkpoint's own slice; drop --shard");
  if (given("checkpoint-every") && !(a.checkpoint_every > 0.0))
    throw UsageError("run: --checkpoint-every " + format_number(a.checkpoint_every) + ": must be > 0 seconds");
  if (a.backend != "cpu" && a.backend != "cuda") throw UsageError("run: --backend " + a.backend + ": must be cpu or cuda");
  // OpenMP cannot start tens of thousands of threads (it crashes or fails
  // without a word); no node has more cores than this.
  constexpr int kMaxThreads = 4096;
  if (given("threads") && (a.threads < 1 || a.threads > kMaxThreads))
    throw UsageError("run: --threads " + std::to_string(a.threads) + ": must be in 1.." + std::to_string(kMaxThreads));
  constexpr long long kMaxBlockPaths = 1LL << 30;
  if (given("block-paths") && (block_paths <= 0 || block_paths > kMaxBlockPaths || block_paths % kChunkPaths != 0))
    throw UsageError("run: --block-paths " + std::to_string(block_paths) + ": must be a multiple of " +
                     std::to_string(kChunkPaths) + " in " + std::to_string(kChunkPaths) + ".." +
                     std::to_string(kMaxBlockPaths));
  a.block_paths = static_cast<std::uint64_t>(block_paths);
  if (!a.resume.empty() && given("block-paths"))
    throw UsageError("run: --resume keeps the checkpoint's block size; drop --block-paths");
  if (!a.resume.empty() && a.config.empty() && (given("paths") || given("seed") || given("set")))
    throw UsageError("run: with --resume, --paths, --seed and --set only describe the config given by --config "
                     "(to check it against the checkpoint); add --config or drop them");
  if (given("checkpoint-every") && a.checkpoint.empty() && a.resume.empty())
    throw UsageError("run: --checkpoint-every goes with --checkpoint FILE (or --resume FILE)");
  // The config's limits for [run] paths, checked here to name the option given.
  if (given("paths") && (a.paths < 1 || a.paths > kMaxConfigInteger))
    throw UsageError("run: --paths " + std::to_string(a.paths) + ": must be in 1..9e15");
  if (given("max-paths") && !a.resume.empty())
    throw UsageError("run: --resume continues the checkpoint's run; its maximum path count cannot change");
  if (given("max-paths") && a.targets.empty()) throw UsageError("run: --max-paths goes with --target; use --paths");
  if (given("max-paths") && given("paths")) throw UsageError("run: give --max-paths or --paths, not both");
  if (given("max-paths") && (a.max_paths < 1 || a.max_paths > kMaxConfigInteger))
    throw UsageError("run: --max-paths " + std::to_string(a.max_paths) + ": must be in 1..9e15");
  if (!a.targets.empty() && given("shard"))
    throw UsageError("run: --target cannot be combined with --shard: whether to stop depends on all the paths");
  if (given("seed") && (a.seed < 0 || a.seed > 4294967295LL))
    throw UsageError("run: --seed " + std::to_string(a.seed) + ": must be in 0..4294967295");
  if (given("shard")) a.shard = parse_shard(shard);
  // --paths and --seed are config overrides like --set, so the resolved
  // config stored in the result reproduces the run.
  a.paths_set_at = a.sets.size();
  a.paths_set = given("paths") || given("max-paths");
  if (given("paths")) a.sets.push_back("run.paths=" + std::to_string(a.paths));
  if (given("max-paths")) a.sets.push_back("run.paths=" + std::to_string(a.max_paths));
  if (given("seed")) a.sets.push_back("run.seed=" + std::to_string(a.seed));
  return a;
}

}  // namespace remc
