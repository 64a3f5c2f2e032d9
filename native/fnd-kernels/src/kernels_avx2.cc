// The kernels compiled for AVX2 + FMA (x86-64 only; kernels.cc calls them only when CPUID says so).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels.h"

#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#include <immintrin.h>
#define FND_IMPL_NS avx2
#define FND_GEMM_AVX2 1
#include "kernels_impl.inc"
#include "gemm_impl.inc"
#endif
