// The stuck-wait diagnostic (PoolOptions::stuck_wait_report /
// on_stuck_wait): a blocking wait that nothing in its pool can end reports
// once; a wait on a long task or on a retry waiting out its backoff never
// does.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "litepool/litepool.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;

// Short, so the tests are fast; the slices of a watched wait are a quarter
// of it.
constexpr std::chrono::milliseconds kReport = 50ms;
// How long a "long" task runs and a backoff lasts: several report times, so
// a diagnostic that ignored running or retrying work would fire.
constexpr std::chrono::milliseconds kLongerThanReport = 6 * kReport;
// How long a stuck wait is kept going after its report, to see that it is
// not repeated: four more report times.
constexpr std::chrono::milliseconds kWatchForRepeats = 4 * kReport;
// The bound on waiting for a report that a broken diagnostic never sends.
constexpr std::chrono::seconds kGuard{10};

// Collects reports; Await blocks until the first one or the guard.
class Reports {
 public:
  void Add(std::string_view message) {
    std::lock_guard lock(mu_);
    ++count_;
    last_ = std::string(message);
    cv_.notify_all();
  }
  bool AwaitFirst() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, kGuard, [this] { return count_ > 0; });
  }
  int Count() {
    std::lock_guard lock(mu_);
    return count_;
  }
  std::string Last() {
    std::lock_guard lock(mu_);
    return last_;
  }
  PoolOptions Options(std::string name) {
    PoolOptions o{.workers = 2, .queue_capacity = 8, .name = std::move(name)};
    o.stuck_wait_report = kReport;
    o.on_stuck_wait = [this](std::string_view m) { Add(m); };
    return o;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int count_ = 0;
  std::string last_;
};

// Ends a stuck wait from another thread: once a report came (or the guard
// passed), and the repeat window is over, it calls `end`.
template <class End>
std::thread EndAfterReport(Reports& reports, End end) {
  return std::thread([&reports, end] {
    if (reports.AwaitFirst()) std::this_thread::sleep_for(kWatchForRepeats);
    end();
  });
}

// A coroutine that waits for `g` to reach zero, then gives 7.
CoTask<int> SevenAfter(TaskGroup g) {
  co_await g.WaitAsync();
  co_return 7;
}

TEST(StuckWaitTest, ForgottenDoneReportsOnceAndWaitStillReturns) {
  Reports reports;
  Pool pool(reports.Options("stuck"));
  TaskGroup tg = pool.NewTaskGroup(1);
  std::atomic<bool> ran{false};
  // The mistake: no SetAutoDone(), no Done().
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([&ran] { ran = true; })));
  std::thread ender = EndAfterReport(reports, [tg] { tg.Done(); });
  tg.Wait();
  ender.join();
  EXPECT_TRUE(ran);
  EXPECT_EQ(reports.Count(), 1);
  const std::string m = reports.Last();
  EXPECT_NE(m.find("TaskGroup::Wait"), std::string::npos) << m;
  EXPECT_NE(m.find("\"stuck\""), std::string::npos) << m;
  EXPECT_NE(m.find("Pending() = 1"), std::string::npos) << m;
  EXPECT_NE(m.find("SetAutoDone()"), std::string::npos) << m;
}

TEST(StuckWaitTest, WaitForReportsToo) {
  Reports reports;
  Pool pool(reports.Options("stuck"));
  TaskGroup tg = pool.NewTaskGroup(1);
  std::thread ender = EndAfterReport(reports, [tg] { tg.Done(); });
  EXPECT_TRUE(tg.WaitFor(std::chrono::duration_cast<std::chrono::nanoseconds>(3 * kGuard)));
  ender.join();
  EXPECT_EQ(reports.Count(), 1);
  EXPECT_NE(reports.Last().find("TaskGroup::WaitFor"), std::string::npos) << reports.Last();
}

