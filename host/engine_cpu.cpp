// CPU backend (placeholder until the Thrust/OpenMP engine lands).
#include <stdexcept>

#include "engine.h"

namespace remc {

CountTotals run_engine_cpu(const Model&, const AggregationPlan&, const EngineOptions&, BlockSink&, EngineInfo*) {
  throw std::runtime_error("CPU engine not built yet");
}

}  // namespace remc
