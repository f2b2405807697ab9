// Scheduling controls: priorities, queue
// timeouts (kExpired), Pause / Resume / Paused / Purge, WaitIdle /
// WaitIdleFor, SetWorkers, thread hooks and pinning. Written against the
// documented names through the public headers only; every test asserts a
// behaviour that an engine without the control gets wrong.
//
// Synchronisation is by latches, groups and futures. The few timed calls
// are either hang guards (a correct engine returns long before them) or a
// short "nothing happened meanwhile" check (kQuiet), which a correct engine
// passes whatever the timing and a broken one fails almost always.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <future>
#include <latch>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using namespace std::chrono_literals;
using testing::Blocker;
using testing::kHangGuard;

// How long a "nothing may happen meanwhile" check watches: long enough for
// a broken engine to start a task on an idle worker (microseconds), short
// enough to keep the suite fast. A correct engine passes it at any speed.
constexpr auto kQuiet = 50ms;
// A bound that only turns a broken control into a failure instead of a
// 60 s hang, where a correct engine needs a few milliseconds.
constexpr auto kFailFast = 2s;

// The codes OnError saw, and how many hooks ran, for tasks settled on any
// thread.
struct HookLog {
  std::mutex mu;
  std::vector<ErrorCode> codes;
  std::atomic<int> ran{0};
  std::atomic<int> completed{0};

  void OnError(const Error& e) {
    std::lock_guard<std::mutex> lock(mu);
    codes.push_back(e.Code());
  }
  std::vector<ErrorCode> Codes() {
    std::lock_guard<std::mutex> lock(mu);
    return codes;
  }
  // A task of `tg` that counts its run, its OnError code and its OnComplete.
  TaskOptions Task(const TaskGroup& tg) {
    return tg.NewTaskOptions()
        .SetTask([this] { ++ran; })
        .SetOnError([this](ErrHandle&, const Error& e) { OnError(e); })
        .SetOnComplete([this] { ++completed; })
        .SetAutoDone();
  }
};

// A rendezvous of `n` tasks: Arrive() returns true once all n arrived
// (they ran at the same time, so on n different workers), false if they did
// not within kFailFast.
class Rendezvous {
 public:
  explicit Rendezvous(int n) : n_(n) {}
  bool Arrive() {
    std::unique_lock<std::mutex> lock(mu_);
    if (++arrived_ >= n_) cv_.notify_all();
    return cv_.wait_for(lock, kFailFast, [this] { return arrived_ >= n_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int n_;
  int arrived_ = 0;
};

// A task that blocks its worker until Release(), in group `tg` (auto-Done),
// so a test can wait for it to have finished: Blocker's AddTo(pool, tg).
using GroupBlocker = Blocker;

// A latch that opens once, however often Open() is called.
class Gate {
 public:
  void Open() {
    if (!opened_.exchange(true)) latch_.count_down();
  }
  void Wait() { latch_.wait(); }

 private:
  std::latch latch_{1};
  std::atomic<bool> opened_{false};
};

// Declared after the pool: opens the gate before the pool drains, so a
// failed check (or a stub that throws) never leaves a task blocked on it.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.Open(); }
};

// ---------------------------------------------------------------------------
// Priorities

// The order in which tasks started, by priority.
struct StartOrder {
  std::mutex mu;
  std::vector<Priority> order;
  TaskOptions Task(const TaskGroup& tg, Priority p) {
    return tg.NewTaskOptions()
        .SetTask([this, p] {
          std::lock_guard<std::mutex> lock(mu);
          order.push_back(p);
        })
        .SetPriority(p)
        .SetAutoDone();
  }
};

// Priorities on a paused one-worker pool: every kHigh task starts before
// any kLow one.
TEST(PriorityTest, PausedOneWorkerPoolStartsEveryHighBeforeAnyLow) {
  StartOrder log;  // state the tasks use outlives the pool (declared first)
  Pool pool(1, 256);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(200);
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg, Priority::kLow)));
  for (int i = 0; i < 100; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg, Priority::kHigh)));
  pool.Resume();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_EQ(log.order.size(), 200u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(log.order[i], Priority::kHigh) << "start #" << i;
}

// Without Pause: a blocked worker, the three levels queued interleaved.
TEST(PriorityTest, BlockedWorkerTakesHighThenNormalThenLow) {
  StartOrder log;
  Pool pool(1, 128);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(90);
  const Priority levels[] = {Priority::kLow, Priority::kNormal, Priority::kHigh};
  for (int i = 0; i < 90; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg, levels[i % 3])));
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_EQ(log.order.size(), 90u);
  EXPECT_TRUE(std::is_sorted(log.order.begin(), log.order.end(), [](Priority a, Priority b) {
    return a > b;
  })) << "a lower priority started before a higher one";
}

TEST(PriorityTest, SubmitOptionsPriorityIsHonoured) {
  std::vector<int> order;  // one worker: no lock; Get() orders the reads
  Pool pool(1, 16);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<void> low =
      pool.Submit([&order] { order.push_back(0); }, SubmitOptions{.priority = Priority::kLow});
  Future<void> high =
      pool.Submit([&order] { order.push_back(2); }, SubmitOptions{.priority = Priority::kHigh});
  blocker.Release();
  low.Get();
  high.Get();
  EXPECT_EQ(order, (std::vector<int>{2, 0}));
}

// A retry goes back to its own level: a failed high task's retry still
// starts before queued low tasks.
TEST(PriorityTest, RetryKeepsItsPriority) {
  std::vector<std::string> order;  // one worker: no lock; tg.Wait orders the reads
  int attempts = 0;
  Pool pool(1, 32);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(11);
  for (int i = 0; i < 10; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&order] { order.push_back("low"); })
                                  .SetPriority(Priority::kLow)
                                  .SetAutoDone()));
  }
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&order, &attempts] {
                                  order.push_back("high");
                                  return ++attempts == 1 ? Error("first attempt fails") : Error();
                                })
                                .SetOnError([](ErrHandle& h, const Error&) { h.ErrReload(1); })
                                .SetPriority(Priority::kHigh)
                                .SetAutoDone()));
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_EQ(order.size(), 12u);
  EXPECT_EQ(order[0], "high");
  EXPECT_EQ(order[1], "high") << "the retry of a high task waited behind low tasks";
}

