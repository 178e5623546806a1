// A study's design, its batched run and the method's analysis.
#include "study_run.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

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

// The bootstrap seed of one difference (points a and b, output e): a hash,
// so no two differences share resamples whatever the study's size.
std::uint64_t pair_seed(const StudySpec& spec, std::uint64_t a, std::uint64_t b, int e) {
  std::uint64_t h = bootstrap_seed(spec);
  for (std::uint64_t v : {a, b, static_cast<std::uint64_t>(e)}) {
    h ^= v + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    h *= 0xBF58476D1CE4E5B9ull;
  }
  return h;
}

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
                                               : "AB_" + spec.factors[block - 2].name + " " + std::to_string(j);
        add_point(d, label, values);
      }
      break;
    }
  }
  return d;
}

namespace {

// The study keeps every path's output values (4 bytes each) and every
// point's model: refuse up front, with the numbers, what cannot fit in this
// machine's memory, rather than fail part way with an allocation error.
void check_memory(const StudySpec& spec, const StudyDesign& design, std::uint64_t count) {
  const double values = static_cast<double>(count) * static_cast<double>(spec.outputs.size()) * spec.paths * 4.0;
  const double models = static_cast<double>(count) * sizeof(Model) * 2.0;  // host copy and engine copy
  const double pages = static_cast<double>(sysconf(_SC_PHYS_PAGES)), page = static_cast<double>(sysconf(_SC_PAGE_SIZE));
  const double available = pages > 0 && page > 0 ? pages * page : 0.0;
  if (available > 0.0 && values + models > 0.8 * available)
    throw ConfigError(spec.file + ": [study]: " + std::to_string(count) + " design points x " +
                      std::to_string(spec.outputs.size()) + " outputs x " + std::to_string(spec.paths) +
                      " paths need " + std::to_string(static_cast<long long>((values + models) / 1048576.0)) +
                      " MiB, more than this machine can hold; split the points with --shard K/N or MPI ranks, or "
                      "lower paths (design has " + std::to_string(design.points) + " points)");
}

}  // namespace

Model point_model(const StudySpec& spec, const StudyDesign& design, std::uint64_t p) {
  RunConfig config;
  if (spec.method == StudyMethod::kGrid && !spec.scenarios.empty()) {
    config = p == 0 ? spec.base : build_scenario(spec, spec.scenarios[p - 1]);
  } else {
    const std::size_t k = spec.factors.size();
    std::vector<double> row(design.values.begin() + static_cast<std::ptrdiff_t>(p * k),
                            design.values.begin() + static_cast<std::ptrdiff_t>((p + 1) * k));
    const bool all_base = std::all_of(row.begin(), row.end(), [](double v) { return std::isnan(v); });
    if (all_base) {
      config = spec.base;
    } else {
      try {
        config = build_point(spec, row);
      } catch (const ConfigError& err) {
        // Grid labels are the factor values; the other methods' name the row.
        std::string values;
        for (std::size_t i = 0; i < k && spec.method != StudyMethod::kGrid; ++i)
          if (!std::isnan(row[i])) values += (values.empty() ? "" : ", ") + spec.factors[i].name + "=" + format_number(row[i]);
        throw ConfigError(spec.file + ": design point '" + design.labels[p] + "'" +
                          (values.empty() ? "" : " (" + values + ")") + ": " + err.what());
      }
    }
  }
  const Model& m = config.model;
  if (m.materials != spec.base.model.materials || m.months != spec.base.model.months ||
      m.regime.count != spec.base.model.regime.count)
    throw ConfigError(spec.file + ": design point '" + design.labels[p] +
                      "' changes the model's shape (materials, months or regimes); factors may only change values");
  return m;
}

void check_design_points(const StudySpec& spec, const StudyDesign& design) {
  for (std::uint64_t p = 0; p < design.points; ++p) point_model(spec, design, p);
}

PointModels build_point_models(const StudySpec& spec, const StudyDesign& design, std::uint64_t first,
                               std::uint64_t count) {
  check_memory(spec, design, count);
  PointModels points;
  points.first = first;
  points.models.reserve(count);
  for (std::uint64_t p = first; p < first + count; ++p) points.models.push_back(point_model(spec, design, p));
  return points;
}

