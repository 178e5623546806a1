// `remc info RESULT.h5`: the headline risk table and the run's provenance.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>

namespace remc {

// Prints the headline table for the result file at `path` to `out`; returns
// the exit code (0). Throws RuntimeError when the file is not a readable
// remc result.
int info_command(const std::string& path, std::ostream& out);

// Throws UsageError when dataset `name` of the file at `path` holds `size`
// values where the file's own coordinates give `expected`: a damaged or
// edited file is refused, never read past its end.
void check_dataset_size(const std::string& path, const std::string& name, std::size_t size, std::size_t expected);

}  // namespace remc
