// Tests of the counter-based random numbers (kernels/rng.h): Random123's
// Philox4x32-10 against published known answers, the (seed, stream, path,
// month, slot) layout of PathRng, determinism, and the laws of its uniforms
// and normals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <Random123/philox.h>
#include <Random123/uniform.hpp>

#include "rng.h"
#include "test_util.h"

namespace {

using remc::PathRng;
using remc_test::kSigmas;

struct Kat {
  std::uint32_t ctr[4];
  std::uint32_t key[2];
  std::uint32_t out[4];
};

// The three "philox4x32 10" lines of Random123's tests/kat_vectors (counter
// words, key words, expected output words), also carried verbatim by the
// Random123 authors' C++ counter_based_engine KAT harness.
const Kat kPhiloxKat[] = {
    {{0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u},
     {0x00000000u, 0x00000000u},
     {0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u}},
    {{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
     {0xffffffffu, 0xffffffffu},
     {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu}},
    {{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
     {0xa4093822u, 0x299f31d0u},
     {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}},
};

TEST(Rng, PhiloxKnownAnswers) {
  for (const Kat& k : kPhiloxKat) {
    r123::Philox4x32::ctr_type ctr = {{k.ctr[0], k.ctr[1], k.ctr[2], k.ctr[3]}};
    r123::Philox4x32::key_type key = {{k.key[0], k.key[1]}};
    const auto r = r123::Philox4x32()(ctr, key);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(r.v[i], k.out[i]) << "word " << i << " of counter " << std::hex << k.ctr[0];
  }
}

// PathRng::raw is philox(counter = (path lo, path hi, month, slot), key = (seed, stream)).
TEST(Rng, PathRngCounterAndKeyLayout) {
  const std::uint64_t path = 0x0000000512345678ull;
  const PathRng rng(7u, 3u, path);
  r123::Philox4x32::ctr_type ctr = {{0x12345678u, 0x5u, 11u, 2048u}};
  r123::Philox4x32::key_type key = {{7u, 3u}};
  const auto expected = r123::Philox4x32()(ctr, key);
  const auto got = rng.raw(11u, 2048u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(got.v[i], expected.v[i]);

  // The first KAT vector through PathRng: seed 0, stream 0, path 0, month 0, slot 0.
  const auto zero = PathRng(0u, 0u, 0u).raw(0u, 0u);
  EXPECT_EQ(zero.v[0], 0x6627e8d5u);
  EXPECT_EQ(zero.v[3], 0x9b00dbd8u);
}

TEST(Rng, SameCoordinatesGiveSameNumbers) {
  const PathRng a(42u, remc::kStreamSimulation, 123456789ull);
  const PathRng b(42u, remc::kStreamSimulation, 123456789ull);
  for (std::uint32_t month = 0; month < 3; ++month) {
    for (std::uint32_t slot : {0u, 16u, 64u, 2048u}) {
      const auto ra = a.raw(month, slot), rb = b.raw(month, slot);
      const auto ua = a.uniforms(month, slot), ub = b.uniforms(month, slot);
      const auto na = a.normals(month, slot), nb = b.normals(month, slot);
      for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(ra.v[i], rb.v[i]);
        EXPECT_EQ(ua.u[i], ub.u[i]);
        EXPECT_EQ(na.z[i], nb.z[i]);
      }
      // Repeated calls on one object are pure too.
      EXPECT_EQ(a.raw(month, slot).v[0], ra.v[0]);
    }
  }
}

// Every coordinate changes all four words. Philox is a bijection of the
// counter for a fixed key, so distinct counters cannot collide as a whole; a
// single 32-bit word coincides by chance with probability 2^-32, and the
// inputs are fixed, so this check is deterministic.
TEST(Rng, DifferentCoordinatesGiveDifferentNumbers) {
  const std::uint32_t seed = 42u, stream = remc::kStreamSimulation, month = 5u, slot = 16u;
  const std::uint64_t path = 1000u;
  const auto base = PathRng(seed, stream, path).raw(month, slot);
  const remc::Words4<remc::ScalarLanes> variants[] = {
      PathRng(seed, stream, path + 1).raw(month, slot),
      PathRng(seed, stream, path + (1ull << 32)).raw(month, slot),  // high word of the path
      PathRng(seed, stream, path).raw(month + 1, slot),
      PathRng(seed, stream, path).raw(remc::kMonthPerPath + month, slot),
      PathRng(seed, stream, path).raw(month, slot + 1),
      PathRng(seed + 1, stream, path).raw(month, slot),
      PathRng(seed, stream + 1, path).raw(month, slot),
  };
  for (const auto& v : variants)
    for (int i = 0; i < 4; ++i) EXPECT_NE(v.v[i], base.v[i]) << "word " << i;
}

// u01<float> maps the extremes of the 32-bit range inside (0, 1].
TEST(Rng, UniformExtremesInsideUnitInterval) {
  EXPECT_GT(r123::u01<float>(0u), 0.0f);
  EXPECT_LE(r123::u01<float>(0xffffffffu), 1.0f);
  EXPECT_GT(r123::u01<float>(0xffffffffu), 0.99f);
}

// 1e6 uniforms from 250k counters: all in (0, 1], mean 1/2 and variance 1/12
// within kSigmas standard errors (SE of the mean sqrt(1/12/N); SE of the
// variance sqrt((mu4 - sigma^4)/N) with mu4 = 1/80 for the uniform law).
TEST(Rng, UniformsInOpenClosedUnitIntervalWithUniformMoments) {
  const PathRng rng(2024u, remc::kStreamSimulation, 17u);
  const int kCounters = 250000;
  double sum = 0.0, sum2 = 0.0;
  float lo = 2.0f, hi = -1.0f;
  for (int c = 0; c < kCounters; ++c) {
    const remc::Uniform4 u = rng.uniforms(static_cast<std::uint32_t>(c), 7u);
    for (float x : u.u) {
      lo = std::fmin(lo, x);
      hi = std::fmax(hi, x);
      sum += x;
      sum2 += static_cast<double>(x) * x;
    }
  }
  const double n = 4.0 * kCounters;
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_GT(lo, 0.0f);
  EXPECT_LE(hi, 1.0f);
  EXPECT_NEAR(mean, 0.5, kSigmas * std::sqrt(1.0 / 12.0 / n));
  EXPECT_NEAR(var, 1.0 / 12.0, kSigmas * std::sqrt((1.0 / 80.0 - 1.0 / 144.0) / n));
}

// 1e6 normals from 250k counters across paths. Tolerances: the sample mean of
// N standard normals has SE 1/sqrt(N); the sample variance has SE
// sqrt((mu4 - 1)/N) = sqrt(2/N) since mu4 = 3. The two members of a
// Box-Muller pair are independent, so their sample correlation has SE
// 1/sqrt(N/2) (N/2 pairs). kSigmas = 5: ~6e-7 false-failure rate per check.
TEST(Rng, NormalsHaveZeroMeanUnitVariance) {
  const int kPaths = 250000;
  double sum = 0.0, sum2 = 0.0, cross = 0.0;
  for (int p = 0; p < kPaths; ++p) {
    const PathRng rng(99u, remc::kStreamSimulation, static_cast<std::uint64_t>(p));
    const remc::Normal4 z = rng.normals(3u, remc::kSlotMaterialBase);
    for (float x : z.z) {
      sum += x;
      sum2 += static_cast<double>(x) * x;
    }
    cross += static_cast<double>(z.z[0]) * z.z[1] + static_cast<double>(z.z[2]) * z.z[3];
  }
  const double n = 4.0 * kPaths;
  const double mean = sum / n;
  const double var = sum2 / n - mean * mean;
  EXPECT_NEAR(mean, 0.0, kSigmas / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, kSigmas * std::sqrt(2.0 / n));
  EXPECT_NEAR(cross / (n / 2.0), 0.0, kSigmas / std::sqrt(n / 2.0));
}

}  // namespace
