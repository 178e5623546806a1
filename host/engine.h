// The narrow engine API: host types only. The backends (engine_cpu.cpp,
// engine_cuda.cu) are the only translation units that see Thrust.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model.h"
#include "outputs.h"
#include "reduce.h"
#include "study.h"

namespace remc {

enum class Backend { kCpu, kCuda };

// How cells map to histograms: built by the aggregator from the config.
struct AggregationPlan {
  OutputLayout layout;
  std::vector<int> cell_spec;             // [cell] -> index into specs
  std::vector<HistSpec> specs;
  std::vector<char> worst_is_low;         // [spec]: expected shortfall averages the lowest tail
  std::vector<std::uint64_t> hist_offset; // [cell] -> first counter; bins + 2 counters per cell
  std::uint64_t hist_size = 0;            // total counters
};

struct EngineOptions {
  Backend backend = Backend::kCpu;
  int threads = 0;                // CPU threads; 0: all cores
  std::uint64_t block_paths = 0;  // 0: backend default; else a multiple of kChunkPaths
  std::uint32_t seed = 1;
  std::uint64_t first_path = 0;   // global index of the first path to simulate
  std::uint64_t paths = 0;        // number of paths
  int cuda_device = 0;            // CUDA device index (modulo the devices visible)
};

// Integer totals, exact whatever the order of addition.
struct CountTotals {
  std::vector<std::uint64_t> hist;         // AggregationPlan::hist_size
  std::vector<std::uint64_t> exceed;       // [cell][kMaxThresholds]
  std::vector<std::uint64_t> transitions;  // [month][from][to]
};

// Receives each block's chunk moments in block order: `moments` is cell-major,
// [cell][chunk], `chunks` chunks starting at global chunk `first_chunk`.
struct BlockSink {
  virtual ~BlockSink() = default;
  virtual void on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) = 0;
  virtual void on_progress(std::uint64_t paths_done, std::uint64_t paths_total) {}
  // Checkpointing, asked after every block: when wants_counts() is true the
  // engine hands over the counts so far (copied from the device) and the
  // global index of the next path; when stop_requested() is true it stops
  // there and returns those counts (EngineInfo::paths_done says how far).
  virtual bool wants_counts() { return false; }
  virtual void on_counts(const CountTotals& counts_so_far, std::uint64_t next_path) {}
  virtual bool stop_requested() { return false; }
};

struct EngineInfo {
  std::string device;   // e.g. "CPU (OpenMP, 2 threads)" or the GPU name
  int threads = 0;
  std::uint64_t block_paths = 0;
  double simulate_seconds = 0.0;  // in the path kernel
  double reduce_seconds = 0.0;    // in the block reduction and transition counts
  std::uint64_t paths_done = 0;   // paths simulated (fewer than asked when stopped)
};

// Receives a study's per-path values block by block: `values` is
// [column][extract] for `columns` columns starting at global column
// `first_column`; design point q owns columns q * cols_per_point ... and its
// path p is column q * cols_per_point + p (kernels/study.h; cols_per_point is
// the paths rounded up to the engine's lane width).
struct StudySink {
  virtual ~StudySink() = default;
  virtual void on_columns(std::uint64_t first_column, std::uint64_t columns, std::uint64_t cols_per_point,
                          const float* values) = 0;
  virtual void on_progress(std::uint64_t columns_done, std::uint64_t columns_total) {}
};

// A study's batch: `points` models (one per design point) that all simulate
// paths [0, paths_per_point) with EngineOptions::seed, in the same kernel
// launches; EngineOptions::paths and first_path are not used. For each path
// the engine keeps the values `extracts` name (of a block buffer laid out by
// `layout`, the same for every model).
struct StudyBatch {
  const Model* models = nullptr;
  std::uint64_t points = 0;
  std::uint64_t paths_per_point = 0;
  OutputLayout layout;
  const PathExtract* extracts = nullptr;
  int extract_count = 0;
};

// Simulates every (design point, path) pair of the batch; see StudySink.
void run_study_engine(const StudyBatch& batch, const EngineOptions& options, StudySink& sink,
                      EngineInfo* info = nullptr);

// Paths per block when EngineOptions::block_paths is 0.
std::uint64_t default_block_paths(Backend backend);

// Simulates paths [first_path, first_path + paths) and reduces them.
// Throws std::runtime_error on device errors.
CountTotals run_engine(const Model& model, const AggregationPlan& plan, const EngineOptions& options,
                       BlockSink& sink, EngineInfo* info = nullptr);

// Seconds to make the same random draws as simulating these paths, and
// nothing else (the denominator of scripts/bench's draw-cost ratio).
double time_draws(const Model& model, const EngineOptions& options);

// Whether this binary has the CUDA backend.
bool cuda_backend_built();

// Number of CUDA devices visible (0 without the backend or without a GPU).
int cuda_device_count();

// Per-backend entry points behind run_engine.
CountTotals run_engine_cpu(const Model&, const AggregationPlan&, const EngineOptions&, BlockSink&, EngineInfo*);
CountTotals run_engine_cuda(const Model&, const AggregationPlan&, const EngineOptions&, BlockSink&, EngineInfo*);
double time_draws_cpu(const Model&, const EngineOptions&);
double time_draws_cuda(const Model&, const EngineOptions&);
void run_study_cpu(const StudyBatch&, const EngineOptions&, StudySink&, EngineInfo*);
void run_study_cuda(const StudyBatch&, const EngineOptions&, StudySink&, EngineInfo*);

}  // namespace remc