// ---------------------------------------------------------------------------
// Queue timeouts (kExpired)

// A 1-worker pool blocked by a long task settles a 10 ms-timeout
// task long before the blocker ends — the blocker ends only after it did.
TEST(ExpiryTest, ExpiresWithoutWaitingForTheBlockedWorker) {
  HookLog log;
  Pool pool(1, 16);
  TaskGroup blocker_tg = pool.NewTaskGroup(1);
  GroupBlocker blocker;
  blocker.AddTo(pool, blocker_tg);
  TaskGroup tg = pool.NewTaskGroup(1);
  const auto added = std::chrono::steady_clock::now();
  ASSERT_FALSE(pool.AddTask(log.Task(tg).SetQueueTimeout(10ms)));
  ASSERT_TRUE(tg.WaitFor(kFailFast)) << "the expired task waited for the worker";
  const auto settled = std::chrono::steady_clock::now() - added;
  EXPECT_EQ(blocker_tg.Pending(), 1) << "the blocker is still running";
  EXPECT_GE(settled, 10ms);
  EXPECT_LT(settled, 1s);
  EXPECT_EQ(log.ran, 0);
  EXPECT_EQ(log.Codes(), std::vector<ErrorCode>{ErrorCode::kExpired});
  EXPECT_EQ(log.completed, 1);
  blocker.Release();
  pool.Close();  // every settlement, and its stats, done
  const UsageReport stats = pool.Stats();
  EXPECT_EQ(stats.total.expired, 1u);
  EXPECT_EQ(stats.total.failed, 1u) << "expired counts as failed";
  EXPECT_EQ(stats.total.succeeded, 1u);
  EXPECT_EQ(stats.total.executed, 1u) << "an expired task never ran Exec";
}

TEST(ExpiryTest, WithoutOnErrorTheExpiryGoesToErrors) {
  std::atomic<bool> ran{false};
  Pool pool(1, 16);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(1);
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions().SetTask([&ran] { ran = true; }).SetQueueTimeout(1ms).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kFailFast));
  std::vector<Error> errors = tg.Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].Code(), ErrorCode::kExpired);
  EXPECT_FALSE(ran);
}

TEST(ExpiryTest, ExpiresWhilePaused) {
  HookLog log;
  Pool pool(2, 16);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(1);
  ASSERT_FALSE(pool.AddTask(log.Task(tg).SetQueueTimeout(10ms)));
  ASSERT_TRUE(tg.WaitFor(kFailFast)) << "the clock stopped while paused";
  EXPECT_EQ(log.Codes(), std::vector<ErrorCode>{ErrorCode::kExpired});
  EXPECT_EQ(log.ran, 0);
  pool.Resume();
}

TEST(ExpiryTest, SubmitQueueTimeoutThrowsTaskErrorExpired) {
  std::atomic<bool> ran{false};
  Pool pool(1, 16);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<int> f = pool.Submit(
      [&ran] {
        ran = true;
        return 1;
      },
      SubmitOptions{.queue_timeout = 10ms});
  ASSERT_TRUE(f.WaitFor(kFailFast));
  try {
    (void)f.Get();
    ADD_FAILURE() << "an expired Submit returned a value";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kExpired);
  }
  EXPECT_FALSE(ran);
}

// An expired task gives its slot back at once, so a producer
// blocked on a full pool gets in while the worker is still busy.
TEST(ExpiryTest, ExpiredTaskFreesItsSlotAtOnce) {
  std::atomic<bool> ran{false};
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {}).SetQueueTimeout(10ms)));
  Error e = pool.AddTask(TaskOptions().SetTask([&ran] { ran = true; }).SetAddTimeout(kFailFast));
  EXPECT_FALSE(e) << e << " (the expired task kept its slot)";
  blocker.Release();
  pool.Close();
  EXPECT_EQ(ran.load(), !e);
}

// Retries are not re-timed: the first attempt starts in time, runs past
// the timeout and fails; its retry runs (and succeeds) although it starts
// well after "admission + timeout".
constexpr auto kRetryTimeout = 200ms;

TEST(ExpiryTest, RetriesAreNotReTimed) {
  std::atomic<int> attempts{0};
  Error final_result("after was not called");
  Pool pool(1, 16);
  TaskGroup tg = pool.NewTaskGroup(1);
  const auto admitted = std::chrono::steady_clock::now();
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&attempts, admitted] {
                                  if (++attempts > 1) return Error();
                                  // Lets the timeout pass while running (not synchronisation).
                                  std::this_thread::sleep_until(admitted + kRetryTimeout + 100ms);
                                  return Error("first attempt fails");
                                })
                                .SetOnError([&final_result](ErrHandle& h, const Error&) {
                                  h.ErrReload(
                                      1, [&final_result](const Error& e) { final_result = e; });
                                })
                                .SetQueueTimeout(kRetryTimeout)
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(attempts, 2);
  EXPECT_FALSE(final_result) << final_result;
  pool.Close();
  EXPECT_EQ(pool.Stats().total.expired, 0u);
}

// A zero queue timeout has run out by the time any worker reaches the
// task: every such task expires, none runs, on an idle pool too.
TEST(ExpiryTest, ZeroQueueTimeoutAlwaysExpires) {
  constexpr int kTasks = 300;
  std::atomic<int> ran{0};
  Pool pool(2, kTasks);
  TaskGroup tg = pool.NewTaskGroup(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&ran] { ++ran; })
                                  .SetOnError([](ErrHandle&, const Error&) {})
                                  .SetQueueTimeout(0ns)
                                  .SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(ran, 0);
  ASSERT_TRUE(pool.WaitIdleFor(kHangGuard));
  EXPECT_EQ(pool.Stats().total.expired, static_cast<std::uint64_t>(kTasks));
}

