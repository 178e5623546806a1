// Studies across processes: `remc study --shard K/N` simulates a slice of the
// design points and writes a part file with their per-path values; `remc
// merge` of all parts analyses them together; under MPI the ranks split the
// points the same way and rank 0 analyses. The analysis depends only on the
// per-path values, which do not depend on how the points were split, so a
// merged study is identical to a single-process one.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "shard.h"
#include "study_run.h"

namespace remc {

constexpr const char* kStudyPartFiletype = "remc-study-part";

// Design points [first, first + count) of shard K of N: floor(K P / N) ...
struct PointSlice {
  std::uint64_t first = 0;
  std::uint64_t count = 0;
};
PointSlice point_slice(std::uint64_t points, int index, int count);

// Writes a part file (atomically): the study and base-config texts, the
// slice, and the per-path values [point][output][path] as float32.
void write_study_part(const std::string& path, const StudySpec& spec, const StudyDesign& design,
                      const ShardSpec& shard, const PointSlice& slice, const std::vector<float>& values,
                      const EngineInfo& info, Backend backend, double wall_seconds);

bool is_study_part(const std::string& path);

// `remc info PART.h5`: which study and which design points the part holds.
void print_study_part_info(const std::string& path, std::ostream& out);

// Checks that the parts belong to one study (same texts, seed, paths, remc
// version) and tile its design points exactly; then analyses and writes the
// study file. Throws UsageError naming the offending part (exit 2).
void merge_study_parts(const std::vector<std::string>& parts, const std::string& out);

}  // namespace remc
