// Tests of the uncertain-parameter distributions (kernels/distributions.h):
// moments of every kind against their analytic values, truncation, and
// chi-square goodness of fit for the shapes of the uniform, normal and
// triangular laws.
//
// Each draw uses its own path index, exactly as the simulator draws one
// parameter per path: PathRng(seed, stream, i) and UniformSequence(rng, slot).
//
// Tolerances: N = 200000 draws per case; k = kSigmas = 5 standard errors.
// SE of the mean = sd / sqrt(N) with the analytic sd; SE of the variance =
// sqrt((m4 - s^4) / N) with the sample fourth central moment m4 and sample
// variance s^2. For a normally distributed estimator a 5-sigma band is left
// by chance with probability 5.7e-7 per check; the seeds are fixed, so in
// practice a failure is a change in the sampler, not bad luck.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "distributions.h"
#include "rng.h"
#include "test_util.h"

namespace {

using remc::DistKind;
using remc::DistSpec;
using remc_test::dist_spec;
using remc_test::truncated_spec;
using remc_test::kSigmas;

constexpr int kDraws = 200000;

// N draws of d, draw i from path i of `seed`, parameter slot kSlotParamBase + 3.
std::vector<double> draw(const DistSpec& d, std::uint32_t seed, int n = kDraws) {
  std::vector<double> x(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const remc::PathRng rng(seed, remc::kStreamSimulation, static_cast<std::uint64_t>(i));
    remc::UniformSequence seq(rng, remc::kSlotParamBase + 3u);
    x[static_cast<std::size_t>(i)] = remc::sample(d, seq);
  }
  return x;
}

void expect_moments(const std::vector<double>& x, double mean, double var, const std::string& what) {
  const remc_test::Moments m = remc_test::moments(x);
  EXPECT_NEAR(m.mean, mean, kSigmas * std::sqrt(var / m.n)) << what << ": mean";
  EXPECT_NEAR(m.var, var, kSigmas * m.se_var()) << what << ": variance";
}

TEST(Distributions, FixedIsExact) {
  for (double v : draw(dist_spec(DistKind::kFixed, 2.5f), 1u, 1000)) EXPECT_EQ(v, 2.5);
}

TEST(Distributions, NormalMoments) {
  const double mu = 3.0, sd = 2.0;
  expect_moments(draw(dist_spec(DistKind::kNormal, 3.0f, 2.0f), 11u), mu, sd * sd, "normal(3, 2)");
}

TEST(Distributions, LognormalMoments) {
  // lognormal(median m, sigma s): mean m e^(s^2/2), variance (e^(s^2) - 1) m^2 e^(s^2).
  const double m = 2.0, s = 0.5;
  const std::vector<double> x = draw(dist_spec(DistKind::kLognormal, 2.0f, 0.5f), 12u);
  for (double v : x) ASSERT_GT(v, 0.0);
  expect_moments(x, m * std::exp(s * s / 2.0), (std::exp(s * s) - 1.0) * m * m * std::exp(s * s), "lognormal(2, 0.5)");
}

TEST(Distributions, UniformMoments) {
  const double a = -1.0, b = 4.0;
  const std::vector<double> x = draw(dist_spec(DistKind::kUniform, -1.0f, 4.0f), 13u);
  for (double v : x) {
    ASSERT_GE(v, a);
    ASSERT_LE(v, b);
  }
  expect_moments(x, (a + b) / 2.0, (b - a) * (b - a) / 12.0, "uniform(-1, 4)");
}

TEST(Distributions, TriangularMoments) {
  // DistSpec order: a = low, b = mode, c = high. With low a, mode c, high b:
  // mean (a + b + c) / 3, variance (a^2 + b^2 + c^2 - ab - ac - bc) / 18.
  const struct {
    double lo, mode, hi;
  } cases[] = {{1.0, 2.0, 5.0}, {0.0, 0.0, 1.0}, {-2.0, 3.0, 3.0}};
  std::uint32_t seed = 14u;
  for (const auto& t : cases) {
    const double a = t.lo, c = t.mode, b = t.hi;
    const std::vector<double> x = draw(dist_spec(DistKind::kTriangular, static_cast<float>(t.lo),
                                            static_cast<float>(t.mode), static_cast<float>(t.hi)),
                                       seed++);
    for (double v : x) {
      ASSERT_GE(v, t.lo);
      ASSERT_LE(v, t.hi);
    }
    expect_moments(x, (a + b + c) / 3.0, (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0,
                   "triangular(" + std::to_string(t.lo) + ", " + std::to_string(t.mode) + ", " +
                       std::to_string(t.hi) + ")");
  }
}

TEST(Distributions, BetaMoments) {
  // beta(a, b): mean a/(a+b), variance ab / ((a+b)^2 (a+b+1)). Both shapes
  // below and above 1 (the gamma sampler's k < 1 boost path and its plain path).
  const double shapes[][2] = {{0.5, 2.0}, {2.0, 5.0}, {0.3, 0.7}};
  std::uint32_t seed = 20u;
  for (const auto& s : shapes) {
    const double a = s[0], b = s[1];
    const std::vector<double> x =
        draw(dist_spec(DistKind::kBeta, static_cast<float>(a), static_cast<float>(b)), seed++);
    for (double v : x) {
      ASSERT_GE(v, 0.0);
      ASSERT_LE(v, 1.0);
    }
    expect_moments(x, a / (a + b), a * b / ((a + b) * (a + b) * (a + b + 1.0)),
                   "beta(" + std::to_string(a) + ", " + std::to_string(b) + ")");
  }
}

TEST(Distributions, BernoulliMoments) {
  const double p = 0.3;
  const std::vector<double> x = draw(dist_spec(DistKind::kBernoulli, 0.3f), 30u);
  for (double v : x) ASSERT_TRUE(v == 0.0 || v == 1.0) << v;
  expect_moments(x, p, p * (1.0 - p), "bernoulli(0.3)");
  // Degenerate probabilities are exact.
  for (double v : draw(dist_spec(DistKind::kBernoulli, 1.0f), 31u, 1000)) EXPECT_EQ(v, 1.0);
  for (double v : draw(dist_spec(DistKind::kBernoulli, 0.0f), 32u, 1000)) EXPECT_EQ(v, 0.0);
}

// Truncated normal on [lo, hi] with alpha = (lo - mu)/sd, beta = (hi - mu)/sd,
// Z = Phi(beta) - Phi(alpha):
//   mean = mu + sd (phi(alpha) - phi(beta)) / Z
//   var  = sd^2 [1 + (alpha phi(alpha) - beta phi(beta)) / Z - ((phi(alpha) - phi(beta)) / Z)^2].
TEST(Distributions, TruncatedNormalStaysInBoundsWithTruncatedMoments) {
  using remc_test::normal_cdf;
  using remc_test::normal_pdf;
  const struct {
    float mu, sd, lo, hi;
  } cases[] = {{1.0f, 2.0f, 0.0f, 3.0f}, {0.0f, 1.0f, 0.25f, 50.0f}};
  std::uint32_t seed = 40u;
  for (const auto& c : cases) {
    const DistSpec d = truncated_spec(dist_spec(DistKind::kNormal, c.mu, c.sd), c.lo, c.hi);
    const std::vector<double> x = draw(d, seed++);
    for (double v : x) {
      ASSERT_GE(v, c.lo);
      ASSERT_LE(v, c.hi);
    }
    const double al = (c.lo - c.mu) / c.sd, be = (c.hi - c.mu) / c.sd;
    const double z = normal_cdf(be) - normal_cdf(al);
    const double ratio = (normal_pdf(al) - normal_pdf(be)) / z;
    const double mean = c.mu + c.sd * ratio;
    const double var = c.sd * c.sd * (1.0 + (al * normal_pdf(al) - be * normal_pdf(be)) / z - ratio * ratio);
    expect_moments(x, mean, var, "truncated normal on [" + std::to_string(c.lo) + ", " + std::to_string(c.hi) + "]");
  }
}

// Chi-square goodness of fit on 20 equiprobable bins: each draw x goes to bin
// floor(20 F(x)) with F the law's CDF, so every bin expects N/20 = 10000
// draws. Under the law the Pearson statistic is chi-square with 19 degrees of
// freedom; the test requires its upper-tail p-value to be at least 1e-6, the
// chosen false-failure rate. That is a critical value of 63.68 (computed with
// mpmath's regularized incomplete gamma; the often-quoted 61.1 is the point
// for p = 2.6e-6). The p-value uses the closed form for odd degrees of freedom
// in test_util.h, itself checked against those two points below.
constexpr int kBins = 20;
constexpr double kMinPValue = 1e-6;

template <typename Cdf>
double chi2_pvalue(const std::vector<double>& x, Cdf cdf) {
  std::vector<std::int64_t> counts(kBins, 0);
  for (double v : x) {
    int bin = static_cast<int>(std::floor(kBins * cdf(v)));
    if (bin < 0) bin = 0;
    if (bin >= kBins) bin = kBins - 1;  // F(x) = 1 at the top edge
    ++counts[static_cast<std::size_t>(bin)];
  }
  return remc_test::chi2_sf_odd(remc_test::chi2_equiprobable(counts), kBins - 1);
}

TEST(Distributions, ChiSquareTailFormula) {
  EXPECT_NEAR(remc_test::chi2_sf_odd(63.677052285678, 19), 1e-6, 1e-12);
  EXPECT_NEAR(remc_test::chi2_sf_odd(61.1, 19), 2.58904054857664e-6, 1e-12);
  EXPECT_NEAR(remc_test::chi2_sf_odd(19.0, 1), std::erfc(std::sqrt(19.0 / 2.0)), 1e-15);
}

TEST(Distributions, UniformShapeChiSquare) {
  const std::vector<double> x = draw(dist_spec(DistKind::kUniform, 0.0f, 1.0f), 50u);
  EXPECT_GE(chi2_pvalue(x, [](double v) { return v; }), kMinPValue);
}

TEST(Distributions, NormalShapeChiSquare) {
  const std::vector<double> x = draw(dist_spec(DistKind::kNormal, 0.0f, 1.0f), 51u);
  EXPECT_GE(chi2_pvalue(x, remc_test::normal_cdf), kMinPValue);
}

TEST(Distributions, TriangularShapeChiSquare) {
  const double a = 1.0, c = 2.0, b = 5.0;  // low, mode, high
  const std::vector<double> x = draw(dist_spec(DistKind::kTriangular, 1.0f, 2.0f, 5.0f), 52u);
  const auto cdf = [=](double v) {
    return v <= c ? (v - a) * (v - a) / ((b - a) * (c - a)) : 1.0 - (b - v) * (b - v) / ((b - a) * (b - c));
  };
  EXPECT_GE(chi2_pvalue(x, cdf), kMinPValue);
}

// Uniform and triangular draws stay within [low, high] even where float
// rounding would take them a step past an end: at the smallest uniform the
// engine makes (2^-33), triangular(0.01, 0.01, 1e6) computes 1e6 - sqrt(...)
// in float, which lands below 0.01 unless kept; at u = 1 a uniform's
// a + (b - a) can round above b.
TEST(Distributions, UniformAndTriangularDrawsStayWithinTheirEnds) {
  const DistSpec tri = dist_spec(DistKind::kTriangular, 0.01f, 0.01f, 1e6f);
  for (float u : {0x1p-33f, 1e-9f, 3e-8f, 1e-7f, 0.5f, 1.0f}) {
    const float x = remc::detail::sample_from_uniforms(tri, u, 0.5f);
    EXPECT_GE(x, 0.01f) << "u " << u;
    EXPECT_LE(x, 1e6f) << "u " << u;
  }
  const DistSpec uni = dist_spec(DistKind::kUniform, 562.79663f, 5777.068f);
  for (float u : {0x1p-33f, 0.5f, 1.0f}) {
    const float x = remc::detail::sample_from_uniforms(uni, u, 0.5f);
    EXPECT_GE(x, 562.79663f) << "u " << u;
    EXPECT_LE(x, 5777.068f) << "u " << u;
  }
}

// Lognormal and beta, plain and truncated (by rejection, so the truncated law
// is the plain one renormalised on [lo, hi]): F_T(x) = (F(x) - F(lo)) /
// (F(hi) - F(lo)). Lognormal(m, s): F(x) = Phi(ln(x / m) / s); beta(2, 3):
// F(x) = 6x^2 - 8x^3 + 3x^4; a truncated uniform is uniform on the overlap.
TEST(Distributions, LognormalBetaAndTruncatedShapesChiSquare) {
  using remc_test::normal_cdf;
  const auto lognormal_cdf = [](double v) { return normal_cdf(std::log(v / 2.0) / 0.5); };
  const auto beta23_cdf = [](double v) { return v * v * (6.0 - 8.0 * v + 3.0 * v * v); };
  const auto truncated = [](auto cdf, double lo, double hi) {
    return [=](double v) { return (cdf(v) - cdf(lo)) / (cdf(hi) - cdf(lo)); };
  };
  const std::vector<double> lognormal = draw(dist_spec(DistKind::kLognormal, 2.0f, 0.5f), 53u);
  EXPECT_GE(chi2_pvalue(lognormal, lognormal_cdf), kMinPValue) << "lognormal(2, 0.5)";
  const std::vector<double> lognormal_t =
      draw(truncated_spec(dist_spec(DistKind::kLognormal, 2.0f, 0.5f), 1.0f, 3.0f), 54u);
  EXPECT_GE(chi2_pvalue(lognormal_t, truncated(lognormal_cdf, 1.0, 3.0)), kMinPValue) << "lognormal(2, 0.5) on [1, 3]";
  const std::vector<double> beta = draw(dist_spec(DistKind::kBeta, 2.0f, 3.0f), 55u);
  EXPECT_GE(chi2_pvalue(beta, beta23_cdf), kMinPValue) << "beta(2, 3)";
  const std::vector<double> beta_t = draw(truncated_spec(dist_spec(DistKind::kBeta, 2.0f, 3.0f), 0.1f, 0.6f), 56u);
  EXPECT_GE(chi2_pvalue(beta_t, truncated(beta23_cdf, 0.1, 0.6)), kMinPValue) << "beta(2, 3) on [0.1, 0.6]";
  const std::vector<double> uniform_t =
      draw(truncated_spec(dist_spec(DistKind::kUniform, 0.0f, 4.0f), 1.0f, 2.5f), 57u);
  EXPECT_GE(chi2_pvalue(uniform_t, [](double v) { return (v - 1.0) / 1.5; }), kMinPValue)
      << "uniform(0, 4) on [1, 2.5]";
}

}  // namespace

// Tiny beta shapes: gamma draws far below float's range are handled in logs,
// so no draw is NaN, every draw lies in [0, 1], and the mean a / (a + b) holds
// within 5 standard errors (SE from the beta variance ab / ((a+b)^2 (a+b+1))).
TEST(Distributions, BetaWithTinyShapesStaysInRange) {
  const DistSpec d = dist_spec(DistKind::kBeta, 0.02f, 0.05f);
  const int n = 200000;
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    const remc::PathRng rng(13, 0, static_cast<std::uint64_t>(i));
    remc::UniformSequence seq(rng, remc::kSlotParamBase);
    const float x = remc::sample(d, seq);
    ASSERT_FALSE(std::isnan(x)) << "draw " << i;
    ASSERT_GE(x, 0.0f);
    ASSERT_LE(x, 1.0f);
    sum += x;
  }
  const double a = d.a, b = d.b, mean = a / (a + b);
  const double var = a * b / ((a + b) * (a + b) * (a + b + 1.0));
  EXPECT_NEAR(sum / n, mean, 5.0 * std::sqrt(var / n));
}