// An expired task is never retried, even when its OnError asks: `after`
// and the group's Errors() get the kExpired error itself.
TEST(ExpiryTest, ExpiredTaskWhoseOnErrorAsksForARetryIsListedAsExpired) {
  Pool pool(1, 4);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(1);
  ErrorCode seen_by_after = ErrorCode::kOk;
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([] {})
                                .SetOnError([&seen_by_after](ErrHandle& h, const Error&) {
                                  h.ErrReload(3, [&seen_by_after](const Error& e) {
                                    seen_by_after = e.Code();
                                  });
                                })
                                .SetQueueTimeout(1ms)
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  blocker.Release();
  EXPECT_EQ(seen_by_after, ErrorCode::kExpired);
  const std::vector<Error> errors = tg.Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].Code(), ErrorCode::kExpired) << errors[0];
  EXPECT_NE(errors[0].Message().find("expired"), std::string::npos) << errors[0];
}

TEST(DispatchOptionTest, OutOfRangeDispatchThrowsInvalidArgument) {
  PoolOptions options;
  options.workers = 1;
  options.dispatch = static_cast<Dispatch>(42);
  EXPECT_THROW(Pool{options}, std::invalid_argument);
  options.dispatch = static_cast<Dispatch>(-1);
  EXPECT_THROW(Pool{options}, std::invalid_argument);
  options.dispatch = Dispatch::kLeastLoaded;
  EXPECT_NO_THROW(Pool{options});
}

TEST(ExpiryTest, NegativeQueueTimeoutIsRejectedByAddTask) {
  std::atomic<bool> ran{false};
  Pool pool(1, 4);
  TaskGroup tg = pool.NewTaskGroup(1);
  Error e = pool.AddTask(
      tg.NewTaskOptions().SetTask([&ran] { ran = true; }).SetQueueTimeout(-1ms).SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument) << e;
  EXPECT_EQ(tg.Pending(), 0) << "a rejected task still credits auto-Done";
  Future<void> f = pool.Submit([&ran] { ran = true; }, SubmitOptions{.queue_timeout = -1ns});
  try {
    f.Get();
    ADD_FAILURE() << "a negative queue_timeout ran";
  } catch (const TaskError& err) {
    EXPECT_EQ(err.Cause().Code(), ErrorCode::kInvalidArgument);
  }
  pool.Close();
  EXPECT_FALSE(ran);
}

// ---------------------------------------------------------------------------
// Pause / Resume / Paused

TEST(PauseTest, PauseAndResumeAreIdempotent) {
  std::atomic<bool> ran{false};
  Pool pool(2, 8);
  EXPECT_FALSE(pool.Paused());
  pool.Pause();
  pool.Pause();
  EXPECT_TRUE(pool.Paused());
  pool.Resume();
  EXPECT_FALSE(pool.Paused()) << "Pause does not nest";
  pool.Resume();
  EXPECT_FALSE(pool.Paused());
  TaskGroup tg = pool.NewTaskGroup(1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([&ran] { ran = true; }).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(ran);
}

TEST(PauseTest, RunningTaskFinishesAndNoQueuedTaskStarts) {
  HookLog log;
  Pool pool(2, 8);
  TaskGroup running = pool.NewTaskGroup(1);
  GroupBlocker blocker;
  blocker.AddTo(pool, running);
  pool.Pause();  // never waits for the running task
  TaskGroup queued = pool.NewTaskGroup(4);
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(pool.AddTask(log.Task(queued)));
  blocker.Release();
  ASSERT_TRUE(running.WaitFor(kHangGuard)) << "a running task must finish while paused";
  EXPECT_FALSE(queued.WaitFor(kQuiet));
  EXPECT_EQ(log.ran, 0) << "a queued task started while paused (one worker was idle)";
  pool.Resume();
  ASSERT_TRUE(queued.WaitFor(kHangGuard));
  EXPECT_EQ(log.ran, 4);
  EXPECT_TRUE(log.Codes().empty());
}

TEST(PauseTest, AddTaskStillQueuesAndBlocksWhenFull) {
  HookLog log;
  Pool pool(1, 2);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(3);
  EXPECT_FALSE(pool.AddTask(log.Task(tg)));
  EXPECT_FALSE(pool.AddTask(log.Task(tg)));
  EXPECT_EQ(pool.Stats().total.queued, 2u);
  Error full = pool.AddTask(log.Task(tg).SetAddTimeout(20ms));
  EXPECT_EQ(full.Code(), ErrorCode::kTimeout) << full;
  pool.Resume();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(log.ran, 2);
}

// A retry whose backoff ends while the pool is paused waits for Resume.
TEST(PauseTest, RetryWaitsForResume) {
  std::atomic<int> attempts{0};
  std::latch paused(1);
  Pool pool(1, 8);
  TaskGroup tg = pool.NewTaskGroup(1);
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions()
          .SetTask([&attempts] { return ++attempts == 1 ? Error("fails once") : Error(); })
          .SetOnError([&pool, &paused](ErrHandle& h, const Error&) {
            h.ErrReload(1, {}, Backoff{.initial = 1ms, .max = 1ms});
            paused.count_down();  // first: a throwing Pause must not hang the test
            pool.Pause();         // from a hook: thread-safe, never blocks; the retry
                                  // is queued only after OnError returns
          })
          .SetAutoDone()));
  paused.wait();
  EXPECT_FALSE(tg.WaitFor(kQuiet));
  EXPECT_EQ(attempts, 1) << "the retry ran while paused";
  pool.Resume();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(attempts, 2);
}

TEST(PauseTest, CloseDrainResumesAPausedPool) {
  HookLog log;
  Pool pool(2, 8);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(5);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg)));
  pool.Close(CloseMode::kDrain);
  EXPECT_EQ(log.ran, 5);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_FALSE(pool.Paused());
}

TEST(PauseTest, DestructorDrainsAPausedPool) {
  HookLog log;
  TaskGroup tg(3);
  {
    Pool pool(1, 8);
    pool.Pause();
    for (int i = 0; i < 3; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg)));
  }
  EXPECT_EQ(log.ran, 3);
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(PauseTest, CloseCancelPendingCancelsAPausedPoolsQueue) {
  HookLog log;
  Pool pool(2, 8);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(5);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg)));
  pool.Close(CloseMode::kCancelPending);
  EXPECT_EQ(log.ran, 0);
  EXPECT_EQ(log.completed, 5);
  EXPECT_EQ(tg.Pending(), 0);
  const std::vector<ErrorCode> codes = log.Codes();
  ASSERT_EQ(codes.size(), 5u);
  for (ErrorCode c : codes) EXPECT_EQ(c, ErrorCode::kCancelled);
}

