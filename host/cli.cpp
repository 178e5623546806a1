// Command dispatch, --help, --version, and the mapping of errors to exit codes.
#include "cli.h"

#include <iostream>
#include <new>
#include <string>

#include <boost/program_options/errors.hpp>

#include "build_info.h"
#include "engine.h"
#include "errors.h"
#include "mpi_context.h"

namespace remc {

namespace {

const char* kUsage =
    "remc: Monte Carlo risk engine for rare-earth supply shocks\n"
    "\n"
    "usage: remc COMMAND [OPTIONS]\n"
    "\n"
    "commands:\n"
    "  run       simulate paths from a config and write an HDF5 result\n"
    "  validate  check a config without running it\n"
    "  info      print the headline risk table and provenance of a result\n"
    "  merge     combine shard results (run --shard K/N) into one result\n"
    "  study     run a sensitivity study (grid, oat, morris, sobol) from a study file\n"
    "\n"
    "  remc COMMAND --help   options of a command\n"
    "  remc --version        version, git hash and backends\n"
    "\n"
    "exit codes: 0 ok, 1 runtime error, 2 usage or config error,\n"
    "            3 stopped by SIGTERM/SIGINT with a checkpoint saved (run --checkpoint)\n";

void print_version() {
  std::cout << "remc " << REMC_VERSION;
  if (std::string(REMC_GIT_SHA).size() > 0) std::cout << " (git " << REMC_GIT_SHA << ")";
  std::cout << "\nbackends: cpu" << (cuda_backend_built() ? ", cuda" : "") << "\n";
  std::cout << "mpi: " << (mpi::built() ? "yes" : "no") << "\n";
}

}  // namespace

int exit_code_of(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const mpi::QuietExit& e) {
    return e.exit_code;
  } catch (const ConfigError&) {
    return kExitUsage;
  } catch (const UsageError&) {
    return kExitUsage;
  } catch (const boost::program_options::error&) {
    return kExitUsage;
  } catch (...) {
    return kExitRuntime;
  }
}

namespace {

int dispatch(const std::vector<std::string>& all) {
  if (all.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string& command = all[0];
  const std::vector<std::string> rest(all.begin() + 1, all.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (command == "--version") {
    if (!rest.empty()) throw UsageError("--version takes no arguments (got '" + rest[0] + "')");
    print_version();
    return kExitOk;
  }
  if (command == "run") return command_run(rest);
  if (command == "validate") return command_validate(rest);
  if (command == "info") return command_info(rest);
  if (command == "merge") return command_merge(rest);
  if (command == "study") return command_study(rest);
  throw UsageError("unknown command '" + command + "' (commands: run, validate, info, merge, study; see remc --help)");
}

// The message for an error, as printed to stderr.
std::string message_of(std::exception_ptr error, const std::string& command) {
  try {
    std::rethrow_exception(error);
  } catch (const ConfigError& e) {
    return std::string("config error: ") + e.what();
  } catch (const UsageError& e) {
    return e.what();
  } catch (const boost::program_options::invalid_option_value& e) {
    // Every typed option is a whole number except --checkpoint-every (seconds).
    const bool seconds = e.get_option_name() == "--checkpoint-every";
    const std::string expected = seconds ? "a number of seconds" : "a whole number, digits only";
    return std::string(e.what()) + ": expected " + expected + " (see remc " + command + " --help)";
  } catch (const boost::program_options::error& e) {
    return std::string(e.what()) + " (see remc " + command + " --help)";
  } catch (const std::bad_alloc&) {
    return "error: out of memory (the block buffer takes cells x block paths x 4 bytes: a smaller --block-paths, "
           "at least 1024, shrinks it; the histograms a few times cells x bins x 8 bytes: fewer [output] bins or "
           "months shrink them)";
  } catch (const std::exception& e) {
    return std::string("error: ") + e.what();
  } catch (...) {
    return "error: unknown failure";
  }
}

}  // namespace

int cli_main(int argc, char** argv) {
  const std::vector<std::string> all(argv + 1, argv + argc);
  try {
    return dispatch(all);
  } catch (const mpi::QuietExit& e) {
    return e.exit_code;  // another rank reported the failure
  } catch (...) {
    const std::exception_ptr error = std::current_exception();
    const int code = exit_code_of(error);
    std::cerr << "remc: " << message_of(error, all.empty() ? "" : all[0]) << "\n";
    // A failure only this rank knows of must end the others, not leave them waiting.
    if (mpi::size() > 1 && !mpi::failure_agreed()) mpi::abort(code);
    return code;
  }
}

}  // namespace remc
