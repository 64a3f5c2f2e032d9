#include "pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define FND_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define FND_PAUSE() asm volatile("yield")
#else
#define FND_PAUSE() ((void)0)
#endif

namespace fnd {

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

namespace {

// How long a worker spins for the next job before sleeping, and the caller for the workers.
constexpr auto SPIN = std::chrono::microseconds(200);

class Pool {
 public:
  explicit Pool(size_t workers) {
    for (size_t w = 0; w < workers; w++) {
      try {
        threads_.emplace_back([this, w] { loop(w + 1); });
      } catch (...) {
        break;  // fewer threads to be had: the parts they would run go to the caller
      }
    }
    for (auto& t : threads_) t.detach();  // the process may exit with workers asleep
  }

  void run(size_t parts, const std::function<void(size_t)>& part) {
    bool idle = false;
    if (parts <= 1 || threads_.empty() || !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
      for (size_t t = 0; t < parts; t++) part(t);
      return;
    }
    const size_t helpers = std::min(parts - 1, threads_.size());
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_ = &part;
      helpers_ = helpers;
      pending_.store(helpers, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_release);
    }
    cv_.notify_all();
    guarded(part, 0);
    // Parts no worker runs (fewer threads than parts) are the caller's.
    for (size_t t = helpers + 1; t < parts; t++) guarded(part, t);
    const auto until = std::chrono::steady_clock::now() + SPIN;
    while (pending_.load(std::memory_order_acquire) != 0) {
      if (std::chrono::steady_clock::now() < until) FND_PAUSE();
      else std::this_thread::yield();
    }
    std::exception_ptr error = error_;
    error_ = nullptr;
    busy_.store(false, std::memory_order_release);
    if (error) std::rethrow_exception(error);  // e.g. a packing buffer that could not be allocated
  }

 private:
  // Runs one part; the first exception of a job is kept for the caller (none may leave a worker).
  void guarded(const std::function<void(size_t)>& part, size_t t) {
    try {
      part(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mu_);
      if (!error_) error_ = std::current_exception();
    }
  }

  void loop(size_t index) {
    uint64_t seen = 0;
    for (;;) {
      // Spin for a new generation, then sleep until one is announced.
      const auto until = std::chrono::steady_clock::now() + SPIN;
      while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) FND_PAUSE();
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      const std::function<void(size_t)>* job;
      size_t helpers;
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen = generation_.load(std::memory_order_acquire);
        job = job_;
        helpers = helpers_;
      }
      if (index <= helpers) {
        guarded(*job, index);
        pending_.fetch_sub(1, std::memory_order_acq_rel);
      }
    }
  }

  std::vector<std::thread> threads_;
  // One job at a time: a second caller, or a part that calls run() again, runs its parts serially.
  std::atomic<bool> busy_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex error_mu_;
  std::exception_ptr error_;
  std::atomic<uint64_t> generation_{0};
  std::atomic<size_t> pending_{0};
  const std::function<void(size_t)>* job_ = nullptr;
  size_t helpers_ = 0;
};

Pool& pool() {
  static Pool* p = new Pool(thread_count() - 1);  // never destroyed: workers outlive static teardown
  return *p;
}

}  // namespace

void run_parts(size_t parts, const std::function<void(size_t)>& part) {
  if (parts == 1) {
    part(0);
    return;
  }
  pool().run(parts, part);
}

}  // namespace fnd
