// fnd's GEMM compiled for AVX-512F (x86-64 only; gemm.cc calls it only when CPUID says so). The
// element-wise kernels in this build are not dispatched to: the AVX2 ones are as fast at their
// memory-bound work and keep one set of results across AVX2 and AVX-512 machines.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels.h"

#if defined(__x86_64__)
#pragma GCC target("avx512f,avx2,fma")
#include <immintrin.h>
#define FND_IMPL_NS avx512
#define FND_GEMM_AVX512 1
#include "kernels_impl.inc"
#include "gemm_impl.inc"
#endif
