// UsageReport::ToPrometheus and the figures Stats() gives it: the metric
// names, outcomes that add up, escaping, histograms on fixed bounds.
// (scripts/test.d/65-prometheus parses the text with the Python client.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "litepool/litepool.hpp"
#include "observe/prometheus_text.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;

// Sample lines of `text` by their name and labels ("name{...}"), the value
// as written. Comment lines are left out.
std::map<std::string, std::string> Samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const auto space = line.rfind(' ');
    out[line.substr(0, space)] = line.substr(space + 1);
  }
  return out;
}

UsageReport Made() {
  UsageReport r;
  r.name = "api";
  r.queue_capacity = 16;
  r.cancelled = 3;
  r.rejected = 7;
  r.total.succeeded = 100;
  r.total.failed = 20;  // 3 cancelled and 5 expired among them
  r.total.expired = 5;
  r.total.retried = 9;
  r.total.callback_errors = 2;
  r.total.queued = 4;
  WorkerUsage w0, w1;
  w0.id = 0;
  w0.executed = 70;
  w0.busy = 1500ms;
  w1.id = 1;
  w1.executed = 59;
  w1.busy = 250us;
  r.workers = {w0, w1};
  return r;
}

TEST(PrometheusTest, EveryMetricOfTheReportIsThereWithThePoolLabel) {
  const auto s = Samples(Made().ToPrometheus());
  const std::map<std::string, std::string> want = {
      {"litepool_tasks_total{pool=\"api\",outcome=\"succeeded\"}", "100"},
      // failed without the cancelled and expired ones: outcomes are disjoint
      {"litepool_tasks_total{pool=\"api\",outcome=\"failed\"}", "12"},
      {"litepool_tasks_total{pool=\"api\",outcome=\"cancelled\"}", "3"},
      {"litepool_tasks_total{pool=\"api\",outcome=\"expired\"}", "5"},
      {"litepool_task_retries_total{pool=\"api\"}", "9"},
      {"litepool_tasks_rejected_total{pool=\"api\"}", "7"},
      {"litepool_hook_errors_total{pool=\"api\"}", "2"},
      {"litepool_workers{pool=\"api\"}", "2"},
      {"litepool_queue_capacity{pool=\"api\"}", "16"},
      {"litepool_queued_tasks{pool=\"api\"}", "4"},
      {"litepool_worker_busy_seconds_total{pool=\"api\",worker=\"0\"}", "1.5"},
      {"litepool_worker_busy_seconds_total{pool=\"api\",worker=\"1\"}", "0.00025"},
      {"litepool_worker_tasks_total{pool=\"api\",worker=\"0\"}", "70"},
      {"litepool_worker_tasks_total{pool=\"api\",worker=\"1\"}", "59"},
  };
  for (const auto& [key, value] : want) {
    const auto it = s.find(key);
    ASSERT_NE(it, s.end()) << "missing " << key;
    EXPECT_EQ(it->second, value) << key;
  }
  // Every sample carries the pool label, first.
  for (const auto& [key, value] : s) {
    EXPECT_NE(key.find("{pool=\"api\""), std::string::npos) << key;
  }
}

TEST(PrometheusTest, EachFamilyHasHelpAndTypeBeforeItsSamples) {
  const std::string text = Made().ToPrometheus();
  const std::vector<std::pair<std::string, std::string>> families = {
      {"litepool_tasks_total", "counter"},
      {"litepool_task_retries_total", "counter"},
      {"litepool_tasks_rejected_total", "counter"},
      {"litepool_hook_errors_total", "counter"},
      {"litepool_workers", "gauge"},
      {"litepool_queue_capacity", "gauge"},
      {"litepool_queued_tasks", "gauge"},
      {"litepool_worker_busy_seconds_total", "counter"},
      {"litepool_worker_tasks_total", "counter"},
      {"litepool_queue_wait_seconds", "histogram"},
      {"litepool_run_seconds", "histogram"},
  };
  for (const auto& [name, type] : families) {
    const auto help = text.find("# HELP " + name + " ");
    const auto type_line = text.find("# TYPE " + name + " " + type + "\n");
    const auto sample = text.find("\n" + name + (type == "histogram" ? "_bucket{" : "{"));
    ASSERT_NE(help, std::string::npos) << name;
    ASSERT_NE(type_line, std::string::npos) << name;
    ASSERT_NE(sample, std::string::npos) << name;
    EXPECT_LT(help, type_line) << name;
    EXPECT_LT(type_line, sample) << name;
  }
  EXPECT_EQ(text.back(), '\n');
}

