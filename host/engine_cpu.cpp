// CPU backend: the kernels through Thrust's OpenMP system, on all cores or
// --threads N. Counts need no atomics: each work item owns whole cells.
//
// Compiled once per instruction-set level (CMakeLists.txt) with the lane
// width that suits it, each copy a shared library of its own whose only
// exported symbols are the two entry points in namespace REMC_CPU_VARIANT;
// engine_cpu_dispatch.cpp picks one at run time. Hidden visibility keeps
// every inline function and template (the kernels, Thrust, the standard
// library) private to its copy: linked together, copies compiled for
// different instruction sets would otherwise be merged, and a machine
// without AVX-512 could end up calling AVX-512 code. The copies give
// identical results (kernels/lanes.h says why). Nothing here calls into
// remc_core: a library cannot see the executable's symbols.
#include <omp.h>
#include <sys/mman.h>

#include <new>
#include <string>
#include <utility>
#include <vector>

#include <thrust/system/omp/execution_policy.h>

#include "engine.h"
#include "engine_blocks.h"

namespace remc {

namespace {

// Cache-line aligned storage, so each lane vector the path kernel stores is
// one whole cache line. A vector sized without a value leaves plain numbers
// uninitialised instead of zeroing them: the block buffer (about 90 MB for the
// baseline) is written by the path kernel before anything reads it, and
// zeroing it cost every run a serial pass over it.
template <class T>
struct LineAlignedAllocator {
  using value_type = T;
  LineAlignedAllocator() = default;
  template <class U>
  LineAlignedAllocator(const LineAlignedAllocator<U>&) {}
  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes, std::align_val_t(64)));
    // Large buffers on transparent huge pages where the system allows them:
    // a 90 MB buffer then costs tens of page faults per run, not 23,000.
    void* p = ::operator new(bytes, std::align_val_t(kHugePage));
#if defined(MADV_HUGEPAGE)
    madvise(p, bytes, MADV_HUGEPAGE);  // advice only: ignored where unsupported
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    ::operator delete(p, std::align_val_t(n * sizeof(T) < kHugePage ? 64 : kHugePage));
  }
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;
  template <class U>
  void construct(U* p) {
    ::new (static_cast<void*>(p)) U;  // default-initialised: numbers keep whatever the memory holds
  }
  template <class U, class... Args>
  void construct(U* p, Args&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
  }
  bool operator==(const LineAlignedAllocator&) const { return true; }
  bool operator!=(const LineAlignedAllocator&) const { return false; }
};

#if REMC_CPU_LANES == 16
using VariantLanes = VectorLanes<16>;
#elif REMC_CPU_LANES == 8
using VariantLanes = VectorLanes<8>;
#else
using VariantLanes = ScalarLanes;
#endif

struct CpuBackend {
  template <class T>
  using vector = std::vector<T, LineAlignedAllocator<T>>;
  static auto policy() { return thrust::omp::par; }
  static constexpr bool atomic_counts = false;
  using Lanes = VariantLanes;
};

int cpu_threads(const EngineOptions& options) {
  const int threads = options.threads > 0 ? options.threads : omp_get_num_procs();
  omp_set_num_threads(threads);
  return threads;
}

// Sets the thread count and describes this engine copy in `info`; returns
// the block size (engine_cpu_dispatch.cpp has filled in the default).
std::uint64_t prepare(const EngineOptions& options, EngineInfo* info) {
  const int threads = cpu_threads(options);
  const std::uint64_t block = options.block_paths;
  if (info) {
    info->device = "CPU (Thrust OpenMP, " + std::to_string(threads) + (threads == 1 ? " thread, " : " threads, ") +
                   REMC_CPU_ISA_NAME + ", " + std::to_string(VariantLanes::width) +
                   (VariantLanes::width == 1 ? " path per step)" : " paths per step)");
    info->threads = threads;
    info->block_paths = block;
  }
  return block;
}

}  // namespace

namespace REMC_CPU_VARIANT {

#define REMC_CPU_EXPORT __attribute__((visibility("default")))

REMC_CPU_EXPORT CountTotals run_engine_cpu(const Model& model, const AggregationPlan& plan,
                                           const EngineOptions& options, BlockSink& sink, EngineInfo* info) {
  const std::uint64_t block = prepare(options, info);
  return run_blocks<CpuBackend>(model, plan, options, block, sink, info);
}

REMC_CPU_EXPORT double time_draws_cpu(const Model& model, const EngineOptions& options) {
  cpu_threads(options);
  return time_draw_blocks<CpuBackend>(model, options, options.block_paths);
}

REMC_CPU_EXPORT void run_study_cpu(const StudyBatch& batch, const EngineOptions& options, StudySink& sink,
                                   EngineInfo* info) {
  const std::uint64_t block = prepare(options, info);
  run_study_blocks<CpuBackend>(batch, options, block, sink, info);
}

}  // namespace REMC_CPU_VARIANT

}  // namespace remc