// ---------------------------------------------------------------------------
// Purge

TEST(PurgeTest, SettlesQueuedTasksAsCancelledAndReturnsTheCount) {
  HookLog log;
  Pool pool(1, 8);
  TaskGroup running = pool.NewTaskGroup(1);
  GroupBlocker blocker;
  blocker.AddTo(pool, running);
  TaskGroup tg = pool.NewTaskGroup(5);
  for (int i = 0; i < 5; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg)));
  EXPECT_EQ(pool.Purge(), 5u);
  // Settled when Purge returns: hooks ran, groups credited.
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(log.completed, 5);
  const std::vector<ErrorCode> codes = log.Codes();
  ASSERT_EQ(codes.size(), 5u);
  for (ErrorCode c : codes) EXPECT_EQ(c, ErrorCode::kCancelled);
  EXPECT_EQ(running.Pending(), 1) << "Purge touched the running task";
  EXPECT_EQ(pool.Purge(), 0u);
  blocker.Release();
  pool.Close();
  EXPECT_EQ(log.ran, 0);
  const UsageReport stats = pool.Stats();
  EXPECT_EQ(stats.total.succeeded, 1u);
  EXPECT_EQ(stats.total.failed, 5u) << "purged tasks count as failed";
  EXPECT_EQ(stats.total.expired, 0u);
}

TEST(PurgeTest, WithoutOnErrorTheCancelGoesToErrors) {
  Pool pool(1, 8);
  Blocker blocker;
  blocker.AddTo(pool);
  TaskGroup tg = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  }
  EXPECT_EQ(pool.Purge(), 2u);
  std::vector<Error> errors = tg.Errors();
  ASSERT_EQ(errors.size(), 2u);
  for (const Error& e : errors) EXPECT_EQ(e.Code(), ErrorCode::kCancelled);
}

TEST(PurgeTest, GivesSlotsBackAtOnce) {
  Pool pool(1, 2);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));
  EXPECT_EQ(pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(0ns)).Code(),
            ErrorCode::kTimeout);
  EXPECT_EQ(pool.Purge(), 2u);
  Error e = pool.AddTask(TaskOptions().SetTask([] {}).SetAddTimeout(0ns));
  EXPECT_FALSE(e) << e << " (the purged tasks kept their slots)";
}

TEST(PurgeTest, PurgesARetryWaitingOutItsBackoff) {
  std::atomic<int> attempts{0};
  std::mutex mu;
  std::vector<ErrorCode> after_codes;
  std::latch in_on_error(1);
  Pool pool(1, 8);
  TaskGroup tg = pool.NewTaskGroup(1);
  ASSERT_FALSE(
      pool.AddTask(tg.NewTaskOptions()
                       .SetTask([&attempts] {
                         ++attempts;
                         return Error("always fails");
                       })
                       .SetOnError([&mu, &after_codes, &in_on_error](ErrHandle& h, const Error&) {
                         h.ErrReload(
                             3,
                             [&mu, &after_codes](const Error& e) {
                               std::lock_guard<std::mutex> lock(mu);
                               after_codes.push_back(e.Code());
                             },
                             Backoff{.initial = 10s, .max = 10s});
                         in_on_error.count_down();
                       })
                       .SetAutoDone()));
  // Before its first attempt the task is queued, and Purge would take it
  // there: wait for OnError. The retry enters its backoff once OnError
  // returned; until then there is nothing to purge. Polls Purge (each call
  // is a complete operation).
  in_on_error.wait();
  std::size_t purged = 0;
  const auto deadline = std::chrono::steady_clock::now() + kFailFast;
  while (purged == 0 && std::chrono::steady_clock::now() < deadline) {
    purged += pool.Purge();
    if (purged == 0) std::this_thread::yield();
  }
  EXPECT_EQ(purged, 1u) << "a retry waiting out its backoff was not purged";
  ASSERT_TRUE(tg.WaitFor(kFailFast));
  EXPECT_EQ(attempts, 1);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(after_codes, std::vector<ErrorCode>{ErrorCode::kCancelled});
}

// AddTask from a task of a full pool takes the overflow path (pool.hpp);
// Purge settles those tasks too.
TEST(PurgeTest, PurgesOverflowTasks) {
  HookLog log;
  std::latch added(1);
  Gate release;
  std::atomic<int> add_errors{0};
  Pool pool(1, 1);
  OpenOnExit unblock{release};  // also when a check below throws
  TaskGroup children = pool.NewTaskGroup(2);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&] {
    for (int i = 0; i < 2; ++i) add_errors += static_cast<bool>(pool.AddTask(log.Task(children)));
    added.count_down();
    release.Wait();
  })));
  added.wait();
  ASSERT_EQ(add_errors, 0);
  EXPECT_EQ(pool.Purge(), 2u) << "one queued task and one on the overflow path";
  EXPECT_EQ(children.Pending(), 0);
  release.Open();
  pool.Close();
  EXPECT_EQ(log.ran, 0);
  EXPECT_EQ(log.completed, 2);
}

TEST(PurgeTest, PausedPoolStaysPausedAndOpen) {
  HookLog log;
  Pool pool(2, 8);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(3);
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(pool.AddTask(log.Task(tg)));
  EXPECT_EQ(pool.Purge(), 3u);
  EXPECT_TRUE(pool.Paused());
  EXPECT_FALSE(pool.Closed());
  TaskGroup later = pool.NewTaskGroup(1);
  ASSERT_FALSE(pool.AddTask(log.Task(later)));
  pool.Resume();
  ASSERT_TRUE(later.WaitFor(kHangGuard));
  EXPECT_EQ(log.ran, 1);
}

