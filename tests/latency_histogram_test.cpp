#include "litepool/detail/latency_histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <thread>
#include <vector>

namespace litepool::detail {
namespace {

using std::chrono::nanoseconds;

TEST(LatencyHistogramTest, BucketsAreContiguousAndAtMostOneSixteenthWide) {
  for (std::size_t b = 0; b < kLatencyBuckets; ++b) {
    EXPECT_EQ(LatencyBucketOf(LatencyBucketLow(b)), b) << b;
    EXPECT_EQ(LatencyBucketOf(LatencyBucketHigh(b)), b) << b;
    if (b + 1 < kLatencyBuckets) {
      EXPECT_EQ(LatencyBucketLow(b + 1), LatencyBucketHigh(b) + 1) << b;
    }
    if (b >= kLatencySubBuckets) {
      const std::uint64_t width = LatencyBucketHigh(b) - LatencyBucketLow(b) + 1;
      EXPECT_LE(width * 16, LatencyBucketLow(b)) << b;
    }
  }
  EXPECT_EQ(LatencyBucketOf(0), 0u);
  EXPECT_EQ(LatencyBucketOf(UINT64_MAX), kLatencyBuckets - 1);
}

// Nearest-rank percentile of sorted samples: the reference.
std::uint64_t Reference(const std::vector<std::uint64_t>& sorted, unsigned percent) {
  const std::size_t rank = std::max<std::size_t>(1, (sorted.size() * percent + 99) / 100);
  return sorted[rank - 1];
}

void ExpectWithinOneBucket(const std::vector<std::uint64_t>& samples) {
  LatencyHistogram h;
  for (std::uint64_t v : samples) h.Record(nanoseconds(static_cast<std::int64_t>(v)));
  std::vector<std::uint64_t> sorted = samples;
  std::sort(sorted.begin(), sorted.end());
  const LatencySummary s = h.Read().Summary();
  EXPECT_EQ(s.count, samples.size());
  EXPECT_EQ(static_cast<std::uint64_t>(s.max.count()), sorted.back());
  const std::pair<unsigned, nanoseconds> got[] = {{50, s.p50}, {90, s.p90}, {99, s.p99}};
  for (const auto& [percent, value] : got) {
    const std::uint64_t want = Reference(sorted, percent);
    const auto v = static_cast<std::uint64_t>(value.count());
    // Same bucket as the true value, never below it.
    EXPECT_EQ(LatencyBucketOf(v), LatencyBucketOf(want))
        << "p" << percent << " " << v << " vs " << want;
    EXPECT_GE(v, want) << "p" << percent;
    EXPECT_LE(static_cast<double>(v), static_cast<double>(want) * (1 + 1.0 / 16) + 1)
        << "p" << percent;
  }
}

TEST(LatencyHistogramTest, PercentilesMatchASortedReferenceWithinOneBucket) {
  std::mt19937_64 rng(20261202);
  for (int round = 0; round < 20; ++round) {
    const std::size_t n = 1 + rng() % 20000;
    std::vector<std::uint64_t> uniform, log_uniform, exponential;
    std::uniform_int_distribution<std::uint64_t> u(0, 2'000'000);
    std::uniform_real_distribution<double> exp10(0, 11);  // 1 ns .. 100 s
    std::exponential_distribution<double> ex(1.0 / 50'000);
    for (std::size_t i = 0; i < n; ++i) {
      uniform.push_back(u(rng));
      log_uniform.push_back(static_cast<std::uint64_t>(std::pow(10.0, exp10(rng))));
      exponential.push_back(static_cast<std::uint64_t>(ex(rng)));
    }
    ExpectWithinOneBucket(uniform);
    ExpectWithinOneBucket(log_uniform);
    ExpectWithinOneBucket(exponential);
  }
}

TEST(LatencyHistogramTest, SmallValuesAreExact) {
  LatencyCounts c;
  for (int v : {3, 3, 3, 7, 15}) c.Record(nanoseconds(v));
  const LatencySummary s = c.Summary();
  EXPECT_EQ(s.p50, nanoseconds(3));
  EXPECT_EQ(s.p90, nanoseconds(15));
  EXPECT_EQ(s.max, nanoseconds(15));
}

TEST(LatencyHistogramTest, EmptyIsAllZeroWithCountZero) {
  LatencyHistogram h;
  const LatencySummary s = h.Read().Summary();
  EXPECT_EQ(s.count, 0u);
  EXPECT_EQ(s.p50, nanoseconds(0));
  EXPECT_EQ(s.max, nanoseconds(0));
}

TEST(LatencyHistogramTest, OneSampleIsReportedExactly) {
  LatencyCounts c;
  c.Record(nanoseconds(123'456'789));
  const LatencySummary s = c.Summary();
  // The bucket bound is capped by the exact max: one sample, one value.
  EXPECT_EQ(s.p50, nanoseconds(123'456'789));
  EXPECT_EQ(s.p99, nanoseconds(123'456'789));
}

TEST(LatencyHistogramTest, HugeAndNegativeValuesClampButMaxStaysExact) {
  LatencyCounts c;
  c.Record(nanoseconds(-5));               // a clock step back
  c.Record(std::chrono::hours(24 * 365));  // beyond the last bucket
  const LatencySummary s = c.Summary();
  EXPECT_EQ(s.count, 2u);
  EXPECT_EQ(s.p50, nanoseconds(0));
  EXPECT_EQ(s.max, std::chrono::hours(24 * 365));
  EXPECT_LE(s.p99, s.max);
}

TEST(LatencyHistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(7);
  LatencyHistogram a, b;
  LatencyCounts all;
  for (int i = 0; i < 5000; ++i) {
    const nanoseconds v(static_cast<std::int64_t>(rng() % 10'000'000));
    (i % 3 == 0 ? a : b).Record(v);
    all.Record(v);
  }
  LatencyCounts merged = a.Read();
  merged.Merge(b.Read());
  EXPECT_EQ(merged.buckets, all.buckets);
  EXPECT_EQ(merged.count, all.count);
  EXPECT_EQ(merged.max, all.max);
  const LatencySummary m = merged.Summary(), r = all.Summary();
  EXPECT_EQ(m.p50, r.p50);
  EXPECT_EQ(m.p99, r.p99);
}

TEST(LatencyHistogramTest, ReadsWhileOneWriterRecordsAndEndsExact) {
  constexpr int kSamples = 200'000;
  LatencyHistogram h;
  std::atomic<bool> done{false};
  std::thread writer([&] {
    for (int i = 0; i < kSamples; ++i) h.Record(nanoseconds(i % 5000));
    done.store(true, std::memory_order_release);
  });
  std::uint64_t last = 0;
  while (!done.load(std::memory_order_acquire)) {
    const LatencyCounts c = h.Read();
    EXPECT_GE(c.count, last);  // a single writer's counter never goes back
    last = c.count;
  }
  writer.join();
  const LatencyCounts c = h.Read();
  EXPECT_EQ(c.count, static_cast<std::uint64_t>(kSamples));
  EXPECT_EQ(c.max, 4999u);
}

}  // namespace
}  // namespace litepool::detail
