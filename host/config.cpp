// load_config: read (config_ini), apply --set, check the schema
// (config_schema), build and validate the Model (config_build_*).
#include "config.h"

#include <cstring>
#include <new>
#include <utility>

#include "config_ini.h"
#include "config_reader.h"
#include "config_schema.h"
#include "errors.h"
#include "random_slots.h"

namespace remc {
namespace {

RunConfig build(IniTree tree, const std::string& name, const std::vector<std::string>& sets) {
  for (const std::string& arg : sets) {
    const SetTarget t = split_set_argument(arg);
    set_ini_value(tree, t.section, t.key, t.value, arg);
  }
  RunConfig out;
  // Zero the Model's bytes, padding included, so two loads of the same config
  // compare equal with memcmp (the builders assign field by field).
  std::memset(static_cast<void*>(&out.model), 0, sizeof(Model));
  new (&out.model) Model;
  out.config_file = name;
  out.input_files = tree.files;

  ConfigReader r(tree, out, name);
  build_names(r);
  check_schema(tree, SchemaNames{out.material_names, out.regime_names, out.sector_names});
  build_run(r);
  build_regimes(r);
  build_tension(r);
  build_materials(r);
  build_projects(r);
  build_demand(r);
  build_stockpiles(r);
  build_prices(r);
  build_output(r);
  assign_random_slots(out);

  std::string header = "# remc resolved config: " + name;
  for (const std::string& arg : sets) header += " --set " + arg;
  out.resolved_text = header + "\n# every key after includes and --set; load it to reproduce the same model\n\n" +
                      render_ini(tree);
  return out;
}

}  // namespace

RunConfig load_config(const std::string& path, const std::vector<std::string>& sets) {
  return build(read_ini_tree(path), path, sets);
}

RunConfig load_config_tree(IniTree tree, const std::string& name, const std::vector<std::string>& sets) {
  return build(std::move(tree), name, sets);
}

RunConfig load_config_text(const std::string& text, const std::string& name, const std::vector<std::string>& sets) {
  return build(read_ini_text(text, name), name, sets);
}

RunConfig load_recorded_config(const std::string& text, const std::string& config_file, const std::string& recorder) {
  RunConfig cfg;
  try {
    // Named so that messages do not cite config_file's lines: they count in the text.
    cfg = load_config_text(text, "recorded config");
  } catch (const ConfigError& e) {
    throw ConfigError(recorder + ": the config it recorded (resolved from " + config_file + ") is invalid: " +
                      e.what());
  }
  cfg.resolved_text = text;
  cfg.config_file = config_file;
  return cfg;
}

}  // namespace remc
