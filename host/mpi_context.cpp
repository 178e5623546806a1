// MPI wrappers; compiled with or without an MPI implementation.
#include "mpi_context.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>

#if defined(REMC_HAVE_MPI)
#include <mpi.h>
#endif

namespace remc::mpi {

namespace {

bool g_active = false;
int g_rank = 0;
int g_size = 1;
int g_local_rank = 0;
bool g_failure_agreed = false;

// Launchers announce themselves in the environment; a plain `remc run`
// must not initialise MPI (slow, and noisy on machines without a network).
bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (std::getenv(name)) return true;
  return false;
}

}  // namespace

#if defined(REMC_HAVE_MPI)

void init(int* argc, char*** argv) {
  if (!launched_by_mpi()) return;
  MPI_Init(argc, argv);
  g_active = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &g_local_rank);
  MPI_Comm_free(&node);
}

void finalize() {
  if (g_active) MPI_Finalize();
  g_active = false;
}

bool built() { return true; }

void abort(int code) {
  if (g_active) MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

void agree(std::exception_ptr failure, int (*exit_code)(std::exception_ptr)) {
  if (!g_active || g_size == 1) {
    if (failure) std::rethrow_exception(failure);
    return;
  }
  const int mine = failure ? exit_code(failure) : 0;
  int worst = 0;
  MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst == 0) return;
  const int candidate = failure ? g_rank : g_size;
  int reporter = 0;
  MPI_Allreduce(&candidate, &reporter, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (g_rank == reporter) {
    g_failure_agreed = true;
    std::rethrow_exception(failure);
  }
  throw QuietExit(worst);
}

std::vector<std::vector<char>> gather(const std::vector<char>& bytes) {
  if (!g_active || g_size == 1) return {bytes};
  const std::int64_t mine = static_cast<std::int64_t>(bytes.size());
  std::vector<std::int64_t> sizes(g_rank == 0 ? g_size : 0);
  MPI_Gather(&mine, 1, MPI_INT64_T, sizes.data(), 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
  // Point-to-point in rank order: no 2 GiB limit on the total, as Gatherv's int displacements would have.
  std::vector<std::vector<char>> all;
  if (g_rank != 0) {
    for (std::int64_t sent = 0; sent < mine;) {
      const int n = static_cast<int>(std::min<std::int64_t>(mine - sent, 1 << 30));
      MPI_Send(bytes.data() + sent, n, MPI_CHAR, 0, 0, MPI_COMM_WORLD);
      sent += n;
    }
    return all;
  }
  all.resize(g_size);
  all[0] = bytes;
  for (int r = 1; r < g_size; ++r) {
    all[r].resize(static_cast<std::size_t>(sizes[r]));
    for (std::int64_t got = 0; got < sizes[r];) {
      const int n = static_cast<int>(std::min<std::int64_t>(sizes[r] - got, 1 << 30));
      MPI_Recv(all[r].data() + got, n, MPI_CHAR, r, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      got += n;
    }
  }
  return all;
}

void reduce_sum(std::vector<std::uint64_t>& values) {
  if (!g_active || g_size == 1) return;
  std::vector<std::uint64_t> sum(g_rank == 0 ? values.size() : 0);
  // In pieces: MPI counts are ints.
  for (std::size_t done = 0; done < values.size();) {
    const int n = static_cast<int>(std::min<std::size_t>(values.size() - done, 1 << 27));
    MPI_Reduce(values.data() + done, g_rank == 0 ? sum.data() + done : nullptr, n, MPI_UINT64_T, MPI_SUM, 0,
               MPI_COMM_WORLD);
    done += static_cast<std::size_t>(n);
  }
  if (g_rank == 0) values.swap(sum);
}

bool broadcast(bool value) {
  if (!g_active || g_size == 1) return value;
  int v = value ? 1 : 0;
  MPI_Bcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD);
  return v != 0;
}

#else

void init(int*, char***) {}
void finalize() {}
bool built() { return false; }
void abort(int code) { std::exit(code); }
void agree(std::exception_ptr failure, int (*)(std::exception_ptr)) {
  if (failure) std::rethrow_exception(failure);
}
std::vector<std::vector<char>> gather(const std::vector<char>& bytes) { return {bytes}; }
void reduce_sum(std::vector<std::uint64_t>&) {}
bool broadcast(bool value) { return value; }

#endif

bool active() { return g_active; }
bool failure_agreed() { return g_failure_agreed; }
int rank() { return g_rank; }
int size() { return g_size; }
int local_rank() { return g_local_rank; }

}  // namespace remc::mpi
