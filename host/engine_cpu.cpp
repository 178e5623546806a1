// CPU backend: the kernels through Thrust's OpenMP system, on all cores or
// --threads N. Counts need no atomics: each work item owns whole cells.
#include <omp.h>

#include <string>

#include <thrust/system/omp/execution_policy.h>

#include "engine.h"
#include "engine_blocks.h"

namespace remc {

namespace {

struct CpuBackend {
  template <class T>
  using vector = std::vector<T>;
  static auto policy() { return thrust::omp::par; }
  static constexpr bool atomic_counts = false;
  using Lanes = CpuLanes;
};

std::uint64_t cpu_block_paths(const EngineOptions& options) {
  return options.block_paths > 0 ? options.block_paths : default_block_paths(Backend::kCpu);
}

int cpu_threads(const EngineOptions& options) {
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  omp_set_num_threads(threads);
  return threads;
}

}  // namespace

CountTotals run_engine_cpu(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                           BlockSink& sink, EngineInfo* info) {
  const int threads = cpu_threads(options);
  const std::uint64_t block = cpu_block_paths(options);
  if (info) {
    info->device = "CPU (Thrust OpenMP, " + std::to_string(threads) + (threads == 1 ? " thread)" : " threads)");
    info->threads = threads;
    info->block_paths = block;
  }
  return run_blocks<CpuBackend>(model, plan, options, block, sink, info);
}

double time_draws_cpu(const Model& model, const EngineOptions& options) {
  cpu_threads(options);
  return time_draw_blocks<CpuBackend>(model, options, cpu_block_paths(options));
}

}  // namespace remc
