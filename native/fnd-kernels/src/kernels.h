// fnd's native CPU kernels. Every kernel works on a range of rows (or elements) so the caller can
// split the work across threads; all pointers are to float32 storage owned by the caller (views of
// the tfjs wasm heap or plain Float32Arrays).
#pragma once
#include <cstddef>
#include <cstdint>

namespace fnd {

struct Dropout {
  bool on;
  uint32_t seed;
  double threshold;  // keep element i when hash(seed, i) < threshold (floor((1 - rate) * 2^32))
  float scale;       // fround(1 / (1 - rate))
};

// probs = softmax(scores + mask) per row of length S (mask row = row / rowsPerBatch); dropped =
// probs * keep / (1 - rate) when d.on (dropped may be null otherwise).
void attention_probs(const float* scores, const float* mask, float* probs, float* dropped, size_t S,
                     size_t rowsPerBatch, Dropout d, size_t rowBegin, size_t rowEnd);
// out[i] = keep(i) ? probs[i] * scale : 0
void attention_dropout(const float* probs, float* out, Dropout d, size_t begin, size_t end);
// dx = P * (dP - sum(dP * P)) per row, dP = dy * keep / (1 - rate) (or dy when !d.on).
void attention_probs_grad(const float* dy, const float* probs, float* dx, size_t S, Dropout d,
                          size_t rowBegin, size_t rowEnd);
// y = x * Phi(x), erf by Abramowitz & Stegun 7.1.26.
void gelu(const float* x, float* y, size_t begin, size_t end);
// dx = dy * (Phi(x) + x * phi(x)).
void gelu_grad(const float* dy, const float* x, float* dx, size_t begin, size_t end);
// y = xhat * w + b, xhat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps) (biased variance).
void layer_norm(const float* x, const float* w, const float* b, float* y, float* xhat, float* rstd,
                size_t cols, float eps, size_t rowBegin, size_t rowEnd);
// dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * w; dw += sum dy * xhat, db += sum dy
// over the rows of the range (dw, db: per-caller partial sums in double).
void layer_norm_grad(const float* dy, const float* xhat, const float* rstd, const float* w, float* dx,
                     double* dw, double* db, size_t cols, size_t rowBegin, size_t rowEnd);
// AdamW (torch's single-tensor path) in float64 arithmetic, float32 storage.
struct AdamWArgs {
  double scale, b1, b2, c1, c2, stepSize, invBc2Sqrt, eps, decay;
};
void adamw(float* p, const float* g, float* m, float* v, AdamWArgs a, size_t begin, size_t end);
// sum of squares in float64 (for the global gradient norm).
double sum_squares(const float* g, size_t begin, size_t end);

// Whether the AVX2+FMA builds run (CPUID, unless FND_NATIVE_ISA=baseline); decided once.
bool use_avx2();
// Which instruction set the dispatcher picked ("avx2+fma" or "baseline"), for doctor.
const char* isa();

}  // namespace fnd
