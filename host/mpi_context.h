// MPI for `mpirun -n R remc run ...`: ranks split the run's blocks like
// shards, rank 0 merges their states in rank order and alone writes the
// result. Without MPI support, or when not started by an MPI launcher, remc
// is a single process and these functions say so.
#pragma once

#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

namespace remc::mpi {

// Initialises MPI when remc was started by an MPI launcher (mpirun, srun).
void init(int* argc, char*** argv);
void finalize();

bool built();       // this binary has MPI support
bool active();      // running under MPI (possibly with one rank)
int rank();         // 0 when not active
int size();         // 1 when not active
int local_rank();   // rank among the ranks on this node (GPU choice)

// Ends every rank at once with `code` (after a failure on one rank).
[[noreturn]] void abort(int code);

// Thrown on the ranks that stay silent when another rank reports a failure,
// so that exactly one message is printed; carries the agreed exit code.
struct QuietExit : std::runtime_error {
  explicit QuietExit(int code) : std::runtime_error("quiet exit"), exit_code(code) {}
  int exit_code;
};

// Every rank calls this with its own failure (or none). If any rank failed,
// the lowest failing rank rethrows its exception and the others throw
// QuietExit with the highest exit code; otherwise it returns. `exit_code`
// maps an exception to remc's exit codes.
void agree(std::exception_ptr failure, int (*exit_code)(std::exception_ptr));

// True on the rank that agree() chose to report a failure all ranks know of
// (such a failure ends every rank normally; any other one must abort them).
bool failure_agreed();

// Gathers each rank's bytes on rank 0 (in rank order; empty elsewhere).
std::vector<std::vector<char>> gather(const std::vector<char>& bytes);

// Sums `values` element by element over all ranks into rank 0's copy
// (integer sums: exact in any order). Other ranks' copies are unchanged.
void reduce_sum(std::vector<std::uint64_t>& values);

// Rank 0's `value`, on every rank.
bool broadcast(bool value);

}  // namespace remc::mpi
