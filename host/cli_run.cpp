// `remc run`: load and validate the config, simulate on the chosen backend,
// aggregate, and write the result file atomically.
#include <unistd.h>

#include <chrono>
#include <exception>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "build_info.h"
#include "cli.h"
#include "checkpoint.h"
#include "cli_options.h"
#include "config.h"
#include "engine.h"
#include "errors.h"
#include "mpi_context.h"
#include "progress.h"
#include "result_writer.h"
#include "run_state.h"
#include "shard.h"
#include "state_pack.h"
#include "target_report.h"
#include "target_sink.h"
#include "targets.h"

namespace po = boost::program_options;

namespace remc {

namespace {

struct RunArgs {
  std::string config;
  std::string out;
  std::vector<std::string> sets;
  std::string backend = "cpu";
  long long paths = 0;  // from the config unless given
  long long seed = 0;   // from the config unless given
  int threads = 0;      // 0: all cores
  std::uint64_t block_paths = 0;
  std::optional<ShardSpec> shard;
  std::string checkpoint;          // save checkpoints here
  double checkpoint_every = 600;   // seconds between checkpoints
  std::string resume;              // continue from this checkpoint
  std::vector<std::string> targets;  // --target EXPR=HALFWIDTH
  long long max_paths = 0;           // with --target: the most paths to simulate
  // Where in `sets` run.paths is (or would be) set: a run stopped by its
  // targets stores its config with run.paths there set to the paths done.
  std::size_t paths_set_at = 0;
  bool paths_set = false;
  bool quiet = false;
  bool help = false;
  po::variables_map given;  // which options were on the command line
};

RunArgs parse_run_args(const std::vector<std::string>& raw_args) {
  RunArgs a;
  std::string shard;
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
      "block-paths", po::value(&a.block_paths), "paths per block, a multiple of 1024 (default: per backend)")(
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
  if (!a.resume.empty() && given("shard")) throw UsageError("run: --resume continues the checkpoint's own slice; drop --shard");
  if (given("checkpoint-every") && !(a.checkpoint_every > 0.0))
    throw UsageError("run: --checkpoint-every " + std::to_string(a.checkpoint_every) + ": must be > 0 seconds");
  if (a.backend != "cpu" && a.backend != "cuda") throw UsageError("run: --backend " + a.backend + ": must be cpu or cuda");
  if (given("threads") && a.threads < 1)
    throw UsageError("run: --threads " + std::to_string(a.threads) + ": must be >= 1");
  if (given("block-paths") && (a.block_paths == 0 || a.block_paths % kChunkPaths != 0))
    throw UsageError("run: --block-paths " + std::to_string(a.block_paths) + ": must be a positive multiple of " +
                     std::to_string(kChunkPaths));
  if (given("paths") && a.paths < 1) throw UsageError("run: --paths " + std::to_string(a.paths) + ": must be >= 1");
  if (given("max-paths") && a.targets.empty()) throw UsageError("run: --max-paths goes with --target; use --paths");
  if (given("max-paths") && given("paths")) throw UsageError("run: give --max-paths or --paths, not both");
  if (given("max-paths") && !a.resume.empty())
    throw UsageError("run: --resume continues the checkpoint's run; its maximum path count cannot change");
  if (given("max-paths") && a.max_paths < 1)
    throw UsageError("run: --max-paths " + std::to_string(a.max_paths) + ": must be >= 1");
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

// Fails early, before the simulation, when the result cannot be written.
void check_output_writable(const std::string& out) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw RuntimeError("cannot write " + out + ": folder " + dir.string() + " does not exist");
  if (access(dir.c_str(), W_OK) != 0)
    throw RuntimeError("cannot write " + out + ": folder " + dir.string() + " is not writable");
}

// Backend, threads, block size and the slice of paths to simulate.
EngineOptions engine_options(const RunArgs& a, const RunConfig& cfg) {
  EngineOptions options;
  options.backend = a.backend == "cuda" ? Backend::kCuda : Backend::kCpu;
  options.threads = a.threads;
  options.block_paths = a.given.count("block-paths") ? a.block_paths : default_block_paths(options.backend);
  options.seed = cfg.run.seed;
  options.paths = cfg.run.paths;
  // MPI ranks split the blocks exactly as shards do; rank 0 merges in order.
  const std::optional<ShardSpec> slice_of =
      a.shard ? a.shard : (mpi::size() > 1 ? std::optional<ShardSpec>(ShardSpec{mpi::rank(), mpi::size()}) : std::nullopt);
  if (slice_of) {
    const PathSlice slice = shard_slice(cfg.run.paths, options.block_paths, *slice_of);
    options.first_path = slice.first_path;
    options.paths = slice.paths;
  }
  options.cuda_device = mpi::local_rank();
  return options;
}

// What this process runs: the run's (or shard's) slice of paths and, when
// resuming, how far an earlier process got.
struct RunSlice {
  ShardSpec shard{0, 1};
  bool sharded = false;
  std::uint64_t first_path = 0;  // of the slice
  std::uint64_t end_path = 0;    // one past the slice
};

// This process's aggregation state over [slice.first_path, next_path).
RunState run_state(const RunConfig& cfg, const RunSlice& slice, std::uint64_t next_path, std::uint64_t block_paths,
                   const Aggregator& aggregator, const CountTotals& totals) {
  RunState state;
  state.shard = slice.shard;
  state.first_path = slice.first_path;
  state.paths = next_path - slice.first_path;
  state.total_paths = cfg.run.paths;
  state.block_paths = block_paths;
  state.config_hash = config_hash(cfg.resolved_text);
  state.trees = aggregator.trees();
  state.counts = totals;
  return state;
}

// The config a checkpoint was written for, refusing a different config
// (when --config is given too), remc version or backend.
RunConfig config_for_resume(const RunArgs& a, const Checkpoint& cp) {
  if (cp.remc_version != REMC_VERSION)
    throw UsageError("--resume " + a.resume + ": written by remc " + cp.remc_version + ", this is remc " + REMC_VERSION);
  if (cp.backend != a.backend)
    throw UsageError("--resume " + a.resume + ": the run began on the " + cp.backend +
                     " backend; resume it there (--backend " + cp.backend + ")");
  RunConfig cfg = load_config_text(cp.config, cp.config_file);
  cfg.resolved_text = cp.config;
  cfg.config_file = cp.config_file;
  if (!a.config.empty() && config_hash(load_config(a.config, a.sets).resolved_text) != cp.state.config_hash)
    throw UsageError("--resume " + a.resume + ": the checkpoint was written for another config than " + a.config +
                     " (with these --set, --paths and --seed)");
  return cfg;
}

// The resolved config of this run with run.paths set to `paths`: what a run
// stopped early by its targets stores, so that re-running it (or a plain run
// with --paths equal to the paths done) reproduces the result exactly.
std::string config_with_paths(const RunArgs& a, const std::optional<Checkpoint>& resumed, std::uint64_t paths) {
  const std::string set = "run.paths=" + std::to_string(paths);
  if (resumed) return load_config_text(resumed->config, resumed->config_file, {set}).resolved_text;
  std::vector<std::string> sets = a.sets;
  if (a.paths_set) sets[a.paths_set_at] = set;
  else sets.insert(sets.begin() + static_cast<std::ptrdiff_t>(a.paths_set_at), set);
  return load_config(a.config, sets).resolved_text;
}

std::vector<Target> parse_targets(const RunArgs& a, const RunConfig& cfg) {
  std::vector<Target> targets;
  if (a.targets.empty()) return targets;
  const AggregationPlan plan = make_plan(cfg);
  for (const std::string& argument : a.targets) targets.push_back(parse_target(argument, cfg, plan));
  return targets;
}

}  // namespace

int command_run(const std::vector<std::string>& raw_args) {
  // Preparation can fail on any rank; all ranks agree before simulating, so
  // a failure ends every rank with one message instead of a hang.
  RunArgs a;
  RunConfig cfg;
  EngineOptions options;
  RunSlice slice;
  std::optional<Checkpoint> resumed;
  std::vector<Target> targets;
  std::string out;
  std::exception_ptr failure;
  try {
    a = parse_run_args(raw_args);
    if (a.help) return kExitOk;
    if (mpi::size() > 1 && (a.shard || !a.checkpoint.empty() || !a.resume.empty()))
      throw UsageError("run: --shard, --checkpoint and --resume cannot be combined with mpirun");
    if (mpi::size() > 1 && !a.targets.empty())
      throw UsageError("run: --target cannot be combined with mpirun yet: ranks simulate fixed slices of the run, "
                       "so none of them can decide alone to stop (see docs/cluster.md)");
    if (!a.resume.empty()) resumed = read_checkpoint(a.resume);
    cfg = resumed ? config_for_resume(a, *resumed) : load_config(a.config, a.sets);
    targets = parse_targets(a, cfg);
    out = a.out.empty() ? cfg.output.path : a.out;
    options = engine_options(a, cfg);
    slice.first_path = options.first_path;
    slice.end_path = options.first_path + options.paths;
    slice.sharded = a.shard.has_value();
    if (a.shard) slice.shard = *a.shard;
    if (resumed) {
      // Continue the checkpoint's slice from the first path it had not done.
      slice = {resumed->state.shard, resumed->sharded, resumed->state.first_path, resumed->end_path};
      options.first_path = resumed->state.first_path + resumed->state.paths;
      options.paths = resumed->end_path - options.first_path;
      if (!a.given.count("block-paths")) options.block_paths = resumed->state.block_paths;
    }
    if (mpi::rank() == 0) check_output_writable(out);
    if (!a.checkpoint.empty()) check_output_writable(a.checkpoint);
  } catch (...) {
    failure = std::current_exception();
  }
  mpi::agree(failure, exit_code_of);

  const AggregationPlan plan = make_plan(cfg);
  Aggregator aggregator(plan, quantile_levels(cfg.output));
  CountTotals restored = zero_counts(plan);
  if (resumed) {
    aggregator.append(resumed->state.trees);
    add_counts(restored, resumed->state.counts);
  }
  ProgressLine progress(!a.quiet && mpi::rank() == 0 && isatty(STDERR_FILENO));
  aggregator.progress = [&progress](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };

  // With a checkpoint file, blocks go through a sink that also saves the state.
  const std::string checkpoint_path = !a.checkpoint.empty() ? a.checkpoint : a.resume;
  std::optional<CheckpointSink> checkpointing;
  if (!checkpoint_path.empty()) {
    Checkpoint base;
    base.config = cfg.resolved_text;
    base.config_file = cfg.config_file;
    base.remc_version = REMC_VERSION;
    base.backend = a.backend;
    base.sharded = slice.sharded;
    base.end_path = slice.end_path;
    base.state = run_state(cfg, slice, options.first_path, options.block_paths, aggregator, restored);
    checkpointing.emplace(aggregator, checkpoint_path, a.checkpoint_every, base);
    install_stop_signals();
  }
  BlockSink& inner = checkpointing ? static_cast<BlockSink&>(*checkpointing) : aggregator;
  // With targets, a sink around it evaluates them after each block from the
  // second on (one block is too few paths to trust a standard error).
  std::optional<TargetSink> targeting;
  if (!targets.empty()) targeting.emplace(inner, aggregator, targets, restored.exceed, 2 * options.block_paths);
  BlockSink& sink = targeting ? static_cast<BlockSink&>(*targeting) : inner;

  EngineInfo info;
  const auto start = std::chrono::steady_clock::now();
  CountTotals totals = run_engine(cfg.model, plan, options, sink, &info);
  progress.finish();
  const bool targets_met = targeting && targeting->all_met();
  if (info.paths_done < options.paths && !targets_met) {
    std::fprintf(stderr, "remc: stopped by a signal after %llu paths; checkpoint saved to %s "
                         "(continue with remc run --resume %s)\n",
                 static_cast<unsigned long long>(options.first_path + info.paths_done - slice.first_path),
                 checkpoint_path.c_str(), checkpoint_path.c_str());
    return kExitInterrupted;
  }
  add_counts(totals, restored);
  // Paths of this run (or slice) done, from its first path.
  const std::uint64_t paths_done = options.first_path + info.paths_done - slice.first_path;
  std::optional<TargetReport> report;
  if (!targets.empty()) {
    report = make_target_report(targets, aggregator.trees(), totals.exceed, paths_done, cfg.run.paths);
    if (paths_done < cfg.run.paths) {
      cfg.resolved_text = config_with_paths(a, resumed, paths_done);
      cfg.run.paths = paths_done;
    }
  }

  Provenance prov;
  prov.backend = a.backend;
  prov.device = info.device;
  prov.threads = info.threads;
  prov.block_paths = info.block_paths;
  if (mpi::size() > 1) {
    // Rank 0 gathers every rank's state and merges them in rank (= path) order.
    const RunSlice rank_slice{ShardSpec{mpi::rank(), mpi::size()}, true, options.first_path,
                              options.first_path + options.paths};
    const auto packed =
        mpi::gather(pack_state(run_state(cfg, rank_slice, rank_slice.end_path, options.block_paths, aggregator, totals)));
    if (mpi::rank() != 0) return kExitOk;
    std::vector<RunState> states;
    for (const auto& bytes : packed) states.push_back(unpack_state(bytes));
    std::vector<const RunState*> ordered;
    for (const RunState& s : states) ordered.push_back(&s);
    Aggregator merged(plan, quantile_levels(cfg.output));
    const CountTotals all = combine_parts(merged, ordered, false);
    prov.device = std::to_string(mpi::size()) + " MPI ranks; rank 0: " + info.device;
    prov.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_result(out, cfg, merged.finish(all), prov);
  } else {
    const AggregateResults& results = aggregator.finish(totals);
    prov.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (report) {
      write_result(out, cfg, results, prov, [&](const h5::File& file) { write_target_report(file, *report); });
    } else if (!slice.sharded) {
      write_result(out, cfg, results, prov);
    } else {
      // A partial result: valid on its own, plus the state remc merge needs.
      write_result(out, cfg, results, prov, [&](const h5::File& file) {
        write_run_state(file, run_state(cfg, slice, slice.end_path, options.block_paths, aggregator, totals));
      });
    }
  }
  // The result holds everything the checkpoint did.
  if (!checkpoint_path.empty()) std::remove(checkpoint_path.c_str());
  if (report) print_target_report(*report, std::cout);
  if (!a.quiet) {
    std::fprintf(stderr, "remc: wrote %s (%llu paths x %d months, %s, %.2f s)\n", out.c_str(),
                 static_cast<unsigned long long>(mpi::size() > 1 ? cfg.run.paths : paths_done),
                 cfg.model.months, prov.device.c_str(), prov.wall_seconds);
  }
  return kExitOk;
}

}  // namespace remc
