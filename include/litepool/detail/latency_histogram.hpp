// litepool/detail/latency_histogram.hpp — a fixed log-bucket latency
// histogram (internal: users read LatencySummary from Pool::Stats()).
//
// Buckets are log-linear in nanoseconds: values below 16 ns get a bucket
// each; above, every power of two [2^e, 2^(e+1)) is split into 16 equal
// buckets, so a bucket is at most 1/16 (6.25 %) of its lower bound wide.
// Values of 2^44 ns (about 4.9 hours) and more share the last bucket; `max`
// stays exact. 656 buckets of 8 bytes: 5.1 KiB per histogram.
//
//   LatencyHistogram h;              // one per worker, written by it only
//   h.Record(end - start);           // hot path: no lock, no allocation
//   LatencyCounts all = h.Read();    // any thread, any time
//   all.Merge(other.Read());         // totals over workers
//   LatencySummary s = all.Summary();
//
// LatencyHistogram: Record has one writer at a time (the owning worker);
// Read may run concurrently on any thread and sees each bucket atomically
// (relaxed: the numbers are statistics, nothing else is published through
// them), so a read during recording may miss samples in flight. Never
// allocates, never blocks, never throws.
// LatencyCounts: a plain value (a snapshot), mergeable; not thread-safe.
#ifndef LITEPOOL_DETAIL_LATENCY_HISTOGRAM_HPP_
#define LITEPOOL_DETAIL_LATENCY_HISTOGRAM_HPP_

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "litepool/trace.hpp"

namespace litepool::detail {

// log2 of the buckets per power of two: 16 buckets, at most 6.25 % wide.
inline constexpr unsigned kLatencySubBucketBits = 4;
inline constexpr std::uint64_t kLatencySubBuckets = std::uint64_t{1} << kLatencySubBucketBits;
// Values clamp below 2^44 ns (about 4.9 hours) for the buckets; max is exact.
inline constexpr unsigned kLatencyValueBits = 44;
inline constexpr std::size_t kLatencyBuckets =
    (kLatencyValueBits - kLatencySubBucketBits + 1) * kLatencySubBuckets;

// The bucket holding `ns` (clamped to the last bucket).
// Branch-free (the engine calls it twice per task): with s = the number of
// low bits dropped (0 below 2^(sub-bucket bits + 1), where buckets are 1 ns
// wide), the bucket is s * kLatencySubBuckets + (ns >> s), which is the
// bucket's group and its sub-bucket (the top bit of ns >> s adds the
// group's first kLatencySubBuckets).
constexpr std::size_t LatencyBucketOf(std::uint64_t ns) noexcept {
  constexpr std::uint64_t kTop = (std::uint64_t{1} << kLatencyValueBits) - 1;
  constexpr std::uint64_t kFloor = (kLatencySubBuckets << 1) - 1;  // 31: bit_width >= 5
  ns = std::min(ns, kTop);
  const unsigned s =
      static_cast<unsigned>(std::bit_width(ns | kFloor)) - (kLatencySubBucketBits + 1);
  return static_cast<std::size_t>(s * kLatencySubBuckets + (ns >> s));
}

// The smallest value of bucket `b`.
constexpr std::uint64_t LatencyBucketLow(std::size_t b) noexcept {
  if (b < kLatencySubBuckets) return b;
  const std::uint64_t group = b / kLatencySubBuckets;  // >= 1
  const std::uint64_t sub = b % kLatencySubBuckets;
  return (kLatencySubBuckets + sub) << (group - 1);
}

// The largest value of bucket `b`.
constexpr std::uint64_t LatencyBucketHigh(std::size_t b) noexcept {
  if (b < kLatencySubBuckets) return b;
  return LatencyBucketLow(b) + (std::uint64_t{1} << (b / kLatencySubBuckets - 1)) - 1;
}

inline std::uint64_t LatencyNanos(std::chrono::nanoseconds d) noexcept {
  return d.count() > 0 ? static_cast<std::uint64_t>(d.count()) : 0;  // a clock step back: 0
}

// A snapshot of a histogram: plain counts, mergeable. Not thread-safe.
struct LatencyCounts {
  std::array<std::uint64_t, kLatencyBuckets> buckets{};
  std::uint64_t count = 0;
  std::uint64_t max = 0;  // nanoseconds

  void Record(std::chrono::nanoseconds d) noexcept {
    const std::uint64_t ns = LatencyNanos(d);
    ++buckets[LatencyBucketOf(ns)];
    ++count;
    max = std::max(max, ns);
  }

  // Adds `other`'s samples (e.g. the total over workers).
  LatencyCounts& Merge(const LatencyCounts& other) noexcept {
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) buckets[b] += other.buckets[b];
    count += other.count;
    max = std::max(max, other.max);
    return *this;
  }

  // The nearest-rank percentile `percent` (1..100): the upper bound of the
  // bucket holding that rank, capped by max. 0 when empty.
  std::uint64_t Percentile(unsigned percent) const noexcept {
    std::uint64_t n = 0;
    for (std::uint64_t c : buckets) n += c;
    if (n == 0) return 0;
    const std::uint64_t rank = std::max<std::uint64_t>(1, (n * percent + 99) / 100);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      seen += buckets[b];
      if (seen >= rank) return std::min(LatencyBucketHigh(b), max);
    }
    return max;
  }

  LatencySummary Summary() const noexcept {
    LatencySummary s;
    s.count = count;
    if (count == 0) return s;
    s.p50 = std::chrono::nanoseconds(static_cast<std::int64_t>(Percentile(50)));
    s.p90 = std::chrono::nanoseconds(static_cast<std::int64_t>(Percentile(90)));
    s.p99 = std::chrono::nanoseconds(static_cast<std::int64_t>(Percentile(99)));
    s.max = std::chrono::nanoseconds(static_cast<std::int64_t>(max));
    return s;
  }
};

// The recording side: one writer (the worker that owns it), readers on any
// thread. Not copyable (atomics); Read() gives a copyable snapshot.
class LatencyHistogram {
 public:
  LatencyHistogram() noexcept = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  // One writer at a time. Plain load + store instead of fetch_add: there is
  // no second writer to race with, and a locked RMW would cost more on the
  // hot path. Relaxed: readers only need each counter to be untorn.
  void Record(std::chrono::nanoseconds d) noexcept { RecordValue(LatencyNanos(d)); }
  // The same for a value in another unit (the engine records clock ticks
  // and scales the summary): buckets and max are unit-free.
  // No separate count: Read() sums the buckets (one store less per sample).
  void RecordValue(std::uint64_t v) noexcept {
    Bump(buckets_[LatencyBucketOf(v)]);
    if (v > max_.load(std::memory_order_relaxed)) max_.store(v, std::memory_order_relaxed);
  }

  // A snapshot; concurrent with Record it may miss samples in flight.
  // count is the sum of the buckets. Relaxed loads: statistics, see Record.
  LatencyCounts Read() const noexcept {
    LatencyCounts c;
    for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
      c.buckets[b] = buckets_[b].load(std::memory_order_relaxed);
      c.count += c.buckets[b];
    }
    c.max = max_.load(std::memory_order_relaxed);
    return c;
  }

 private:
  static void Bump(std::atomic<std::uint64_t>& a) noexcept {
    a.store(a.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, kLatencyBuckets> buckets_{};
  std::atomic<std::uint64_t> max_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_LATENCY_HISTOGRAM_HPP_
