// benchmarks/common/bench_util.hpp — small helpers shared by every topic
// binary: a clock, process CPU time, a CPU spin, a spinning process that
// holds one core, a completion latch, a gang of producer threads, per-thread
// busy accounting and the seeded workloads.
//
// None of this is a queue or a scheduler: the systems under test do the
// scheduling; these helpers only generate load and measure it the same way
// for every system.
#ifndef LITEPOOL_BENCHMARKS_COMMON_BENCH_UTIL_HPP_
#define LITEPOOL_BENCHMARKS_COMMON_BENCH_UTIL_HPP_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <thread>
#include <vector>

namespace litepool_bench {

// Monotonic time in nanoseconds (steady_clock; a vDSO call on Linux).
inline std::int64_t NowNs() noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

inline void CpuRelax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// CPUs this process may run on (its affinity mask; at least 1).
std::size_t UsableCores() noexcept;

// Busy-waits until `ns` nanoseconds of wall time have passed. Deadline
// based, so a task keeps its nominal wall duration even when the OS
// preempts its thread (the load-balance workloads rely on that).
void SpinFor(std::int64_t ns) noexcept;

// This thread's CPU time in nanoseconds (CLOCK_THREAD_CPUTIME_ID).
std::int64_t ThreadCpuNs() noexcept;

// What this whole process (every thread) has used so far, from
// getrusage(RUSAGE_SELF): CPU time, user + system, in nanoseconds
// (microsecond resolution), and minor page faults. A spawned CoreHolder is
// another process and is not counted.
struct ProcessUsage {
  std::int64_t cpu_ns = 0;
  std::int64_t minor_faults = 0;
};
ProcessUsage ReadProcessUsage() noexcept;

// While alive, a child process spins on one CPU of this process's affinity
// mask (the last one), so the system under test shares the machine with a
// process that never yields, as on a machine shared with other work. The
// constructor returns once the child is pinned and spinning; the destructor
// kills and reaps it. The child also exits by itself if this process dies
// (PR_SET_PDEATHSIG, and a check that its parent is unchanged) or after
// kMaxHoldSeconds, so an aborted benchmark never leaves it behind. Aborts
// the benchmark if the child cannot be started. Not thread-safe; one per
// benchmark run.
class CoreHolder {
 public:
  // Upper bound of one holder's life: far above the longest benchmark row
  // (a few seconds), short enough that a leaked child goes away soon.
  static constexpr int kMaxHoldSeconds = 120;

  CoreHolder();
  ~CoreHolder();
  CoreHolder(const CoreHolder&) = delete;
  CoreHolder& operator=(const CoreHolder&) = delete;

  int Cpu() const noexcept { return cpu_; }

 private:
  int pid_ = -1;
  int cpu_ = -1;
};

// Busy-waits until this thread has used `ns` nanoseconds of CPU: a fixed
// amount of work, which takes longer in wall time when the thread is
// preempted (unlike SpinFor). Returns the CPU time actually used.
std::int64_t SpinCpuFor(std::int64_t ns) noexcept;

// Counts down completions; Wait() blocks (futex, after a short spin) until
// the count reaches zero. Reset() between rounds; keep one Completion alive
// for a whole benchmark so a late notify never touches freed memory.
// Thread-safe. Never allocates.
class Completion {
 public:
  void Reset(int n) noexcept { remaining_.store(n, std::memory_order_release); }
  void Arrive() noexcept {
    if (remaining_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      remaining_.notify_all();
    }
  }
  void Wait() const noexcept {
    for (int v = remaining_.load(std::memory_order_acquire); v != 0;
         v = remaining_.load(std::memory_order_acquire)) {
      remaining_.wait(v, std::memory_order_acquire);
    }
  }
  // Polls until zero or `timeout_ns` passed; false on timeout.
  bool WaitForNs(std::int64_t timeout_ns) const noexcept;
  int Remaining() const noexcept { return remaining_.load(std::memory_order_acquire); }

 private:
  alignas(64) std::atomic<int> remaining_{0};
};

// `producers` threads submitting together: the calling thread is producer 0,
// producers - 1 helper threads park between rounds. Not thread-safe: one
// thread calls Run().
class ProducerGang {
 public:
  explicit ProducerGang(int producers);
  ~ProducerGang();
  ProducerGang(const ProducerGang&) = delete;
  ProducerGang& operator=(const ProducerGang&) = delete;

  int Producers() const noexcept { return producers_; }

  // Runs fn(i) on producer i (0 .. producers-1) and returns once all
  // returned.
  void Run(const std::function<void(int)>& fn);

  // The part of `total` that producer `index` submits.
  static int Share(int total, int producers, int index) noexcept {
    return total / producers + (index < total % producers ? 1 : 0);
  }

 private:
  void Helper(int index);

  int producers_;
  const std::function<void(int)>* fn_ = nullptr;
  alignas(64) std::atomic<int> generation_{0};
  alignas(64) std::atomic<int> running_{0};
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

// Busy time per executing thread, measured from inside the tasks, so it
// works the same for every system. Threads are numbered on first Add() of
// each round (Reset() starts a round). Thread-safe.
class BusyTracker {
 public:
  explicit BusyTracker(std::size_t workers);
  void Reset() noexcept;
  void Add(std::int64_t ns) noexcept;
  std::int64_t Total() const noexcept;
  // max busy / mean busy, mean = total / workers (a worker that ran
  // nothing counts as 0 busy).
  double Imbalance() const noexcept;

 private:
  static constexpr int kSlots = 128;
  struct alignas(64) Slot {
    std::atomic<std::int64_t> ns{0};
  };
  std::size_t workers_;
  std::uint64_t round_ = 0;
  std::atomic<int> next_slot_{0};
  std::array<Slot, kSlots> slots_{};
};

// One task of a load-balance workload: `units` of work.
struct WorkItem {
  std::uint32_t units = 0;
};

// Seed 003's example: `count` tasks of uniform random [lo, hi] units, drawn
// from std::mt19937 seeded with `seed` (the mt19937 sequence is fixed by
// the standard; the mapping to [lo, hi] is ours, so every platform gets the
// same list).
std::vector<std::uint32_t> UniformUnits(std::size_t count, std::uint32_t lo, std::uint32_t hi,
                                        std::uint32_t seed);

// A skewed mix: like UniformUnits, but `long_percent` % of the tasks (at
// seeded random positions) are `factor` times longer.
std::vector<std::uint32_t> SkewedUnits(std::size_t count, std::uint32_t lo, std::uint32_t hi,
                                       std::uint32_t long_percent, std::uint32_t factor,
                                       std::uint32_t seed);

// Percentile `p` in [0, 100] of `values` (sorts a copy; nearest rank).
double Percentile(std::vector<std::int64_t> values, double p);

}  // namespace litepool_bench

#endif  // LITEPOOL_BENCHMARKS_COMMON_BENCH_UTIL_HPP_
