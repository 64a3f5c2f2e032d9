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

// Parts are claimed, not assigned: the caller and every awake worker take the next unclaimed part
// until none is left, so a worker that the OS has not scheduled (a loaded machine) delays nothing:
// the caller runs its parts too. A claim carries the job's generation, so a worker that wakes late
// can never take a part of (or touch) a job that has finished.
class Pool {
 public:
  explicit Pool(size_t workers) {
    for (size_t w = 0; w < workers; w++) {
      try {
        threads_.emplace_back([this] { loop(); });
      } catch (...) {
        break;  // fewer threads to be had: the caller claims their parts
      }
    }
    for (auto& t : threads_) t.detach();  // the process may exit with workers asleep
  }

  void run(size_t parts, const std::function<void(size_t)>& part) {
    bool idle = false;
    if (parts <= 1 || threads_.empty() || parts > 0xffffffffu || !busy_.compare_exchange_strong(idle, true, std::memory_order_acquire)) {
      for (size_t t = 0; t < parts; t++) part(t);
      return;
    }
    uint32_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      gen = ++generation_value_;
      job_ = &part;
      parts_ = parts;
      done_.store(0, std::memory_order_relaxed);
      claims_.store(static_cast<uint64_t>(gen) << 32, std::memory_order_release);
      generation_.store(gen, std::memory_order_release);
    }
    cv_.notify_all();
    work(gen, parts, part);
    const auto until = std::chrono::steady_clock::now() + SPIN;
    while (done_.load(std::memory_order_acquire) != parts) {
      if (std::chrono::steady_clock::now() < until) FND_PAUSE();
      else std::this_thread::yield();
    }
    std::exception_ptr error = error_;
    error_ = nullptr;
    busy_.store(false, std::memory_order_release);
    if (error) std::rethrow_exception(error);  // e.g. a packing buffer that could not be allocated
  }

 private:
  // Claims the next part of job `gen`; false when the job has none left or is no longer current.
  bool claim(uint32_t gen, size_t parts, size_t* t) {
    uint64_t s = claims_.load(std::memory_order_acquire);
    for (;;) {
      if (static_cast<uint32_t>(s >> 32) != gen || (s & 0xffffffffu) >= parts) return false;
      if (claims_.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel)) {
        *t = static_cast<size_t>(s & 0xffffffffu);
        return true;
      }
    }
  }

  // Runs parts of job `gen` while there are any; the first exception of a job is kept for the caller.
  void work(uint32_t gen, size_t parts, const std::function<void(size_t)>& part) {
    size_t t;
    while (claim(gen, parts, &t)) {
      try {
        part(t);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mu_);
        if (!error_) error_ = std::current_exception();
      }
      done_.fetch_add(1, std::memory_order_acq_rel);
    }
  }

  void loop() {
    uint32_t seen = 0;
    for (;;) {
      // Spin for a new job, then sleep until one is announced.
      const auto until = std::chrono::steady_clock::now() + SPIN;
      while (generation_.load(std::memory_order_acquire) == seen && std::chrono::steady_clock::now() < until) FND_PAUSE();
      if (generation_.load(std::memory_order_acquire) == seen) {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
      }
      const std::function<void(size_t)>* job;
      size_t parts;
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen = generation_.load(std::memory_order_acquire);
        job = job_;
        parts = parts_;
      }
      // The job is alive while any of its parts is unfinished, which a successful claim guarantees.
      work(seen, parts, *job);
    }
  }

  std::vector<std::thread> threads_;
  // One job at a time: a second caller, or a part that calls run() again, runs its parts serially.
  std::atomic<bool> busy_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  std::mutex error_mu_;
  std::exception_ptr error_;
  uint32_t generation_value_ = 0;           // guarded by mu_
  std::atomic<uint32_t> generation_{0};     // the current job, for waiting workers
  std::atomic<uint64_t> claims_{0};         // generation << 32 | next unclaimed part
  std::atomic<size_t> done_{0};
  const std::function<void(size_t)>* job_ = nullptr;
  size_t parts_ = 0;
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
