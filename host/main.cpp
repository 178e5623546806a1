// remc entry point: everything happens in cli_main.
#include "cli.h"

int main(int argc, char** argv) { return remc::cli_main(argc, argv); }
