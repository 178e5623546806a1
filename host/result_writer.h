// Writes a run's results to an HDF5 file laid out as docs/hdf5-schema.md
// describes: netCDF-4 style (dimension scales, readable by xarray with
// engine="h5netcdf"), one group per metric, `units` and `description` on
// every dataset. The file is written under a temporary name in the same
// folder and renamed at the end, so the requested name never holds a
// partial result.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "aggregator.h"
#include "h5_file.h"
#include "run_config.h"

namespace remc {

// Identifies the result format; the reader checks both first.
constexpr const char* kResultFiletype = "remc-result";
constexpr std::int64_t kResultFormatVersion = 1;

// Facts about the run that are not in the config, from the caller.
struct Provenance {
  std::string backend;       // "cpu" or "cuda"
  std::string device;        // EngineInfo::device
  int threads = 0;
  std::uint64_t block_paths = 0;  // paths per block (statistics do not depend on it)
  double wall_seconds = 0.0;
  std::string created_utc;   // ISO 8601, e.g. "2025-01-31T12:00:00Z"; empty: now
  std::string rng = "Philox4x32-10 (as Random123), key = seed, counter = (path, month, draw slot); slots named after config entries";
  std::string remc_version;  // empty: this build's REMC_VERSION
  std::string git_sha;       // empty: this build's REMC_GIT_SHA (omitted when unknown)
};

// Writes `results` for `config` to `path` atomically (temporary file
// "<path>.tmp.<pid>", then rename). Throws RuntimeError naming the path on
// any failure, after removing the temporary file. `extra`, when given, adds
// more content to the open file before it is closed (a shard's /state).
void write_result(const std::string& path, const RunConfig& config, const AggregateResults& results,
                  const Provenance& provenance, const std::function<void(const h5::File&)>& extra = {});

// The current time as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now_iso8601();

// Month labels "YYYY-MM" for `months` months from the given start.
std::vector<std::string> month_labels(int start_year, int start_month, int months);

}  // namespace remc
