// Picks the CPU engine build for this machine's instruction set: x86-64-v4
// (AVX-512, 16 paths per SIMD step), x86-64-v3 (AVX2, 8 paths) or the
// baseline (one path at a time). All give identical results; only speed
// differs. REMC_CPU_ISA=baseline|x86-64-v3|x86-64-v4 forces one (tests use
// it to check that the builds agree).
#include <cstdlib>
#include <string>

#include "engine.h"
#include "errors.h"

namespace remc {

#define REMC_DECLARE_CPU_VARIANT(ns)                                                                   \
  namespace ns {                                                                                    \
  CountTotals run_engine_cpu(const Model&, const AggregationPlan&, const EngineOptions&, BlockSink&, \
                             EngineInfo*);                                                          \
  double time_draws_cpu(const Model&, const EngineOptions&);                                        \
  void run_study_cpu(const StudyBatch&, const EngineOptions&, StudySink&, EngineInfo*);              \
  }

REMC_DECLARE_CPU_VARIANT(cpu_baseline)
#if defined(REMC_CPU_X86_VARIANTS)
REMC_DECLARE_CPU_VARIANT(cpu_x86_64_v3)
REMC_DECLARE_CPU_VARIANT(cpu_x86_64_v4)
#endif
#undef REMC_DECLARE_CPU_VARIANT

namespace {

struct CpuVariant {
  const char* isa;
  CountTotals (*run)(const Model&, const AggregationPlan&, const EngineOptions&, BlockSink&, EngineInfo*);
  double (*time_draws)(const Model&, const EngineOptions&);
  void (*run_study)(const StudyBatch&, const EngineOptions&, StudySink&, EngineInfo*);
  bool supported;
};

CpuVariant variant(const std::string& isa) {
#if defined(REMC_CPU_X86_VARIANTS)
  __builtin_cpu_init();
  if (isa == "x86-64-v4")
    return {"x86-64-v4", cpu_x86_64_v4::run_engine_cpu, cpu_x86_64_v4::time_draws_cpu, cpu_x86_64_v4::run_study_cpu,
            __builtin_cpu_supports("x86-64-v4") != 0};
  if (isa == "x86-64-v3")
    return {"x86-64-v3", cpu_x86_64_v3::run_engine_cpu, cpu_x86_64_v3::time_draws_cpu, cpu_x86_64_v3::run_study_cpu,
            __builtin_cpu_supports("x86-64-v3") != 0};
#endif
  if (isa == "baseline")
    return {"baseline", cpu_baseline::run_engine_cpu, cpu_baseline::time_draws_cpu,
            cpu_baseline::run_study_cpu, true};
  return {nullptr, nullptr, nullptr, nullptr, false};
}

const CpuVariant& chosen_variant() {
  static const CpuVariant chosen = [] {
    const char* forced = std::getenv("REMC_CPU_ISA");
    if (forced && *forced) {
      const CpuVariant v = variant(forced);
      if (!v.isa) throw UsageError(std::string("REMC_CPU_ISA=") + forced + ": unknown (baseline, x86-64-v3, x86-64-v4)");
      if (!v.supported) throw UsageError(std::string("REMC_CPU_ISA=") + forced + ": this CPU does not support it");
      return v;
    }
    for (const char* isa : {"x86-64-v4", "x86-64-v3"}) {
      const CpuVariant v = variant(isa);
      if (v.isa && v.supported) return v;
    }
    return variant("baseline");
  }();
  return chosen;
}

// The engine copies take a block size; the default is decided here.
EngineOptions with_block_paths(EngineOptions options) {
  if (options.block_paths == 0) options.block_paths = default_block_paths(Backend::kCpu);
  return options;
}

}  // namespace

CountTotals run_engine_cpu(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                           BlockSink& sink, EngineInfo* info) {
  return chosen_variant().run(model, plan, with_block_paths(options), sink, info);
}

double time_draws_cpu(const Model& model, const EngineOptions& options) {
  return chosen_variant().time_draws(model, with_block_paths(options));
}

void run_study_cpu(const StudyBatch& batch, const EngineOptions& options, StudySink& sink, EngineInfo* info) {
  chosen_variant().run_study(batch, with_block_paths(options), sink, info);
}

}  // namespace remc
