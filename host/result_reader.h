// Opens a remc result file for reading: checks the root `filetype` and
// `format_version` before anything else (as OpenMC does with statepoints),
// then gives checked access to datasets and the provenance attributes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "h5_file.h"

namespace remc {

// The root attributes that say how a result was produced.
struct ResultProvenance {
  std::string remc_version, git_sha, config, config_file, start, backend, device, created_utc, rng;
  std::int64_t seed = 0, paths = 0, months = 0, threads = 0;
  double wall_seconds = 0.0;
};

class ResultReader {
 public:
  // Throws RuntimeError naming `path` if it is not a readable remc result of
  // a format version this build understands.
  explicit ResultReader(const std::string& path);

  const std::string& path() const { return path_; }
  const h5::File& file() const { return file_; }
  bool has(const std::string& object_path) const;  // e.g. "/summary/cum_shortage/mean"
  h5::Dataset dataset(const std::string& object_path) const;
  std::vector<double> doubles(const std::string& object_path) const;
  std::vector<std::uint64_t> counts(const std::string& object_path) const;
  std::vector<std::string> strings(const std::string& object_path) const;
  ResultProvenance provenance() const;

 private:
  std::string path_;
  h5::File file_;
};

}  // namespace remc
