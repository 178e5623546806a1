// `remc info STUDY.h5`: the study's method, outputs and its ranked results.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "errors.h"
#include "h5_file.h"
#include "info.h"
#include "study_run.h"
#include "text_table.h"

namespace remc {
namespace {

std::string fixed(double x, int decimals = 3) {
  if (std::isnan(x)) return "n/a";
  char text[48];
  std::snprintf(text, sizeof text, "%.*f", decimals, x);
  return text;
}

std::string interval(double lo, double hi) { return "[" + fixed(lo) + ", " + fixed(hi) + "]"; }

// An estimate with its standard error; for a probability output (p_exceed...)
// that no path, or every path, exceeded, the standard error 0 would claim
// certainty, so the exact one-sided 95 % bound is given instead, as for runs.
std::string estimate(const std::string& output, double value, double error, double paths, bool* bounded) {
  const bool probability = output.rfind("p_exceed", 0) == 0;
  if (!probability || !(paths >= 1.0) || error != 0.0 || (value != 0.0 && value != 1.0)) return with_error(value, error);
  *bounded = true;
  return probability_bound(value, paths, 1.0, "");
}

// The study group of a result, its coordinates (factors F, outputs E,
// design points P) and its datasets, each checked to have the size the
// coordinates give, so that a damaged or edited file is refused, never read
// past its end.
struct StudyFile {
  std::string path;
  h5::File file;
  h5::Group study;
  std::vector<std::string> factors, outputs, points, units;
  std::size_t F, E, P;

