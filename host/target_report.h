// What a run with precision targets reports: each target's estimate and
// achieved half-width and why the run stopped, stored in the result's
// /targets group (docs/hdf5-schema.md), printed by `remc run` and `remc info`.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "h5_file.h"
#include "result_reader.h"
#include "targets.h"

namespace remc {

struct TargetReport {
  std::vector<Target> targets;
  std::vector<TargetStatus> status;  // per target, at the end of the run
  // "all targets met", "max paths reached, all targets met there" or "max paths reached".
  std::string stop_reason;
  std::uint64_t max_paths = 0;       // the most paths the run would simulate
  std::uint64_t paths = 0;           // paths simulated
};

// The final report from the aggregation state of the paths done.
TargetReport make_target_report(const std::vector<Target>& targets, const std::vector<MomentTree>& trees,
                                const std::vector<std::uint64_t>& exceed, std::uint64_t paths,
                                std::uint64_t max_paths);

// Writes the group /targets into an open result file.
void write_target_report(const h5::File& file, const TargetReport& report);

// One line per target and the stop reason, from the report or from a result
// file's /targets group (nothing when the file has none).
void print_target_report(const TargetReport& report, std::ostream& out);
void print_target_report(const ResultReader& result, std::ostream& out);

}  // namespace remc
