// The asymmetric Dekker fence: two threads each write one variable, then
// read the other's, and at least one of them must see the other's write.
// Where one side runs millions of times (a worker after every settled task)
// and the other rarely (a thread about to wait for the pool), the frequent
// side pays a compiler barrier only (LightFence) and the rare side a
// process-wide barrier (HeavyFence): Linux's membarrier, private expedited,
// which makes every running thread of the process execute a full memory
// barrier before it returns. Pairing LightFence with HeavyFence orders as
// two seq_cst fences would. Where the kernel offers no such barrier (not
// Linux, an old kernel, a sandbox that filters the call), both sides fall
// back to std::atomic_thread_fence(seq_cst), and the frequent side pays a
// real fence again.
//
// Usage (the frequent side, then the rare side):
//   x.store(1, relaxed); LightFence(); if (y.load(relaxed)) ...
//   y.store(1, relaxed); HeavyFence(); if (x.load(relaxed)) ...
//
// EnableHeavyFence() must have returned before the first LightFence that is
// to pair with a HeavyFence: call it where the frequent side is set up (a
// pool's constructor). Thread-safety: every function, any thread; none
// blocks, but HeavyFence is a system call (microseconds).
#ifndef LITEPOOL_FRAMEWORK_BASE_ASYMMETRIC_FENCE_HPP_
#define LITEPOOL_FRAMEWORK_BASE_ASYMMETRIC_FENCE_HPP_

#include <atomic>

namespace litepool::detail {

// True once the process-wide barrier is registered and works. Relaxed: it
// only ever goes from false to true, before the pool that relies on it
// starts its threads (thread creation orders it for them).
inline std::atomic<bool> heavy_fence_enabled{false};

// Registers the process for the heavy barrier (once per process; later
// calls return at once). Returns whether it is available.
bool EnableHeavyFence() noexcept;

// The frequent side.
inline void LightFence() noexcept {
  if (heavy_fence_enabled.load(std::memory_order_relaxed)) [[likely]] {
    std::atomic_signal_fence(std::memory_order_seq_cst);
  } else {
    std::atomic_thread_fence(std::memory_order_seq_cst);
  }
}

// The rare side.
void HeavyFence() noexcept;

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_BASE_ASYMMETRIC_FENCE_HPP_