TEST(StuckWaitTest, FutureOfACoroutineOnAForgottenGroupReports) {
  Reports reports;
  Pool pool(reports.Options("co"));
  TaskGroup tg = pool.NewTaskGroup(1);
  Future<int> f = pool.Spawn(SevenAfter(tg));
  std::thread ender = EndAfterReport(reports, [tg] { tg.Done(); });
  EXPECT_EQ(f.Get(), 7);
  ender.join();
  EXPECT_EQ(reports.Count(), 1);
  EXPECT_NE(reports.Last().find("Future::Get/Wait"), std::string::npos) << reports.Last();
}

// SyncWait blocks its thread too: a coroutine (with no pool of its own)
// that awaits a group nobody will finish is reported, once, with the
// group's Pending(); so is one that awaits such a pool's Future.
TEST(StuckWaitTest, SyncWaitOnAForgottenGroupReports) {
  Reports reports;
  Pool pool(reports.Options("sync"));
  TaskGroup tg = pool.NewTaskGroup(1);
  std::thread ender = EndAfterReport(reports, [tg] { tg.Done(); });
  EXPECT_EQ(SyncWait(SevenAfter(tg)), 7);
  ender.join();
  EXPECT_EQ(reports.Count(), 1);
  const std::string m = reports.Last();
  EXPECT_NE(m.find("SyncWait"), std::string::npos) << m;
  EXPECT_NE(m.find("Pending() = 1"), std::string::npos) << m;
}

TEST(StuckWaitTest, SyncWaitOnAFutureOfAForgottenGroupReports) {
  Reports reports;
  Pool pool(reports.Options("sync"));
  TaskGroup tg = pool.NewTaskGroup(1);
  // The spawned coroutine is suspended on the group: nothing runs.
  Future<int> f = pool.Spawn(SevenAfter(tg));
  auto awaits = [](Future<int> fut) -> CoTask<int> { co_return co_await fut; };
  std::thread ender = EndAfterReport(reports, [tg] { tg.Done(); });
  EXPECT_EQ(SyncWait(awaits(std::move(f))), 7);
  ender.join();
  EXPECT_EQ(reports.Count(), 1);
  EXPECT_NE(reports.Last().find("litepool: SyncWait"), std::string::npos) << reports.Last();
}

TEST(StuckWaitTest, LongRunningTaskNeverReports) {
  Reports reports;
  Pool pool(reports.Options("busy"));
  TaskGroup tg = pool.NewTaskGroup(1);
  // The task is the long work itself: it runs for several report times.
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([] { std::this_thread::sleep_for(kLongerThanReport); })
                                .SetAutoDone()));
  Future<int> f = pool.Submit([] {
    std::this_thread::sleep_for(kLongerThanReport);
    return 1;
  });
  tg.Wait();
  EXPECT_EQ(f.Get(), 1);
  EXPECT_EQ(reports.Count(), 0) << reports.Last();
}

TEST(StuckWaitTest, RetryWaitingOutItsBackoffNeverReports) {
  Reports reports;
  Pool pool(reports.Options("retry"));
  TaskGroup tg = pool.NewTaskGroup(1);
  std::atomic<int> runs{0};
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions()
          .SetTask([&runs] { return runs++ == 0 ? Error("first run fails") : Error(); })
          .SetOnError([](ErrHandle& h, const Error&) {
            h.ErrReload(1, {}, Backoff{.initial = kLongerThanReport});
          })
          .SetAutoDone()));
  const auto start = std::chrono::steady_clock::now();
  tg.Wait();
  EXPECT_GE(std::chrono::steady_clock::now() - start, kLongerThanReport);
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(reports.Count(), 0) << reports.Last();
}

TEST(StuckWaitTest, ZeroTurnsItOff) {
  Reports reports;
  PoolOptions o = reports.Options("off");
  o.stuck_wait_report = 0ms;
  Pool pool(o);
  TaskGroup tg = pool.NewTaskGroup(1);
  // No report can come: the ender's guard ends the wait.
  std::thread ender([tg] {
    std::this_thread::sleep_for(kLongerThanReport);
    tg.Done();
  });
  tg.Wait();
  ender.join();
  EXPECT_EQ(reports.Count(), 0) << reports.Last();
}

}  // namespace
}  // namespace litepool
