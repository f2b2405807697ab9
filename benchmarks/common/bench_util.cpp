// benchmarks/common/bench_util.cpp — see bench_util.hpp.
#include "bench_util.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <random>

#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace litepool_bench {

std::size_t UsableCores() noexcept {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    return static_cast<std::size_t>(std::max(1, CPU_COUNT(&set)));
  }
#endif
  return std::max(1u, std::thread::hardware_concurrency());
}

void SpinFor(std::int64_t ns) noexcept {
  const std::int64_t deadline = NowNs() + ns;
  while (NowNs() < deadline) CpuRelax();
}

ProcessUsage ReadProcessUsage() noexcept {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ns = [](const timeval& tv) {
    return static_cast<std::int64_t>(tv.tv_sec) * 1000000000 +
           static_cast<std::int64_t>(tv.tv_usec) * 1000;
  };
  return {ns(usage.ru_utime) + ns(usage.ru_stime), usage.ru_minflt};
}

namespace {

[[noreturn]] void HolderFailed(const char* what) {
  std::fprintf(stderr, "CoreHolder: %s failed\n", what);
  std::abort();
}

// The child's whole life: only async-signal-safe calls (the parent has
// threads), no allocation. Pauses between two checks of its parent: short
// enough to notice the parent's death within a millisecond or so.
[[noreturn]] void HoldCore(int cpu, pid_t parent, int ready_fd) {
  constexpr int kPausesPerCheck = 4096;
  if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  if (sched_setaffinity(0, sizeof(set), &set) != 0) _exit(1);
  const char ready = 1;
  if (write(ready_fd, &ready, 1) != 1) _exit(1);
  close(ready_fd);
  timespec start{};
  clock_gettime(CLOCK_MONOTONIC, &start);
  for (;;) {
    for (int i = 0; i < kPausesPerCheck; ++i) CpuRelax();
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (getppid() != parent || now.tv_sec - start.tv_sec > CoreHolder::kMaxHoldSeconds) {
      _exit(0);
    }
  }
}

}  // namespace

CoreHolder::CoreHolder() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) != 0) HolderFailed("sched_getaffinity");
  for (int c = CPU_SETSIZE - 1; c >= 0; --c) {
    if (CPU_ISSET(c, &set)) {
      cpu_ = c;
      break;
    }
  }
  if (cpu_ < 0) HolderFailed("finding a CPU");
  int fds[2];
  if (pipe(fds) != 0) HolderFailed("pipe");
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) HolderFailed("fork");
  if (pid == 0) {
    close(fds[0]);
    HoldCore(cpu_, parent, fds[1]);
  }
  pid_ = pid;
  close(fds[1]);
  // One byte once the child is pinned; end of file if it exited first.
  char ready = 0;
  const ssize_t n = read(fds[0], &ready, 1);
  close(fds[0]);
  if (n != 1) {
    waitpid(pid_, nullptr, 0);
    HolderFailed("starting the spinning child");
  }
}

