// Throughput benchmark for scripts/bench: runs a config on the CPU backend with
// 1 and 2 threads (or --threads-list), reports path-months per second, the share
// of time outside the path kernel (aggregation), and the engine's throughput as
// a ratio to the bare cost of its random draws measured in the same run (and
// the same ratio for the path kernel alone).
// With --study FILE it measures a study instead: design points per second end
// to end (models built, simulated, analysed) and the engine's path-month
// throughput as a ratio to a plain run of the base config over the same
// number of paths, same threads, same process.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "config.h"
#include "engine.h"
#include "study_run.h"

namespace po = boost::program_options;
using namespace remc;

namespace {

struct Measurement {
  int threads = 0;
  double seconds = 0.0;
  double simulate_seconds = 0.0;
};

Measurement run_once(const RunConfig& cfg, const AggregationPlan& plan, std::uint64_t paths, int threads) {
  Aggregator aggregator(plan, quantile_levels(cfg.output));
  EngineOptions options;
  options.backend = Backend::kCpu;
  options.threads = threads;
  options.seed = cfg.run.seed;
  options.paths = paths;
  EngineInfo info;
  const auto start = std::chrono::steady_clock::now();
  const CountTotals totals = run_engine(cfg.model, plan, options, aggregator, &info);
  aggregator.finish(totals);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {info.threads, seconds, info.simulate_seconds};
}

int bench_study(const std::string& file, int threads) {
  const StudySpec spec = load_study(file);
  const StudyDesign design = make_design(spec);
  const std::uint64_t total_paths = design.points * spec.paths;
  const double path_months = static_cast<double>(total_paths) * spec.base.model.months;
  std::printf("study %s: %s, %llu design points x %llu paths, %zu outputs, %d threads\n", file.c_str(),
              method_name(spec.method), static_cast<unsigned long long>(design.points),
              static_cast<unsigned long long>(spec.paths), spec.outputs.size(), threads);
  StudyRunOptions options;
  options.threads = threads;
  const StudyResults r = run_study(spec, design, options);
  std::printf("end to end: %.3f s, %.1f design points/s (build %llu models, simulate, analyse)\n", r.wall_seconds,
              static_cast<double>(design.points) / r.wall_seconds, static_cast<unsigned long long>(design.points));
  std::printf("study engine: %.3f s, %.3e path-months/s\n", r.simulate_seconds, path_months / r.simulate_seconds);
  const AggregationPlan plan = make_plan(spec.base);
  const Measurement plain = run_once(spec.base, plan, total_paths, threads);
  std::printf("plain run of the base config, same %llu paths: %.3f s, %.3e path-months/s\n",
              static_cast<unsigned long long>(total_paths), plain.seconds, path_months / plain.seconds);
  std::printf("study engine throughput / plain run throughput: %.2f\n", plain.seconds / r.simulate_seconds);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string config;
  std::uint64_t paths = 0;
  std::string threads_list, study;
  po::options_description desc("remc_bench options");
  desc.add_options()("help", "this help")("config", po::value(&config), "config file")(
      "paths", po::value(&paths)->default_value(32768), "paths per measurement")(
      "threads-list", po::value(&threads_list)->default_value("1,2"), "comma-separated thread counts")(
      "study", po::value(&study), "measure this study file instead (threads: the last of --threads-list)");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    if (vm.count("help")) {
      std::cout << desc;
      return 0;
    }
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "remc_bench: " << e.what() << "\n";
    return 2;
  }

  if (!study.empty()) return bench_study(study, std::stoi(threads_list.substr(threads_list.rfind(',') + 1)));
  if (config.empty()) {
    std::cerr << "remc_bench: --config or --study is required\n";
    return 2;
  }
  const RunConfig cfg = load_config(config);
  const AggregationPlan plan = make_plan(cfg);
  const double path_months = static_cast<double>(paths) * cfg.model.months;
  std::printf("config %s: %d materials, %d months, %d regimes, %d projects, %d cells; %llu paths per run\n",
              config.c_str(), cfg.model.materials, cfg.model.months, cfg.model.regime.count, cfg.model.projects,
              plan.layout.cell_count(), static_cast<unsigned long long>(paths));

  run_once(cfg, plan, std::min<std::uint64_t>(paths, 4096), 1);  // warm-up: page faults, caches

  std::vector<Measurement> rows;
  std::stringstream list(threads_list);
  for (std::string item; std::getline(list, item, ',');) rows.push_back(run_once(cfg, plan, paths, std::stoi(item)));

  std::printf("\n%-8s %12s %18s %14s %12s\n", "threads", "seconds", "path-months/s", "vs 1st row", "aggregation");
  for (const Measurement& m : rows) {
    std::printf("%-8d %12.3f %18.3e %13.2fx %11.1f%%\n", m.threads, m.seconds, path_months / m.seconds,
                rows.front().seconds / m.seconds, 100.0 * (m.seconds - m.simulate_seconds) / m.seconds);
  }

  // Bare draw cost with the last row's thread count, same paths, same run.
  const Measurement& last = rows.back();
  EngineOptions options;
  options.threads = last.threads;
  options.seed = cfg.run.seed;
  options.paths = paths;
  const double draw_seconds = time_draws(cfg.model, options);
  std::printf("\nbare random draws (%d threads): %.3f s, %.3e path-months/s\n", last.threads, draw_seconds,
              path_months / draw_seconds);
  std::printf("engine throughput / bare draw throughput: %.2f (target >= 0.5)\n", draw_seconds / last.seconds);
  // What the ratio would be if aggregation cost nothing: the path kernel's own
  // work beyond its draws (docs/performance.md explains the split).
  std::printf("path kernel alone / bare draw throughput: %.2f\n", draw_seconds / last.simulate_seconds);
  return 0;
}
