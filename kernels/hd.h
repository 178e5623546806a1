// Host/device qualifier macro: the simulation code in kernels/ is compiled by
// g++ for the CPU backend and by nvcc for the CUDA backend from the same source.
#pragma once

#if defined(__CUDACC__)
#define REMC_HD __host__ __device__
#define REMC_HD_INLINE __host__ __device__ __forceinline__
#else
#define REMC_HD
#define REMC_HD_INLINE inline
#endif

namespace remc {

// Minimum and maximum as plain comparisons: the kernels never hold NaN, and
// unlike fminf/fmaxf these inline to single instructions on the CPU as well.
REMC_HD_INLINE float min_f(float a, float b) { return b < a ? b : a; }
REMC_HD_INLINE float max_f(float a, float b) { return b > a ? b : a; }

}  // namespace remc
