// Study part files (remc study --shard K/N) and their merge.
#include "study_parts.h"

#include <algorithm>
#include <chrono>
#include <filesystem>

#include "build_info.h"
#include "errors.h"
#include "h5_file.h"
#include "result_writer.h"

namespace remc {

PointSlice point_slice(std::uint64_t points, int index, int count) {
  const std::uint64_t k = static_cast<std::uint64_t>(index), n = static_cast<std::uint64_t>(count);
  const std::uint64_t first = points * k / n, end = points * (k + 1) / n;
  return {first, end - first};
}

void write_study_part(const std::string& path, const StudySpec& spec, const StudyDesign& design,
                      const ShardSpec& shard, const PointSlice& slice, const std::vector<float>& values,
                      const EngineInfo& info, Backend backend, double wall_seconds) {
  h5::write_atomically(path, "study part", [&](const h5::File& file) {
    file.set_attribute("filetype", kStudyPartFiletype);
    file.set_attribute("remc_version", REMC_VERSION);
    file.set_attribute("created_utc", utc_now_iso8601());
    file.set_attribute("study_file", spec.file);
    file.set_attribute("study_text", spec.study_text);
    file.set_attribute("base_config", spec.base.resolved_text);
    file.set_attribute("study_hash", config_hash(spec.study_text + "\n" + spec.base.resolved_text));
    file.set_attribute("seed", static_cast<std::int64_t>(spec.seed));
    file.set_attribute("paths_per_point", static_cast<std::int64_t>(spec.paths));
    file.set_attribute("points", static_cast<std::int64_t>(design.points));
    file.set_attribute("first_point", static_cast<std::int64_t>(slice.first));
    file.set_attribute("point_count", static_cast<std::int64_t>(slice.count));
    file.set_attribute("shard", std::to_string(shard.index) + "/" + std::to_string(shard.count));
    file.set_attribute("device", info.device);
    file.set_attribute("backend", backend == Backend::kCuda ? "cuda" : "cpu");
    file.set_attribute("wall_seconds", wall_seconds);
    h5::Dataset v = file.write("values", values, {slice.count, spec.outputs.size(), spec.paths}, true);
    v.set_attribute("units", "per output: see the study's outputs");
    v.set_attribute("description", "per-path value of each output's metric, [point][output][path]");
  });
}

bool is_study_part(const std::string& path) { return h5::has_filetype(path, kStudyPartFiletype); }

namespace {

struct StudyPart {
  std::string path, study_hash, version, study_file, study_text, base_config, device, backend;
  std::int64_t seed = 0, paths = 0, points = 0, first = 0, count = 0;
  double wall_seconds = 0.0;  // the part's own run
};

StudyPart read_part_header(const std::string& path) {
  if (h5::has_filetype(path, kResultFiletype))
    throw UsageError("merge: " + path + ": a run result, not a study part; merge run shards apart from study parts");
  if (!is_study_part(path)) throw UsageError("merge: " + path + ": not a study part (write them with remc study --shard K/N)");
  const h5::File f = h5::File::open_read_only(path);
  StudyPart p;
  p.path = path;
  p.study_hash = f.string_attribute("study_hash");
  p.version = f.string_attribute("remc_version");
  p.study_file = f.string_attribute("study_file");
  p.study_text = f.string_attribute("study_text");
  p.base_config = f.string_attribute("base_config");
  p.device = f.string_attribute("device");
  p.backend = f.has_attribute("backend") ? f.string_attribute("backend") : "cpu";
  p.wall_seconds = f.has_attribute("wall_seconds") ? f.double_attribute("wall_seconds") : 0.0;
  p.seed = f.int_attribute("seed");
  p.paths = f.int_attribute("paths_per_point");
  p.points = f.int_attribute("points");
  p.first = f.int_attribute("first_point");
  p.count = f.int_attribute("point_count");
  return p;
}

}  // namespace

void print_study_part_info(const std::string& path, std::ostream& out) {
  const StudyPart p = read_part_header(path);
  const h5::File f = h5::File::open_read_only(path);
  out << "remc study part " << path << ": shard " << f.string_attribute("shard") << " of study " << p.study_file
      << ", design points " << p.first << ".." << p.first + p.count - 1 << " of 0.." << p.points - 1 << ", "
      << p.paths << " paths each (seed " << p.seed << ")\n"
      << "combine all parts with remc merge PART.h5... -o STUDY.h5\n";
}

void merge_study_parts(const std::vector<std::string>& inputs, const std::string& out) {
  const auto start = std::chrono::steady_clock::now();
  std::vector<StudyPart> parts;
  for (const std::string& path : inputs) parts.push_back(read_part_header(path));
  const StudyPart& first = parts.front();
  for (const StudyPart& p : parts) {
    const auto differ = [&](const std::string& what, const std::string& a, const std::string& b) {
      if (a != b) throw UsageError("merge: " + p.path + ": " + what + " " + b + " differs from " + first.path + " (" + a + ")");
    };
    differ("remc version", first.version, p.version);
    differ("seed", std::to_string(first.seed), std::to_string(p.seed));
    differ("paths per point", std::to_string(first.paths), std::to_string(p.paths));
    if (p.study_hash != first.study_hash)
      throw UsageError("merge: " + p.path + ": written for another study or base config than " + first.path);
  }
  std::stable_sort(parts.begin(), parts.end(), [](const StudyPart& a, const StudyPart& b) { return a.first < b.first; });
  std::int64_t next = 0;
  for (const StudyPart& p : parts) {
    if (p.first < next) throw UsageError("merge: " + p.path + ": design points overlap another part's");
    if (p.first > next)
      throw UsageError("merge: design points " + std::to_string(next) + ".." + std::to_string(p.first - 1) +
                       " are missing (a shard's part is not among the inputs)");
    next = p.first + p.count;
  }
  if (next != first.points)
    throw UsageError("merge: design points " + std::to_string(next) + ".." + std::to_string(first.points - 1) +
                     " are missing (a shard's part is not among the inputs)");

  const StudySpec spec = load_study_texts(first.study_file, first.study_text, first.base_config);
  const StudyDesign design = make_design(spec);
  if (static_cast<std::int64_t>(design.points) != first.points)
    throw UsageError("merge: " + first.path + ": the study's design has " + std::to_string(design.points) +
                     " points, the parts " + std::to_string(first.points));
  std::vector<float> values;
  values.reserve(design.points * spec.outputs.size() * spec.paths);
  for (const StudyPart& p : parts) {
    const h5::Dataset d = h5::File::open_read_only(p.path).open_dataset("values");
    const std::vector<hsize_t> want = {static_cast<hsize_t>(p.count), spec.outputs.size(), spec.paths};
    if (d.shape() != want)
      throw UsageError("merge: " + p.path + ": /values does not hold " + std::to_string(p.count) + " points x " +
                       std::to_string(spec.outputs.size()) + " outputs x " + std::to_string(spec.paths) + " paths");
    const std::vector<float> v = d.read_floats();
    values.insert(values.end(), v.begin(), v.end());
  }
  StudyResults results = analyse_study(spec, design, values);
  results.engine.device = first.device + " (merged from " + std::to_string(parts.size()) + " parts)";
  // The parts' run times plus the merge's own, as a merged run result counts them.
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (const StudyPart& p : parts) results.wall_seconds += p.wall_seconds;
  StudyRunOptions options;
  options.backend = first.backend == "cuda" ? Backend::kCuda : Backend::kCpu;
  write_study(out, spec, design, results, options);
}

}  // namespace remc
