// The progress line `remc run` shows on a terminal: paths done, paths/s, ETA.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace remc {

class ProgressLine {
 public:
  // Draws only when `enabled` (stderr is a terminal and --quiet not given).
  explicit ProgressLine(bool enabled);
  void update(std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace remc
