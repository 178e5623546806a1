// Running a study: its design points, one batched engine run over all of
// them with common random numbers, and the method's analysis.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "engine.h"
#include "sensitivity.h"
#include "study_spec.h"

namespace remc {

// The design: one row of factor values per point (NaN where a point leaves
// a factor at the base config, e.g. listed grid scenarios) and a label.
// Point 0 is the base case for grid and oat.
struct StudyDesign {
  std::vector<std::string> labels;
  std::vector<double> values;  // points x factors, row-major
  std::uint64_t points = 0;
  sens::MorrisDesign morris;      // morris only
  sens::SaltelliDesign saltelli;  // sobol only
};
StudyDesign make_design(const StudySpec& spec);

// Design point p's model: the base config with the point's factor values
// (or scenario) applied and checked as `remc run` checks a config. Throws
// ConfigError naming the study file, the point and its factor values.
Model point_model(const StudySpec& spec, const StudyDesign& design, std::uint64_t p);

// point_model for every point, keeping nothing: what `remc validate` runs so
// that a study it accepts does not fail at a design point.
void check_design_points(const StudySpec& spec, const StudyDesign& design);

// Tornado row of one output and factor (oat).
struct TornadoEntry {
  double low = 0.0, low_stderr = 0.0;
  double high = 0.0, high_stderr = 0.0;
  double swing = 0.0;         // |high - low|
  double swing_stderr = 0.0;  // paired: from per-path differences of the two points
};

struct StudyResults {
  std::vector<double> estimate, stderr_;  // points x outputs
  // grid and oat: each point minus the base case (point 0).
  std::vector<double> difference, difference_stderr, difference_stderr_unpaired;  // points x outputs
  std::vector<TornadoEntry> tornado;          // outputs x factors (oat)
  std::vector<sens::MorrisStats> morris;      // per output
  std::vector<sens::SobolIndices> sobol;      // per output
  std::vector<double> noise_variance;         // per output: mean squared standard error over points
  std::vector<double> noise_share;            // per output: noise_variance / variance of the estimates
  EngineInfo engine;
  double wall_seconds = 0.0;
  double simulate_seconds = 0.0;
};

struct StudyRunOptions {
  Backend backend = Backend::kCpu;
  int threads = 0;
  std::uint64_t block_paths = 0;
  int cuda_device = 0;
  bool progress = false;
};

// Builds every design point's model, runs them in one batch and analyses
// the outputs. Throws ConfigError (exit 2) for a design point the config
// rejects, before simulating.
StudyResults run_study(const StudySpec& spec, const StudyDesign& design, const StudyRunOptions& options);

// The models of design points [first, first + count), built and checked
// (point_model) after a check that the slice's values fit in memory:
// everything that can refuse a study, done before it simulates.
struct PointModels {
  std::uint64_t first = 0;
  std::vector<Model> models;  // one per point, about 21 kB each
};
PointModels build_point_models(const StudySpec& spec, const StudyDesign& design, std::uint64_t first,
                               std::uint64_t count);

// The per-path values of the points: [point][output][path], points counted
// from points.first. A shard or an MPI rank simulates its slice;
// analyse_study needs all points.
std::vector<float> simulate_points(const StudySpec& spec, const PointModels& points, const StudyRunOptions& options,
                                   EngineInfo* info);

// Estimates, differences and the method's analysis from every point's
// per-path values ([point][output][path]).
StudyResults analyse_study(const StudySpec& spec, const StudyDesign& design, const std::vector<float>& values);

// Writes /study (docs/studies.md) atomically.
void write_study(const std::string& path, const StudySpec& spec, const StudyDesign& design,
                 const StudyResults& results, const StudyRunOptions& options);

// Indices 0 .. n - 1 ordered by `keys`, largest first, ties in index order;
// NaN (no estimate) last. The order of tornado ranks and `remc info` tables.
std::vector<std::size_t> largest_first(const double* keys, std::size_t n);

// Root attribute `filetype` of a study file.
constexpr const char* kStudyFiletype = "remc-study";

// `remc info` on a study file: the method's ranked table.
bool is_study_file(const std::string& path);
void print_study_info(const std::string& path, std::ostream& out);

}  // namespace remc
