// Helpers for tests that drive the remc binary as a user would: run a command
// line, capture its exit code and output, make scratch folders.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace remc::test {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command line; returns its exit code and output.
inline CommandResult run_command(const std::string& command_line) {
  CommandResult result;
  FILE* pipe = popen((command_line + " 2>&1").c_str(), "r");
  if (!pipe) return result;
  std::array<char, 4096> buffer{};
  while (fgets(buffer.data(), buffer.size(), pipe)) result.output += buffer.data();
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Runs the remc binary with `args`.
inline CommandResult run_remc(const std::string& args) { return run_command(std::string(REMC_BINARY) + " " + args); }

// The Python that reads results as users do (h5py, numpy, xarray, h5netcdf):
// Debian's, unless REMC_PYTHON names another (scripts/device-run does, on a
// machine whose only such Python is elsewhere).
inline std::string python_interpreter() {
  const char* chosen = std::getenv("REMC_PYTHON");
  return chosen && *chosen ? chosen : "/usr/bin/python3";
}

// Runs a Python script with that interpreter.
inline CommandResult run_python(const std::string& args) { return run_command(python_interpreter() + " " + args); }

// A fresh empty folder under the system temp dir, removed by the destructor.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& name) {
    path_ = std::filesystem::temp_directory_path() / ("remc-test-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  // Number of entries in the folder (to check that no temp file is left).
  int entries() const {
    int n = 0;
    for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
    return n;
  }

 private:
  std::filesystem::path path_;
};

inline std::string source_path(const std::string& relative) { return std::string(REMC_SOURCE_DIR) + "/" + relative; }

// Compares two result files with scripts/compare_results.py --exact.
inline CommandResult compare_exact(const std::string& a, const std::string& b) {
  return run_python(source_path("scripts/compare_results.py") + " --exact " + a + " " + b);
}

// For EXPECT_TRUE: every dataset and every non-provenance root attribute of
// the two result files bit-identical; the mismatches otherwise.
inline testing::AssertionResult identical_results(const std::string& a, const std::string& b) {
  const CommandResult r = compare_exact(a, b);
  if (r.exit_code == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << a << " and " << b << " differ:\n" << r.output;
}

}  // namespace remc::test
