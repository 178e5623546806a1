// RunState to bytes and back, for sending a rank's aggregation state to
// rank 0 (MPI) without going through a file.
#pragma once

#include <vector>

#include "run_state.h"

namespace remc {

std::vector<char> pack_state(const RunState& state);

// Throws RuntimeError if the bytes are not a packed state.
RunState unpack_state(const std::vector<char>& bytes);

}  // namespace remc
