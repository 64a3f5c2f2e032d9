// The GEMM's instruction-set dispatch (the same choice as the other kernels, kernels.cc) and its
// threading: batches, or blocks of one large product, spread over the addon's pool.
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "kernels.h"
#include "pool.h"

namespace fnd {

namespace base {
void gemm_serial(size_t, size_t, size_t, Mat, Mat, float*, size_t, const Epilogue&);
const char* gemm_name();
}  // namespace base
#if defined(__x86_64__)
namespace avx2 {
void gemm_serial(size_t, size_t, size_t, Mat, Mat, float*, size_t, const Epilogue&);
const char* gemm_name();
}  // namespace avx2
namespace avx512 {
void gemm_serial(size_t, size_t, size_t, Mat, Mat, float*, size_t, const Epilogue&);
const char* gemm_name();
}  // namespace avx512
#endif

namespace {

// AVX-512F for the GEMM when the CPU has it and FND_NATIVE_ISA does not ask for avx2 or baseline.
bool use_avx512() {
#if defined(__x86_64__) && defined(__GNUC__)
  static const bool yes = [] {
    const char* forced = std::getenv("FND_NATIVE_ISA");
    if (forced != nullptr && (std::strcmp(forced, "avx2") == 0 || std::strcmp(forced, "baseline") == 0)) return false;
    __builtin_cpu_init();
    return use_avx2() && __builtin_cpu_supports("avx512f");
  }();
  return yes;
#else
  return false;
#endif
}

GemmSerial serial() {
#if defined(__x86_64__)
  if (use_avx512()) return avx512::gemm_serial;
  if (use_avx2()) return avx2::gemm_serial;
#endif
  return base::gemm_serial;
}

// Below this many flops a product runs on one thread: waking a worker costs a few microseconds,
// a 64x64x64 product (0.5 MFLOP) takes about 10.
constexpr double PARALLEL_FLOPS = 1.5e6;

// Cuts on multiples of 48 (a whole number of 4-, 6-, 8- and 16-wide micro-tiles), so a thread
// gets no ragged tile it need not.
size_t cut(size_t n, size_t part, size_t parts) {
  if (part >= parts) return n;
  return std::min(n, (n * part / parts) / 48 * 48);
}

}  // namespace

void gemm_batched(const Batched& g) {
  const GemmSerial gemm = serial();
  const size_t mn = g.m * g.n, mk = g.m * g.k, kn = g.k * g.n;
  // op(A) (i, p): A stored m x k (row stride k) or, transposed, k x m (column stride m).
  const ptrdiff_t ars = g.transA ? 1 : static_cast<ptrdiff_t>(g.k), acs = g.transA ? static_cast<ptrdiff_t>(g.m) : 1;
  const ptrdiff_t brs = g.transB ? 1 : static_cast<ptrdiff_t>(g.n), bcs = g.transB ? static_cast<ptrdiff_t>(g.k) : 1;
  auto aAt = [&](size_t i) { return g.a + (g.aIndex ? static_cast<size_t>(g.aIndex[i]) * mk : i * g.aStride); };
  auto bAt = [&](size_t i) { return g.b + (g.bIndex ? static_cast<size_t>(g.bIndex[i]) * kn : i * g.bStride); };
  // Rows [r0, r1) and columns [c0, c1) of output batch i.
  auto block = [&](size_t i, size_t r0, size_t r1, size_t c0, size_t c1) {
    if (r0 >= r1 || c0 >= c1) return;
    Epilogue e = g.e;
    if (e.biasMode == BIAS_COLUMN) e.bias += c0;
    const size_t origin = i * mn + r0 * g.n + c0;
    if (e.residual) e.residual += origin;
    if (e.preact) e.preact += origin;
    e.indexBase = origin;
    const float* a = aAt(i) + r0 * ars;
    const float* b = bAt(i) + c0 * bcs;
    gemm(r1 - r0, c1 - c0, g.k, Mat{a, ars, acs}, Mat{b, brs, bcs}, g.c + i * mn + r0 * g.n + c0, g.n, e);
  };
  const double flops = 2.0 * static_cast<double>(g.batch) * static_cast<double>(mn) * static_cast<double>(g.k);
  const size_t threads = flops < PARALLEL_FLOPS ? 1 : thread_count();
  if (threads <= 1 || g.batch == 0) {
    for (size_t i = 0; i < g.batch; i++) block(i, 0, g.m, 0, g.n);
    return;
  }
  if (g.batch >= threads) {  // whole products per thread
    run_parts(threads, [&](size_t t) {
      for (size_t i = g.batch * t / threads; i < g.batch * (t + 1) / threads; i++) block(i, 0, g.m, 0, g.n);
    });
    return;
  }
  // Fewer products than threads: each is cut along its longer side (each block packs its own panels;
  // the duplicated packing of the other operand is a 1/length fraction of the work).
  const bool byRows = g.m > g.n;
  const size_t splits = (threads + g.batch - 1) / g.batch, tasks = g.batch * splits;
  const size_t parts = std::min(threads, tasks);
  run_parts(parts, [&](size_t t) {
    for (size_t task = tasks * t / parts; task < tasks * (t + 1) / parts; task++) {
      const size_t i = task / splits, s = task % splits;
      if (byRows) block(i, cut(g.m, s, splits), cut(g.m, s + 1, splits), 0, g.n);
      else block(i, 0, g.m, cut(g.n, s, splits), cut(g.n, s + 1, splits));
    }
  });
}

const char* gemm_kernel() {
#if defined(__x86_64__)
  if (use_avx512()) return avx512::gemm_name();
  if (use_avx2()) return avx2::gemm_name();
#endif
  return base::gemm_name();
}

}  // namespace fnd
