// fnd's single-precision GEMM: C = epilogue(op(A) op(B)), the BLIS/GotoBLAS structure (panels of
// A and B packed for the L2/L1 caches, a register-blocked micro-kernel doing all arithmetic), with
// every transpose, numpy-broadcast batches, and a fused epilogue (bias, activation, residual) applied
// to each tile while it is still in cache. Threads come from the addon's one pool (pool.h).
#pragma once
#include <cstddef>
#include <cstdint>

#include "kernels.h"

namespace fnd {

// A matrix operand: element (i, j) at data[i * rs + j * cs] (a transpose swaps rs and cs).
struct Mat {
  const float* data;
  ptrdiff_t rs, cs;
};

enum Activation : int { ACT_LINEAR = 0, ACT_RELU, ACT_RELU6, ACT_LEAKYRELU, ACT_ELU, ACT_SIGMOID, ACT_GELU, ACT_COUNT };
enum BiasMode : int { BIAS_NONE = 0, BIAS_SCALAR, BIAS_COLUMN };

// h = (acc + bias) * scale; y = dropout(act(h)) + residual, each part optional; h is also stored
// to `preact` when given (what an activation's backward needs), in the same pass.
struct Epilogue {
  const float* bias = nullptr;  // BIAS_SCALAR: bias[0]; BIAS_COLUMN: bias[j] for column j
  int biasMode = BIAS_NONE;
  float scale = 1.0f;
  int act = ACT_LINEAR;
  float alpha = 0.2f;               // leakyrelu's slope
  float* preact = nullptr;          // laid out as C
  // Inverted dropout by the (seed, index) hash of the element-wise kernels (kernels.h), where the
  // index of element (r, c) is indexBase + r * ldc + c (its flat index in the whole output).
  Dropout drop = {false, 0, 0.0, 1.0f};
  size_t indexBase = 0;
  const float* residual = nullptr;  // laid out as C; C itself only without activation and dropout
};

// One m x n product into C (row stride ldc), single-threaded; what the ISA builds implement.
// `bias` and `residual` in e are for this block (offset by the caller for a sub-block).
using GemmSerial = void (*)(size_t m, size_t n, size_t k, Mat a, Mat b, float* c, size_t ldc, const Epilogue& e);

// A batch of products: output batch i is C_i = c + i*m*n (row-major m x n), from A at
// a + aOffset(i) and B at b + bOffset(i), where offset(i) = index ? index[i] * size : i * stride
// (stride 0 broadcasts one matrix to every batch). transA: A is stored k x m; transB: B is n x k.
struct Batched {
  size_t batch, m, n, k;
  const float* a;
  bool transA;
  const int32_t* aIndex;
  size_t aStride;
  const float* b;
  bool transB;
  const int32_t* bIndex;
  size_t bStride;
  float* c;
  Epilogue e;  // e.residual and e.preact, when set, are laid out as c (batch*m*n); e.indexBase 0
};

// Runs the batch across the pool's threads; the caller has checked every bound.
void gemm_batched(const Batched& g);

// The micro-kernel's instruction set ("avx2+fma 6x16" or "baseline 4x8"), for doctor and benches.
const char* gemm_kernel();

}  // namespace fnd
