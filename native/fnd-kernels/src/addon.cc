// N-API bindings: each function takes Float32Arrays (views of the tfjs wasm heap or plain arrays)
// and numbers, checks every length against the shape it is told, and runs the kernel in place,
// split across threads when the work is large enough to pay for starting one.
#include <node_api.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <new>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gemm.h"
#include "kernels.h"
#include "pool.h"

namespace {

struct Arr {
  float* data = nullptr;
  size_t length = 0;
};

using fnd::parallel;
using fnd::thread_count;

struct Call {
  napi_env env;
  size_t argc = 24;
  napi_value argv[24];
  bool failed = false;

  Call(napi_env e, napi_callback_info info) : env(e) { napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr); }

  napi_value fail(const std::string& message) {
    if (!failed) napi_throw_error(env, "ERR_FND_KERNEL", message.c_str());
    failed = true;
    return nullptr;
  }
  Arr f32(size_t i, const char* name, bool optional = false) {
    Arr a;
    if (failed) return a;
    if (i >= argc) { fail(std::string("missing argument ") + name); return a; }
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (optional && (t == napi_null || t == napi_undefined)) return a;
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    napi_typedarray_type type;
    void* data = nullptr;
    if (!is || napi_get_typedarray_info(env, argv[i], &type, &a.length, &data, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
      fail(std::string(name) + " must be a Float32Array");
      return a;
    }
    a.data = static_cast<float*>(data);
    return a;
  }
  // An Int32Array, or (optional) null/undefined → data null.
  const int32_t* i32s(size_t i, const char* name, size_t* length) {
    *length = 0;
    if (failed) return nullptr;
    if (i >= argc) { fail(std::string("missing argument ") + name); return nullptr; }
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t == napi_null || t == napi_undefined) return nullptr;
    bool is = false;
    napi_is_typedarray(env, argv[i], &is);
    napi_typedarray_type type;
    void* data = nullptr;
    if (!is || napi_get_typedarray_info(env, argv[i], &type, length, &data, nullptr, nullptr) != napi_ok || type != napi_int32_array) {
      fail(std::string(name) + " must be an Int32Array or null");
      return nullptr;
    }
    return static_cast<const int32_t*>(data);
  }
  bool flag(size_t i, const char* name) {
    bool v = false;
    if (failed) return v;
    if (i >= argc || napi_get_value_bool(env, argv[i], &v) != napi_ok) fail(std::string(name) + " must be a boolean");
    return v;
  }
  // A number, or `fallback` when the argument is absent or undefined.
  double numOr(size_t i, const char* name, double fallback) {
    if (failed) return fallback;
    if (i >= argc) return fallback;
    napi_valuetype t;
    napi_typeof(env, argv[i], &t);
    if (t == napi_undefined) return fallback;
    return num(i, name);
  }
  double num(size_t i, const char* name) {
    double v = 0;
    if (failed) return v;
    if (i >= argc || napi_get_value_double(env, argv[i], &v) != napi_ok) fail(std::string(name) + " must be a number");
    return v;
  }
  int32_t i32(size_t i, const char* name) {
    int32_t v = 0;  // ToInt32 semantics (wraps), as the JS hash's `seed ^ ...`
    if (failed) return v;
    if (i >= argc || napi_get_value_int32(env, argv[i], &v) != napi_ok) fail(std::string(name) + " must be a number");
    return v;
  }
  size_t count(size_t i, const char* name) {
    const double v = num(i, name);
    if (!failed && (!(v >= 0) || v != std::floor(v) || v > 9007199254740991.0)) fail(std::string(name) + " must be a non-negative integer");
    return static_cast<size_t>(v);
  }
  bool need(const Arr& a, size_t n, const char* name) {
    if (failed) return false;
    if (a.length < n) { fail(std::string(name) + " holds " + std::to_string(a.length) + " values, the kernel needs " + std::to_string(n)); return false; }
    return true;
  }
  napi_value undefined() {
    napi_value u;
    napi_get_undefined(env, &u);
    return u;
  }
};

