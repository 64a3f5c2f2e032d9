// The kernels compiled for the baseline of the target (SSE2 on x86-64): runs on any CPU.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "kernels.h"

#define FND_IMPL_NS base
#include "kernels_impl.inc"
