// Backend dispatch for run_engine.
#include "engine.h"

#include "errors.h"

namespace remc {

bool cuda_backend_built() {
#if defined(REMC_HAVE_CUDA)
  return true;
#else
  return false;
#endif
}

#if !defined(REMC_HAVE_CUDA)
int cuda_device_count() { return 0; }
#endif

std::uint64_t default_block_paths(Backend backend) {
  // CPU: the block buffer (cells x paths x 4 bytes, ~90 MB for the baseline)
  // stays small. CUDA: enough paths to keep an H100/H200-class GPU busy
  // (Thrust launches 256-thread blocks of 2 items each: 65,536 paths made
  // only 128 of them, fewer than the SMs); ~5.8 GB for the baseline. Fixed,
  // not sized from the device: shards must agree on it to merge.
  return backend == Backend::kCpu ? 4096 : 262144;
}

CountTotals run_engine(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                       BlockSink& sink, EngineInfo* info) {
  if (options.backend == Backend::kCpu) return run_engine_cpu(model, plan, options, sink, info);
#if defined(REMC_HAVE_CUDA)
  return run_engine_cuda(model, plan, options, sink, info);
#else
  throw UsageError("--backend cuda: this remc was built without the CUDA backend "
                   "(configure with a CUDA toolkit and -DREMC_CUDA=ON)");
#endif
}

double time_draws(const Model& model, const EngineOptions& options) {
  if (options.backend == Backend::kCpu) return time_draws_cpu(model, options);
#if defined(REMC_HAVE_CUDA)
  return time_draws_cuda(model, options);
#else
  throw UsageError("--backend cuda: this remc was built without the CUDA backend");
#endif
}

void run_study_engine(const StudyBatch& batch, const EngineOptions& options, StudySink& sink, EngineInfo* info) {
  if (options.backend == Backend::kCpu) return run_study_cpu(batch, options, sink, info);
#if defined(REMC_HAVE_CUDA)
  return run_study_cuda(batch, options, sink, info);
#else
  throw UsageError("--backend cuda: this remc was built without the CUDA backend");
#endif
}

}  // namespace remc