fnd::Dropout dropout(double rate, int32_t seed) {
  fnd::Dropout d;
  d.on = rate > 0;
  d.seed = static_cast<uint32_t>(seed);
  d.threshold = std::floor((1 - rate) * 4294967296.0);
  d.scale = static_cast<float>(1 / (1 - rate));
  return d;
}

// Work per thread below which one thread is faster. With the resident pool (pool.h) a part starts in
// about a microsecond while its worker spins, where a new std::thread took 20-50 us (and OpenBLAS's
// own spinning workers, before fnd had its GEMM, made a second thread 5x slower): 32 Ki elements
// (~10 us of element-wise work) per thread.
constexpr size_t GRAIN_ELEMENTS = 1 << 15;

// attentionProbs(scores, mask, probs, dropped|null, S, rowsPerBatch, rate, seed)
napi_value AttentionProbs(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr x = c.f32(0, "scores"), m = c.f32(1, "mask"), p = c.f32(2, "probs"), y = c.f32(3, "dropped", true);
  const size_t S = c.count(4, "S"), rpb = c.count(5, "rowsPerBatch");
  const double rate = c.num(6, "rate");
  const int32_t seed = c.i32(7, "seed");
  if (c.failed) return nullptr;
  if (S == 0 || rpb == 0 || x.length % S != 0) return c.fail("scores is not a whole number of rows of S");
  const size_t rows = x.length / S;
  const fnd::Dropout d = dropout(rate, seed);
  if (!c.need(m, ((rows + rpb - 1) / rpb) * S, "mask") || !c.need(p, x.length, "probs")) return nullptr;
  if (d.on && (y.data == nullptr || !c.need(y, x.length, "dropped"))) return c.fail("dropped is required when rate > 0");
  parallel(rows, GRAIN_ELEMENTS / S + 1, [&](size_t b, size_t e) { fnd::attention_probs(x.data, m.data, p.data, y.data, S, rpb, d, b, e); });
  return c.undefined();
}

// attentionDropout(probs, out, rate, seed)
napi_value AttentionDropout(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr p = c.f32(0, "probs"), y = c.f32(1, "out");
  const double rate = c.num(2, "rate");
  const int32_t seed = c.i32(3, "seed");
  if (!c.need(y, p.length, "out")) return nullptr;
  const fnd::Dropout d = dropout(rate, seed);
  parallel(p.length, GRAIN_ELEMENTS, [&](size_t b, size_t e) { fnd::attention_dropout(p.data, y.data, d, b, e); });
  return c.undefined();
}

// attentionProbsGrad(dy, probs, dx, S, rate, seed)
napi_value AttentionProbsGrad(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr g = c.f32(0, "dy"), p = c.f32(1, "probs"), o = c.f32(2, "dx");
  const size_t S = c.count(3, "S");
  const double rate = c.num(4, "rate");
  const int32_t seed = c.i32(5, "seed");
  if (c.failed) return nullptr;
  if (S == 0 || p.length % S != 0) return c.fail("probs is not a whole number of rows of S");
  if (!c.need(g, p.length, "dy") || !c.need(o, p.length, "dx")) return nullptr;
  const fnd::Dropout d = dropout(rate, seed);
  parallel(p.length / S, GRAIN_ELEMENTS / S + 1, [&](size_t b, size_t e) { fnd::attention_probs_grad(g.data, p.data, o.data, S, d, b, e); });
  return c.undefined();
}

// gelu(x, y)
napi_value Gelu(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr x = c.f32(0, "x"), y = c.f32(1, "y");
  if (!c.need(y, x.length, "y")) return nullptr;
  parallel(x.length, GRAIN_ELEMENTS, [&](size_t b, size_t e) { fnd::gelu(x.data, y.data, b, e); });
  return c.undefined();
}

// geluGrad(dy, x, dx)
napi_value GeluGrad(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr g = c.f32(0, "dy"), x = c.f32(1, "x"), o = c.f32(2, "dx");
  if (!c.need(g, x.length, "dy") || !c.need(o, x.length, "dx")) return nullptr;
  parallel(x.length, GRAIN_ELEMENTS, [&](size_t b, size_t e) { fnd::gelu_grad(g.data, x.data, o.data, b, e); });
  return c.undefined();
}

