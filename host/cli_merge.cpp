// `remc merge PART... -o OUT`: combines shard results (remc run --shard K/N)
// into the result a single run of the same config, seed and path count writes,
// bit for bit. Parts that do not belong together are refused (exit 2) with a
// message naming the offending file.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "aggregation_plan.h"
#include "aggregator.h"
#include "cli.h"
#include "cli_options.h"
#include "config.h"
#include "errors.h"
#include "result_reader.h"
#include "result_writer.h"
#include "run_state.h"
#include "study_parts.h"

namespace po = boost::program_options;

namespace remc {

namespace {

struct Part {
  std::string path;
  ResultProvenance provenance;
  RunState state;
};

Part read_part(const std::string& path) {
  if (!std::filesystem::exists(path)) throw UsageError("merge: " + path + ": no such file");
  if (is_study_part(path))
    throw UsageError("merge: " + path + ": a study part, not a run's shard result; merge it with the other parts of "
                     "its study, not with run parts");
  std::optional<ResultReader> opened;
  try {
    opened.emplace(path);
  } catch (const RuntimeError& e) {
    throw UsageError(std::string("merge: ") + e.what());  // not a result: bad input, like a bad part
  }
  const ResultReader& reader = *opened;
  if (!has_run_state(reader.file()))
    throw UsageError("merge: " + path + ": not a shard result (no /state group; write parts with remc run --shard K/N)");
  try {
    return {path, reader.provenance(), read_run_state(reader.file())};
  } catch (const RuntimeError& e) {
    // A missing or mangled dataset: a damaged part, refused like any bad part.
    throw UsageError("merge: " + path + ": not a readable shard result (" + e.what() + ")");
  }
}

// Refuses a part that does not belong to the same run as `first`.
void check_same_run(const Part& first, const Part& part) {
  const auto differ = [&](const std::string& what, const std::string& a, const std::string& b) {
    if (a != b)
      throw UsageError("merge: " + part.path + ": " + what + " " + b + " differs from " + first.path + " (" + a + ")");
  };
  // The specific differences first: seed and paths are part of the config text too.
  differ("seed", std::to_string(first.provenance.seed), std::to_string(part.provenance.seed));
  differ("total paths", std::to_string(first.state.total_paths), std::to_string(part.state.total_paths));
  differ("remc version", first.provenance.remc_version, part.provenance.remc_version);
  differ("block size", std::to_string(first.state.block_paths), std::to_string(part.state.block_paths));
  differ("shard count", std::to_string(first.state.shard.count), std::to_string(part.state.shard.count));
  if (first.state.config_hash != part.state.config_hash) {
    const std::string where = first_config_difference(part.provenance.config, first.provenance.config);
    throw UsageError("merge: " + part.path + ": config differs from " + first.path +
                     (where.empty() ? " (hash " + part.state.config_hash + " against " + first.state.config_hash + ")"
                                    : ": " + where));
  }
}

std::string slice_name(const Part& p) {
  return std::to_string(p.state.shard.index) + "/" + std::to_string(p.state.shard.count) + " (paths " +
         std::to_string(p.state.first_path) + ".." + std::to_string(p.state.first_path + p.state.paths) + ")";
}

}  // namespace

int command_merge(const std::vector<std::string>& args) {
  std::vector<std::string> inputs;
  std::string out;
  bool allow_partial = false;
  po::options_description desc("usage: remc merge PART.h5... -o OUT.h5 [--allow-partial]\n\noptions");
  desc.add_options()("help,h", "this help")("out,o", po::value(&out), "merged result file")(
      "allow-partial", po::bool_switch(&allow_partial),
      "merge even if slices are missing; the result records the paths covered");
  po::options_description hidden;
  hidden.add_options()("parts", po::value(&inputs)->multitoken(), "shard results to merge");
  po::positional_options_description positional;
  positional.add("parts", -1);
  if (parse_command_options(args, desc, &positional, nullptr, &hidden)) return kExitOk;
  if (inputs.empty()) throw UsageError("merge: no parts given");
  if (out.empty()) throw UsageError("merge: -o OUT.h5 is required");

  for (const std::string& path : inputs)
    if (same_file(path, out))
      throw UsageError("merge: -o " + out + " is one of the parts; write the merged result elsewhere");
  if (is_study_part(inputs.front())) {
    if (allow_partial) throw UsageError("merge: --allow-partial is for run results, not study parts");
    merge_study_parts(inputs, out);
    std::fprintf(stderr, "remc: merged %zu study parts into %s\n", inputs.size(), out.c_str());
    return kExitOk;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<Part> parts;
  for (const std::string& path : inputs) parts.push_back(read_part(path));
  for (const Part& p : parts) check_same_run(parts.front(), p);
  // The run's config exactly as the parts recorded it; each part's state must fit it.
  const RunConfig cfg = load_recorded_config(parts.front().provenance.config, parts.front().provenance.config_file,
                                             "merge: " + parts.front().path);
  const AggregationPlan plan = make_plan(cfg);
  for (const Part& p : parts) check_run_state(p.state, plan, cfg.run.paths, "merge: " + p.path);
  std::stable_sort(parts.begin(), parts.end(),
                   [](const Part& a, const Part& b) { return a.state.first_path < b.state.first_path; });

  // Slices must not repeat or overlap, and (unless allowed) must cover the run.
  std::uint64_t covered = 0, expected_next = 0;
  std::vector<std::string> missing;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    if (i > 0 && p.state.first_path < expected_next)
      throw UsageError("merge: " + p.path + ": slice " + slice_name(p) + " overlaps " + parts[i - 1].path + " (" +
                       slice_name(parts[i - 1]) + ")");
    if (p.state.first_path > expected_next)
      missing.push_back("paths " + std::to_string(expected_next) + ".." + std::to_string(p.state.first_path));
    expected_next = p.state.first_path + p.state.paths;
    covered += p.state.paths;
  }
  const std::uint64_t total = parts.front().state.total_paths;
  if (expected_next < total) missing.push_back("paths " + std::to_string(expected_next) + ".." + std::to_string(total));
  if (!missing.empty() && !allow_partial) {
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    throw UsageError("merge: slices missing: " + list + " of " + std::to_string(total) +
                     " paths (merge every part, or pass --allow-partial)");
  }

  Aggregator aggregator(plan, quantile_levels(cfg.output));
  std::vector<const RunState*> states;
  double part_seconds = 0.0;
  for (const Part& p : parts) {
    states.push_back(&p.state);
    part_seconds += p.provenance.wall_seconds;
  }
  const CountTotals totals = combine_parts(aggregator, states, allow_partial);
  const AggregateResults& results = aggregator.finish(totals);

  Provenance prov;
  prov.backend = parts.front().provenance.backend;
  for (const Part& p : parts)
    if (p.provenance.backend != prov.backend) prov.backend = "mixed";
  prov.device = "merged from " + std::to_string(parts.size()) + " parts";
  prov.block_paths = parts.front().state.block_paths;
  prov.wall_seconds = part_seconds + std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  write_result(out, cfg, results, prov, [&](const h5::File& file) {
    if (covered == total) return;
    file.set_attribute("total_paths", static_cast<std::int64_t>(total));
    std::string list;
    for (const std::string& m : missing) list += (list.empty() ? "" : ", ") + m;
    file.set_attribute("missing", list);
  });
  std::fprintf(stderr, "remc: merged %zu parts (%llu of %llu paths) into %s\n", parts.size(),
               static_cast<unsigned long long>(covered), static_cast<unsigned long long>(total), out.c_str());
  return kExitOk;
}

}  // namespace remc
