// Checked reading of remc result files (see result_reader.h).
#include "result_reader.h"

#include "errors.h"
#include "result_writer.h"

namespace remc {

ResultReader::ResultReader(const std::string& path) : path_(path), file_(h5::File::open_read_only(path)) {
  if (!file_.has_attribute("filetype") || file_.string_attribute("filetype") != kResultFiletype)
    throw RuntimeError(path + ": not a remc result file (root attribute filetype is not \"" +
                       std::string(kResultFiletype) + "\")");
  const std::int64_t version = file_.has_attribute("format_version") ? file_.int_attribute("format_version") : -1;
  if (version != kResultFormatVersion)
    throw RuntimeError(path + ": result format version " + std::to_string(version) + ", this remc reads version " +
                       std::to_string(kResultFormatVersion));
}

bool ResultReader::has(const std::string& object_path) const {
  return file_.exists(object_path.substr(object_path.find_first_not_of('/')));
}

h5::Dataset ResultReader::dataset(const std::string& object_path) const {
  if (!has(object_path)) throw RuntimeError(path_ + ": no dataset " + object_path);
  return file_.open_dataset(object_path);
}

std::vector<double> ResultReader::doubles(const std::string& object_path) const {
  return dataset(object_path).read_doubles();
}

std::vector<std::uint64_t> ResultReader::counts(const std::string& object_path) const {
  return dataset(object_path).read_uint64();
}

std::vector<std::string> ResultReader::strings(const std::string& object_path) const {
  return dataset(object_path).read_strings();
}

ResultProvenance ResultReader::provenance() const {
  ResultProvenance p;
  const auto text = [&](const char* name) {
    return file_.has_attribute(name) ? file_.string_attribute(name) : std::string();
  };
  const auto integer = [&](const char* name) { return file_.has_attribute(name) ? file_.int_attribute(name) : 0; };
  p.remc_version = text("remc_version");
  p.git_sha = text("git_sha");
  p.config = text("config");
  p.config_file = text("config_file");
  p.start = text("start");
  p.backend = text("backend");
  p.device = text("device");
  p.created_utc = text("created_utc");
  p.rng = text("rng");
  p.seed = integer("seed");
  p.paths = integer("paths");
  p.months = integer("months");
  p.threads = integer("threads");
  p.wall_seconds = file_.has_attribute("wall_seconds") ? file_.double_attribute("wall_seconds") : 0.0;
  return p;
}

}  // namespace remc
