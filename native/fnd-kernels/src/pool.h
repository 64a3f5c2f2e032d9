// One pool of worker threads for every kernel of the addon (GEMM and the element-wise ones), so
// they never compete: a kernel splits its work into at most thread_count() parts, which the calling
// thread and the resident workers claim one at a time.
//
// Workers spin briefly after a job (kernels come in bursts: a training step is hundreds of calls
// a few microseconds apart) and then sleep on a condition variable, so an idle process costs
// nothing. Starting a std::thread per call (what the kernels did before) costs 20-50 us each.
#pragma once
#include <cstddef>
#include <functional>

namespace fnd {

// Threads the kernels use: FND_NATIVE_THREADS, else the hardware's, at most 8. Read once.
size_t thread_count();

// Runs part(t) for every t in [0, parts), on the caller and whichever workers are awake, and
// returns when all are done. Calls from a second thread while one is running, or from inside a
// part, run serially on the caller (the pool is not reentrant; this keeps it correct anyway).
void run_parts(size_t parts, const std::function<void(size_t)>& part);

// f(begin, end) over [0, n) in up to thread_count() contiguous parts of at least `grain` items.
template <class F>
void parallel(size_t n, size_t grain, F f) {
  size_t parts = thread_count();
  if (grain > 0 && n / grain < parts) parts = n / grain;
  if (parts <= 1) {
    f(size_t{0}, n);
    return;
  }
  run_parts(parts, [&](size_t t) { f(n * t / parts, n * (t + 1) / parts); });
}

}  // namespace fnd