// layerNorm(x, w, b, y, xhat, rstd, cols, eps)
napi_value LayerNorm(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr x = c.f32(0, "x"), w = c.f32(1, "weight"), b = c.f32(2, "bias"), y = c.f32(3, "y"), h = c.f32(4, "xhat"), r = c.f32(5, "rstd");
  const size_t cols = c.count(6, "cols");
  const double eps = c.num(7, "eps");
  if (c.failed) return nullptr;
  if (cols == 0 || x.length % cols != 0) return c.fail("x is not a whole number of rows of cols");
  const size_t rows = x.length / cols;
  if (!c.need(w, cols, "weight") || !c.need(b, cols, "bias") || !c.need(y, x.length, "y") || !c.need(h, x.length, "xhat") || !c.need(r, rows, "rstd")) return nullptr;
  parallel(rows, GRAIN_ELEMENTS / cols + 1, [&](size_t lo, size_t hi) {
    fnd::layer_norm(x.data, w.data, b.data, y.data, h.data, r.data, cols, static_cast<float>(eps), lo, hi);
  });
  return c.undefined();
}

// layerNormGrad(dy, xhat, rstd, w, dx, dw, db, cols)
napi_value LayerNormGrad(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr g = c.f32(0, "dy"), h = c.f32(1, "xhat"), r = c.f32(2, "rstd"), w = c.f32(3, "weight"), o = c.f32(4, "dx"), dw = c.f32(5, "dWeight"), db = c.f32(6, "dBias");
  const size_t cols = c.count(7, "cols");
  if (c.failed) return nullptr;
  if (cols == 0 || h.length % cols != 0) return c.fail("xhat is not a whole number of rows of cols");
  const size_t rows = h.length / cols;
  if (!c.need(g, h.length, "dy") || !c.need(r, rows, "rstd") || !c.need(w, cols, "weight") || !c.need(o, h.length, "dx") ||
      !c.need(dw, cols, "dWeight") || !c.need(db, cols, "dBias")) return nullptr;
  const size_t parts = std::min(thread_count(), std::max<size_t>(1, h.length / GRAIN_ELEMENTS));
  std::vector<double> partial(parts * cols * 2, 0.0);
  parallel(parts, 1, [&](size_t pb, size_t pe) {
    for (size_t part = pb; part < pe; part++) {
      fnd::layer_norm_grad(g.data, h.data, r.data, w.data, o.data, &partial[part * cols * 2], &partial[part * cols * 2 + cols], cols,
                           rows * part / parts, rows * (part + 1) / parts);
    }
  });
  for (size_t j = 0; j < cols; j++) {
    double sw = 0, sb = 0;
    for (size_t part = 0; part < parts; part++) { sw += partial[part * cols * 2 + j]; sb += partial[part * cols * 2 + cols + j]; }
    dw.data[j] = static_cast<float>(sw);
    db.data[j] = static_cast<float>(sb);
  }
  return c.undefined();
}

// adamw(p, g, m, v, scale, b1, b2, c1, c2, stepSize, invBc2Sqrt, eps, decay)
napi_value AdamW(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr p = c.f32(0, "param"), g = c.f32(1, "grad"), m = c.f32(2, "m"), v = c.f32(3, "v");
  fnd::AdamWArgs a;
  a.scale = c.num(4, "scale"); a.b1 = c.num(5, "b1"); a.b2 = c.num(6, "b2"); a.c1 = c.num(7, "c1"); a.c2 = c.num(8, "c2");
  a.stepSize = c.num(9, "stepSize"); a.invBc2Sqrt = c.num(10, "invBc2Sqrt"); a.eps = c.num(11, "eps"); a.decay = c.num(12, "decay");
  if (!c.need(g, p.length, "grad") || !c.need(m, p.length, "m") || !c.need(v, p.length, "v")) return nullptr;
  parallel(p.length, GRAIN_ELEMENTS * 4, [&](size_t b, size_t e) { fnd::adamw(p.data, g.data, m.data, v.data, a, b, e); });
  return c.undefined();
}