TEST(PurgeTest, PurgedSubmitThrowsTaskErrorCancelled) {
  Pool pool(1, 8);
  Blocker blocker;
  blocker.AddTo(pool);
  Future<int> f = pool.Submit([] { return 1; });
  EXPECT_EQ(pool.Purge(), 1u);
  ASSERT_TRUE(f.Ready());
  try {
    (void)f.Get();
    ADD_FAILURE() << "a purged Submit returned a value";
  } catch (const TaskError& e) {
    EXPECT_EQ(e.Cause().Code(), ErrorCode::kCancelled);
  }
}

// ---------------------------------------------------------------------------
// WaitIdle / WaitIdleFor

TEST(WaitIdleTest, IdlePoolReturnsAtOnce) {
  Pool pool(2, 4);
  EXPECT_TRUE(pool.WaitIdleFor(0ns));
  pool.WaitIdle();
}

TEST(WaitIdleTest, WaitsForQueuedAndRunningTasks) {
  int done = 0;  // plain int: WaitIdle's happens-before makes the read safe
  Pool pool(1, 8);
  Blocker blocker;
  blocker.AddTo(pool);
  for (int i = 0; i < 3; ++i)
    ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&done] { ++done; })));
  EXPECT_FALSE(pool.WaitIdleFor(20ms)) << "idle while a task runs and three are queued";
  blocker.Release();
  pool.WaitIdle();
  EXPECT_EQ(done, 3);
  EXPECT_TRUE(pool.WaitIdleFor(0ns));
}

TEST(WaitIdleTest, WaitsForARetryWaitingOutItsBackoff) {
  int attempts = 0;
  bool after_called = false;
  Pool pool(1, 8);
  ASSERT_FALSE(pool.AddTask(
      TaskOptions()
          .SetTask([&attempts] { return ++attempts == 1 ? Error("fails once") : Error(); })
          .SetOnError([&after_called](ErrHandle& h, const Error&) {
            h.ErrReload(
                1, [&after_called](const Error&) { after_called = true; },
                Backoff{.initial = 50ms, .max = 50ms});
          })));
  pool.WaitIdle();
  EXPECT_EQ(attempts, 2) << "WaitIdle returned while a retry waited out its backoff";
  EXPECT_TRUE(after_called);
}

TEST(WaitIdleTest, PausedPoolWithQueuedTasksIsNotIdle) {
  std::atomic<bool> ran{false};
  Pool pool(2, 8);
  pool.Pause();
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([&ran] { ran = true; })));
  EXPECT_FALSE(pool.WaitIdleFor(20ms));
  pool.Resume();
  EXPECT_TRUE(pool.WaitIdleFor(kHangGuard));
  EXPECT_TRUE(ran);
}

// From inside a task of a one-worker pool: the caller does not count as
// running, and it helps, so the children it spawned run.
TEST(WaitIdleTest, OnTheOnlyWorkerItHelpsInsteadOfDeadlocking) {
  std::atomic<int> children{0};
  Pool pool(1, 16);
  Future<std::pair<bool, int>> parent = pool.Submit([&pool, &children] {
    for (int i = 0; i < 5; ++i)
      (void)pool.AddTask(TaskOptions().SetTask([&children] { ++children; }));
    const bool idle = pool.WaitIdleFor(kFailFast);
    return std::pair<bool, int>(idle, children.load());
  });
  const auto [idle, seen] = parent.Get();
  EXPECT_TRUE(idle) << "WaitIdleFor on the only worker timed out (no helping)";
  EXPECT_EQ(seen, 5);
}

TEST(WaitIdleTest, OnAWorkerTheCallerDoesNotCountAsRunning) {
  std::atomic<int> children{0};
  Pool pool(2, 16);
  Future<bool> parent = pool.Submit([&pool, &children] {
    for (int i = 0; i < 5; ++i)
      (void)pool.AddTask(TaskOptions().SetTask([&children] { ++children; }));
    return pool.WaitIdleFor(kFailFast);
  });
  EXPECT_TRUE(parent.Get()) << "the waiting task waited for itself";
  EXPECT_EQ(children, 5);
}

// ---------------------------------------------------------------------------
// SetWorkers

TEST(SetWorkersTest, ZeroThrowsInvalidArgument) {
  Pool pool(2, 4);
  EXPECT_THROW(pool.SetWorkers(0), std::invalid_argument);
  EXPECT_EQ(pool.Workers(), 2u);
}

TEST(SetWorkersTest, BeyondThePoolLimitsThrowsInvalidArgument) {
  Pool pool(1, std::size_t{1} << 30);
  EXPECT_THROW(pool.SetWorkers(4097), std::invalid_argument);
  // 2048 workers of 2^30 slots: 2^41 slots, over the 2^40 a pool may hold.
  EXPECT_THROW(pool.SetWorkers(2048), std::invalid_argument);
  EXPECT_EQ(pool.Workers(), 1u);
  EXPECT_EQ(pool.Capacity(), std::size_t{1} << 30);
  pool.SetWorkers(2);
  EXPECT_EQ(pool.Capacity(), std::size_t{1} << 31);
}

// A batch larger than the capacity a shrink leaves could never be admitted:
// it is refused (kInvalidArgument), whether it was already waiting for room
// or comes after the shrink, instead of waiting forever.
TEST(SetWorkersTest, ABatchLargerThanTheShrunkCapacityIsRefused) {
  Pool pool(2, 2);  // capacity 4
  Gate release;
  OpenOnExit unblock{release};
  std::latch running(2);
  TaskGroup busy;
  for (int i = 0; i < 2; ++i) {  // both workers busy
    ASSERT_FALSE(pool.AddTask(busy, [&] {
      running.count_down();
      release.Wait();
    }));
  }
  running.wait();
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(pool.AddTask(busy, [] {}));  // full
  auto batch = std::async(std::launch::async, [&pool] {
    std::vector<TaskOptions> three(3, TaskOptions().SetTask([] {}));
    return pool.AddTaskGroup(three);  // no add-timeout: waits for room
  });
  // The shrink to 1 worker (capacity 2) returns once worker 1 finished its
  // task, so it runs beside the test.
  auto shrink = std::async(std::launch::async, [&pool] { pool.SetWorkers(1); });
  const bool answered = batch.wait_for(kHangGuard) == std::future_status::ready;
  EXPECT_TRUE(answered) << "a batch of 3 waits forever for room in a pool of capacity 2";
  release.Open();
  shrink.get();
  if (!answered) pool.Close();  // wakes it (kClosed), so the test ends
  const Error e = batch.get();
  if (answered) {
    EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument) << e.Message();
  }
  EXPECT_EQ(pool.Capacity(), 2u);
  EXPECT_TRUE(busy.WaitFor(kHangGuard));
}

