// The kernels compiled for AVX2 + FMA (x86-64 only; kernels.cc calls them only when CPUID says so).
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"

#if defined(__x86_64__)
#pragma GCC target("avx2,fma")
#define FND_IMPL_NS avx2
#include "kernels_impl.inc"
#endif
