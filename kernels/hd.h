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
