// A study's design, its batched run and the method's analysis.
#include "study_run.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>

#include "config_values.h"
#include "errors.h"
#include "progress.h"

namespace remc {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Seeds of the study's own randomness (design sampling, bootstraps), derived
// from the study seed so a study is reproducible from its file alone.
std::uint64_t design_seed(const StudySpec& spec) { return 0x5EED0000ull ^ spec.seed; }
std::uint64_t bootstrap_seed(const StudySpec& spec) { return 0xB0075ull ^ (static_cast<std::uint64_t>(spec.seed) << 20); }

std::vector<double> base_values(const StudySpec& spec) {
  std::vector<double> v;
  for (const StudyFactor& f : spec.factors) v.push_back(f.has_base ? f.base : kNaN);
  return v;
}

void add_point(StudyDesign& d, const std::string& label, const std::vector<double>& values) {
  d.labels.push_back(label);
  d.values.insert(d.values.end(), values.begin(), values.end());
  ++d.points;
}

}  // namespace

StudyDesign make_design(const StudySpec& spec) {
  StudyDesign d;
  const std::size_t k = spec.factors.size();
  switch (spec.method) {
    case StudyMethod::kGrid: {
      add_point(d, "base", std::vector<double>(k, kNaN));
      if (!spec.scenarios.empty()) {
        for (const StudyScenario& s : spec.scenarios) add_point(d, s.name, std::vector<double>(k, kNaN));
        break;
      }
      // Full factorial, the first factor varying slowest.
      std::vector<std::size_t> index(k, 0);
      for (;;) {
        std::vector<double> row;
        std::string label;
        for (std::size_t i = 0; i < k; ++i) {
          row.push_back(spec.factors[i].levels[index[i]]);
          label += (i ? ", " : "") + spec.factors[i].name + "=" + format_number(row.back());
        }
        add_point(d, label, row);
        std::size_t i = k;
        while (i > 0 && ++index[i - 1] == spec.factors[i - 1].levels.size()) index[--i] = 0;
        if (i == 0) break;
      }
      break;
    }
    case StudyMethod::kOat: {
      const std::vector<double> base = base_values(spec);
      add_point(d, "base", base);
      for (std::size_t i = 0; i < k; ++i) {
        for (const bool high : {false, true}) {
          std::vector<double> row = base;
          row[i] = high ? spec.factors[i].high : spec.factors[i].low;
          add_point(d, spec.factors[i].name + (high ? "=high" : "=low"), row);
        }
      }
      break;
    }
    case StudyMethod::kMorris: {
      d.morris = sens::morris_design(spec.trajectories, static_cast<int>(k), spec.levels, design_seed(spec));
      for (int row = 0; row < d.morris.rows(); ++row) {
        std::vector<double> values;
        for (std::size_t i = 0; i < k; ++i) values.push_back(spec.factors[i].value_at(d.morris.unit[row * k + i]));
        add_point(d, "trajectory " + std::to_string(row / (k + 1)) + " step " + std::to_string(row % (k + 1)), values);
      }
      break;
    }
    case StudyMethod::kSobol: {
      d.saltelli = sens::saltelli_design(spec.base_samples, static_cast<int>(k), spec.sobol_sequence, design_seed(spec));
      const int n = d.saltelli.n;
      for (int row = 0; row < d.saltelli.rows(); ++row) {
        std::vector<double> values;
        for (std::size_t i = 0; i < k; ++i) values.push_back(spec.factors[i].value_at(d.saltelli.unit[row * k + i]));
        const int block = row / n, j = row % n;
        const std::string label = block == 0 ? "A " + std::to_string(j)
                                  : block == 1 ? "B " + std::to_string(j)
                                               : "AB" + spec.factors[block - 2].name + " " + std::to_string(j);
        add_point(d, label, values);
      }
      break;
    }
  }
  return d;
}

namespace {

// The models of every design point, all with the base config's shape.
std::vector<Model> build_models(const StudySpec& spec, const StudyDesign& design) {
  std::vector<Model> models;
  models.reserve(design.points);
  const std::size_t k = spec.factors.size();
  for (std::uint64_t p = 0; p < design.points; ++p) {
    RunConfig config;
    if (spec.method == StudyMethod::kGrid && !spec.scenarios.empty()) {
      config = p == 0 ? spec.base : build_scenario(spec, spec.scenarios[p - 1]);
    } else {
      std::vector<double> row(design.values.begin() + static_cast<std::ptrdiff_t>(p * k),
                              design.values.begin() + static_cast<std::ptrdiff_t>((p + 1) * k));
      const bool all_base = std::all_of(row.begin(), row.end(), [](double v) { return std::isnan(v); });
      if (all_base) {
        config = spec.base;
      } else {
        try {
          config = build_point(spec, row);
        } catch (const ConfigError& err) {
          throw ConfigError(spec.file + ": design point '" + design.labels[p] + "': " + err.what());
        }
      }
    }
    const Model& m = config.model;
    if (m.materials != spec.base.model.materials || m.months != spec.base.model.months ||
        m.regime.count != spec.base.model.regime.count)
      throw ConfigError(spec.file + ": design point '" + design.labels[p] +
                        "' changes the model's shape (materials, months or regimes); factors may only change values");
    models.push_back(m);
  }
  return models;
}

// Collects per-path values into [point][output][path].
struct CollectSink : StudySink {
  std::vector<float>& values;
  std::uint64_t cols_per_point, paths;
  int outputs;
  ProgressLine progress;

