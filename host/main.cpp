// remc entry point: everything happens in cli_main; MPI, when remc runs
// under an MPI launcher, lives for the whole process.
#include "cli.h"
#include "mpi_context.h"

int main(int argc, char** argv) {
  remc::mpi::init(&argc, &argv);
  const int code = remc::cli_main(argc, argv);
  remc::mpi::finalize();
  return code;
}