// Weak against a stub that throws std::logic_error everywhere;// Weak against a stub that throws
// std::logic_error everywhere; the unchanged count after a successful resize elsewhere is the real
// check.
TEST(SetWorkersTest, FromAWorkerThreadThrowsLogicError) {
  Pool pool(1, 4);
  Future<bool> threw = pool.Submit([&pool] {
    try {
      pool.SetWorkers(3);
    } catch (const std::logic_error&) {
      return true;
    }
    return false;
  });
  EXPECT_TRUE(threw.Get());
  EXPECT_EQ(pool.Workers(), 1u);
  pool.SetWorkers(2);  // and from a plain thread it works
  EXPECT_EQ(pool.Workers(), 2u);
}

TEST(SetWorkersTest, CapacityAndStatsFollowTheWorkerCount) {
  Pool pool(2, 8);
  pool.SetWorkers(5);
  EXPECT_EQ(pool.Workers(), 5u);
  EXPECT_EQ(pool.QueueCapacity(), 8u);
  EXPECT_EQ(pool.Capacity(), 40u);
  EXPECT_EQ(pool.Stats().workers.size(), 5u);
  pool.SetWorkers(1);
  EXPECT_EQ(pool.Workers(), 1u);
  EXPECT_EQ(pool.Capacity(), 8u);
  EXPECT_EQ(pool.Stats().workers.size(), 1u);
  pool.SetWorkers(1);  // no change
  EXPECT_EQ(pool.Workers(), 1u);
}

// Four tasks that can only finish together, queued on a one-worker pool:
// they meet only if the new workers take the queued ones.
TEST(SetWorkersTest, GrowingLetsNewWorkersTakeQueuedTasks) {
  Rendezvous meet(4);
  std::atomic<int> met{0};
  Pool pool(1, 16);
  TaskGroup tg = pool.NewTaskGroup(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(pool.AddTask(
        tg.NewTaskOptions().SetTask([&meet, &met] { met += meet.Arrive(); }).SetAutoDone()));
  }
  pool.SetWorkers(4);
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(met, 4) << "the queued tasks did not reach the new workers";
}

TEST(SetWorkersTest, ShrinkingHandsQueuedTasksToTheRemainingWorkers) {
  std::mutex mu;
  std::set<std::thread::id> threads;
  Pool pool(4, 16);
  pool.Pause();
  TaskGroup tg = pool.NewTaskGroup(16);
  for (int i = 0; i < 16; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&mu, &threads] {
                                    std::lock_guard<std::mutex> lock(mu);
                                    threads.insert(std::this_thread::get_id());
                                  })
                                  .SetAutoDone()));
  }
  pool.SetWorkers(1);
  EXPECT_EQ(pool.Workers(), 1u);
  pool.Resume();
  ASSERT_TRUE(tg.WaitFor(kFailFast)) << "tasks stranded in a retired worker's queue";
  EXPECT_EQ(threads.size(), 1u);
  pool.Close();
  EXPECT_EQ(pool.Stats().total.executed, 16u);
}

TEST(SetWorkersTest, ShrinkingLetsRunningTasksFinish) {
  std::latch started(2);
  Gate release;
  HookLog log;
  Pool pool(2, 8);
  OpenOnExit unblock{release};
  TaskGroup tg = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(
        pool.AddTask(tg.NewTaskOptions()
                         .SetTask([&] {
                           started.count_down();
                           release.Wait();
                           ++log.ran;
                         })
                         .SetOnError([&log](ErrHandle&, const Error& e) { log.OnError(e); })
                         .SetAutoDone()));
  }
  started.wait();
  std::atomic<bool> shrink_threw{false};
  std::thread shrink([&pool, &shrink_threw] {  // waits for the retiree's task
    try {
      pool.SetWorkers(1);
    } catch (...) {
      shrink_threw = true;
    }
  });
  release.Open();
  shrink.join();
  EXPECT_FALSE(shrink_threw);
  EXPECT_EQ(pool.Workers(), 1u);
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(log.ran, 2);
  EXPECT_TRUE(log.Codes().empty()) << "a running task was cancelled by the shrink";
}

// Which worker runs the current task (set by on_thread_start).
thread_local std::size_t tl_resize_worker = static_cast<std::size_t>(-1);