  CollectSink(std::vector<float>& v, std::uint64_t cols, std::uint64_t n, int e, bool show)
      : values(v), cols_per_point(cols), paths(n), outputs(e), progress(show) {}

  void on_columns(std::uint64_t first, std::uint64_t columns, const float* kept) override {
    for (std::uint64_t c = 0; c < columns; ++c) {
      const std::uint64_t column = first + c;
      const std::uint64_t point = column / cols_per_point, path = column % cols_per_point;
      if (path >= paths) continue;  // padding of the last lane group
      for (int e = 0; e < outputs; ++e)
        values[(point * outputs + static_cast<std::uint64_t>(e)) * paths + path] = kept[c * outputs + e];
    }
  }
  void on_progress(std::uint64_t done, std::uint64_t total) override { progress.update(done, total); }
};

// Standard error of the mean difference of paired per-path terms.
double paired_stderr(const StudyOutput& out, const float* a, const float* b, std::uint64_t n) {
  double mean = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) mean += path_term(out, a[i]) - path_term(out, b[i]);
  mean /= static_cast<double>(n);
  double m2 = 0.0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const double d = path_term(out, a[i]) - path_term(out, b[i]) - mean;
    m2 += d * d;
  }
  return std::sqrt(m2 / static_cast<double>(n - 1) / static_cast<double>(n));
}

// For quantiles and expected shortfall: the standard deviation of the
// difference over bootstrap resamples of the paths, the same path indices
// for both points so the pairing is kept.
double paired_bootstrap_stderr(const StudyOutput& out, const float* a, const float* b, std::uint64_t n,
                               std::uint64_t seed) {
  constexpr int kResamples = 200;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<std::uint64_t> pick(0, n - 1);
  std::vector<float> ra(n), rb(n);
  double sum = 0.0, sum2 = 0.0;
  for (int r = 0; r < kResamples; ++r) {
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t j = pick(rng);
      ra[i] = a[j];
      rb[i] = b[j];
    }
    const double d = statistic(out, ra) - statistic(out, rb);
    sum += d;
    sum2 += d * d;
  }
  const double mean = sum / kResamples;
  return std::sqrt(std::max(0.0, (sum2 - kResamples * mean * mean) / (kResamples - 1)));
}

double difference_stderr(const StudyOutput& out, const float* a, const float* b, std::uint64_t n, std::uint64_t seed) {
  return output_is_mean(out) ? paired_stderr(out, a, b, n) : paired_bootstrap_stderr(out, a, b, n, seed);
}

}  // namespace

std::vector<float> simulate_points(const StudySpec& spec, const StudyDesign& design, std::uint64_t first_point,
                                   std::uint64_t count, const StudyRunOptions& options, EngineInfo* info) {
  const std::vector<Model> all = build_models(spec, design);  // every point: config errors surface on every shard
  const std::vector<Model> models(all.begin() + static_cast<std::ptrdiff_t>(first_point),
                                  all.begin() + static_cast<std::ptrdiff_t>(first_point + count));
  const int E = static_cast<int>(spec.outputs.size());
  const std::uint64_t K = spec.paths;
  std::vector<PathExtract> extracts;
  for (const StudyOutput& o : spec.outputs) extracts.push_back(o.extract);
  StudyBatch batch;
  batch.models = models.data();
  batch.points = count;
  batch.paths_per_point = K;
  batch.layout = OutputLayout{spec.base.model.materials, spec.base.model.months, spec.base.model.regime.count};
  batch.extracts = extracts.data();
  batch.extract_count = E;

  EngineOptions eo;
  eo.backend = options.backend;
  eo.threads = options.threads;
  eo.block_paths = options.block_paths;
  eo.seed = spec.seed;
  eo.cuda_device = options.cuda_device;
  std::vector<float> values(count * static_cast<std::uint64_t>(E) * K);
  CollectSink sink(values, study_cols_per_point(options.backend, K), K, E, options.progress);
  if (count > 0) run_study_engine(batch, eo, sink, info);
  sink.progress.finish();
  return values;
}

