// The kernels compiled for the baseline of the target (SSE2 on x86-64, NEON on arm64): runs on any CPU.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <new>

#include "kernels.h"

#define FND_IMPL_NS base
#include "kernels_impl.inc"
#include "gemm_impl.inc"
