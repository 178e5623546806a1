// Strict option parsing shared by the commands.
#include "cli_options.h"

#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "errors.h"
#include "h5_file.h"

namespace po = boost::program_options;

namespace remc {

bool parse_command_options(const std::vector<std::string>& args, const po::options_description& desc,
                           const po::positional_options_description* positional, po::variables_map* parsed,
                           const po::options_description* hidden) {
  po::options_description all;
  all.add(desc);
  if (hidden) all.add(*hidden);
  po::command_line_parser parser(args);
  parser.options(all);
  // Without positional options, stray words are errors. The parser keeps a
  // reference, so the empty description must outlive it.
  static const po::positional_options_description none;
  parser.positional(positional ? *positional : none);
  po::variables_map vm;
  po::store(parser.run(), vm);
  if (vm.count("help")) {
    std::cout << desc << "\n";
    return true;
  }
  po::notify(vm);
  if (parsed) *parsed = vm;
  return false;
}

void check_output_writable(const std::string& out) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(out).has_parent_path() ? fs::path(out).parent_path() : fs::path(".");
  if (!fs::is_directory(dir)) throw RuntimeError("cannot write " + out + ": folder " + dir.string() + " does not exist");
  if (fs::is_directory(out)) throw RuntimeError("cannot write " + out + ": it is a folder");
  if (const std::string why = h5::why_not_replaceable(out); !why.empty())
    throw RuntimeError("cannot write " + out + ": " + why);
  if (access(dir.c_str(), W_OK) != 0)
    throw RuntimeError("cannot write " + out + ": folder " + dir.string() + " is not writable");
}

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (fs::equivalent(a, b, ec)) return true;  // both exist
  const auto resolved = [](const std::string& p) {
    std::error_code e;
    const fs::path absolute = fs::absolute(p, e);
    const fs::path canonical = fs::weakly_canonical(absolute, e);
    return e ? absolute.lexically_normal() : canonical;
  };
  return resolved(a) == resolved(b);
}

void check_output_is_not_an_input(const std::string& option, const std::string& out,
                                  const std::vector<std::string>& inputs) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  for (const std::string& input : inputs) {
    if (!fs::equivalent(out, input, ec)) continue;
    // inputs lists the includes first and the config itself last.
    const std::string what = &input == &inputs.back() ? "the config file" : "a file the config includes, " + input;
    throw UsageError(option + " " + out + " is " + what + "; give another file name");
  }
}

}  // namespace remc
