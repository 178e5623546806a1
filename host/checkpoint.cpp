// Checkpoint files (HDF5: root attributes plus the /state group of a shard
// result) and the stop-signal flag.
#include "checkpoint.h"

#include <atomic>
#include <csignal>
#include <filesystem>
#include <sstream>
#include <utility>

#include "errors.h"
#include "h5_file.h"

namespace remc {

namespace {

constexpr const char* kFiletype = "remc-checkpoint";
constexpr std::int64_t kFormatVersion = 1;

std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) { g_stop.store(true); }

}  // namespace

void write_checkpoint(const std::string& path, const Checkpoint& c) {
  h5::write_atomically(path, "checkpoint", [&](const h5::File& file) {
    file.set_attribute("filetype", kFiletype);
    file.set_attribute("format_version", kFormatVersion);
    file.set_attribute("remc_version", c.remc_version);
    file.set_attribute("config", c.config);
    file.set_attribute("config_file", c.config_file);
    file.set_attribute("backend", c.backend);
    file.set_attribute("out", c.out);
    file.set_attribute("sharded", static_cast<std::int64_t>(c.sharded ? 1 : 0));
    file.set_attribute("end_path", static_cast<std::int64_t>(c.end_path));
    std::string targets;  // one per line (an expression has no line break)
    for (const std::string& t : c.targets) targets += (targets.empty() ? "" : "\n") + t;
    file.set_attribute("targets", targets);
    file.set_attribute("wall_seconds", c.wall_seconds);
    write_run_state(file, c.state);
  });
}

Checkpoint read_checkpoint(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError("--resume " + path + ": no such file");
  Checkpoint c;
  try {
    const h5::File file = h5::File::open_read_only(path);
    if (!file.has_attribute("filetype") || file.string_attribute("filetype") != kFiletype)
      throw UsageError("--resume " + path + ": not a remc checkpoint");
    if (file.int_attribute("format_version") != kFormatVersion)
      throw UsageError("--resume " + path + ": checkpoint format " + std::to_string(file.int_attribute("format_version")) +
                       ", this remc reads format " + std::to_string(kFormatVersion));
    c.remc_version = file.string_attribute("remc_version");
    c.config = file.string_attribute("config");
    c.config_file = file.string_attribute("config_file");
    c.backend = file.string_attribute("backend");
    c.out = file.has_attribute("out") ? file.string_attribute("out") : std::string();
    c.sharded = file.int_attribute("sharded") != 0;
    c.end_path = static_cast<std::uint64_t>(file.int_attribute("end_path"));
    std::istringstream targets(file.has_attribute("targets") ? file.string_attribute("targets") : "");
    for (std::string line; std::getline(targets, line);) c.targets.push_back(line);
    c.wall_seconds = file.has_attribute("wall_seconds") ? file.double_attribute("wall_seconds") : 0.0;
    c.state = read_run_state(file);
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    throw UsageError("--resume " + path + ": not a readable remc checkpoint (" + e.what() + ")");
  }
  return c;
}

void install_stop_signals() {
  std::signal(SIGTERM, on_stop_signal);
  std::signal(SIGINT, on_stop_signal);
}

bool stop_signalled() { return g_stop.load(); }

CheckpointSink::CheckpointSink(Aggregator& aggregator, std::string path, double every_seconds, Checkpoint base)
    : aggregator_(aggregator),
      path_(std::move(path)),
      every_(every_seconds),
      last_(std::chrono::steady_clock::now()),
      base_(std::move(base)),
      started_(last_) {}

void CheckpointSink::on_block(std::uint64_t first_chunk, int chunks, const ChunkMoments* moments) {
  aggregator_.on_block(first_chunk, chunks, moments);
}

void CheckpointSink::on_progress(std::uint64_t paths_done, std::uint64_t paths_total) {
  aggregator_.on_progress(paths_done, paths_total);
}

bool CheckpointSink::wants_counts() {
  // Latched here, so a signal arriving after this point waits for the next
  // block instead of stopping the run without a checkpoint.
  stopping_ = stop_signalled();
  return stopping_ || std::chrono::steady_clock::now() - last_ >= every_;
}

void CheckpointSink::on_counts(const CountTotals& counts_so_far, std::uint64_t next_path) {
  Checkpoint c = base_;
  c.state.paths = next_path - c.state.first_path;
  c.state.trees = aggregator_.trees();
  add_counts(c.state.counts, counts_so_far);  // the restored counts plus this run's
  const std::chrono::duration<double> this_process = std::chrono::steady_clock::now() - started_;
  c.wall_seconds = base_.wall_seconds + this_process.count();
  write_checkpoint(path_, c);
  last_ = std::chrono::steady_clock::now();
}

bool is_checkpoint(const std::string& path) { return h5::has_filetype(path, kFiletype); }

}  // namespace remc
