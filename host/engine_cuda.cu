// CUDA backend: the same kernels through Thrust's CUDA system. Counts use
// atomic adds so each chunk can be its own GPU thread; integer adds commute,
// so the totals are still exact and order-independent.
#include <cuda_runtime.h>

#include <string>

#include <thrust/device_vector.h>
#include <thrust/system/cuda/execution_policy.h>
#include <thrust/system_error.h>

#include "engine.h"
#include "engine_blocks.h"
#include "errors.h"

namespace remc {

namespace {

struct CudaBackend {
  template <class T>
  using vector = thrust::device_vector<T>;
  static auto policy() { return thrust::cuda::par; }
  static constexpr bool atomic_counts = true;
  using Lanes = ScalarLanes;
};

std::uint64_t cuda_block_paths(const EngineOptions& options) {
  return options.block_paths > 0 ? options.block_paths : default_block_paths(Backend::kCuda);
}

void check(cudaError_t status, const char* what) {
  if (status != cudaSuccess)
    throw RuntimeError(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(status));
}

}  // namespace

int cuda_device_count() {
  int count = 0;
  return cudaGetDeviceCount(&count) == cudaSuccess ? count : 0;
}

// Selects the device (under MPI, the GPU of the node-local rank) and fills
// in the engine info; returns the block size.
static std::uint64_t prepare_cuda(const EngineOptions& options, EngineInfo* info) {
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess || count == 0)
    throw RuntimeError(std::string("--backend cuda: no usable CUDA device (") +
                       (status != cudaSuccess ? cudaGetErrorString(status) : "none visible") + ")");
  const int device = options.cuda_device % count;
  check(cudaSetDevice(device), "cudaSetDevice");
  cudaDeviceProp prop{};
  check(cudaGetDeviceProperties(&prop, device), "cudaGetDeviceProperties");
  const std::uint64_t block = cuda_block_paths(options);
  if (info) {
    info->device = std::string(prop.name) + " (CUDA device " + std::to_string(device) + ")";
    info->threads = 0;
    info->block_paths = block;
  }
  return block;
}

CountTotals run_engine_cuda(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                            BlockSink& sink, EngineInfo* info) {
  const std::uint64_t block = prepare_cuda(options, info);
  try {
    CountTotals totals = run_blocks<CudaBackend>(model, plan, options, block, sink, info);
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    return totals;
  } catch (const thrust::system_error& e) {
    throw RuntimeError(std::string("CUDA backend failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    throw RuntimeError("CUDA backend: out of device memory for block paths " + std::to_string(block) +
                       " (try a smaller --block-paths)");
  }
}

double time_draws_cuda(const Model& model, const EngineOptions& options) {
  const std::uint64_t block = prepare_cuda(options, nullptr);  // the same device as the run's
  try {
    return time_draw_blocks<CudaBackend>(model, options, block);
  } catch (const thrust::system_error& e) {
    throw RuntimeError(std::string("CUDA backend failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    throw RuntimeError("CUDA backend: out of device memory for block paths " + std::to_string(block) +
                       " (try a smaller --block-paths)");
  }
}

void run_study_cuda(const StudyBatch& batch, const EngineOptions& options, StudySink& sink, EngineInfo* info) {
  const std::uint64_t block = prepare_cuda(options, info);
  try {
    run_study_blocks<CudaBackend>(batch, options, block, sink, info);
    check(cudaDeviceSynchronize(), "cudaDeviceSynchronize");
  } catch (const thrust::system_error& e) {
    throw RuntimeError(std::string("CUDA backend failed: ") + e.what());
  } catch (const std::bad_alloc&) {
    throw RuntimeError("CUDA backend: out of device memory for block paths " + std::to_string(block) +
                       " (try a smaller --block-paths)");
  }
}

}  // namespace remc
