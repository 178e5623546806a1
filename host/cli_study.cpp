// `remc study --config STUDY.ini`: one process runs every design point of a
// sensitivity study (docs/studies.md) and writes one HDF5 file.
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <exception>
#include <filesystem>
#include <optional>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "cli.h"
#include "cli_options.h"
#include "errors.h"
#include "mpi_context.h"
#include "shard.h"
#include "study_parts.h"
#include "study_run.h"

namespace po = boost::program_options;

namespace remc {

int command_study(const std::vector<std::string>& args) {
  std::string config, out, backend = "cpu", shard_text;
  int threads = 0;
  long long block_paths = 0;
  bool quiet = false;
  po::options_description desc(
      "usage: remc study --config STUDY.ini [--out FILE] [--backend cpu|cuda] [--threads N]\n"
      "                  [--block-paths N] [--shard K/N] [--quiet]\n"
      "  under mpirun/srun the ranks split the design points and rank 0 writes the study\n\noptions");
  desc.add_options()("help,h", "this help")("config", po::value(&config), "study file (docs/studies.md)")(
      "out", po::value(&out), "result file (default: results/STUDY.h5)")(
      "backend", po::value(&backend), "cpu (default) or cuda")("threads", po::value(&threads), "CPU threads (default: all)")(
      "block-paths", po::value(&block_paths), "columns per block, a multiple of 1024 (default: per backend)")(
      "shard", po::value(&shard_text), "simulate slice K of N of the design points (K from 0) and write a part for remc merge")(
      "quiet", po::bool_switch(&quiet), "no progress line or table");
  if (parse_command_options(args, desc)) return kExitOk;
  if (config.empty()) throw UsageError("study: --config STUDY.ini is required");
  if (backend != "cpu" && backend != "cuda") throw UsageError("study: --backend " + backend + ": must be cpu or cuda");
  if (threads < 0) throw UsageError("study: --threads must be >= 0");
  if (block_paths < 0 || block_paths % 1024 != 0 || block_paths > (1LL << 30))
    throw UsageError("study: --block-paths " + std::to_string(block_paths) + ": must be a multiple of 1024");
  if (out.empty()) out = "results/" + std::filesystem::path(config).stem().string() + ".h5";

  StudyRunOptions options;
  options.backend = backend == "cuda" ? Backend::kCuda : Backend::kCpu;
  options.threads = threads;
  options.block_paths = static_cast<std::uint64_t>(block_paths);
  options.cuda_device = mpi::local_rank();
  options.progress = !quiet && mpi::rank() == 0 && isatty(STDERR_FILENO);
  // The result's folder (results/ by default) is made once the study file
  // has passed its checks: a bad study leaves nothing behind.
  const auto prepare_output = [&] {
    const std::filesystem::path parent = std::filesystem::path(out).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent)) std::filesystem::create_directories(parent);
    check_output_writable(out);
  };

  if (!shard_text.empty()) {
    if (mpi::size() > 1) throw UsageError("study: --shard and MPI ranks do not combine; use one or the other");
    const ShardSpec shard = parse_shard(shard_text);
    const auto start = std::chrono::steady_clock::now();
    const StudySpec spec = load_study(config);  // exit 2 on any problem, before running
    check_output_is_not_an_input("study: result file", out, spec.base.input_files);
    const StudyDesign design = make_design(spec);
    if (design.points < static_cast<std::uint64_t>(shard.count))
      throw UsageError("study: --shard " + shard_text + ": the study has " + std::to_string(design.points) +
                       " design points, fewer than the shards; use at most " + std::to_string(design.points) +
                       " shards");
    const PointSlice slice = point_slice(design.points, shard.index, shard.count);
    const PointModels points = build_point_models(spec, design, slice.first, slice.count);
    prepare_output();
    EngineInfo info;
    const std::vector<float> values = simulate_points(spec, points, options, &info);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    write_study_part(out, spec, design, shard, slice, values, info, options.backend, seconds);
    if (!quiet)
      std::cout << out << ": study part " << shard.index << "/" << shard.count << ", design points " << slice.first
                << ".." << slice.first + slice.count - 1 << " of 0.." << design.points - 1
                << " (combine the parts with remc merge)\n";
    return kExitOk;
  }

  // One process, or MPI ranks that each simulate a slice of the points.
  const auto start = std::chrono::steady_clock::now();
  std::optional<StudySpec> spec;
  std::optional<StudyDesign> design;
  std::vector<float> values;
  EngineInfo info;
  std::exception_ptr failure;
  try {
    spec.emplace(load_study(config));
    check_output_is_not_an_input("study: result file", out, spec->base.input_files);
    design.emplace(make_design(*spec));
    // Every rank simulates at least one point (as a run's ranks take at least one block each).
    if (design->points < static_cast<std::uint64_t>(mpi::size()))
      throw UsageError("study: mpirun with " + std::to_string(mpi::size()) + " ranks, but the study has " +
                       std::to_string(design->points) + " design points; use at most " +
                       std::to_string(design->points) + " ranks");
    const PointSlice slice = point_slice(design->points, mpi::rank(), mpi::size());
    const PointModels points = build_point_models(*spec, *design, slice.first, slice.count);
    if (mpi::rank() == 0) prepare_output();
    values = simulate_points(*spec, points, options, &info);
  } catch (...) {
    failure = std::current_exception();
  }
  mpi::agree(failure, exit_code_of);
  if (mpi::size() > 1) {
    // Rank order is point order: concatenating the slices gives every point's
    // values. Each buffer is released as soon as it is copied, to keep rank
    // 0's peak memory near one copy of the study.
    std::vector<char> bytes(values.size() * sizeof(float));
    std::memcpy(bytes.data(), values.data(), bytes.size());
    std::vector<float>().swap(values);
    std::vector<std::vector<char>> all = mpi::gather(bytes);
    std::vector<char>().swap(bytes);
    if (mpi::rank() != 0) return kExitOk;
    std::size_t total = 0;
    for (const std::vector<char>& part : all) total += part.size() / sizeof(float);
    values.reserve(total);
    for (std::vector<char>& part : all) {
      const std::size_t at = values.size();
      values.resize(at + part.size() / sizeof(float));
      std::memcpy(values.data() + at, part.data(), part.size());
      std::vector<char>().swap(part);
    }
    info.device += " x " + std::to_string(mpi::size()) + " MPI ranks";
  }
  StudyResults results = analyse_study(*spec, *design, values);
  results.engine = info;
  results.simulate_seconds = info.simulate_seconds + info.reduce_seconds;
  results.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_study(out, *spec, *design, results, options);
  if (!quiet) print_study_info(out, std::cout);
  return kExitOk;
}

}  // namespace remc