TEST(PrometheusTest, HistogramsAreCumulativeInSecondsWithInfSumAndCount) {
  UsageReport r = Made();
  for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
    r.run_time_buckets.cumulative[i] = i < 3 ? 0 : 10 + i;
  }
  r.run_time_buckets.count = 40;
  r.run_time_buckets.sum = 2500ms;
  const auto s = Samples(r.ToPrometheus());
  const std::string h = "litepool_run_seconds";
  EXPECT_EQ(s.at(h + "_bucket{pool=\"api\",le=\"1e-07\"}"), "0");
  EXPECT_EQ(s.at(h + "_bucket{pool=\"api\",le=\"1e-06\"}"), "13");
  EXPECT_EQ(s.at(h + "_bucket{pool=\"api\",le=\"0.0025\"}"), "23");
  EXPECT_EQ(s.at(h + "_bucket{pool=\"api\",le=\"10\"}"), "34");
  EXPECT_EQ(s.at(h + "_bucket{pool=\"api\",le=\"+Inf\"}"), "40");
  EXPECT_EQ(s.at(h + "_sum{pool=\"api\"}"), "2.5");
  EXPECT_EQ(s.at(h + "_count{pool=\"api\"}"), "40");
  // An empty histogram still has every bucket, at 0.
  EXPECT_EQ(s.at("litepool_queue_wait_seconds_bucket{pool=\"api\",le=\"+Inf\"}"), "0");
  EXPECT_EQ(s.at("litepool_queue_wait_seconds_count{pool=\"api\"}"), "0");
  std::size_t buckets = 0;
  for (const auto& [key, value] : s) buckets += key.rfind(h + "_bucket{", 0) == 0;
  EXPECT_EQ(buckets, LatencyBuckets::kBounds + 1);
}

TEST(PrometheusTest, PoolNameIsEscapedAndMadeValidUtf8) {
  UsageReport r = Made();
  r.name = "a\"b\\c\nd\xff";
  const std::string text = r.ToPrometheus();
  EXPECT_NE(text.find("litepool_workers{pool=\"a\\\"b\\\\c\\nd\xEF\xBF\xBD\"} 2\n"),
            std::string::npos)
      << text;
  // No raw line feed inside a sample: every line is a comment or a sample.
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_TRUE(line.rfind("# ", 0) == 0 || line.rfind("litepool_", 0) == 0) << line;
  }
}