// sumSquares(g) -> number (float64 sum of g[i]^2)
napi_value SumSquares(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr g = c.f32(0, "values");
  if (c.failed) return nullptr;
  const size_t parts = std::min(thread_count(), std::max<size_t>(1, g.length / (GRAIN_ELEMENTS * 4)));
  std::vector<double> partial(parts, 0.0);
  parallel(parts, 1, [&](size_t pb, size_t pe) {
    for (size_t part = pb; part < pe; part++) partial[part] = fnd::sum_squares(g.data, g.length * part / parts, g.length * (part + 1) / parts);
  });
  double s = 0;
  for (double v : partial) s += v;
  napi_value out;
  napi_create_double(env, s, &out);
  return out;
}


bool overlaps(const float* a, size_t na, const float* b, size_t nb) { return a < b + nb && b < a + na; }

// Where a GEMM input shares memory with the output it is copied first (the product is accumulated
// in C over K slices, so C may not be read as an input).
const float* unaliased(const float* in, size_t length, const float* out, size_t outLength, std::vector<float>& copy) {
  if (in == nullptr || !overlaps(in, length, out, outLength)) return in;
  copy.assign(in, in + length);
  return copy.data();
}

// gemm(a, b, c, batch, m, n, k, transA, transB, aIndex|null, aStride, bIndex|null, bStride,
//      bias|null, biasMode, activation, alpha, residual|null[, scale, rate, seed, preact|null])
// For output batch i (row-major m x n at c + i*m*n): H_i = (op(A_i) op(B_i) + bias) * scale and
// C_i = dropout(act(H_i)) + R_i, where A_i starts at element (aIndex ? aIndex[i] * m*k : i * aStride)
// of a (stride 0 broadcasts), B_i likewise with k*n; op transposes when asked (A stored k x m, B
// stored n x k). biasMode 0 none, 1 scalar, 2 per column; activation 0 linear, 1 relu, 2 relu6,
// 3 leakyrelu(alpha), 4 elu, 5 sigmoid, 6 erf gelu; dropout (rate > 0) by the (seed, flat index)
// hash of attentionDropout; H is stored to preact when given. R and preact are laid out as c.
napi_value Gemm(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr a = c.f32(0, "a"), b = c.f32(1, "b"), out = c.f32(2, "c");
  const size_t batch = c.count(3, "batch"), m = c.count(4, "m"), n = c.count(5, "n"), k = c.count(6, "k");
  const bool transA = c.flag(7, "transA"), transB = c.flag(8, "transB");
  size_t aIndexLength = 0, bIndexLength = 0;
  const int32_t* aIndex = c.i32s(9, "aIndex", &aIndexLength);
  const size_t aStride = c.count(10, "aStride");
  const int32_t* bIndex = c.i32s(11, "bIndex", &bIndexLength);
  const size_t bStride = c.count(12, "bStride");
  Arr bias = c.f32(13, "bias", true);
  const size_t biasMode = c.count(14, "biasMode"), act = c.count(15, "activation");
  const double alpha = c.num(16, "alpha");
  Arr residual = c.f32(17, "residual", true);
  const double scale = c.numOr(18, "scale", 1.0), rate = c.numOr(19, "rate", 0.0);
  const int32_t seed = c.argc > 20 ? c.i32(20, "seed") : 0;
  Arr preact = c.argc > 21 ? c.f32(21, "preact", true) : Arr{};
  if (c.failed) return nullptr;
  if (!(rate >= 0 && rate < 1)) return c.fail("rate must be in [0, 1)");
  const double dm = static_cast<double>(m), dn = static_cast<double>(n), dk = static_cast<double>(k), db = static_cast<double>(batch);
  if (db * dm * dn > 9.0e15 || dm * dk > 9.0e15 || dk * dn > 9.0e15) return c.fail("gemm sizes overflow");
  const size_t mk = m * k, kn = k * n, total = batch * m * n;
  // The last element each operand is read at, for every batch.
  auto extent = [&](const int32_t* index, size_t indexLength, size_t stride, size_t size, const char* name, size_t* need) -> bool {
    *need = 0;
    if (batch == 0 || size == 0) return true;
    if (index) {
      if (indexLength < batch) { c.fail(std::string(name) + " index holds " + std::to_string(indexLength) + " entries for " + std::to_string(batch) + " batches"); return false; }
      for (size_t i = 0; i < batch; i++) {
        if (index[i] < 0) { c.fail(std::string(name) + " index has a negative entry"); return false; }
        *need = std::max(*need, (static_cast<size_t>(index[i]) + 1) * size);
      }
    } else {
      *need = (batch - 1) * stride + size;
    }
    return true;
  };
  size_t needA, needB;
  if (!extent(aIndex, aIndexLength, aStride, mk, "a", &needA) || !extent(bIndex, bIndexLength, bStride, kn, "b", &needB)) return nullptr;
  if (!c.need(a, needA, "a") || !c.need(b, needB, "b") || !c.need(out, total, "c")) return nullptr;
  if (biasMode > fnd::BIAS_COLUMN) return c.fail("biasMode must be 0 (none), 1 (scalar) or 2 (per column)");
  if (act >= fnd::ACT_COUNT) return c.fail("activation must be 0..6 (linear, relu, relu6, leakyrelu, elu, sigmoid, gelu)");
  if (biasMode != fnd::BIAS_NONE && (bias.data == nullptr || !c.need(bias, biasMode == fnd::BIAS_SCALAR ? 1 : n, "bias"))) {
    return c.failed ? nullptr : c.fail("bias is required when biasMode is not 0");
  }
  if (residual.data != nullptr && !c.need(residual, total, "residual")) return nullptr;
  if (preact.data != nullptr && !c.need(preact, total, "preact")) return nullptr;
  if (preact.data != nullptr && overlaps(preact.data, total, out.data, total)) return c.fail("preact must not share memory with c");
  std::vector<float> aCopy, bCopy, biasCopy, residualCopy;
  fnd::Batched g;
  g.batch = batch; g.m = m; g.n = n; g.k = k;
  g.a = unaliased(a.data, needA, out.data, total, aCopy);
  g.transA = transA; g.aIndex = aIndex; g.aStride = aStride;
  g.b = unaliased(b.data, needB, out.data, total, bCopy);
  g.transB = transB; g.bIndex = bIndex; g.bStride = bStride;
  g.c = out.data;
  g.e.biasMode = static_cast<int>(biasMode);
  g.e.bias = biasMode == fnd::BIAS_NONE ? nullptr : unaliased(bias.data, biasMode == fnd::BIAS_SCALAR ? 1 : n, out.data, total, biasCopy);
  g.e.act = static_cast<int>(act);
  g.e.alpha = static_cast<float>(alpha);
  g.e.scale = static_cast<float>(scale);
  g.e.drop = dropout(rate, seed);
  g.e.preact = preact.data;
  // A residual that is the output itself, with nothing between product and residual but a bias, is
  // accumulated in place (C starts as R and the product is added to it); any other overlap is read
  // from a copy.
  const bool inPlace = residual.data == out.data && act == fnd::ACT_LINEAR && scale == 1.0 && !g.e.drop.on && preact.data == nullptr;
  g.e.residual = inPlace ? out.data : unaliased(residual.data, total, out.data, total, residualCopy);
  try {
    fnd::gemm_batched(g);
  } catch (const std::bad_alloc&) {
    return c.fail("gemm: out of memory for its packing buffers");
  }
  return c.undefined();
}

