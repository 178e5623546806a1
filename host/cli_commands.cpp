// Temporary command bodies until config, aggregator and writer land.
#include "cli.h"
#include "errors.h"

namespace remc {

int command_run(const std::vector<std::string>&) { throw RuntimeError("run: not wired yet"); }
int command_validate(const std::vector<std::string>&) { throw RuntimeError("validate: not wired yet"); }
int command_info(const std::vector<std::string>&) { throw RuntimeError("info: not wired yet"); }

}  // namespace remc