CoreHolder::~CoreHolder() {
  kill(pid_, SIGKILL);
  while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::int64_t ThreadCpuNs() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::int64_t SpinCpuFor(std::int64_t ns) noexcept {
  const std::int64_t start = ThreadCpuNs();
  std::int64_t now = start;
  while (now - start < ns) {
    for (int i = 0; i < 16; ++i) CpuRelax();  // clock reads are syscalls here
    now = ThreadCpuNs();
  }
  return now - start;
}

bool Completion::WaitForNs(std::int64_t timeout_ns) const noexcept {
  const std::int64_t deadline = NowNs() + timeout_ns;
  while (Remaining() != 0) {
    if (NowNs() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  return true;
}

ProducerGang::ProducerGang(int producers) : producers_(producers) {
  threads_.reserve(static_cast<std::size_t>(producers));
  for (int i = 1; i < producers; ++i) {
    threads_.emplace_back([this, i] { Helper(i); });
  }
}

ProducerGang::~ProducerGang() {
  stop_.store(true, std::memory_order_release);
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  for (auto& t : threads_) t.join();
}

void ProducerGang::Run(const std::function<void(int)>& fn) {
  if (producers_ == 1) {
    fn(0);
    return;
  }
  fn_ = &fn;
  running_.store(producers_ - 1, std::memory_order_release);
  // Release: the helpers read fn_ after they see the new generation.
  generation_.fetch_add(1, std::memory_order_acq_rel);
  generation_.notify_all();
  fn(0);
  for (int v = running_.load(std::memory_order_acquire); v != 0;
       v = running_.load(std::memory_order_acquire)) {
    running_.wait(v, std::memory_order_acquire);
  }
}

void ProducerGang::Helper(int index) {
  int seen = 0;
  for (;;) {
    int g = generation_.load(std::memory_order_acquire);
    while (g == seen) {
      generation_.wait(g, std::memory_order_acquire);
      g = generation_.load(std::memory_order_acquire);
    }
    seen = g;
    if (stop_.load(std::memory_order_acquire)) return;
    (*fn_)(index);
    if (running_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      running_.notify_all();
    }
  }
}

namespace {
std::atomic<std::uint64_t> g_busy_round{0};

struct BusySlotCache {
  const void* owner = nullptr;
  std::uint64_t round = 0;
  int slot = 0;
};
thread_local BusySlotCache t_busy_slot;
}  // namespace

BusyTracker::BusyTracker(std::size_t workers) : workers_(workers) { Reset(); }

void BusyTracker::Reset() noexcept {
  for (auto& s : slots_) s.ns.store(0, std::memory_order_relaxed);
  next_slot_.store(0, std::memory_order_relaxed);
  // A fresh process-wide round number invalidates every thread's cached
  // slot; the tasks of the next round synchronize with this thread through
  // the system's own submit, which publishes the relaxed stores above.
  round_ = g_busy_round.fetch_add(1, std::memory_order_relaxed) + 1;
}

void BusyTracker::Add(std::int64_t ns) noexcept {
  BusySlotCache& c = t_busy_slot;
  if (c.owner != this || c.round != round_) {
    c.owner = this;
    c.round = round_;
    c.slot = next_slot_.fetch_add(1, std::memory_order_relaxed) % kSlots;
  }
  // Relaxed: a sum read only after the round's tasks have all completed.
  slots_[static_cast<std::size_t>(c.slot)].ns.fetch_add(ns, std::memory_order_relaxed);
}

std::int64_t BusyTracker::Total() const noexcept {
  std::int64_t total = 0;
  for (const auto& s : slots_) total += s.ns.load(std::memory_order_relaxed);
  return total;
}

double BusyTracker::Imbalance() const noexcept {
  std::int64_t total = 0;
  std::int64_t max = 0;
  for (const auto& s : slots_) {
    const std::int64_t v = s.ns.load(std::memory_order_relaxed);
    total += v;
    max = std::max(max, v);
  }
  if (total == 0 || workers_ == 0) return 1.0;
  const double mean = static_cast<double>(total) / static_cast<double>(workers_);
  return static_cast<double>(max) / mean;
}

std::vector<std::uint32_t> UniformUnits(std::size_t count, std::uint32_t lo, std::uint32_t hi,
                                        std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint32_t> out(count);
  const std::uint32_t span = hi - lo + 1;
  for (auto& u : out) u = lo + static_cast<std::uint32_t>(rng() % span);
  return out;
}

std::vector<std::uint32_t> SkewedUnits(std::size_t count, std::uint32_t lo, std::uint32_t hi,
                                       std::uint32_t long_percent, std::uint32_t factor,
                                       std::uint32_t seed) {
  std::vector<std::uint32_t> out = UniformUnits(count, lo, hi, seed);
  std::mt19937 rng(seed + 1);
  const std::size_t longs = count * long_percent / 100;
  std::vector<std::size_t> idx(count);
  for (std::size_t i = 0; i < count; ++i) idx[i] = i;
  // A seeded partial Fisher-Yates picks the long tasks' positions.
  for (std::size_t i = 0; i < longs; ++i) {
    const std::size_t j = i + rng() % (count - i);
    std::swap(idx[i], idx[j]);
    out[idx[i]] *= factor;
  }
  return out;
}

double Percentile(std::vector<std::int64_t> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  std::size_t i = rank <= 1.0 ? 0 : static_cast<std::size_t>(rank) - 1;
  if (i >= values.size()) i = values.size() - 1;
  return static_cast<double>(values[i]);
}

}  // namespace litepool_bench