namespace {

// Collects per-path values into [point][output][path].
struct CollectSink : StudySink {
  std::vector<float>& values;
  std::uint64_t paths;
  int outputs;
  ProgressLine progress;

  CollectSink(std::vector<float>& v, std::uint64_t n, int e, bool show)
      : values(v), paths(n), outputs(e), progress(show) {}

  void on_columns(std::uint64_t first, std::uint64_t columns, std::uint64_t cols_per_point,
                  const float* kept) override {
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
  return mean_of_terms(n, [&](std::uint64_t i) { return path_term(out, a[i]) - path_term(out, b[i]); }).stderr_;
}

// A path's term in the expected shortfall's influence function: the ES
// estimator is, to first order, the mean of VaR + (x - VaR) 1{x > VaR} /
// (1 - L) over paths. Differences of these terms between two points give a
// paired standard error without resampling.
std::vector<double> shortfall_terms(const StudyOutput& out, const float* x, std::uint64_t n) {
  if (averages_lower_tail(out)) {  // the terms of the negated values: the same paired differences, negated
    std::vector<float> negated(x, x + n);
    for (float& v : negated) v = -v;
    return shortfall_terms(upper_tail_of(out), negated.data(), n);
  }
  std::vector<float> copy(x, x + n);
  StudyOutput quantile = out;
  quantile.stat = OutputStat::kQuantile;
  const double var = statistic(quantile, copy);
  std::vector<double> terms(n);
  for (std::uint64_t i = 0; i < n; ++i)
    terms[i] = var + (x[i] > var ? (x[i] - var) / (1.0 - out.level) : 0.0);
  return terms;
}

// Uniform index in [0, n) from a 64-bit generator (splitmix64, then Lemire's
// multiply-shift): the same numbers with any compiler or standard library.
struct PortableIndex {
  std::uint64_t state;
  std::uint64_t operator()(std::uint64_t n) {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<std::uint64_t>((static_cast<unsigned __int128>(z) * n) >> 64);
  }
};

// For quantiles: the standard deviation of the difference over bootstrap
// resamples of the paths, the same path indices for both points so the
// pairing is kept.
double paired_bootstrap_stderr(const StudyOutput& out, const float* a, const float* b, std::uint64_t n,
                               std::uint64_t seed) {
  constexpr int kResamples = 200;
  PortableIndex pick{seed};
  std::vector<float> ra(n), rb(n);
  double sum = 0.0, sum2 = 0.0;
  for (int r = 0; r < kResamples; ++r) {
    for (std::uint64_t i = 0; i < n; ++i) {
      const std::uint64_t j = pick(n);
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

double paired_terms_stderr(const std::vector<double>& a, const std::vector<double>& b) {
  return mean_of_terms(a.size(), [&](std::uint64_t i) { return a[i] - b[i]; }).stderr_;
}

// The paired standard error of point a minus point b for one output: from
// per-path differences (means, probabilities), of influence-function terms
// (expected shortfall) or by bootstrap (quantiles). The bootstrap's seed
// depends only on the output and the two points, so any split of the work
// gives the same number.
double difference_stderr(const StudyOutput& out, const float* a, const float* b, std::uint64_t n, std::uint64_t seed) {
  if (output_is_mean(out)) return paired_stderr(out, a, b, n);
  if (out.stat == OutputStat::kExpectedShortfall) return paired_terms_stderr(shortfall_terms(out, a, n), shortfall_terms(out, b, n));
  return paired_bootstrap_stderr(out, a, b, n, seed);
}

}  // namespace

std::vector<float> simulate_points(const StudySpec& spec, const PointModels& points, const StudyRunOptions& options,
                                   EngineInfo* info) {
  const std::vector<Model>& models = points.models;
  const std::uint64_t count = models.size();
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
  CollectSink sink(values, K, E, options.progress);
  if (count > 0) run_study_engine(batch, eo, sink, info);
  sink.progress.finish();
  return values;
}

StudyResults run_study(const StudySpec& spec, const StudyDesign& design, const StudyRunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  EngineInfo info;
  const std::vector<float> values =
      simulate_points(spec, build_point_models(spec, design, 0, design.points), options, &info);
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
  if (values.size() != P * static_cast<std::uint64_t>(E) * K)
    throw RuntimeError("study analysis: " + std::to_string(values.size()) + " per-path values for " +
                       std::to_string(P) + " points x " + std::to_string(E) + " outputs x " + std::to_string(K) + " paths");
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

  // Paired standard error of point a minus point b for output e. Where either
  // point's own standard error is undefined (too few paths in a tail), so is
  // the difference's: a bootstrap would only look precise.
  const auto paired_difference_stderr = [&](std::uint64_t a, std::uint64_t b, int e) {
    if (std::isnan(res.stderr_[a * E + e]) || std::isnan(res.stderr_[b * E + e])) return kNaN;
    return difference_stderr(spec.outputs[e], at(a, e), at(b, e), K, pair_seed(spec, a, b, e));
  };
  if (spec.method == StudyMethod::kGrid || spec.method == StudyMethod::kOat) {
    res.difference.resize(P * E);
    res.difference_stderr.resize(P * E);
    res.difference_stderr_unpaired.resize(P * E);
    // Independent items with their own seeds: threads change nothing.
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(P * E); ++i) {
      const std::uint64_t p = static_cast<std::uint64_t>(i) / E;
      const int e = static_cast<int>(i % E);
      res.difference[i] = res.estimate[i] - res.estimate[e];
      res.difference_stderr[i] = p == 0 ? 0.0 : paired_difference_stderr(p, 0, e);
      res.difference_stderr_unpaired[i] =
          p == 0 ? 0.0 : std::sqrt(res.stderr_[i] * res.stderr_[i] + res.stderr_[e] * res.stderr_[e]);
    }
  }
  if (spec.method == StudyMethod::kOat) {
    res.tornado.resize(static_cast<std::size_t>(E) * factors);
#pragma omp parallel for schedule(dynamic)
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(E * factors); ++i) {
      const int e = static_cast<int>(static_cast<std::size_t>(i) / factors);
      const std::size_t f = static_cast<std::size_t>(i) % factors;
      {
        const std::uint64_t lo = 1 + 2 * f, hi = 2 + 2 * f;  // oat points: base, then low and high per factor
        TornadoEntry& t = res.tornado[e * factors + f];
        t.low = res.estimate[lo * E + e];
        t.low_stderr = res.stderr_[lo * E + e];
        t.high = res.estimate[hi * E + e];
        t.high_stderr = res.stderr_[hi * E + e];
        t.swing = std::fabs(t.high - t.low);
        t.swing_stderr = paired_difference_stderr(hi, lo, e);
      }
    }
  }
  // An output that is constant over the design (or not finite somewhere) has
  // no variance to decompose: its indices are NaN, the other outputs' stand.
  if (spec.method == StudyMethod::kMorris) {
    for (int e = 0; e < E; ++e) {
      std::vector<double> y(P);
      for (std::uint64_t p = 0; p < P; ++p) y[p] = res.estimate[p * E + e];
      try {
        res.morris.push_back(sens::morris_statistics(design.morris, y));
      } catch (const std::invalid_argument&) {
        const std::vector<double> nan(factors, kNaN);
        res.morris.push_back(sens::MorrisStats{nan, nan, nan, nan});
      }
    }
  }
  if (spec.method == StudyMethod::kSobol) {
    for (int e = 0; e < E; ++e) {
      std::vector<double> y(P);
      for (std::uint64_t p = 0; p < P; ++p) y[p] = res.estimate[p * E + e];
      try {
        res.sobol.push_back(
            sens::sobol_indices(design.saltelli, y, spec.bootstrap, spec.confidence, bootstrap_seed(spec) + e));
      } catch (const std::invalid_argument&) {
        sens::SobolIndices none;
        const std::vector<double> nan(factors, kNaN);
        none.first = none.first_lo = none.first_hi = none.total = none.total_lo = none.total_hi = nan;
        none.variance = 0.0;
        none.mean = res.estimate[e];
        res.sobol.push_back(none);
      }
    }
  }
  return res;
}

std::vector<std::size_t> largest_first(const double* keys, std::size_t n) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  const auto key = [&](std::size_t i) { return std::isnan(keys[i]) ? -INFINITY : keys[i]; };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key(a) > key(b); });
  return order;
}

}  // namespace remc
