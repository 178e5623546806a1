// The precision-target report: built at the end of a run, written as the
// result's /targets group and printed (target_report.h).
#include "target_report.h"

#include <cmath>
#include <cstdio>

namespace remc {

namespace {

constexpr const char* kMetReason = "all targets met";
constexpr const char* kMaxReason = "max paths reached";
constexpr const char* kMaxAndMetReason = "max paths reached, all targets met there";

// "  EXPR: estimate E, 95 % half-width H (target T): met"
std::string target_line(const std::string& expression, double estimate, double achieved, double wanted, bool met) {
  char text[224];
  if (std::isnan(achieved)) {  // fewer than two paths
    std::snprintf(text, sizeof text, ": estimate %.6g, 95 %% half-width undefined (target %.3g): %s", estimate, wanted,
                  "not met (one path: no standard error)");
  } else {
    std::snprintf(text, sizeof text, ": estimate %.6g, 95 %% half-width %.3g (target %.3g): %s", estimate, achieved,
                  wanted,
                  met ? "met" : achieved == 0.0 ? "not met (all values so far are equal: no standard error)" : "not met");
  }
  return "  " + expression + text + "\n";
}

std::string heading(const std::string& reason, std::int64_t paths, std::int64_t max_paths) {
  return "precision targets: " + reason + " after " + std::to_string(paths) + " paths (at most " +
         std::to_string(max_paths) + ")\n";
}

}  // namespace

TargetReport make_target_report(const std::vector<Target>& targets, const std::vector<MomentTree>& trees,
                                const std::vector<std::uint64_t>& exceed, std::uint64_t paths,
                                std::uint64_t max_paths) {
  TargetReport r;
  r.paths = paths;
  r.targets = targets;
  r.max_paths = max_paths;
  bool all = true;
  for (const Target& t : targets) {
    r.status.push_back(evaluate_target(t, trees, exceed));
    all = all && r.status.back().met;
  }
  // Why the run stopped: early because every target was met, or at the
  // maximum, saying whether the targets are all met there (a run of one or
  // two blocks ends there before or at its first check).
  r.stop_reason = paths < max_paths ? kMetReason : all ? kMaxAndMetReason : kMaxReason;
  return r;
}

void write_target_report(const h5::File& file, const TargetReport& r) {
  std::vector<std::string> expression, units;
  std::vector<double> wanted, achieved, estimate;
  std::vector<std::int64_t> met;
  for (std::size_t i = 0; i < r.targets.size(); ++i) {
    expression.push_back(r.targets[i].expression);
    units.push_back(r.targets[i].units);
    wanted.push_back(r.targets[i].halfwidth);
    achieved.push_back(r.status[i].halfwidth);
    estimate.push_back(r.status[i].estimate);
    met.push_back(r.status[i].met ? 1 : 0);
  }
  const h5::Group g = file.create_group("targets");
  g.set_attribute("description", "precision targets (remc run --target): estimate and 95 % confidence half-width");
  g.set_attribute("stop_reason", r.stop_reason);
  g.set_attribute("max_paths", static_cast<std::int64_t>(r.max_paths));

  const h5::Dataset coordinate = g.write("expression", expression);
  coordinate.make_scale("expression");
  coordinate.set_attribute("units", "1");
  coordinate.set_attribute("description", "the target's expression, as given to --target");
  const hsize_t n = expression.size();
  const auto variable = [&](const char* name, const auto& data, const char* unit, const char* description) {
    const h5::Dataset d = g.write(name, data, {n});
    d.set_attribute("units", unit);
    d.set_attribute("description", description);
    d.attach_scale(coordinate, 0);
  };
  const char* per_target = "per target: see estimate_units";
  variable("halfwidth_target", wanted, per_target, "wanted 95 % confidence half-width");
  variable("halfwidth_achieved", achieved, per_target,
           "95 % confidence half-width achieved: 1.96 * stderr for mean, 1.96 * sqrt(p (1 - p) / n) for p_exceed");
  variable("estimate", estimate, per_target, "the mean, or P(value > X), over the paths simulated");
  variable("met", met, "1", "1 when the achieved half-width is at most the target and the standard error is positive");
  const h5::Dataset u = g.write("estimate_units", units);
  u.set_attribute("units", "1");
  u.set_attribute("description", "units of estimate and half-widths: the metric's for mean, 1 for p_exceed");
  u.attach_scale(coordinate, 0);
}

void print_target_report(const TargetReport& r, std::ostream& out) {
  out << heading(r.stop_reason, static_cast<std::int64_t>(r.paths), static_cast<std::int64_t>(r.max_paths));
  for (std::size_t i = 0; i < r.targets.size(); ++i)
    out << target_line(r.targets[i].expression, r.status[i].estimate, r.status[i].halfwidth, r.targets[i].halfwidth,
                       r.status[i].met);
}

void print_target_report(const ResultReader& result, std::ostream& out) {
  if (!result.has("/targets/expression")) return;
  const h5::Group g = result.file().open_group("targets");
  const std::vector<std::string> expression = result.strings("/targets/expression");
  const std::vector<double> wanted = result.doubles("/targets/halfwidth_target");
  const std::vector<double> achieved = result.doubles("/targets/halfwidth_achieved");
  const std::vector<double> estimate = result.doubles("/targets/estimate");
  const std::vector<std::int64_t> met = result.dataset("/targets/met").read_int64();
  out << heading(g.string_attribute("stop_reason"), result.file().int_attribute("paths"), g.int_attribute("max_paths"));
  for (std::size_t i = 0; i < expression.size(); ++i)
    out << target_line(expression[i], estimate.at(i), achieved.at(i), wanted.at(i), met.at(i) != 0);
}

}  // namespace remc
