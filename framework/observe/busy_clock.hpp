// BusyClock: the cheap clock behind the workers' busy time. On x86-64 with
// an invariant TSC it reads the time-stamp counter (a few ns, no vDSO call);
// elsewhere it is steady_clock in nanoseconds. Ticks become nanoseconds
// through the ratio of both clocks measured since the engine started, so no
// calibration delay is paid up front.
#ifndef LITEPOOL_FRAMEWORK_BUSY_CLOCK_HPP_
#define LITEPOOL_FRAMEWORK_BUSY_CLOCK_HPP_

#include <chrono>
#include <cstdint>

#if defined(__x86_64__)
#include <cpuid.h>
#include <x86intrin.h>
#endif

namespace litepool::detail {

class BusyClock {
 public:
  using Ticks = std::uint64_t;

  static Ticks Now() noexcept {
#if defined(__x86_64__)
    if (kUseTsc) return __rdtsc();
#endif
    return static_cast<Ticks>(std::chrono::steady_clock::now().time_since_epoch().count());
  }

  BusyClock() noexcept : origin_steady_(std::chrono::steady_clock::now()), origin_ticks_(Now()) {}

  // `ticks` (a difference of Now() values) in nanoseconds.
  std::chrono::nanoseconds ToNanos(Ticks ticks) const noexcept {
    if (!kUseTsc) return std::chrono::nanoseconds(static_cast<std::int64_t>(ticks));
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(ticks) * NanosPerTick()));
  }

  // Nanoseconds per tick, as measured since the engine started (1 without a
  // TSC). For converting many values at once (a trace) with one clock read.
  double NanosPerTick() const noexcept {
    if (!kUseTsc) return 1.0;
    const double ns = static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                              std::chrono::steady_clock::now() - origin_steady_)
                                              .count());
    const Ticks elapsed = Now() - origin_ticks_;
    if (elapsed == 0) return 0.0;
    return ns / static_cast<double>(elapsed);
  }

 private:
  static bool TscIsInvariant() noexcept {
#if defined(__x86_64__)
    unsigned a = 0, b = 0, c = 0, d = 0;
    const unsigned max_leaf = static_cast<unsigned>(__get_cpuid_max(0x80000000u, nullptr));
    if (max_leaf < 0x80000007u) return false;
    __cpuid(0x80000007u, a, b, c, d);
    return (d & (1u << 8)) != 0;  // CPUID.80000007H:EDX[8] invariant TSC
#else
    return false;
#endif
  }
  static inline const bool kUseTsc = TscIsInvariant();

  std::chrono::steady_clock::time_point origin_steady_;
  Ticks origin_ticks_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_BUSY_CLOCK_HPP_