// Reads ids[i] as an int32 row number of a rows x inner table; out of range → -1.
inline long row_of(const int32_t* ids, size_t i, size_t rows) {
  const int32_t id = ids[i];
  return id >= 0 && static_cast<size_t>(id) < rows ? id : -1;
}

// gatherRows(table, ids, out, inner): out row i = table row ids[i] (zeros for an id out of range,
// as tfjs on GPUs; the cpu backend throws). Float32Array or Int32Array table and out, the same type.
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Call c(env, info);
  size_t idsLength = 0;
  const int32_t* ids = c.i32s(1, "ids", &idsLength);
  const size_t inner = c.count(3, "inner");
  if (c.failed) return nullptr;
  if (ids == nullptr) return c.fail("ids must be an Int32Array");
  void* table = nullptr;
  void* out = nullptr;
  size_t tableLength = 0, outLength = 0;
  napi_typedarray_type tt, ot;
  bool ta = false, oa = false;
  napi_is_typedarray(env, c.argv[0], &ta);
  napi_is_typedarray(env, c.argv[2], &oa);
  if (!ta || !oa || napi_get_typedarray_info(env, c.argv[0], &tt, &tableLength, &table, nullptr, nullptr) != napi_ok ||
      napi_get_typedarray_info(env, c.argv[2], &ot, &outLength, &out, nullptr, nullptr) != napi_ok ||
      !((tt == napi_float32_array || tt == napi_int32_array) && tt == ot)) {
    return c.fail("table and out must both be Float32Arrays or both Int32Arrays");
  }
  if (inner == 0) return c.undefined();
  if (tableLength % inner != 0) return c.fail("table is not a whole number of rows of inner");
  if (outLength < idsLength * inner) return c.fail("out holds " + std::to_string(outLength) + " values, the kernel needs " + std::to_string(idsLength * inner));
  const size_t rows = tableLength / inner;
  const uint32_t* src = static_cast<const uint32_t*>(table);
  uint32_t* dst = static_cast<uint32_t*>(out);
  parallel(idsLength, GRAIN_ELEMENTS / inner + 1, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; i++) {
      const long r = row_of(ids, i, rows);
      if (r < 0) std::memset(dst + i * inner, 0, inner * sizeof(uint32_t));
      else std::memcpy(dst + i * inner, src + static_cast<size_t>(r) * inner, inner * sizeof(uint32_t));
    }
  });
  return c.undefined();
}

