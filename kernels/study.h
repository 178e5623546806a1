// Batched design points for sensitivity studies (host/study_*.cpp): which
// model and path a group of lanes simulates, and the per-path values a study
// keeps from the block buffer.
//
// A study block is a run of columns over (design point, path) pairs, point-
// major: design point q owns columns [q * cols_per_point, (q + 1) *
// cols_per_point), and its path p (0 <= p < paths_per_point) sits at column
// q * cols_per_point + p. cols_per_point rounds paths_per_point up to whole
// lane groups so that a group never mixes two design points. Every design
// point simulates the same path indices 0 .. paths_per_point - 1 with the same
// seed: common random numbers.
#pragma once

#include <cstdint>

#include "hd.h"
#include "lanes.h"
#include "model.h"

namespace remc {

// Which model and which paths the path kernel's group `group` (of a block
// starting at global column first_column) simulates.
struct PointBatch {
  const Model* models = nullptr;      // one per design point
  std::uint64_t cols_per_point = 0;   // multiple of the lane width
  std::uint64_t first_column = 0;     // global column of the block's column 0

  REMC_HD std::uint64_t point_of(std::uint64_t column) const { return column / cols_per_point; }
  REMC_HD std::uint64_t path_of(std::uint64_t column) const { return column % cols_per_point; }
};

// One per-path value a study keeps: the largest of `cells` consecutive cells
// from first_cell (cells = 1: the cell's value; a monthly series: its
// maximum over the months).
struct PathExtract {
  int first_cell = 0;
  int cells = 1;
};

constexpr int kMaxStudyExtracts = 32;

// Copies the per-path values of a block's columns into out[column][extract]
// (columns beyond a design point's paths are padding and are skipped by the
// host).
struct StudyExtractKernel {
  const float* values = nullptr;  // block buffer, [cell][stride]
  std::uint64_t stride = 0;
  PathExtract extracts[kMaxStudyExtracts];
  int count = 0;
  float* out = nullptr;

  REMC_HD void operator()(std::uint64_t column) const {
    for (int e = 0; e < count; ++e) {
      const float* x = values + static_cast<std::uint64_t>(extracts[e].first_cell) * stride + column;
      float v = x[0];
      for (int c = 1; c < extracts[e].cells; ++c) v = max_f(v, x[static_cast<std::uint64_t>(c) * stride]);
      out[column * static_cast<std::uint64_t>(count) + e] = v;
    }
  }
};

}  // namespace remc
