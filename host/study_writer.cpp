// The study result file: /study with dimension scales, units and
// descriptions (docs/studies.md lists every dataset).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "build_info.h"
#include "h5_file.h"
#include "h5_variables.h"
#include "result_writer.h"
#include "study_run.h"

namespace remc {
namespace {

using h5::Dataset;
using h5::Group;

constexpr std::int64_t kStudyFormatVersion = 1;

// Names (dimension scales) have no units.
template <class T>
Dataset scale(const Group& g, const std::string& name, const std::vector<T>& values, const std::string& description) {
  return h5::write_coordinate(g, name, values, "1", description);
}

// A rows x cols variable over two dimension scales.
void variable(const Group& g, const std::string& name, const std::vector<double>& data, const Dataset& rows,
              std::size_t n_rows, const Dataset& cols, std::size_t n_cols, const std::string& units,
              const std::string& description) {
  h5::write_variable(g, name, data, {{&rows, n_rows}, {&cols, n_cols}}, units, description);
}

void variable1(const Group& g, const std::string& name, const std::vector<double>& data, const Dataset& dim,
               const std::string& units, const std::string& description) {
  h5::write_variable(g, name, data, {{&dim, data.size()}}, units, description);
}

// Units of output e, as a string per output for the attribute of a
// points x outputs variable ("per output: see output_units").
const char* kPerOutput = "per output: see /study/output_units";
const char* kPerOutputSquared = "per output: the square of /study/output_units";

}  // namespace

void write_study(const std::string& path, const StudySpec& spec, const StudyDesign& design,
                 const StudyResults& res, const StudyRunOptions& options) {
  h5::write_atomically(path, "study result", [&](const h5::File& file) {
    const std::size_t P = design.points, E = spec.outputs.size(), F = spec.factors.size();
    file.set_attribute("filetype", kStudyFiletype);
    file.set_attribute("format_version", kStudyFormatVersion);
    file.set_attribute("remc_version", REMC_VERSION);
    if (!std::string(REMC_GIT_SHA).empty()) file.set_attribute("git_sha", REMC_GIT_SHA);
    file.set_attribute("created_utc", utc_now_iso8601());

    const Group g = file.create_group("study");
    g.set_attribute("method", method_name(spec.method));
    g.set_attribute("study_file", spec.file);
    g.set_attribute("study_text", spec.study_text);
    g.set_attribute("base_config", spec.base.resolved_text);
    g.set_attribute("paths_per_point", static_cast<std::int64_t>(spec.paths));
    g.set_attribute("points", static_cast<std::int64_t>(P));
    g.set_attribute("seed", static_cast<std::int64_t>(spec.seed));
    g.set_attribute("common_random_numbers",
                    "every design point simulates paths 0 .. paths_per_point - 1 with the same seed");
    g.set_attribute("backend", options.backend == Backend::kCpu ? "cpu" : "cuda");
    g.set_attribute("device", res.engine.device);
    g.set_attribute("wall_seconds", res.wall_seconds);

    std::vector<std::string> factor_names, keys, distributions;
    std::vector<double> low, high, base;
    for (const StudyFactor& f : spec.factors) {
      factor_names.push_back(f.name);
      keys.push_back(f.key);
      distributions.push_back(spec.method == StudyMethod::kGrid ? "levels" : f.distribution());
      const bool grid = spec.method == StudyMethod::kGrid;
      low.push_back(grid ? *std::min_element(f.levels.begin(), f.levels.end()) : f.low);
      high.push_back(grid ? *std::max_element(f.levels.begin(), f.levels.end()) : f.high);
      base.push_back(f.has_base ? f.base : std::nan(""));
    }
    std::vector<std::string> output_names, output_units, output_descriptions;
    for (const StudyOutput& o : spec.outputs) {
      output_names.push_back(o.text);
      output_units.push_back(o.units);
      output_descriptions.push_back(o.description);
    }
    std::vector<std::string> point_labels = design.labels;
    // Empty dimensions (a grid of scenarios has no factors) still get a scale.
    if (factor_names.empty()) factor_names.push_back("(none)"), keys.push_back(""), distributions.push_back(""),
        low.push_back(std::nan("")), high.push_back(std::nan("")), base.push_back(std::nan(""));
    const std::size_t Fd = factor_names.size();

    const Dataset factor = scale(g, "factor", factor_names, "factor name ([study.factor.NAME])");
    const Dataset output = scale(g, "output", output_names, "output expression");
    const Dataset point = scale(g, "point", point_labels, "design point label");
    // Text per factor or per output, on its axis (so xarray cannot guess the
    // wrong one when there are as many factors as outputs).
    const auto labels = [&](const std::string& name, const std::vector<std::string>& values, const Dataset& axis,
                            const std::string& description) {
      const Dataset d = g.write(name, values);
      d.set_attribute("units", "1");
      d.set_attribute("description", description);
      d.attach_scale(axis, 0);
    };
    labels("factor_key", keys, factor, "base-config key each factor sets");
    labels("factor_distribution", distributions, factor, "range or distribution sampled");
    variable1(g, "factor_low", low, factor, "1", "lowest value (units of the config key)");
    variable1(g, "factor_high", high, factor, "1", "highest value (units of the config key)");
    variable1(g, "factor_base", base, factor, "1", "value in the base config (NaN: a distribution there)");
    labels("output_units", output_units, output, "units of each output");
    labels("output_description", output_descriptions, output, "what each output measures");

    std::vector<double> design_values = design.values;
    if (F == 0) design_values.assign(P, std::nan(""));
    variable(g, "design", design_values, point, P, factor, Fd, "1",
             "factor values of each design point (units of the config keys; NaN: left at the base config)");
    variable(g, "estimate", res.estimate, point, P, output, E, kPerOutput, "each output at each design point");
    variable(g, "stderr", res.stderr_, point, P, output, E, kPerOutput,
             "standard error of the estimate from the point's paths");
    variable1(g, "noise_variance", res.noise_variance, output, kPerOutputSquared,
              "path noise: mean over design points of the squared standard error");
    variable1(g, "noise_share", res.noise_share, output, "1",
              "path noise variance divided by the variance of the estimates over the design");

    if (!res.difference.empty()) {
      variable(g, "difference", res.difference, point, P, output, E, kPerOutput, "estimate minus the base case (point 0)");
      variable(g, "difference_stderr", res.difference_stderr, point, P, output, E, kPerOutput,
               "paired standard error of the difference, from per-path differences (common random numbers)");
      variable(g, "difference_stderr_unpaired", res.difference_stderr_unpaired, point, P, output, E, kPerOutput,
               "what the standard error would be for two independent runs: sqrt(se_point^2 + se_base^2)");
    }
    if (!res.tornado.empty()) {
      const Group t = g.create_group("tornado");
      std::vector<double> lo, lo_se, hi, hi_se, swing, swing_se, rank;
      for (const TornadoEntry& e : res.tornado) {
        lo.push_back(e.low), lo_se.push_back(e.low_stderr), hi.push_back(e.high), hi_se.push_back(e.high_stderr);
        swing.push_back(e.swing), swing_se.push_back(e.swing_stderr);
      }
      for (std::size_t e = 0; e < E; ++e) {
        const std::vector<std::size_t> order = largest_first(swing.data() + e * F, F);
        std::vector<double> r(F);
        for (std::size_t i = 0; i < F; ++i) r[order[i]] = static_cast<double>(i + 1);
        rank.insert(rank.end(), r.begin(), r.end());
      }
      variable(t, "low", lo, output, E, factor, F, kPerOutput, "output with the factor at its low value");
      variable(t, "low_stderr", lo_se, output, E, factor, F, kPerOutput, "standard error of low");
      variable(t, "high", hi, output, E, factor, F, kPerOutput, "output with the factor at its high value");
      variable(t, "high_stderr", hi_se, output, E, factor, F, kPerOutput, "standard error of high");
      variable(t, "swing", swing, output, E, factor, F, kPerOutput, "|high - low|");
      variable(t, "swing_stderr", swing_se, output, E, factor, F, kPerOutput,
               "paired standard error of high - low (common random numbers)");
      variable(t, "rank", rank, output, E, factor, F, "1", "1 = largest swing for this output");
    }
    if (!res.morris.empty()) {
      const Group m = g.create_group("morris");
      m.set_attribute("trajectories", static_cast<std::int64_t>(spec.trajectories));
      m.set_attribute("levels", static_cast<std::int64_t>(spec.levels));
      m.set_attribute("delta", design.morris.delta);
      std::vector<double> mu, mu_star, sigma, mu_star_stderr;
      for (const sens::MorrisStats& s : res.morris) {
        mu.insert(mu.end(), s.mu.begin(), s.mu.end());
        mu_star.insert(mu_star.end(), s.mu_star.begin(), s.mu_star.end());
        sigma.insert(sigma.end(), s.sigma.begin(), s.sigma.end());
        mu_star_stderr.insert(mu_star_stderr.end(), s.mu_star_stderr.begin(), s.mu_star_stderr.end());
      }
      const std::string per = "output units per factor range";
      variable(m, "mu", mu, output, E, factor, F, per, "mean elementary effect");
      variable(m, "mu_star", mu_star, output, E, factor, F, per, "mean absolute elementary effect (importance)");
      variable(m, "mu_star_stderr", mu_star_stderr, output, E, factor, F, per,
               "standard error of mu_star over the independent trajectories, sd(|EE|) / sqrt(trajectories)");
      variable(m, "sigma", sigma, output, E, factor, F, per, "standard deviation of the elementary effects (interactions, non-linearity)");
    }
    if (!res.sobol.empty()) {
      const Group s = g.create_group("sobol");
      s.set_attribute("base_samples", static_cast<std::int64_t>(spec.base_samples));
      s.set_attribute("sampler", spec.sobol_sequence ? "scrambled Sobol sequence" : "pseudo-random (mt19937_64)");
      s.set_attribute("estimators", "first order: Saltelli et al. 2010; total: Jansen 1999");
      s.set_attribute("bootstrap_resamples", static_cast<std::int64_t>(spec.bootstrap));
      s.set_attribute("confidence", spec.confidence);
      std::vector<double> first, first_lo, first_hi, total, total_lo, total_hi, variance, mean;
      for (const sens::SobolIndices& x : res.sobol) {
        first.insert(first.end(), x.first.begin(), x.first.end());
        first_lo.insert(first_lo.end(), x.first_lo.begin(), x.first_lo.end());
        first_hi.insert(first_hi.end(), x.first_hi.begin(), x.first_hi.end());
        total.insert(total.end(), x.total.begin(), x.total.end());
        total_lo.insert(total_lo.end(), x.total_lo.begin(), x.total_lo.end());
        total_hi.insert(total_hi.end(), x.total_hi.begin(), x.total_hi.end());
        variance.push_back(x.variance);
        mean.push_back(x.mean);
      }
      variable(s, "first", first, output, E, factor, F, "1", "first-order index S_i");
      variable(s, "first_lo", first_lo, output, E, factor, F, "1", "lower bootstrap confidence bound of S_i");
      variable(s, "first_hi", first_hi, output, E, factor, F, "1", "upper bootstrap confidence bound of S_i");
      variable(s, "total", total, output, E, factor, F, "1", "total index ST_i");
      variable(s, "total_lo", total_lo, output, E, factor, F, "1", "lower bootstrap confidence bound of ST_i");
      variable(s, "total_hi", total_hi, output, E, factor, F, "1", "upper bootstrap confidence bound of ST_i");
      variable1(s, "variance", variance, output, kPerOutputSquared, "variance of the output over the A and B samples");
      variable1(s, "mean", mean, output, kPerOutput, "mean of the output over the A and B samples");
    }
  });
}

}  // namespace remc
