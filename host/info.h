// `remc info RESULT.h5`: the headline risk table and the run's provenance.
#pragma once

#include <ostream>
#include <string>

namespace remc {

// Prints the headline table for the result file at `path` to `out`; returns
// the exit code (0). Throws RuntimeError when the file is not a readable
// remc result.
int info_command(const std::string& path, std::ostream& out);

}  // namespace remc
