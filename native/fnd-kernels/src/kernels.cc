// Dispatch: the AVX2+FMA build of the kernels when the CPU has both (checked once, by CPUID),
// the baseline build otherwise, so the addon never executes an instruction the CPU lacks.
// (GCC's target_clones("arch=haswell") was tried first: its resolver tests for an Intel Haswell
// *model*, so AMD CPUs with AVX2 silently got the slow baseline clone.)
#include "kernels.h"

#include <cstdlib>
#include <cstring>

namespace fnd {

#define FND_DECLARE(NS)                                                                                         \
  namespace NS {                                                                                                \
  void attention_probs(const float*, const float*, float*, float*, size_t, size_t, Dropout, size_t, size_t);   \
  void attention_dropout(const float*, float*, Dropout, size_t, size_t);                                       \
  void attention_probs_grad(const float*, const float*, float*, size_t, Dropout, size_t, size_t);             \
  void gelu(const float*, float*, size_t, size_t);                                                             \
  void gelu_grad(const float*, const float*, float*, size_t, size_t);                                          \
  void layer_norm(const float*, const float*, const float*, float*, float*, float*, size_t, float, size_t, size_t); \
  void layer_norm_grad(const float*, const float*, const float*, const float*, float*, double*, double*, size_t, size_t, size_t); \
  void adamw(float*, const float*, float*, float*, AdamWArgs, size_t, size_t);                                 \
  double sum_squares(const float*, size_t, size_t);                                                            \
  }
FND_DECLARE(base)
#if defined(__x86_64__)
FND_DECLARE(avx2)
#endif

bool use_avx2() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool yes = [] {
    // FND_NATIVE_ISA=baseline forces the portable build (to test it on an AVX2 machine).
    const char* forced = std::getenv("FND_NATIVE_ISA");
    if (forced != nullptr && std::strcmp(forced, "baseline") == 0) return false;
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  }();
  return yes;
#else
  return false;
#endif
}

#if defined(__x86_64__)
#define FND_DISPATCH(name, ...) return use_avx2() ? avx2::name(__VA_ARGS__) : base::name(__VA_ARGS__)
#else
#define FND_DISPATCH(name, ...) return base::name(__VA_ARGS__)
#endif

void attention_probs(const float* scores, const float* mask, float* probs, float* dropped, size_t S, size_t rowsPerBatch, Dropout d,
                     size_t rowBegin, size_t rowEnd) {
  FND_DISPATCH(attention_probs, scores, mask, probs, dropped, S, rowsPerBatch, d, rowBegin, rowEnd);
}
void attention_dropout(const float* probs, float* out, Dropout d, size_t begin, size_t end) {
  FND_DISPATCH(attention_dropout, probs, out, d, begin, end);
}
void attention_probs_grad(const float* dy, const float* probs, float* dx, size_t S, Dropout d, size_t rowBegin, size_t rowEnd) {
  FND_DISPATCH(attention_probs_grad, dy, probs, dx, S, d, rowBegin, rowEnd);
}
void gelu(const float* x, float* y, size_t begin, size_t end) { FND_DISPATCH(gelu, x, y, begin, end); }
void gelu_grad(const float* dy, const float* x, float* dx, size_t begin, size_t end) { FND_DISPATCH(gelu_grad, dy, x, dx, begin, end); }
void layer_norm(const float* x, const float* w, const float* b, float* y, float* xhat, float* rstd, size_t cols, float eps, size_t rowBegin,
                size_t rowEnd) {
  FND_DISPATCH(layer_norm, x, w, b, y, xhat, rstd, cols, eps, rowBegin, rowEnd);
}
void layer_norm_grad(const float* dy, const float* xhat, const float* rstd, const float* w, float* dx, double* dw, double* db, size_t cols,
                     size_t rowBegin, size_t rowEnd) {
  FND_DISPATCH(layer_norm_grad, dy, xhat, rstd, w, dx, dw, db, cols, rowBegin, rowEnd);
}
void adamw(float* p, const float* g, float* m, float* v, AdamWArgs a, size_t begin, size_t end) { FND_DISPATCH(adamw, p, g, m, v, a, begin, end); }
double sum_squares(const float* g, size_t begin, size_t end) { FND_DISPATCH(sum_squares, g, begin, end); }

const char* isa() { return use_avx2() ? "avx2+fma" : "baseline (no AVX2+FMA)"; }

}  // namespace fnd
