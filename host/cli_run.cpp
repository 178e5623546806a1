// `remc run`: load and validate the config, simulate on the chosen backend,
// aggregate, and write the result file atomically.
#include <unistd.h>

#include <chrono>
#include <exception>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "build_info.h"
#include "cli.h"
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
  bool quiet = false;
  bool help = false;
  po::variables_map given;  // which options were on the command line
};

RunArgs parse_run_args(const std::vector<std::string>& raw_args) {
  RunArgs a;
  std::string shard;
  po::options_description desc(
      "usage: remc run --config FILE [--paths N] [--seed S] [--out FILE] [--set SECTION.KEY=VALUE]...\n"
      "                [--backend cpu|cuda] [--threads N] [--block-paths N] [--shard K/N] [--quiet]\n\noptions");
  desc.add_options()("help,h", "this help")("config", po::value(&a.config), "config file (INI)")(
      "paths", po::value(&a.paths), "number of paths (overrides [run] paths)")(
      "seed", po::value(&a.seed), "random seed, 0..4294967295 (overrides [run] seed)")(
      "out", po::value(&a.out), "result file (overrides [output] file)")(
      "set", po::value(&a.sets)->composing(), "override a config key, SECTION.KEY=VALUE (repeatable)")(
      "backend", po::value(&a.backend), "cpu (default) or cuda")(
      "threads", po::value(&a.threads), "CPU threads (default: all cores)")(
      "block-paths", po::value(&a.block_paths), "paths per block, a multiple of 1024 (default: per backend)")(
      "shard", po::value(&shard), "simulate only slice K/N (0 <= K < N) and write a partial result for remc merge")(
      "quiet", po::bool_switch(&a.quiet), "no progress line");
  a.help = parse_command_options(raw_args, desc, nullptr, &a.given);
  if (a.help) return a;

  const auto given = [&](const char* name) { return a.given.count(name) > 0; };
  if (a.config.empty()) throw UsageError("run: --config FILE is required");
  if (a.backend != "cpu" && a.backend != "cuda") throw UsageError("run: --backend " + a.backend + ": must be cpu or cuda");
  if (given("threads") && a.threads < 1)
    throw UsageError("run: --threads " + std::to_string(a.threads) + ": must be >= 1");
  if (given("block-paths") && (a.block_paths == 0 || a.block_paths % kChunkPaths != 0))
    throw UsageError("run: --block-paths " + std::to_string(a.block_paths) + ": must be a positive multiple of " +
                     std::to_string(kChunkPaths));
  if (given("paths") && a.paths < 1) throw UsageError("run: --paths " + std::to_string(a.paths) + ": must be >= 1");
  if (given("seed") && (a.seed < 0 || a.seed > 4294967295LL))
    throw UsageError("run: --seed " + std::to_string(a.seed) + ": must be in 0..4294967295");
  if (given("shard")) a.shard = parse_shard(shard);
  // --paths and --seed are config overrides like --set, so the resolved
  // config stored in the result reproduces the run.
  if (given("paths")) a.sets.push_back("run.paths=" + std::to_string(a.paths));
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

// This process's aggregation state, for a shard file or for rank 0.
RunState run_state(const RunConfig& cfg, const EngineOptions& options, const ShardSpec& slice,
                   const Aggregator& aggregator, const CountTotals& totals) {
  RunState state;
  state.shard = slice;
  state.first_path = options.first_path;
  state.paths = options.paths;
  state.total_paths = cfg.run.paths;
  state.block_paths = options.block_paths;
  state.config_hash = config_hash(cfg.resolved_text);
  state.trees = aggregator.trees();
  state.counts = totals;
  return state;
}

}  // namespace

int command_run(const std::vector<std::string>& raw_args) {
  // Preparation can fail on any rank; all ranks agree before simulating, so
  // a failure ends every rank with one message instead of a hang.
  RunArgs a;
  RunConfig cfg;
  EngineOptions options;
  std::string out;
  std::exception_ptr failure;
  try {
    a = parse_run_args(raw_args);
    if (a.help) return kExitOk;
    if (a.shard && mpi::size() > 1) throw UsageError("run: --shard cannot be combined with mpirun (ranks are the shards)");
    cfg = load_config(a.config, a.sets);
    out = a.out.empty() ? cfg.output.path : a.out;
    options = engine_options(a, cfg);
    if (mpi::rank() == 0) check_output_writable(out);
  } catch (...) {
    failure = std::current_exception();
  }
  mpi::agree(failure, exit_code_of);

  const AggregationPlan plan = make_plan(cfg);
  Aggregator aggregator(plan, quantile_levels(cfg.output));
  ProgressLine progress(!a.quiet && mpi::rank() == 0 && isatty(STDERR_FILENO));
  aggregator.progress = [&progress](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  EngineInfo info;
  const auto start = std::chrono::steady_clock::now();
  const CountTotals totals = run_engine(cfg.model, plan, options, aggregator, &info);
  progress.finish();

  Provenance prov;
  prov.backend = a.backend;
  prov.device = info.device;
  prov.threads = info.threads;
  prov.block_paths = info.block_paths;
  if (mpi::size() > 1) {
    // Rank 0 gathers every rank's state and merges them in rank (= path) order.
    const ShardSpec slice{mpi::rank(), mpi::size()};
    const auto packed = mpi::gather(pack_state(run_state(cfg, options, slice, aggregator, totals)));
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
  } else if (a.shard) {
    // A partial result: valid on its own, plus the state remc merge needs.
    const AggregateResults& results = aggregator.finish(totals);
    prov.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_result(out, cfg, results, prov, [&](const h5::File& file) {
      write_run_state(file, run_state(cfg, options, *a.shard, aggregator, totals));
    });
  } else {
    const AggregateResults& results = aggregator.finish(totals);
    prov.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_result(out, cfg, results, prov);
  }
  if (!a.quiet) {
    std::fprintf(stderr, "remc: wrote %s (%llu paths x %d months, %s, %.2f s)\n", out.c_str(),
                 static_cast<unsigned long long>(mpi::size() > 1 ? cfg.run.paths : options.paths), cfg.model.months,
                 prov.device.c_str(), prov.wall_seconds);
  }
  return kExitOk;
}

}  // namespace remc