// segmentSum(x, ids, out, inner): out (numSegments x inner) = 0, then out row ids[i] += x row i;
// ids out of range are dropped, as TF's UnsortedSegmentSum. Float32Arrays.
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  Call c(env, info);
  Arr x = c.f32(0, "x"), out = c.f32(2, "out");
  size_t idsLength = 0;
  const int32_t* ids = c.i32s(1, "ids", &idsLength);
  const size_t inner = c.count(3, "inner");
  if (c.failed) return nullptr;
  if (ids == nullptr) return c.fail("ids must be an Int32Array");
  if (!c.need(x, idsLength * inner, "x")) return nullptr;
  if (inner == 0) return c.undefined();
  if (out.length % inner != 0) return c.fail("out is not a whole number of rows of inner");
  const size_t segments = out.length / inner;
  // Columns split across threads: every thread sees every id, and no two write the same element.
  parallel(inner, inner >= 64 && idsLength * inner >= GRAIN_ELEMENTS ? 32 : inner, [&](size_t c0, size_t c1) {
    for (size_t s = 0; s < segments; s++) std::memset(out.data + s * inner + c0, 0, (c1 - c0) * sizeof(float));
    for (size_t i = 0; i < idsLength; i++) {
      const long r = row_of(ids, i, segments);
      if (r < 0) continue;
      float* o = out.data + static_cast<size_t>(r) * inner;
      const float* v = x.data + i * inner;
      for (size_t j = c0; j < c1; j++) o[j] += v[j];
    }
  });
  return c.undefined();
}

napi_value Init(napi_env env, napi_value exports) {
  struct Fn { const char* name; napi_callback cb; };
  const Fn fns[] = {
    {"attentionProbs", AttentionProbs}, {"attentionDropout", AttentionDropout}, {"attentionProbsGrad", AttentionProbsGrad},
    {"gelu", Gelu}, {"geluGrad", GeluGrad}, {"layerNorm", LayerNorm}, {"layerNormGrad", LayerNormGrad},
    {"adamw", AdamW}, {"sumSquares", SumSquares}, {"gemm", Gemm},
    {"gatherRows", GatherRows}, {"segmentSum", SegmentSum},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value isa, threads, gemmKernel;
  napi_create_string_utf8(env, fnd::isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_string_utf8(env, fnd::gemm_kernel(), NAPI_AUTO_LENGTH, &gemmKernel);
  napi_set_named_property(env, exports, "gemmKernel", gemmKernel);
  napi_create_uint32(env, static_cast<uint32_t>(thread_count()), &threads);
  napi_set_named_property(env, exports, "isa", isa);
  napi_set_named_property(env, exports, "threads", threads);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