TEST(PrometheusTest, NumbersAreShortestRoundTripAndNonFiniteAsTheFormatSpellsThem) {
  EXPECT_EQ(detail::PrometheusNumber(0), "0");
  EXPECT_EQ(detail::PrometheusNumber(12345678901234), "12345678901234");
  EXPECT_EQ(detail::PrometheusNumber(0.1), "0.1");
  EXPECT_EQ(detail::PrometheusNumber(1e-7), "1e-07");
  EXPECT_EQ(detail::PrometheusNumber(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(detail::PrometheusNumber(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(detail::PrometheusNumber(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

// The figures Stats() adds for metrics, from a pool that produced each
// outcome a known number of times.
TEST(PrometheusTest, StatsCountsCancelledExpiredAndRejectedTasks) {
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = 8, .name = "mix"});
  pool.Pause();
  TaskGroup purged = pool.NewTaskGroup(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(pool.AddTask(purged.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  }
  ASSERT_EQ(pool.Purge(), 3u);
  TaskGroup expiring = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(
        pool.AddTask(expiring.NewTaskOptions().SetTask([] {}).SetQueueTimeout(1ms).SetAutoDone()));
  }
  ASSERT_TRUE(expiring.WaitFor(testing::kHangGuard));
  pool.Resume();
  TaskGroup ran = pool.NewTaskGroup(9);
  for (int i = 0; i < 9; ++i) {
    ASSERT_FALSE(pool.AddTask(
        ran.NewTaskOptions().SetTask([i] { return i < 4 ? Error("no") : Error(); }).SetAutoDone()));
  }
  ASSERT_TRUE(ran.WaitFor(testing::kHangGuard));
  // Rejected: no task, a cancelled group (one task, then a batch of three).
  EXPECT_TRUE(pool.AddTask(TaskOptions()));
  TaskGroup cancelled = pool.NewTaskGroup(0);
  cancelled.Cancel();
  EXPECT_TRUE(pool.AddTask(cancelled.NewTaskOptions().SetTask([] {})));
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 3; ++i) batch.push_back(cancelled.NewTaskOptions().SetTask([] {}));
  EXPECT_TRUE(pool.AddTaskGroup(std::move(batch)));

  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.queue_capacity, 8u);
  EXPECT_EQ(r.total.succeeded, 5u);
  EXPECT_EQ(r.total.failed, 4u + 3u + 2u);
  EXPECT_EQ(r.cancelled, 3u);
  EXPECT_EQ(r.total.expired, 2u);
  EXPECT_EQ(r.rejected, 5u);
  const auto s = Samples(r.ToPrometheus());
  EXPECT_EQ(s.at("litepool_tasks_total{pool=\"mix\",outcome=\"succeeded\"}"), "5");
  EXPECT_EQ(s.at("litepool_tasks_total{pool=\"mix\",outcome=\"failed\"}"), "4");
  EXPECT_EQ(s.at("litepool_tasks_total{pool=\"mix\",outcome=\"cancelled\"}"), "3");
  EXPECT_EQ(s.at("litepool_tasks_total{pool=\"mix\",outcome=\"expired\"}"), "2");
  EXPECT_EQ(s.at("litepool_tasks_rejected_total{pool=\"mix\"}"), "5");
  // Nine runs: the purged and expired tasks never ran.
  EXPECT_EQ(r.queue_wait_buckets.count, 9u);
  EXPECT_EQ(r.run_time_buckets.count, r.total.run_time.count);
  EXPECT_EQ(s.at("litepool_queue_wait_seconds_count{pool=\"mix\"}"), "9");
}

// Each run spins at least kSpin: no sample may count under a bound below
// that, and the estimated sum lies within 1/32 of the true one, which is at
// least n * kSpin and at most the busy time.
TEST(PrometheusTest, StatsBucketsNeverCountASampleUnderABoundBelowIt) {
  constexpr auto kSpin = 3ms;  // longer than three of the bounds below it
  constexpr int kTasks = 6;
  Pool pool(2, 8);
  TaskGroup tg = pool.NewTaskGroup(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([kSpin] {
                                    const auto end = std::chrono::steady_clock::now() + kSpin;
                                    while (std::chrono::steady_clock::now() < end) {
                                    }
                                  })
                                  .SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  const UsageReport r = pool.Stats();
  const LatencyBuckets& b = r.run_time_buckets;
  ASSERT_EQ(b.count, static_cast<std::uint64_t>(kTasks));
  for (std::size_t i = 0; i < LatencyBuckets::kBounds; ++i) {
    if (LatencyBuckets::kUpperBounds[i] < kSpin) {
      EXPECT_EQ(b.cumulative[i], 0u) << i;
    }
    if (i > 0) {
      EXPECT_GE(b.cumulative[i], b.cumulative[i - 1]) << i;
    }
    // A sample at or below the max is under every bound at or above it.
    if (LatencyBuckets::kUpperBounds[i] >= r.total.run_time.max) {
      EXPECT_EQ(b.cumulative[i], b.count) << i;
    }
  }
  const double sum = static_cast<double>(b.sum.count());
  EXPECT_GE(sum, kTasks * static_cast<double>(std::chrono::nanoseconds(kSpin).count()) * 31 / 32);
  EXPECT_LE(sum, static_cast<double>(r.total.busy.count()) * 33 / 32 * 1.01);
}

}  // namespace
}  // namespace litepool