// Close waits until every accepted task has settled. Here the last one
// settles on a worker that a shrink is retiring, after Close began to wait
// and while the remaining worker is parked: the retiree exits without a
// park, and Close must still learn that the pool is drained (stress mix,
// seed 7, CancelRace: Close hung with one seated worker parked, 16 spares
// idle and nothing in flight).
TEST(SetWorkersTest, CloseReturnsWhenTheLastTaskSettlesOnARetiringWorker) {
  std::latch started(2);
  Gate release;
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = 8, .on_thread_start = [](std::size_t i) {
                          tl_resize_worker = i;
                        }});
  OpenOnExit unblock{release};
  TaskGroup tg = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&] {
                                    started.arrive_and_wait();  // one task per worker
                                    if (tl_resize_worker == 1) release.Wait();
                                  })
                                  .SetAutoDone()));
  }
  started.wait();
  std::thread shrink([&pool] { pool.SetWorkers(1); });  // waits for worker 1's task
  // Workers() drops as the shrink begins, before it waits: the Close below
  // comes after it (a Close first would make SetWorkers do nothing).
  while (pool.Workers() != 1) std::this_thread::yield();
  std::promise<void> closed;
  std::future<void> close_returned = closed.get_future();
  std::thread closer([&pool, &closed] {
    pool.Close();  // waits for worker 1's task too
    closed.set_value();
  });
  while (!pool.Closed()) std::this_thread::yield();
  // Not idle: worker 1's task still runs. The wait also gives Close time to
  // start waiting for the drain (pacing: any timing must pass).
  EXPECT_FALSE(pool.WaitIdleFor(kQuiet));
  release.Open();
  shrink.join();
  const bool returned = close_returned.wait_for(kFailFast) == std::future_status::ready;
  EXPECT_TRUE(returned) << "Close still waits after the last task settled on the retired worker";
  if (!returned) pool.Purge();  // its drain notification wakes the stuck Close
  closer.join();
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(SetWorkersTest, StatsKeepRetiredWorkersCountsInTheTotal) {
  Rendezvous meet(4);  // one task per worker, so every worker has executed
  std::atomic<int> met{0};
  Pool pool(4, 16);
  TaskGroup tg = pool.NewTaskGroup(4);
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(pool.AddTask(
        tg.NewTaskOptions().SetTask([&meet, &met] { met += meet.Arrive(); }).SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_EQ(met, 4);
  ASSERT_TRUE(pool.WaitIdleFor(kHangGuard));  // stats of every task recorded
  pool.SetWorkers(1);
  UsageReport stats = pool.Stats();
  ASSERT_EQ(stats.workers.size(), 1u);
  EXPECT_EQ(stats.total.executed, 4u);
  EXPECT_EQ(stats.total.succeeded, 4u);
  EXPECT_EQ(stats.workers[0].executed, 1u) << "worker 0 ran one of the four";
  pool.SetWorkers(3);  // re-added ids start from zero; the total keeps all
  stats = pool.Stats();
  ASSERT_EQ(stats.workers.size(), 3u);
  EXPECT_EQ(stats.workers[1].executed, 0u);
  EXPECT_EQ(stats.workers[2].executed, 0u);
  EXPECT_EQ(stats.total.executed, 4u);
}

// A worker seated again starts its row from zero: until it runs a task its
// busy time is exactly zero, however the busy clock's conversion to time is
// refined meanwhile (the row and its baseline are subtracted in ticks).
TEST(SetWorkersTest, AReseatedWorkersRowIsNeverNegative) {
  // Long enough that a worker's busy time is far above the clock's jitter.
  constexpr auto kSpin = std::chrono::milliseconds(2);
  constexpr int kReads = 50;
  Rendezvous meet(2);  // one task per worker: both rows have busy time
  std::atomic<int> met{0};
  Pool pool(2, 16);
  TaskGroup tg = pool.NewTaskGroup(2);
  for (int i = 0; i < 2; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&meet, &met, kSpin] {
                                    met += meet.Arrive();
                                    const auto end = std::chrono::steady_clock::now() + kSpin;
                                    while (std::chrono::steady_clock::now() < end) {
                                    }
                                  })
                                  .SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  ASSERT_EQ(met, 2);
  ASSERT_TRUE(pool.WaitIdleFor(kHangGuard));
  pool.SetWorkers(1);
  pool.SetWorkers(2);
  for (int i = 0; i < kReads; ++i) {
    const UsageReport stats = pool.Stats();
    ASSERT_EQ(stats.workers.size(), 2u);
    ASSERT_EQ(stats.workers[1].executed, 0u);
    ASSERT_EQ(stats.workers[1].busy.count(), 0) << "read " << i;
    std::ostringstream out;  // the bar of a row must not trust busy >= 0
    pool.Usage(out);
    std::this_thread::yield();
  }
}

// Random resizes while a producer keeps the pool busy: every accepted task
// runs and settles exactly once.
TEST(SetWorkersTest, ResizingUnderLoadSettlesEveryTaskOnce) {
  constexpr int kTasks = 3000;
  std::vector<std::atomic<int>> runs(kTasks);
  Pool pool(2, 16);
  TaskGroup tg = pool.NewTaskGroup(kTasks);
  std::thread producer([&] {
    for (int i = 0; i < kTasks; ++i) {
      (void)pool.AddTask(tg.NewTaskOptions().SetTask([&runs, i] { ++runs[i]; }).SetAutoDone());
    }
  });
  const std::size_t sizes[] = {1, 4, 2, 8, 1, 3, 6, 1, 5, 2};
  try {
    for (int round = 0; round < 3; ++round) {
      for (std::size_t n : sizes) pool.SetWorkers(n);
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "SetWorkers threw: " << e.what();
  }
  producer.join();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  for (int i = 0; i < kTasks; ++i) ASSERT_EQ(runs[i], 1) << "task " << i;
  pool.Close();
  const UsageReport stats = pool.Stats();
  EXPECT_EQ(stats.total.executed, static_cast<std::uint64_t>(kTasks));
  EXPECT_EQ(stats.total.succeeded, static_cast<std::uint64_t>(kTasks));
  EXPECT_EQ(stats.total.failed, 0u);
}

// ---------------------------------------------------------------------------
// Thread hooks and pinning

// Which hook ran for which worker index, on which thread.
struct ThreadLog {
  std::mutex mu;
  std::map<std::size_t, std::thread::id> started, stopped;
  std::vector<std::size_t> start_calls, stop_calls;
  void Start(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    start_calls.push_back(i);
    started[i] = std::this_thread::get_id();
  }
  void Stop(std::size_t i) {
    std::lock_guard<std::mutex> lock(mu);
    stop_calls.push_back(i);
    stopped[i] = std::this_thread::get_id();
  }
  std::set<std::size_t> StartedIds() {
    std::lock_guard<std::mutex> lock(mu);
    std::set<std::size_t> ids;
    for (auto& [i, t] : started) ids.insert(i);
    return ids;
  }
  std::set<std::size_t> StoppedIds() {
    std::lock_guard<std::mutex> lock(mu);
    std::set<std::size_t> ids;
    for (auto& [i, t] : stopped) ids.insert(i);
    return ids;
  }
};

thread_local bool tl_start_hook_ran = false;

TEST(ThreadHooksTest, StartAndStopRunOnEachWorkerThreadWithItsIndex) {
  ThreadLog log;
  {
    Rendezvous meet(3);  // one task on each worker
    Pool pool(PoolOptions{.workers = 3,
                          .on_thread_start =
                              [&log](std::size_t i) {
                                tl_start_hook_ran = true;
                                log.Start(i);
                              },
                          .on_thread_stop = [&log](std::size_t i) { log.Stop(i); }});
    // The constructor returns after every start hook ran (it reports their
    // exceptions).
    EXPECT_EQ(log.StartedIds(), (std::set<std::size_t>{0, 1, 2}));
    EXPECT_EQ(log.start_calls.size(), 3u);
    Future<bool> runs[3];
    for (auto& f : runs) f = pool.Submit([&meet] { return meet.Arrive() && tl_start_hook_ran; });
    for (auto& f : runs) EXPECT_TRUE(f.Get()) << "a task ran before its worker's start hook";
    EXPECT_TRUE(log.StoppedIds().empty());
  }
  EXPECT_FALSE(tl_start_hook_ran) << "a hook ran on the constructing thread";
  EXPECT_EQ(log.StoppedIds(), (std::set<std::size_t>{0, 1, 2}));
  EXPECT_EQ(log.stop_calls.size(), 3u);
  std::set<std::thread::id> threads;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(log.started[i], log.stopped[i]) << "worker " << i << " stopped on another thread";
    EXPECT_NE(log.started[i], std::this_thread::get_id());
    threads.insert(log.started[i]);
  }
  EXPECT_EQ(threads.size(), 3u);
}

TEST(ThreadHooksTest, WorkersAddedAndRetiredBySetWorkersRunTheHooks) {
  ThreadLog log;
  {
    Pool pool(PoolOptions{.workers = 1,
                          .on_thread_start = [&log](std::size_t i) { log.Start(i); },
                          .on_thread_stop = [&log](std::size_t i) { log.Stop(i); }});
    pool.SetWorkers(3);
    EXPECT_EQ(log.StartedIds(), (std::set<std::size_t>{0, 1, 2}));
    pool.SetWorkers(1);  // returns once the retired workers have exited
    EXPECT_EQ(log.StoppedIds(), (std::set<std::size_t>{1, 2}));
    std::lock_guard<std::mutex> lock(log.mu);
    EXPECT_EQ(log.started[1], log.stopped[1]);
    EXPECT_EQ(log.started[2], log.stopped[2]);
  }
  EXPECT_EQ(log.StoppedIds(), (std::set<std::size_t>{0, 1, 2}));
}

#if defined(__linux__)
// Threads of this process right now (each is a directory in /proc/self/task).
std::size_t ThreadCount() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

TEST(ThreadHooksTest, ThrowingStartHookPropagatesFromTheConstructorAndLeavesNoThread) {
  const std::size_t before = ThreadCount();
  try {
    Pool pool(PoolOptions{.workers = 3, .on_thread_start = [](std::size_t i) {
                            if (i == 1) throw std::runtime_error("no device for worker 1");
                          }});
    ADD_FAILURE() << "the constructor returned";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "no device for worker 1");
  }
  EXPECT_EQ(ThreadCount(), before) << "a worker thread outlived the failed constructor";
}

