// Lane types: how many paths one call of the simulation code advances at once.
//
// The kernels are templates over a lane type L. With ScalarLanes a value is a
// plain float (one path): that is what the CUDA backend runs, one path per
// GPU thread. With VectorLanes<W> (CPU only) a value is a GCC vector of W
// floats, one lane per path, so W consecutive paths move through each month
// together in SIMD registers. The same source serves both because GCC vectors
// take the ordinary arithmetic and comparison operators; what differs (select,
// gathers, conversions) goes through the small overload set below.
//
// Every lane computes exactly the operations the scalar code would, in the
// same order, with no fused multiply-add (the build turns contraction off), so
// a path's results do not depend on the lane type, the vector width or the
// instruction set the CPU build picked at run time.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "hd.h"

#if !defined(__CUDACC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>
#endif

namespace remc {

struct ScalarLanes {
  static constexpr int width = 1;
  using F = float;          // one value per lane
  using I = std::int32_t;   // integer per lane
  using U = std::uint32_t;  // unsigned per lane (random bits)
  using M = bool;           // a per-lane condition
};

// A value with every lane equal to v (for ScalarLanes, just v).
template <class T, class S>
REMC_HD_INLINE T splat(S v) {
  return T{} + v;
}

// --- scalar overloads -------------------------------------------------------

REMC_HD_INLINE float select(bool m, float a, float b) { return m ? a : b; }
REMC_HD_INLINE std::int32_t select(bool m, std::int32_t a, std::int32_t b) { return m ? a : b; }
REMC_HD_INLINE bool mask_and(bool a, bool b) { return a && b; }
REMC_HD_INLINE bool mask_or(bool a, bool b) { return a || b; }
REMC_HD_INLINE bool mask_not(bool a) { return !a; }
REMC_HD_INLINE bool any(bool m) { return m; }
REMC_HD_INLINE bool all(bool m) { return m; }
REMC_HD_INLINE std::int32_t to_int(float x) { return static_cast<std::int32_t>(x); }  // truncates
REMC_HD_INLINE float to_float(std::int32_t x) { return static_cast<float>(x); }
REMC_HD_INLINE float to_float(std::uint32_t x) { return static_cast<float>(x); }
REMC_HD_INLINE std::int32_t float_bits(float x) {
#if defined(__CUDA_ARCH__)
  return __float_as_int(x);
#else
  std::int32_t i;
  std::memcpy(&i, &x, sizeof i);
  return i;
#endif
}
REMC_HD_INLINE float bits_float(std::int32_t i) {
#if defined(__CUDA_ARCH__)
  return __int_as_float(i);
#else
  float x;
  std::memcpy(&x, &i, sizeof x);
  return x;
#endif
}
REMC_HD_INLINE float sqrt_lanes(float x) { return sqrtf(x); }
// High and low 32 bits of a 32 x 32-bit product.
REMC_HD_INLINE std::uint32_t mul_hi_lo(std::uint32_t a, std::uint32_t b, std::uint32_t* lo) {
  const std::uint64_t p = static_cast<std::uint64_t>(a) * b;
  *lo = static_cast<std::uint32_t>(p);
  return static_cast<std::uint32_t>(p >> 32);
}
// table[index] per lane (a gather from a small table).
REMC_HD_INLINE float gather(const float* table, std::int32_t index) { return table[index]; }
REMC_HD_INLINE float lane(float x, int) { return x; }
REMC_HD_INLINE void set_lane(float& x, int, float v) { x = v; }
REMC_HD_INLINE void set_lane(std::int32_t& x, int, std::int32_t v) { x = v; }
REMC_HD_INLINE float load_lanes(const float* p, ScalarLanes) { return *p; }
REMC_HD_INLINE void store_lanes(float* p, float x) { *p = x; }
REMC_HD_INLINE void stream_lanes(float* p, float x) { *p = x; }
// Orders stream_lanes stores before later reads by other threads.
REMC_HD_INLINE void stream_fence() {
#if !defined(__CUDACC__) && defined(__SSE__)
  _mm_sfence();
#endif
}

#if !defined(__CUDACC__)

// --- vector lanes (GCC vector extensions, CPU only) -------------------------

template <int W>
struct VectorLanes {
  static constexpr int width = W;
  typedef float F __attribute__((vector_size(4 * W)));
  typedef std::int32_t I __attribute__((vector_size(4 * W)));
  typedef std::uint32_t U __attribute__((vector_size(4 * W)));
  using M = I;  // comparisons give -1 (true) or 0 per lane
};

// Eight floats, one AVX2 register: the group the CPU block reduction works
// in (kernels/reduce.h), whatever width the path kernel uses. Without AVX2
// the compiler splits each operation into two SSE halves.
using CpuLanes = VectorLanes<8>;

// One bit per lane of a mask (bit i set when lane i is true).
inline int lane_sign_bits(VectorLanes<8>::I m) {
#if defined(__AVX__)
  return _mm256_movemask_ps((__m256)m);
#elif defined(__SSE2__)
  typedef std::int32_t Q __attribute__((vector_size(16)));
  const Q lo = __builtin_shufflevector(m, m, 0, 1, 2, 3), hi = __builtin_shufflevector(m, m, 4, 5, 6, 7);
  return _mm_movemask_ps((__m128)lo) | (_mm_movemask_ps((__m128)hi) << 4);
#else
  int bits = 0;
  for (int i = 0; i < 8; ++i) bits |= (m[i] != 0) << i;
  return bits;
#endif
}

inline int lane_sign_bits(VectorLanes<16>::I m) {
  typedef std::int32_t H __attribute__((vector_size(32)));
  const H lo = __builtin_shufflevector(m, m, 0, 1, 2, 3, 4, 5, 6, 7);
  const H hi = __builtin_shufflevector(m, m, 8, 9, 10, 11, 12, 13, 14, 15);
  return lane_sign_bits(lo) | (lane_sign_bits(hi) << 8);
}

#define REMC_VECTOR_OVERLOADS(W)                                                                     \
  inline VectorLanes<W>::F select(VectorLanes<W>::I m, VectorLanes<W>::F a, VectorLanes<W>::F b) {   \
    return m ? a : b;                                                                               \
  }                                                                                                 \
  inline VectorLanes<W>::I select(VectorLanes<W>::I m, VectorLanes<W>::I a, VectorLanes<W>::I b) {   \
    return m ? a : b;                                                                               \
  }                                                                                                 \
  inline VectorLanes<W>::I mask_and(VectorLanes<W>::I a, VectorLanes<W>::I b) { return a & b; }     \
  inline VectorLanes<W>::I mask_or(VectorLanes<W>::I a, VectorLanes<W>::I b) { return a | b; }      \
  inline VectorLanes<W>::I mask_not(VectorLanes<W>::I a) { return ~a; }                             \
  inline bool any(VectorLanes<W>::I m) { return lane_sign_bits(m) != 0; }                            \
  inline bool all(VectorLanes<W>::I m) { return lane_sign_bits(m) == (1 << W) - 1; }               \
  inline VectorLanes<W>::I to_int(VectorLanes<W>::F x) {                                            \
    return __builtin_convertvector(x, VectorLanes<W>::I);                                           \
  }                                                                                                 \
  inline VectorLanes<W>::F to_float(VectorLanes<W>::I x) {                                          \
    return __builtin_convertvector(x, VectorLanes<W>::F);                                           \
  }                                                                                                 \
  inline VectorLanes<W>::F to_float(VectorLanes<W>::U x) {                                          \
    return __builtin_convertvector(x, VectorLanes<W>::F);                                           \
  }                                                                                                 \
  inline VectorLanes<W>::I float_bits(VectorLanes<W>::F x) { return (VectorLanes<W>::I)x; }         \
  inline VectorLanes<W>::F bits_float(VectorLanes<W>::I i) { return (VectorLanes<W>::F)i; }         \
  inline VectorLanes<W>::F sqrt_lanes(VectorLanes<W>::F x) {                                        \
    VectorLanes<W>::F r;                                                                            \
    for (int i = 0; i < W; ++i) r[i] = __builtin_sqrtf(x[i]);                                       \
    return r;                                                                                       \
  }                                                                                                 \
  inline VectorLanes<W>::F gather(const float* table, VectorLanes<W>::I index) {                    \
    VectorLanes<W>::F r;                                                                            \
    for (int i = 0; i < W; ++i) r[i] = table[index[i]];                                             \
    return r;                                                                                       \
  }                                                                                                 \
  inline float lane(VectorLanes<W>::F x, int i) { return x[i]; }                                    \
  inline void set_lane(VectorLanes<W>::F& x, int i, float v) { x[i] = v; }                          \
  inline void set_lane(VectorLanes<W>::I& x, int i, std::int32_t v) { x[i] = v; }                   \
  inline VectorLanes<W>::F load_lanes(const float* p, VectorLanes<W>) {                             \
    VectorLanes<W>::F x;                                                                            \
    std::memcpy(&x, p, sizeof x);                                                                   \
    return x;                                                                                       \
  }                                                                                                 \
  inline void store_lanes(float* p, VectorLanes<W>::F x) { std::memcpy(p, &x, sizeof x); }

REMC_VECTOR_OVERLOADS(8)
REMC_VECTOR_OVERLOADS(16)
#undef REMC_VECTOR_OVERLOADS

// High and low words of 32 x 32-bit products, lane by lane. GCC's generic
// vector multiply does not see that zero-extended operands need only one
// widening multiply, so on x86 the even and odd words go through pmuludq
// directly (SSE2 in every x86-64 CPU; AVX2 where the build targets it).
inline VectorLanes<8>::U mul_hi_lo(VectorLanes<8>::U a, VectorLanes<8>::U b, VectorLanes<8>::U* lo) {
  using U = VectorLanes<8>::U;
#if defined(__AVX2__)
  const __m256i va = (__m256i)a, vb = (__m256i)b;
  const __m256i even = _mm256_mul_epu32(va, vb);
  const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(va, 32), _mm256_srli_epi64(vb, 32));
  // lo = even low words, odd low words interleaved; hi likewise.
  *lo = (U)_mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
  return (U)_mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
#elif defined(__SSE2__)
  typedef std::uint32_t Q __attribute__((vector_size(16)));
  U hi;
  for (int h = 0; h < 2; ++h) {
    Q qa, qb;
    std::memcpy(&qa, reinterpret_cast<const char*>(&a) + 16 * h, 16);
    std::memcpy(&qb, reinterpret_cast<const char*>(&b) + 16 * h, 16);
    const __m128i even = _mm_mul_epu32((__m128i)qa, (__m128i)qb);
    const __m128i odd = _mm_mul_epu32(_mm_srli_epi64((__m128i)qa, 32), _mm_srli_epi64((__m128i)qb, 32));
    const __m128i mask = _mm_set1_epi64x(0xffffffffll);
    const Q qlo = (Q)_mm_or_si128(_mm_and_si128(even, mask), _mm_slli_epi64(odd, 32));
    const Q qhi = (Q)_mm_or_si128(_mm_srli_epi64(even, 32), _mm_andnot_si128(mask, odd));
    std::memcpy(reinterpret_cast<char*>(lo) + 16 * h, &qlo, 16);
    std::memcpy(reinterpret_cast<char*>(&hi) + 16 * h, &qhi, 16);
  }
  return hi;
#else
  U hi;
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t p = static_cast<std::uint64_t>(a[i]) * b[i];
    (*lo)[i] = static_cast<std::uint32_t>(p);
    hi[i] = static_cast<std::uint32_t>(p >> 32);
  }
  return hi;
