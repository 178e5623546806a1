// `remc run`: load and validate the config, simulate on the chosen backend,
// aggregate, and write the result file atomically.
#include <unistd.h>

#include <algorithm>
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
#include "run_args.h"
#include "config.h"
#include "config_values.h"
#include "engine.h"
#include "errors.h"
#include "h5_file.h"
#include "mpi_context.h"
#include "mpi_rounds.h"
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

// Backend, threads, block size and the slice of paths to simulate.
EngineOptions engine_options(const RunArgs& a, const RunConfig& cfg) {
  EngineOptions options;
  options.backend = a.backend == "cuda" ? Backend::kCuda : Backend::kCpu;
  options.threads = a.threads;
  options.block_paths = a.given.count("block-paths") ? a.block_paths : default_block_paths(options.backend);
  // The block buffer is cells x block floats: never larger than the whole run
  // (in whole chunks) needs. Statistics do not depend on the block size.
  const std::uint64_t whole_run = (cfg.run.paths + kChunkPaths - 1) / kChunkPaths * kChunkPaths;
  options.block_paths = std::min(options.block_paths, whole_run);
  options.seed = cfg.run.seed;
  options.paths = cfg.run.paths;
  // MPI ranks split the blocks exactly as shards do; rank 0 merges in order.
  // (With targets they take blocks round-robin instead: mpi_rounds.h.)
  const bool rank_slices = mpi::size() > 1 && a.targets.empty();
  const std::optional<ShardSpec> slice_of =
      a.shard ? a.shard : (rank_slices ? std::optional<ShardSpec>(ShardSpec{mpi::rank(), mpi::size()}) : std::nullopt);
  if (slice_of) {
    const PathSlice slice = shard_slice(cfg.run.paths, options.block_paths, *slice_of, !a.shard);
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
  RunConfig cfg = load_recorded_config(cp.config, cp.config_file, "--resume " + a.resume);
  if (!a.config.empty() && config_hash(load_config(a.config, a.sets).resolved_text) != cp.state.config_hash)
    throw UsageError("--resume " + a.resume + ": the checkpoint was written for another config than " + a.config +
                     " (with these --set, --paths and --seed)");
  return cfg;
}

// Refuses a damaged checkpoint: its state must fit the config it recorded,
// and the slice it continues must be the run's (or its shard's) slice, as
// the interrupted run had it.
void check_resumed_slice(const Checkpoint& cp, const AggregationPlan& plan, const RunConfig& cfg,
                         const std::string& path) {
  check_run_state(cp.state, plan, cfg.run.paths, "--resume " + path);
  const RunState& st = cp.state;
  const auto damaged = [&](const std::string& why) {
    return UsageError("--resume " + path + ": not a readable remc checkpoint (" + why + ")");
  };
  PathSlice slice{0, st.total_paths};
  if (cp.sharded) {
    if (st.shard.count < 1 || st.shard.count > kMaxShards || st.shard.index < 0 || st.shard.index >= st.shard.count)
      throw damaged("shard " + std::to_string(st.shard.index) + "/" + std::to_string(st.shard.count));
    slice = shard_slice(st.total_paths, st.block_paths, st.shard);
  }
  const std::uint64_t end_path = slice.first_path + slice.paths;
  if (st.first_path != slice.first_path || cp.end_path != end_path || st.first_path + st.paths > end_path)
    throw damaged("its slice is paths " + std::to_string(st.first_path) + ".." + std::to_string(cp.end_path) +
                  ", the run's " + std::to_string(slice.first_path) + ".." + std::to_string(end_path));
}

// The resolved config of this run with run.paths set to `paths`: what a run
// stopped early by its targets stores, so that re-running it (or a plain run
// with --paths equal to the paths done) reproduces the result exactly.
std::string config_with_paths(const RunArgs& a, const RunConfig& cfg, const std::optional<Checkpoint>& resumed,
                              std::uint64_t paths) {
  const std::string set = "run.paths=" + std::to_string(paths);
  // From the text that was simulated: always possible, but its header line
  // names the earlier resolution rather than a plain --paths run.
  std::string from_text = load_config_text(cfg.resolved_text, cfg.config_file, {set}).resolved_text;
  if (resumed) {
    // The header names how the text was first resolved (file and every
    // --set), plus this run.paths, not just the file and run.paths.
    const std::string first_line = cfg.resolved_text.substr(0, cfg.resolved_text.find('\n'));
    if (first_line.rfind("# remc resolved config: ", 0) == 0)
      from_text = first_line + " --set " + set + from_text.substr(from_text.find('\n'));
    return from_text;
  }
  // Re-resolved from the files, to match a plain run's text exactly, unless
  // a file went missing or changed during the run.
  std::vector<std::string> sets = a.sets;
  if (a.paths_set) sets[a.paths_set_at] = set;
  else sets.insert(sets.begin() + static_cast<std::ptrdiff_t>(a.paths_set_at), set);
  try {
    const std::string exact = load_config(a.config, sets).resolved_text;
    if (config_hash(exact) == config_hash(from_text)) return exact;
  } catch (const ConfigError&) {
  }
  return from_text;
}

std::vector<Target> parse_targets(const RunArgs& a, const RunConfig& cfg, const AggregationPlan& plan) {
  std::vector<Target> targets;
  for (const std::string& argument : a.targets) targets.push_back(parse_target(argument, cfg, plan));
  return targets;
}

// Everything `remc run` needs, settled before anything is simulated.
struct RunSetup {
  RunArgs args;
  RunConfig cfg;
  AggregationPlan plan;  // statistics layout of cfg
  EngineOptions options;
  RunSlice slice;
  std::optional<Checkpoint> resumed;
  std::vector<Target> targets;
  std::string out;
  std::string checkpoint_path;  // empty: no checkpoints
};

RunSetup prepare_run(const std::vector<std::string>& raw_args) {
  RunSetup s;
  RunArgs& a = s.args;
  a = parse_run_args(raw_args);
  if (a.help) return s;
  if (mpi::size() > 1 && (a.shard || !a.checkpoint.empty() || !a.resume.empty()))
    throw UsageError("run: --shard, --checkpoint and --resume cannot be combined with mpirun");
  if (!a.resume.empty()) s.resumed = read_checkpoint(a.resume);
  s.cfg = s.resumed ? config_for_resume(a, *s.resumed) : load_config(a.config, a.sets);
  s.plan = make_plan(s.cfg);
  if (s.resumed) check_resumed_slice(*s.resumed, s.plan, s.cfg, a.resume);
  if (s.resumed && !s.resumed->targets.empty()) {
    // A requeued job typically repeats only --resume: the run keeps the
    // targets it began with, and --target given again must repeat them.
    if (a.targets.empty()) a.targets = s.resumed->targets;
    if (a.targets != s.resumed->targets)
      throw UsageError("run: --resume " + a.resume + ": --target differs from the checkpointed run's targets (" +
                       shown(s.resumed->targets.front()) + (s.resumed->targets.size() > 1 ? ", ..." : "") +
                       "); omit --target to keep them");
  } else if (s.resumed && !a.targets.empty()) {
    // Targets decide after every block where the run stops; added halfway,
    // the run would stop where no uninterrupted run does.
    throw UsageError("run: --resume " + a.resume + ": the checkpointed run had no --target; resume it without one");
  }
  s.targets = parse_targets(a, s.cfg, s.plan);
  if (s.resumed && s.resumed->sharded && !s.targets.empty())
    throw UsageError("run: --target cannot be combined with resuming a shard: whether to stop depends on all the paths");
  if (a.backend == "cuda" && !cuda_backend_built())
    throw UsageError("run: --backend cuda: this remc was built without the CUDA backend");
  // A resumed run writes where the interrupted one was asked to, unless told otherwise.
  s.out = !a.out.empty() ? a.out : (s.resumed && !s.resumed->out.empty() ? s.resumed->out : s.cfg.output.path);
  check_output_is_not_an_input("run: result file", s.out, s.cfg.input_files);
  s.options = engine_options(a, s.cfg);
  s.slice.first_path = s.options.first_path;
  s.slice.end_path = s.options.first_path + s.options.paths;
  s.slice.sharded = a.shard.has_value();
  if (a.shard) s.slice.shard = *a.shard;
  if (s.resumed) {
    // Continue the checkpoint's slice from the first path it had not done.
    const Checkpoint& cp = *s.resumed;
    s.slice = {cp.state.shard, cp.sharded, cp.state.first_path, cp.end_path};
    s.options.first_path = cp.state.first_path + cp.state.paths;
    s.options.paths = cp.end_path - s.options.first_path;
    if (!a.given.count("block-paths")) s.options.block_paths = cp.state.block_paths;
  }
  s.checkpoint_path = !a.checkpoint.empty() ? a.checkpoint : a.resume;
  namespace fs = std::filesystem;
  // A finished run removes its checkpoints, so neither may be the result.
  for (const std::string& checkpoint : {a.checkpoint, a.resume})
    if (!checkpoint.empty() && same_file(checkpoint, s.out))
      throw UsageError("run: the checkpoint " + checkpoint + " and the result " + s.out + " cannot be the same file");
  if (mpi::rank() == 0) check_output_writable(s.out);
  if (!a.checkpoint.empty()) {
    check_output_is_not_an_input("--checkpoint", a.checkpoint, s.cfg.input_files);
    check_output_writable(a.checkpoint);
  }
  // A file at --checkpoint is most likely the saved progress of an earlier
  // run (a requeued job re-running its command): never overwrite it.
  std::error_code ec;
  if (!a.checkpoint.empty() && fs::exists(a.checkpoint, ec) &&
      (a.resume.empty() || !fs::equivalent(a.checkpoint, a.resume, ec)))
    throw UsageError("--checkpoint " + a.checkpoint + ": the file exists; continue that run with --resume " +
                     a.checkpoint + ", or remove the file to start afresh");
  return s;
}

// Targets are evaluated after each block from the second on (one block is
// too few paths to trust a standard error), counting from the first path of
// the run (or slice), so a resumed run decides where an uninterrupted one would.
std::uint64_t paths_before_targets(const RunSetup& s) { return 2 * s.options.block_paths; }

// Paths of the run's slice that an earlier process did (resumed runs; else 0).
std::uint64_t paths_done_before(const RunSetup& s) { return s.options.first_path - s.slice.first_path; }

// Wall time that earlier processes spent on the run, up to the checkpoint
// this one resumed (else 0), and the run's whole wall time so far.
double earlier_wall_seconds(const RunSetup& s) { return s.resumed ? s.resumed->wall_seconds : 0.0; }
double run_wall_seconds(const RunSetup& s, std::chrono::steady_clock::time_point start) {
  return earlier_wall_seconds(s) + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

// The sinks the blocks go through: the aggregator, wrapped by checkpointing
// and by precision targets when the run asks for them.
class SinkChain {
 public:
  SinkChain(const RunSetup& s, Aggregator& aggregator, const CountTotals& restored) : top_(&aggregator) {
    if (!s.checkpoint_path.empty()) {
      Checkpoint base;
      base.config = s.cfg.resolved_text;
      base.config_file = s.cfg.config_file;
      base.remc_version = REMC_VERSION;
      base.backend = s.args.backend;
      // Absolute, so a resume started from another folder writes the same file.
      base.out = std::filesystem::absolute(s.out).string();
      base.sharded = s.slice.sharded;
      base.end_path = s.slice.end_path;
      base.targets = s.args.targets;
      base.wall_seconds = earlier_wall_seconds(s);
      base.state = run_state(s.cfg, s.slice, s.options.first_path, s.options.block_paths, aggregator, restored);
      checkpointing_.emplace(aggregator, s.checkpoint_path, s.args.checkpoint_every, base);
      top_ = &*checkpointing_;
      install_stop_signals();
    }
    if (!s.targets.empty()) {
      const std::uint64_t done_before = paths_done_before(s), min_paths = paths_before_targets(s);
      targeting_.emplace(*top_, aggregator, s.targets, restored.exceed,
                         min_paths > done_before ? min_paths - done_before : 0);
      top_ = &*targeting_;
    }
  }
  BlockSink& top() { return *top_; }
  bool targets_met() const { return targeting_ && targeting_->all_met(); }

 private:
  std::optional<CheckpointSink> checkpointing_;
  std::optional<TargetSink> targeting_;
  BlockSink* top_;
};

// Under MPI: rank 0 gathers every rank's state, merges them in rank (= path)
// order and writes the result; the other ranks only send.
void write_mpi_result(const RunSetup& s, const AggregationPlan& plan, const Aggregator& aggregator,
                      const CountTotals& totals, Provenance prov) {
  const RunSlice rank_slice{ShardSpec{mpi::rank(), mpi::size()}, true, s.options.first_path,
                            s.options.first_path + s.options.paths};
  const auto packed = mpi::gather(
      pack_state(run_state(s.cfg, rank_slice, rank_slice.end_path, s.options.block_paths, aggregator, totals)));
  if (mpi::rank() != 0) return;
  std::vector<RunState> states;
  for (const auto& bytes : packed) states.push_back(unpack_state(bytes));
  std::vector<const RunState*> ordered;
  for (const RunState& state : states) ordered.push_back(&state);
  Aggregator merged(plan, quantile_levels(s.cfg.output));
  const CountTotals all = combine_parts(merged, ordered, false);
  prov.device = std::to_string(mpi::size()) + " MPI ranks; rank 0: " + prov.device;
  write_result(s.out, s.cfg, merged.finish(all), prov);
}

// Under MPI with precision targets: ranks take blocks round-robin and stop
// together once rank 0 finds every target met (see mpi_rounds.h).
int run_mpi_with_targets(RunSetup& s, const AggregationPlan& plan, Aggregator& aggregator) {
  const auto start = std::chrono::steady_clock::now();
  const RoundsOutcome outcome =
      run_mpi_rounds(s.cfg.model, plan, s.options, aggregator, s.targets, paths_before_targets(s));
  if (mpi::rank() != 0) return kExitOk;
  const TargetReport report =
      make_target_report(s.targets, aggregator.trees(), outcome.totals.exceed, outcome.paths_done, s.cfg.run.paths);
  if (outcome.paths_done < s.cfg.run.paths) {
    s.cfg.resolved_text = config_with_paths(s.args, s.cfg, s.resumed, outcome.paths_done);
    s.cfg.run.paths = outcome.paths_done;
  }
  Provenance prov;
  prov.backend = s.args.backend;
  prov.device = std::to_string(mpi::size()) + " MPI ranks; rank 0: " + outcome.info.device;
  prov.threads = outcome.info.threads;
  prov.block_paths = s.options.block_paths;
  prov.wall_seconds = run_wall_seconds(s, start);
  write_result(s.out, s.cfg, aggregator.finish(outcome.totals), prov,
               [&](const h5::File& file) { write_target_report(file, report); });
  print_target_report(report, std::cout);
  return kExitOk;
}

// A checkpoint is saved after a block and before the targets are checked
// on it, so a run killed in between leaves a checkpoint whose paths already
// meet them: the resumed run stops there, as the uninterrupted one did.
bool resumed_targets_met(const RunSetup& s, const Aggregator& aggregator, const CountTotals& restored) {
  if (!s.resumed || s.targets.empty()) return false;
  return paths_done_before(s) >= paths_before_targets(s) &&
         all_targets_met(s.targets, aggregator.trees(), restored.exceed);
}

}  // namespace

int command_run(const std::vector<std::string>& raw_args) {
  // Preparation can fail on any rank; all ranks agree before simulating, so
  // a failure ends every rank with one message instead of a hang.
  RunSetup s;
  std::exception_ptr failure;
  try {
    s = prepare_run(raw_args);
  } catch (...) {
    failure = std::current_exception();
  }
  mpi::agree(failure, exit_code_of);
  if (s.args.help) return kExitOk;
  const RunArgs& a = s.args;

  const AggregationPlan& plan = s.plan;
  Aggregator aggregator(plan, quantile_levels(s.cfg.output));
  CountTotals restored = zero_counts(plan);
  if (s.resumed) {
    aggregator.append(s.resumed->state.trees);
    add_counts(restored, s.resumed->state.counts);
  }
  ProgressLine progress(!a.quiet && mpi::rank() == 0 && isatty(STDERR_FILENO));
  aggregator.progress = [&progress](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  if (mpi::size() > 1 && !s.targets.empty()) return run_mpi_with_targets(s, plan, aggregator);
  if (resumed_targets_met(s, aggregator, restored)) s.options.paths = 0;
  SinkChain sinks(s, aggregator, restored);

  EngineInfo info;
  const auto start = std::chrono::steady_clock::now();
  CountTotals totals = run_engine(s.cfg.model, plan, s.options, sinks.top(), &info);
  progress.finish();
  // Paths of this run (or slice) done, from its first path.
  const std::uint64_t paths_done = paths_done_before(s) + info.paths_done;
  if (info.paths_done < s.options.paths && !sinks.targets_met()) {
    std::fprintf(stderr, "remc: stopped by a signal after %llu paths; checkpoint saved to %s "
                         "(continue with remc run --resume %s)\n",
                 static_cast<unsigned long long>(paths_done), s.checkpoint_path.c_str(), s.checkpoint_path.c_str());
    return kExitInterrupted;
  }
  add_counts(totals, restored);
  std::optional<TargetReport> report;
  if (!s.targets.empty()) {
    report = make_target_report(s.targets, aggregator.trees(), totals.exceed, paths_done, s.cfg.run.paths);
    if (paths_done < s.cfg.run.paths) {
      s.cfg.resolved_text = config_with_paths(a, s.cfg, s.resumed, paths_done);
      s.cfg.run.paths = paths_done;
    }
  }

  Provenance prov;
  prov.backend = a.backend;
  prov.device = info.device;
  prov.threads = info.threads;
  prov.block_paths = info.block_paths;
  if (mpi::size() > 1) {
    prov.wall_seconds = run_wall_seconds(s, start);
    write_mpi_result(s, plan, aggregator, totals, prov);
    if (mpi::rank() != 0) return kExitOk;
  } else {
    const AggregateResults& results = aggregator.finish(totals);
    prov.wall_seconds = run_wall_seconds(s, start);
    if (report) {
      write_result(s.out, s.cfg, results, prov, [&](const h5::File& file) { write_target_report(file, *report); });
    } else if (s.slice.sharded) {
      // A partial result: valid on its own, plus the state remc merge needs.
      write_result(s.out, s.cfg, results, prov, [&](const h5::File& file) {
        write_run_state(file, run_state(s.cfg, s.slice, s.slice.end_path, s.options.block_paths, aggregator, totals));
      });
    } else {
      write_result(s.out, s.cfg, results, prov);
    }
  }
  // The result holds everything the checkpoints did: the one this run wrote
  // and the one it resumed from.
  if (!s.checkpoint_path.empty()) std::remove(s.checkpoint_path.c_str());
  if (!a.resume.empty()) std::remove(a.resume.c_str());
  if (report) print_target_report(*report, std::cout);
  if (!a.quiet) {
    std::fprintf(stderr, "remc: wrote %s (%llu paths x %d months, %s, %.2f s)\n", s.out.c_str(),
                 static_cast<unsigned long long>(mpi::size() > 1 ? s.cfg.run.paths : paths_done), s.cfg.model.months,
                 prov.device.c_str(), prov.wall_seconds);
  }
  return kExitOk;
}

}  // namespace remc