TEST(ThreadHooksTest, ThrowingStartHookInSetWorkersKeepsTheOldWorkers) {
  std::atomic<bool> fail{false};
  Pool pool(PoolOptions{.workers = 1, .on_thread_start = [&fail](std::size_t i) {
                          if (fail && i == 2) throw std::runtime_error("worker 2 refused");
                        }});
  const std::size_t before = ThreadCount();
  fail = true;
  EXPECT_THROW(pool.SetWorkers(4), std::runtime_error);
  EXPECT_EQ(pool.Workers(), 1u);
  EXPECT_EQ(ThreadCount(), before) << "a thread started by the failed SetWorkers is left";
  Future<int> still_runs = pool.Submit([] { return 7; });
  EXPECT_EQ(still_runs.Get(), 7);
}

thread_local std::size_t tl_worker_index = static_cast<std::size_t>(-1);

// Worker i is pinned to the i-th CPU of the process's affinity mask (mod
// its size); one more worker than CPUs checks the wrap-around.
TEST(PinWorkersTest, WorkerIIsPinnedToTheIthCpuOfTheProcessMask) {
  cpu_set_t process;
  CPU_ZERO(&process);
  ASSERT_EQ(sched_getaffinity(0, sizeof(process), &process), 0);
  std::vector<int> cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &process)) cpus.push_back(c);
  }
  ASSERT_FALSE(cpus.empty());
  const std::size_t workers = cpus.size() + 1;
  Rendezvous meet(static_cast<int>(workers));  // one task on each worker
  Pool pool(PoolOptions{.workers = workers,
                        .on_thread_start = [](std::size_t i) { tl_worker_index = i; },
                        .pin_workers = true});
  struct Seen {
    bool met;
    std::size_t worker;
    cpu_set_t mask;
  };
  std::vector<Future<Seen>> seen;
  for (std::size_t i = 0; i < workers; ++i) {
    seen.push_back(pool.Submit([&meet] {
      Seen s{meet.Arrive(), tl_worker_index, {}};
      CPU_ZERO(&s.mask);
      if (sched_getaffinity(0, sizeof(s.mask), &s.mask) != 0) CPU_ZERO(&s.mask);
      return s;
    }));
  }
  std::set<std::size_t> ids;
  for (auto& f : seen) {
    const Seen s = f.Get();
    EXPECT_TRUE(s.met);
    ASSERT_LT(s.worker, workers);
    ids.insert(s.worker);
    EXPECT_EQ(CPU_COUNT(&s.mask), 1) << "worker " << s.worker << " is not pinned to one CPU";
    EXPECT_TRUE(CPU_ISSET(cpus[s.worker % cpus.size()], &s.mask))
        << "worker " << s.worker << " is not on CPU " << cpus[s.worker % cpus.size()];
  }
  EXPECT_EQ(ids.size(), workers);
  // The pool's threads are pinned, not the thread that built it.
  cpu_set_t mine;
  CPU_ZERO(&mine);
  ASSERT_EQ(sched_getaffinity(0, sizeof(mine), &mine), 0);
  EXPECT_TRUE(CPU_EQUAL(&mine, &process));
}
#endif  // __linux__

}  // namespace
}  // namespace litepool