#endif
}

// Sixteen lanes: one 512-bit multiply per word parity with AVX-512 (two
// AVX2 halves and the shuffles to split and join them took a third of the
// draws' time); two eight-lane halves otherwise.
inline VectorLanes<16>::U mul_hi_lo(VectorLanes<16>::U a, VectorLanes<16>::U b, VectorLanes<16>::U* lo) {
#if defined(__AVX512F__)
  using U = VectorLanes<16>::U;
  const __m512i va = (__m512i)a, vb = (__m512i)b;
  const __m512i even = _mm512_mul_epu32(va, vb);
  const __m512i odd = _mm512_mul_epu32(_mm512_srli_epi64(va, 32), _mm512_srli_epi64(vb, 32));
  *lo = (U)_mm512_mask_blend_epi32(0xAAAA, even, _mm512_slli_epi64(odd, 32));
  return (U)_mm512_mask_blend_epi32(0xAAAA, _mm512_srli_epi64(even, 32), odd);
#else
  typedef VectorLanes<8>::U H;
  H lo0, lo1;
  const H hi0 = mul_hi_lo((H)__builtin_shufflevector(a, a, 0, 1, 2, 3, 4, 5, 6, 7),
                          (H)__builtin_shufflevector(b, b, 0, 1, 2, 3, 4, 5, 6, 7), &lo0);
  const H hi1 = mul_hi_lo((H)__builtin_shufflevector(a, a, 8, 9, 10, 11, 12, 13, 14, 15),
                          (H)__builtin_shufflevector(b, b, 8, 9, 10, 11, 12, 13, 14, 15), &lo1);
  *lo = __builtin_shufflevector(lo0, lo1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  return __builtin_shufflevector(hi0, hi1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
#endif
}

// Stores lanes (64-byte aligned for 16, 32 for 8) without reading their cache
// line first (a non-temporal store): the block buffer is written once and read
// back only after the whole block, long after it would have been evicted.
// stream_fence() orders these stores before any later read by other threads.
inline void stream_lanes(float* p, VectorLanes<8>::F x) {
#if defined(__AVX__)
  _mm256_stream_ps(p, (__m256)x);
#else
  store_lanes(p, x);
#endif
}
inline void stream_lanes(float* p, VectorLanes<16>::F x) {
#if defined(__AVX512F__)
  _mm512_stream_ps(p, (__m512)x);
#elif defined(__AVX__)
  _mm256_stream_ps(p, (__m256)__builtin_shufflevector(x, x, 0, 1, 2, 3, 4, 5, 6, 7));
  _mm256_stream_ps(p + 8, (__m256)__builtin_shufflevector(x, x, 8, 9, 10, 11, 12, 13, 14, 15));
#else
  store_lanes(p, x);
#endif
}

#endif  // !__CUDACC__

// Minimum and maximum as one comparison and select (not IEEE fmin/fmax:
// if either argument is NaN the result is a).
template <class F>
REMC_HD_INLINE F min_lanes(F a, F b) {
  return select(b < a, b, a);
}
template <class F>
REMC_HD_INLINE F max_lanes(F a, F b) {
  return select(b > a, b, a);
}

// (Templates that call the overloads come after all of them: GCC vector types
// have no associated namespace, so their overloads must be visible here.)

}  // namespace remc
