// The engine side of tracing: Pool::StartTrace/StopTrace and the latency
// summaries of Stats().
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <latch>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using Steady = std::chrono::steady_clock;

constexpr std::size_t kWorkers = 2;
constexpr int kPlainTasks = 200;
constexpr int kRetriedTasks = 5;
constexpr int kRetries = 3;  // each retried task runs 1 + kRetries times
constexpr std::uint64_t kAttempts = kPlainTasks + kRetriedTasks * (1 + kRetries);

// kPlainTasks plain tasks and kRetriedTasks tasks that always fail and retry
// kRetries times; returns once all settled.
void RunMix(Pool& pool) {
  TaskGroup tg(kPlainTasks + kRetriedTasks);
  for (int i = 0; i < kPlainTasks; ++i)
    pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  for (int i = 0; i < kRetriedTasks; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([] { return Error("always fails"); })
                     .SetOnError([](ErrHandle& h, const Error&) { h.ErrReload(kRetries); })
                     .SetAutoDone());
  }
  tg.Wait();
}

TEST(TraceEngineTest, OneEventPerAttemptRetriesIncluded) {
  Pool pool(kWorkers, 64);
  pool.StartTrace();
  RunMix(pool);
  const Trace trace = pool.StopTrace();
  EXPECT_EQ(trace.Dropped(), 0u);
  ASSERT_EQ(trace.Events().size(), kAttempts);
  EXPECT_EQ(pool.Stats().total.executed, kAttempts);
  EXPECT_EQ(trace.Workers(), kWorkers);
  std::map<std::uint64_t, std::vector<const TraceEvent*>> by_task;
  for (const TraceEvent& e : trace.Events()) {
    EXPECT_LT(e.worker, kWorkers);
    EXPECT_LE(e.admitted, e.start);
    EXPECT_LE(e.start, e.end);
    EXPECT_NE(e.task, 0u);
    EXPECT_EQ(e.priority, Priority::kNormal);
    by_task[e.task].push_back(&e);
  }
  ASSERT_EQ(by_task.size(), static_cast<std::size_t>(kPlainTasks + kRetriedTasks));
  std::size_t retried = 0;
  for (auto& [task, attempts] : by_task) {
    if (attempts.size() == 1) {
      EXPECT_EQ(attempts[0]->attempt, 0u);
      EXPECT_EQ(attempts[0]->outcome, ErrorCode::kOk);
      continue;
    }
    ++retried;
    ASSERT_EQ(attempts.size(), static_cast<std::size_t>(1 + kRetries)) << "task " << task;
    std::sort(attempts.begin(), attempts.end(),
              [](const TraceEvent* a, const TraceEvent* b) { return a->attempt < b->attempt; });
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      EXPECT_EQ(attempts[i]->attempt, i);
      EXPECT_EQ(attempts[i]->outcome, ErrorCode::kFailed);
      // A retry is re-queued after the previous attempt ended.
      if (i > 0) {
        EXPECT_GE(attempts[i]->admitted, attempts[i - 1]->end);
      }
    }
  }
  EXPECT_EQ(retried, static_cast<std::size_t>(kRetriedTasks));
}

TEST(TraceEngineTest, CountsWhatDoesNotFitAsDropped) {
  Pool pool(kWorkers, 64);
  constexpr std::size_t kMax = 4;  // 2 per worker
  pool.StartTrace(TraceOptions{.max_events = kMax});
  RunMix(pool);
  const Trace trace = pool.StopTrace();
  EXPECT_LE(trace.Events().size(), kMax);
  EXPECT_GT(trace.Dropped(), 0u);
  EXPECT_EQ(trace.Events().size() + trace.Dropped(), kAttempts);
}

// Workers that SetWorkers adds while a trace runs record into it too.
TEST(TraceEngineTest, WorkersAddedDuringATraceRecord) {
  constexpr std::size_t kGrown = 3;
  Pool pool(1, 16);
  pool.StartTrace(TraceOptions{.max_events = 300});
  pool.SetWorkers(kGrown);
  // One task per worker: each waits until all are running, so each ran on
  // a worker of its own.
  std::latch all_running(kGrown);
  TaskGroup tg(kGrown);
  for (std::size_t i = 0; i < kGrown; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([&all_running] { all_running.arrive_and_wait(); })
                     .SetAutoDone());
  }
  ASSERT_TRUE(tg.WaitFor(testing::kHangGuard));
  const Trace trace = pool.StopTrace();
  std::set<std::size_t> workers;
  for (const TraceEvent& e : trace.Events()) workers.insert(e.worker);
  EXPECT_EQ(workers, (std::set<std::size_t>{0, 1, 2}));
  EXPECT_EQ(trace.Events().size() + trace.Dropped(), kGrown);
  EXPECT_EQ(trace.Workers(), kGrown);
}

TEST(TraceEngineTest, RecordsNothingWhileOffAndStopWithoutStartIsEmpty) {
  Pool pool(kWorkers, 64);
  Trace none = pool.StopTrace();
  EXPECT_TRUE(none.Events().empty());
  EXPECT_EQ(none.Dropped(), 0u);
  pool.StartTrace();
  RunMix(pool);
  EXPECT_EQ(pool.StopTrace().Events().size(), kAttempts);
  EXPECT_TRUE(pool.StopTrace().Events().empty());  // stopped already
  RunMix(pool);                                    // not traced
  pool.StartTrace();
  const Trace later = pool.StopTrace();
  EXPECT_TRUE(later.Events().empty());
  EXPECT_EQ(later.Dropped(), 0u);
}

