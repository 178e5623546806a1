// Shared option parsing for the commands: strict (unknown options are errors)
// and --help aware.
#pragma once

#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace remc {

// Parses `args` into the variables bound in `desc`. Returns true when --help
// was given (the help text has been printed). Throws boost::program_options
// errors for unknown or malformed options (exit 2 in cli_main). `parsed`, when
// given, receives the parsed map (to tell which options were given).
// `hidden` options (the names behind positional arguments) are parsed but
// left out of the help.
bool parse_command_options(const std::vector<std::string>& args,
                           const boost::program_options::options_description& desc,
                           const boost::program_options::positional_options_description* positional = nullptr,
                           boost::program_options::variables_map* parsed = nullptr,
                           const boost::program_options::options_description* hidden = nullptr);

// Throws RuntimeError (exit 1), before any simulation, when the result file
// `out` could not be written: a missing or unwritable folder, a folder, link
// or pipe at `out`, or a file there that remc did not write.
void check_output_writable(const std::string& out);

// True when the two paths name the same file, however they are spelt
// ("o.h5", "./o.h5", "sub/../o.h5", an absolute path, a link), whether or
// not the file exists yet.
bool same_file(const std::string& a, const std::string& b);

// Throws UsageError (exit 2) when `out` is one of `inputs` (the config and
// its includes, the config last): a mistyped --out must not replace the
// config it ran.
void check_output_is_not_an_input(const std::string& option, const std::string& out,
                                  const std::vector<std::string>& inputs);

}  // namespace remc
