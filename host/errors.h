// Typed errors, mapped to exit codes in main() only:
// ConfigError and UsageError exit 2, RuntimeError (and anything else) exit 1.
#pragma once

#include <stdexcept>
#include <string>

namespace remc {

// Bad config content or bad --set: message names file, section, key (and line).
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Bad command line.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Failures while running: unwritable output, HDF5 or device errors.
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace remc