  explicit StudyFile(const std::string& file_path)
      : path(file_path), file(h5::File::open_read_only(file_path)), study(file.open_group("study")) {
    factors = study.open_dataset("factor").read_strings();
    outputs = study.open_dataset("output").read_strings();
    points = study.open_dataset("point").read_strings();
    units = study.open_dataset("output_units").read_strings();
    F = factors.size();
    E = outputs.size();
    P = points.size();
    if (F == 0 || E == 0 || P == 0) damaged("/study has no factor, output or design point coordinates");
    if (units.size() != E) damaged("/study/output_units has " + std::to_string(units.size()) + " entries for " +
                                   std::to_string(E) + " outputs");
  }
  [[noreturn]] void damaged(const std::string& why) const {
    throw UsageError("info: " + path + ": " + why + " (a damaged file?)");
  }
  // Per design point and output.
  std::vector<double> per_point(const std::string& name) const { return read(name, P * E); }
  // Per output and factor.
  std::vector<double> per_factor(const std::string& name) const { return read(name, E * F); }
  std::vector<double> read(const std::string& name, std::size_t expected) const {
    std::vector<double> v = study.open_dataset(name).read_doubles();
    check_dataset_size(path, "/study/" + name, v.size(), expected);
    return v;
  }
};


void print_grid(const StudyFile& s, double paths, bool* bounded, std::ostream& out) {
  const auto est = s.per_point("estimate"), se = s.per_point("stderr");
  const auto diff = s.per_point("difference"), dse = s.per_point("difference_stderr");
  const auto use = s.per_point("difference_stderr_unpaired");
  for (std::size_t e = 0; e < s.E; ++e) {
    out << "\n" << s.outputs[e] << " (" << s.units[e] << ")\n";
    std::vector<std::vector<std::string>> rows = {
        {"point", "estimate ± stderr", "minus base ± paired stderr", "unpaired stderr"}};
    for (std::size_t p = 0; p < s.P; ++p) {
      const std::size_t i = p * s.E + e;
      rows.push_back({s.points[p], estimate(s.outputs[e], est[i], se[i], paths, bounded),
                      p == 0 ? "" : with_error(diff[i], dse[i]),
                      p == 0 ? "" : fixed(use[i], 4)});
    }
    print_table(rows, out);
  }
}

void print_tornado(const StudyFile& s, double paths, bool* bounded, std::ostream& out) {
  const auto base_est = s.per_point("estimate"), base_se = s.per_point("stderr");
  const auto lo = s.per_factor("tornado/low"), lo_se = s.per_factor("tornado/low_stderr");
  const auto hi = s.per_factor("tornado/high"), hi_se = s.per_factor("tornado/high_stderr");
  const auto swing = s.per_factor("tornado/swing"), swing_se = s.per_factor("tornado/swing_stderr");
  for (std::size_t e = 0; e < s.E; ++e) {
    out << "\n" << s.outputs[e] << " (" << s.units[e] << "): base "
        << estimate(s.outputs[e], base_est[e], base_se[e], paths, bounded) << "; tornado, largest swing first\n";
    std::vector<std::vector<std::string>> rows = {{"rank", "factor", "at low", "at high", "swing ± paired stderr"}};
    const auto order = largest_first(swing.data() + e * s.F, s.F);
    for (std::size_t r = 0; r < s.F; ++r) {
      const std::size_t i = e * s.F + order[r];
      rows.push_back({std::to_string(r + 1), s.factors[order[r]], estimate(s.outputs[e], lo[i], lo_se[i], paths, bounded),
                      estimate(s.outputs[e], hi[i], hi_se[i], paths, bounded), with_error(swing[i], swing_se[i])});
    }
    print_table(rows, out);
  }
}

void print_morris(const StudyFile& s, std::ostream& out) {
  const auto mu = s.per_factor("morris/mu"), mu_star = s.per_factor("morris/mu_star");
  const auto sigma = s.per_factor("morris/sigma");
  // Files from before remc 0.3.0 have no standard error of mu*: shown as n/a.
  const auto mu_star_se = s.file.exists("study/morris/mu_star_stderr") ? s.per_factor("morris/mu_star_stderr")
                                                                        : std::vector<double>(s.E * s.F, std::nan(""));
  for (std::size_t e = 0; e < s.E; ++e) {
    out << "\n" << s.outputs[e] << " (" << s.units[e] << " per factor range); by mu*\n";
    std::vector<std::vector<std::string>> rows = {{"rank", "factor", "mu* ± stderr", "mu", "sigma"}};
    const auto order = largest_first(mu_star.data() + e * s.F, s.F);
    for (std::size_t r = 0; r < s.F; ++r) {
      const std::size_t i = e * s.F + order[r];
      const std::string importance =
          std::isnan(mu_star_se[i]) ? fixed(mu_star[i], 4) + " ± n/a" : with_error(mu_star[i], mu_star_se[i]);
      rows.push_back({std::to_string(r + 1), s.factors[order[r]], importance, fixed(mu[i], 4), fixed(sigma[i], 4)});
    }
    print_table(rows, out);
  }
}

void print_sobol(const StudyFile& s, std::ostream& out) {
  const auto first = s.per_factor("sobol/first"), first_lo = s.per_factor("sobol/first_lo");
  const auto first_hi = s.per_factor("sobol/first_hi");
  const auto total = s.per_factor("sobol/total"), total_lo = s.per_factor("sobol/total_lo");
  const auto total_hi = s.per_factor("sobol/total_hi");
  const auto noise = s.read("noise_share", s.E);
  const double confidence = s.study.open_group("sobol").double_attribute("confidence");
  for (std::size_t e = 0; e < s.E; ++e) {
    out << "\n" << s.outputs[e] << "; by total index; path noise " << fixed(100.0 * noise[e], 1)
        << " % of the output's variance over the design\n";
    const std::string ci = fixed(100.0 * confidence, 0) + " % interval";
    std::vector<std::vector<std::string>> rows = {{"rank", "factor", "first order", ci, "total", ci}};
    const auto order = largest_first(total.data() + e * s.F, s.F);
    for (std::size_t r = 0; r < s.F; ++r) {
      const std::size_t i = e * s.F + order[r];
      rows.push_back({std::to_string(r + 1), s.factors[order[r]], fixed(first[i]), interval(first_lo[i], first_hi[i]),
                      fixed(total[i]), interval(total_lo[i], total_hi[i])});
    }
    print_table(rows, out);
  }
}

}  // namespace

bool is_study_file(const std::string& path) { return h5::has_filetype(path, kStudyFiletype); }

void print_study_info(const std::string& path, std::ostream& out) {
  const StudyFile s(path);
  const std::string method = s.study.string_attribute("method");
  // A grid of listed scenarios has no factors (its factor scale holds a placeholder).
  const std::size_t factor_count = s.F == 1 && s.factors[0] == "(none)" ? 0 : s.F;
  out << "remc study " << path << ": " << method << ", " << s.P << " design points x "
      << s.study.int_attribute("paths_per_point") << " paths (common random numbers, seed "
      << s.study.int_attribute("seed") << "), " << factor_count << " factor" << (factor_count == 1 ? "" : "s") << ", " << s.E
      << " output" << (s.E == 1 ? "" : "s") << "\n";
  const double paths = static_cast<double>(s.study.int_attribute("paths_per_point"));
  bool bounded = false;
  if (method == "grid") print_grid(s, paths, &bounded, out);
  else if (method == "oat") print_tornado(s, paths, &bounded, out);
  else if (method == "morris") print_morris(s, out);
  else if (method == "sobol") print_sobol(s, out);
  else throw RuntimeError(path + ": unknown study method '" + method + "'");
  if (bounded) out << "\n  0 (< x), 1 (> x): no path, or every path, exceeded; x is a one-sided 95 % bound\n";
  out << "\nprovenance: " << s.study.string_attribute("device") << ", "
      << fixed(s.study.double_attribute("wall_seconds"), 1) << " s; study file " << s.study.string_attribute("study_file")
      << "\n";
}

}  // namespace remc
