// `remc info`: headline risk table (being written).
#include "info.h"

#include "errors.h"

namespace remc {

int info_command(const std::string& path, std::ostream&) {
  throw RuntimeError("info: " + path + ": reading results is not implemented yet");
}

}  // namespace remc