TEST(TraceEngineTest, StartTraceTwiceRestartsTheTrace) {
  Pool pool(kWorkers, 64);
  pool.StartTrace();
  RunMix(pool);
  pool.StartTrace();  // discards the attempts above
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  tg.Wait();
  EXPECT_EQ(pool.StopTrace().Events().size(), 1u);
}

TEST(TraceEngineTest, TaskIdsAreUniqueAcrossTraces) {
  Pool pool(kWorkers, 64);
  std::set<std::uint64_t> ids;
  for (int round = 0; round < 2; ++round) {
    pool.StartTrace();
    RunMix(pool);
    const Trace trace = pool.StopTrace();
    for (const TraceEvent& e : trace.Events()) {
      if (e.attempt == 0) {
        EXPECT_TRUE(ids.insert(e.task).second) << e.task;
      }
    }
  }
  EXPECT_EQ(ids.size(), 2u * (kPlainTasks + kRetriedTasks));
}

TEST(TraceEngineTest, StartAndStopWhileTasksRunAreSafe) {
  Pool pool(kWorkers, 64);
  constexpr int kTasks = 4000;
  constexpr int kTraces = 50;
  TaskGroup tg(kTasks);
  std::latch tracing(1);
  std::uint64_t traced = 0;
  std::jthread tracer([&] {
    for (int i = 0; i < kTraces; ++i) {
      pool.StartTrace(TraceOptions{.max_events = 64});
      if (i == 0) tracing.count_down();
      const Trace t = pool.StopTrace();
      traced += t.Events().size();
      for (const TraceEvent& e : t.Events()) {
        EXPECT_LT(e.worker, kWorkers);
        EXPECT_LE(e.start, e.end);
        EXPECT_NE(e.task, 0u);
      }
    }
  });
  tracing.wait();
  for (int i = 0; i < kTasks; ++i) pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  tg.Wait();
  tracer.join();
  EXPECT_LE(traced, static_cast<std::uint64_t>(kTasks));
  EXPECT_EQ(pool.Stats().total.executed, static_cast<std::uint64_t>(kTasks));
}

TEST(LatencyStatsTest, OneSampleOfEachPerAttempt) {
  Pool pool(kWorkers, 64);
  RunMix(pool);
  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.total.queue_wait.count, kAttempts);
  EXPECT_EQ(r.total.run_time.count, kAttempts);
  std::uint64_t waits = 0;
  for (const WorkerUsage& w : r.workers) {
    EXPECT_EQ(w.queue_wait.count, w.executed);
    EXPECT_EQ(w.run_time.count, w.executed);
    waits += w.queue_wait.count;
    for (const LatencySummary& s : {w.queue_wait, w.run_time}) {
      if (s.count == 0) continue;
      EXPECT_LE(s.p50, s.p90);
      EXPECT_LE(s.p90, s.p99);
      EXPECT_LE(s.p99, s.max);
    }
  }
  EXPECT_EQ(waits, kAttempts);
  for (const LatencySummary& s : {r.total.queue_wait, r.total.run_time}) {
    EXPECT_LE(s.p50, s.p99);
    EXPECT_LE(s.p99, s.max);
  }
}

TEST(LatencyStatsTest, RunTimeCoversTheTaskBody) {
  Pool pool(1, 4);
  constexpr milliseconds kWork{5};
  TaskGroup tg(1);
  Steady::duration took{};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     const auto t0 = Steady::now();
                     std::this_thread::sleep_for(kWork);  // the workload
                     took = Steady::now() - t0;
                   })
                   .SetAutoDone());
  tg.Wait();
  const UsageReport r = pool.Stats();
  ASSERT_EQ(r.total.run_time.count, 1u);
  EXPECT_GE(r.total.run_time.max, took);
}

TEST(LatencyStatsTest, QueueWaitIncludesTheTimeBehindABlockedWorker) {
  Pool pool(1, 4);
  testing::Blocker blocker;
  pool.StartTrace();
  blocker.AddTo(pool);  // the only worker is busy
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  const auto queued = Steady::now();              // after the admission
  std::this_thread::sleep_for(milliseconds(10));  // the hold (workload, not ordering)
  const auto released = Steady::now();            // before the task can start
  blocker.Release();
  tg.Wait();
  const nanoseconds hold = released - queued;
  const UsageReport r = pool.Stats();
  EXPECT_GE(r.total.queue_wait.max, hold);
  EXPECT_GE(r.workers[0].queue_wait.p99, hold);  // the larger of two samples
  const Trace trace = pool.StopTrace();
  ASSERT_EQ(trace.Events().size(), 2u);  // the blocker and the task
  nanoseconds longest{0};
  for (const TraceEvent& e : trace.Events()) longest = std::max(longest, e.start - e.admitted);
  EXPECT_GE(longest, hold);
}

}  // namespace
}  // namespace litepool