StudyResults run_study(const StudySpec& spec, const StudyDesign& design, const StudyRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EngineInfo info;
  const std::vector<float> values = simulate_points(spec, design, 0, design.points, options, &info);
  StudyResults res = analyse_study(spec, design, values);
  res.engine = info;
  res.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  res.simulate_seconds = info.simulate_seconds + info.reduce_seconds;
  return res;
}

StudyResults analyse_study(const StudySpec& spec, const StudyDesign& design, const std::vector<float>& values) {
  const int E = static_cast<int>(spec.outputs.size());
  const std::uint64_t K = spec.paths, P = design.points;
  const std::size_t factors = spec.factors.size();
  StudyResults res;
  const auto at = [&](std::uint64_t point, int e) { return values.data() + (point * E + e) * K; };
  res.estimate.resize(P * E);
  res.stderr_.resize(P * E);
  for (std::uint64_t p = 0; p < P; ++p)
    for (int e = 0; e < E; ++e) {
      const Estimate est = estimate(spec.outputs[e], at(p, e), K);
      res.estimate[p * E + e] = est.value;
      res.stderr_[p * E + e] = est.stderr_;
    }

  // Path noise: the mean squared standard error of a point's estimate, and
  // its share of the estimates' variance over the design.
  res.noise_variance.assign(E, 0.0);
  res.noise_share.assign(E, 0.0);
  for (int e = 0; e < E; ++e) {
    double mean = 0.0, noise = 0.0;
    for (std::uint64_t p = 0; p < P; ++p) {
      mean += res.estimate[p * E + e];
      noise += res.stderr_[p * E + e] * res.stderr_[p * E + e];
    }
    mean /= static_cast<double>(P);
    double var = 0.0;
    for (std::uint64_t p = 0; p < P; ++p) var += (res.estimate[p * E + e] - mean) * (res.estimate[p * E + e] - mean);
    var = P > 1 ? var / static_cast<double>(P - 1) : 0.0;
    res.noise_variance[e] = noise / static_cast<double>(P);
    res.noise_share[e] = var > 0.0 ? res.noise_variance[e] / var : kNaN;
  }

  if (spec.method == StudyMethod::kGrid || spec.method == StudyMethod::kOat) {
    res.difference.resize(P * E);
    res.difference_stderr.resize(P * E);
    res.difference_stderr_unpaired.resize(P * E);
    for (std::uint64_t p = 0; p < P; ++p)
      for (int e = 0; e < E; ++e) {
        const std::size_t i = p * E + e;
        res.difference[i] = res.estimate[i] - res.estimate[e];
        res.difference_stderr[i] = p == 0 ? 0.0 : difference_stderr(spec.outputs[e], at(p, e), at(0, e), K, bootstrap_seed(spec) + i);
        res.difference_stderr_unpaired[i] =
            p == 0 ? 0.0 : std::sqrt(res.stderr_[i] * res.stderr_[i] + res.stderr_[e] * res.stderr_[e]);
      }
  }
  if (spec.method == StudyMethod::kOat) {
    res.tornado.resize(static_cast<std::size_t>(E) * factors);
    for (int e = 0; e < E; ++e)
      for (std::size_t f = 0; f < factors; ++f) {
        const std::uint64_t lo = 1 + 2 * f, hi = 2 + 2 * f;
        TornadoEntry& t = res.tornado[e * factors + f];
        t.low = res.estimate[lo * E + e];
        t.low_stderr = res.stderr_[lo * E + e];
        t.high = res.estimate[hi * E + e];
        t.high_stderr = res.stderr_[hi * E + e];
        t.swing = std::fabs(t.high - t.low);
        t.swing_stderr = difference_stderr(spec.outputs[e], at(hi, e), at(lo, e), K, bootstrap_seed(spec) + 7919 * (f + 1) + e);
      }
  }
  if (spec.method == StudyMethod::kMorris) {
    for (int e = 0; e < E; ++e) {
      std::vector<double> y(P);
      for (std::uint64_t p = 0; p < P; ++p) y[p] = res.estimate[p * E + e];
      res.morris.push_back(sens::morris_statistics(design.morris, y));
    }
  }
  if (spec.method == StudyMethod::kSobol) {
    for (int e = 0; e < E; ++e) {
      std::vector<double> y(P);
      for (std::uint64_t p = 0; p < P; ++p) y[p] = res.estimate[p * E + e];
      res.sobol.push_back(sens::sobol_indices(design.saltelli, y, spec.bootstrap, spec.confidence, bootstrap_seed(spec) + e));
    }
  }
  return res;
}

}  // namespace remc
