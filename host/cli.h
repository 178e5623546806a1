// The remc command line: commands, options, exit codes.
//   0 ok, 1 runtime error, 2 usage or config error, 3 interrupted with a
//   checkpoint saved (see README).
#pragma once

#include <exception>
#include <string>
#include <vector>

namespace remc {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;
constexpr int kExitInterrupted = 3;  // stopped by SIGTERM/SIGINT, checkpoint saved

// Runs one command line; maps typed errors to exit codes and prints them.
int cli_main(int argc, char** argv);

// The exit code for an exception: 2 for usage and config errors, 1 otherwise.
int exit_code_of(std::exception_ptr error);

// The commands, each with its arguments after the command name.
int command_run(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_info(const std::vector<std::string>& args);
int command_merge(const std::vector<std::string>& args);
int command_study(const std::vector<std::string>& args);

}  // namespace remc
