// N-API bindings: each function takes Float32Arrays (views of the tfjs wasm heap or plain arrays)
// and numbers, checks every length against the shape it is told, and runs the kernel in place,
// split across threads when the work is large enough to pay for starting one.
#include <node_api.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "kernels.h"

namespace {

struct Arr {
  float* data = nullptr;
  size_t length = 0;
};

// Threads for the big kernels: FND_NATIVE_THREADS, else the hardware's, at most 8. Read once at load.
size_t thread_count() {
  static const size_t n = [] {
    const char* env = std::getenv("FND_NATIVE_THREADS");
    long v = env ? std::strtol(env, nullptr, 10) : 0;
    if (v <= 0) v = static_cast<long>(std::thread::hardware_concurrency());
    if (v <= 0) v = 1;
    return static_cast<size_t>(v > 8 ? 8 : v);
  }();
  return n;
}

// Runs f(begin, end) over [0, n) in up to thread_count() contiguous parts of at least `grain` items.
template <class F>
void parallel(size_t n, size_t grain, F f) {
  size_t parts = thread_count();
  if (grain > 0 && n / grain < parts) parts = n / grain;
  if (parts <= 1) {
    f(size_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  pool.reserve(parts - 1);
  for (size_t t = 1; t < parts; t++) {
    try {
      pool.emplace_back([&f, n, parts, t] { f(n * t / parts, n * (t + 1) / parts); });
    } catch (...) {
      f(n * t / parts, n * (t + 1) / parts);  // no thread to be had: do that part here
    }
  }
  f(size_t{0}, n / parts);
  for (auto& th : pool) th.join();
}

struct Call {
  napi_env env;
  size_t argc = 16;
  napi_value argv[16];
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

// Work per thread below which one thread is faster. Measured in TinyBERT: thread start is ~20-50 us,
// and right after an OpenBLAS sgemm its worker thread still spins on the other core, so a second
// thread for a LayerNorm of 1024 x 312 made it 5x slower; 256 Ki elements per thread avoids that.
constexpr size_t GRAIN_ELEMENTS = 1 << 18;

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

napi_value Init(napi_env env, napi_value exports) {
  struct Fn { const char* name; napi_callback cb; };
  const Fn fns[] = {
    {"attentionProbs", AttentionProbs}, {"attentionDropout", AttentionDropout}, {"attentionProbsGrad", AttentionProbsGrad},
    {"gelu", Gelu}, {"geluGrad", GeluGrad}, {"layerNorm", LayerNorm}, {"layerNormGrad", LayerNormGrad},
    {"adamw", AdamW}, {"sumSquares", SumSquares},
  };
  for (const Fn& f : fns) {
    napi_value fn;
    napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.cb, nullptr, &fn);
    napi_set_named_property(env, exports, f.name, fn);
  }
  napi_value isa, threads;
  napi_create_string_utf8(env, fnd::isa(), NAPI_AUTO_LENGTH, &isa);
  napi_create_uint32(env, static_cast<uint32_t>(thread_count()), &threads);
  napi_set_named_property(env, exports, "isa", isa);
  napi_set_named_property(env, exports, "threads", threads);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
