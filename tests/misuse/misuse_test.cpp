// Bad input and misuse: one row per kind of mistake, each with the outcome
// the headers document — a clear Error or exception, no crash, no hang, and
// nothing lost (every accepted task settles once; the accounting balances;
// every group's Wait returns).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <latch>
#include <limits>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../test_util.hpp"
#include "api/pool_access.hpp"
#include "litepool/litepool.hpp"

namespace litepool {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using testing::Blocker;
using testing::kHangGuard;

bool Contains(const std::string& s, const char* part) { return s.find(part) != std::string::npos; }

// Closes the pool and checks the invariant: everything accepted settled.
void ExpectNothingLost(Pool& pool, std::uint64_t accepted) {
  pool.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, accepted);
  EXPECT_TRUE(a.Balanced()) << "accepted " << a.accepted << " settled " << a.settled;
}

// Runs `f`, expects it to throw E with a message containing `part`.
template <class E>
void ExpectThrows(const std::function<void()>& f, const char* part) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning \"" << part << "\"";
  } catch (const E& e) {
    EXPECT_TRUE(Contains(e.what(), part)) << e.what();
  } catch (...) {
    ADD_FAILURE() << "an exception of another type";
  }
}

// --- the rows --------------------------------------------------------------

void NoTask() {
  Pool pool(1, 2);
  TaskGroup tg(2);
  Error e = pool.AddTask(tg.NewTaskOptions().SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(e.Message(), "no task")) << e;
  std::vector<TaskOptions> batch;
  std::atomic<int> ran{0};
  batch.push_back(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
  batch.push_back(TaskOptions());
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(tg.Pending(), 0);  // both rejected tasks were credited
  ExpectNothingLost(pool, 0);
  EXPECT_EQ(ran, 0);
}

void NullInterfaces() {
  TaskOptions o;
  ExpectThrows<std::invalid_argument>([&] { o.SetTask(std::shared_ptr<ITask>()); }, "null");
  ExpectThrows<std::invalid_argument>([&] { o.SetTaskWithInterface(nullptr); }, "null");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnSuccessWithInterface(nullptr); }, "null");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnErrorWithInterface(nullptr); }, "null");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnCompleteWithInterface(nullptr); }, "null");
  EXPECT_FALSE(o.HasTask());  // a failed setter changed nothing
}

void EmptyCallables() {
  TaskOptions o;
  ExpectThrows<std::invalid_argument>([&] { o.SetTask(std::function<Error()>()); }, "empty");
  ExpectThrows<std::invalid_argument>([&] { o.SetTask(std::function<void()>()); }, "empty");
  Error (*null_fn)() = nullptr;
  ExpectThrows<std::invalid_argument>([&] { o.SetTask(null_fn); }, "empty");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnSuccess(std::function<void()>()); }, "empty");
  ExpectThrows<std::invalid_argument>(
      [&] { o.SetOnError(std::function<void(ErrHandle&, TaskGroup&, const Error&)>()); }, "empty");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnComplete(std::function<void()>()); }, "empty");
  ExpectThrows<std::invalid_argument>([&] { o.SetOnAddTimeout(std::function<void()>()); }, "empty");
  EXPECT_FALSE(o.HasTask());
}

void ZeroWorkers() {
  ExpectThrows<std::invalid_argument>([] { Pool(0, 1); }, "workers");
  Pool pool(PoolOptions{.workers = 0, .queue_capacity = 1});  // documented default
  EXPECT_GE(pool.Workers(), 1u);
  ExpectNothingLost(pool, 0);
}

void ZeroCapacity() {
  ExpectThrows<std::invalid_argument>([] { Pool(1, 0); }, "queue_capacity");
  ExpectThrows<std::invalid_argument>([] { Pool(PoolOptions{.workers = 2, .queue_capacity = 0}); },
                                      "queue_capacity");
}

void HugeWorkersOrCapacity() {
  constexpr std::size_t kMax = std::numeric_limits<std::size_t>::max();
  ExpectThrows<std::invalid_argument>([] { Pool(100000, 1); }, "workers");
  ExpectThrows<std::invalid_argument>([] { Pool(kMax, 1); }, "workers");
  ExpectThrows<std::invalid_argument>([] { Pool(2, kMax); }, "too large");
  ExpectThrows<std::invalid_argument>([] { Pool(4096, kMax / 2); }, "too large");
}

void NegativeGroupSize() {
  constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
  Pool pool(1, 1);
  ExpectThrows<std::invalid_argument>([] { TaskGroup g(-1); }, "negative");
  ExpectThrows<std::invalid_argument>([] { TaskGroup g(kMin); }, "negative");
  ExpectThrows<std::invalid_argument>([&] { pool.NewTaskGroup(-5); }, "negative");
  TaskGroup tg(1);
  ExpectThrows<std::invalid_argument>([&] { tg.Add(-1); }, "negative");
  EXPECT_EQ(tg.Pending(), 1);  // unchanged
}

void DoneBelowZero() {
  TaskGroup tg(1);
  tg.Done();
  ExpectThrows<std::logic_error>([&] { tg.Done(); }, "below zero");
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_TRUE(tg.WaitFor(kHangGuard));
  // Also visible in Errors(), for code that swallowed the exception.
  ASSERT_EQ(tg.Errors().size(), 1u);
  EXPECT_TRUE(Contains(tg.Errors()[0].Message(), "below zero"));
}

// More auto-done tasks than the group's count: the task still runs, the
// surplus credit is refused and reported in Errors(), Wait returns.
void AutoDoneBeyondGroupCount() {
  Pool pool(1, 2);
  TaskGroup tg(0);
  std::atomic<int> ran{0};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone()));
  ExpectNothingLost(pool, 1);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(tg.Pending(), 0);
  const auto errors = tg.Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].Code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(errors[0].Message(), "below zero")) << errors[0];
}

void ErrReloadOutsideOnError() {
  ErrHandle idle;
  ExpectThrows<std::logic_error>([&] { idle.ErrReload(1); }, "outside OnError");
  // From another thread while OnError runs: also refused.
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> refused{0};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([] { return Error("x"); })
                                .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                                  std::thread other([&] {
                                    try {
                                      h.ErrReload(3);
                                    } catch (const std::logic_error&) {
                                      ++refused;
                                    }
                                  });
                                  other.join();
                                })
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(refused, 1);
  ExpectNothingLost(pool, 1);
  EXPECT_EQ(detail::PoolAccess::Totals(pool).retried, 0u);  // no retry happened
}

void ErrReloadTwice() {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> runs{0}, first_after{0}, last_after{0};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&] {
                                  ++runs;
                                  return Error("always");
                                })
                                .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                                  h.ErrReload(5, [&](const Error&) { ++first_after; });
                                  h.ErrReload(1, [&](const Error&) { ++last_after; });  // wins
                                })
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(first_after, 0);
  EXPECT_EQ(last_after, 1);
  ExpectNothingLost(pool, 1);
}

// ErrReload with bad arguments throws inside OnError: counted as a hook
// that threw, the failure is reported, the task still settles once.
void ErrReloadBadArguments() {
  Pool pool(1, 4);
  TaskGroup tg(4);
  std::atomic<int> complete{0}, refused{0};
  const Backoff bad[] = {
      Backoff{.initial = nanoseconds(-1)},
      Backoff{.multiplier = 0.5},
      Backoff{.jitter = std::numeric_limits<double>::quiet_NaN()},
  };
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([] { return Error("x"); })
                                  .SetOnError([&, i](ErrHandle& h, TaskGroup&, const Error&) {
                                    try {
                                      if (i == 3) {
                                        h.ErrReload(-2);
                                      } else {
                                        h.ErrReload(1, {}, bad[i]);
                                      }
                                    } catch (const std::invalid_argument&) {
                                      ++refused;
                                      throw;  // escapes OnError: the engine records it
                                    }
                                  })
                                  .SetOnComplete([&] { ++complete; })
                                  .SetAutoDone()));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(refused, 4);
  EXPECT_EQ(complete, 4);
  EXPECT_EQ(tg.Errors().size(), 8u);  // per task: OnError threw + the failure
  ExpectNothingLost(pool, 4);
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.callback_errors, 4u);
  EXPECT_EQ(a.failed, 4u);
  EXPECT_EQ(a.retried, 0u);
}

void AddTaskGroupLargerThanCapacity() {
  Pool pool(2, 3);
  TaskGroup tg(7);
  std::atomic<int> ran{0};
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 7; ++i) {
    batch.push_back(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
  }
  const Error e = pool.AddTaskGroup(std::move(batch));  // no add-timeout: still no wait
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(Contains(e.Message(), "capacity")) << e;
  EXPECT_EQ(tg.Pending(), 0);
  ExpectNothingLost(pool, 0);
  EXPECT_EQ(ran, 0);
}

void AddTaskAfterClose() {
  Pool pool(1, 1);
  pool.Close();
  TaskGroup tg(2);
  std::atomic<int> hooks{0};
  EXPECT_EQ(pool.AddTask(tg.NewTaskOptions()
                             .SetTask([&] { ++hooks; })
                             .SetOnComplete([&] { ++hooks; })
                             .SetAutoDone())
                .Code(),
            ErrorCode::kClosed);
  std::vector<TaskOptions> batch;
  batch.push_back(tg.NewTaskOptions().SetTask([&] { ++hooks; }).SetAutoDone());
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kClosed);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(hooks, 0);
  ASSERT_EQ(tg.Errors().size(), 2u);  // one per rejected task
  EXPECT_EQ(tg.Errors()[0].Code(), ErrorCode::kClosed);
  EXPECT_EQ(tg.Errors()[1].Code(), ErrorCode::kClosed);
  ExpectNothingLost(pool, 0);
}

// An empty batch on a closed pool: kClosed like any add after Close (an
// empty batch on an open pool is ok).
void EmptyBatchOnClosedPool() {
  Pool pool(1, 1);
  EXPECT_FALSE(pool.AddTaskGroup({}));
  pool.Close();
  EXPECT_EQ(pool.AddTaskGroup({}).Code(), ErrorCode::kClosed);
  ExpectNothingLost(pool, 0);
}

// Close from inside a task only starts the close (it cannot join its own
// thread); the task goes on, its own nested AddTask gets kClosed, every
// accepted task settles, and the owner's Close() finishes the job.
void CloseFromInsideATask() {
  for (CloseMode mode : {CloseMode::kDrain, CloseMode::kCancelPending}) {
    Pool pool(2, 8);
    TaskGroup tg(1), rest(6);
    std::atomic<int> nested_code{-1}, completes{0};
    std::uint64_t accepted = 1;
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&] {
                                    pool.Close(mode);
                                    nested_code = static_cast<int>(
                                        pool.AddTask(TaskOptions().SetTask([] {})).Code());
                                  })
                                  .SetAutoDone()));
    for (int i = 0; i < 6; ++i) {
      Error e = pool.AddTask(
          rest.NewTaskOptions().SetTask([] {}).SetOnComplete([&] { ++completes; }).SetAutoDone());
      if (!e) {
        ++accepted;
        continue;
      }
      EXPECT_EQ(e.Code(), ErrorCode::kClosed);
    }
    ASSERT_TRUE(tg.WaitFor(kHangGuard));
    ASSERT_TRUE(rest.WaitFor(kHangGuard));
    EXPECT_EQ(nested_code, static_cast<int>(ErrorCode::kClosed));
    pool.Close();
    const detail::Accounting a = detail::PoolAccess::Totals(pool);
    EXPECT_TRUE(a.Balanced());
    EXPECT_EQ(a.accepted, accepted);
    EXPECT_EQ(static_cast<std::uint64_t>(completes.load()) + 1, accepted);
  }
}

// The destructor drains: tasks still queued behind a busy worker run.
void DestroyWhileTasksRun() {
  std::atomic<int> completes{0};
  std::latch running(1);
  TaskGroup tg(21);
  {
    Pool pool(1, 32);
    // The engine outlives the Pool's destructor body (it runs the close).
    const detail::Engine* engine = &detail::PoolAccess::GetEngine(pool);
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                  .SetTask([&running, engine] {
                                    running.count_down();
                                    // Busy until the destructor has begun.
                                    while (!engine->Closed()) std::this_thread::yield();
                                  })
                                  .SetAutoDone()));
    for (int i = 0; i < 20; ++i) {
      ASSERT_FALSE(pool.AddTask(
          tg.NewTaskOptions().SetTask([] {}).SetOnComplete([&] { ++completes; }).SetAutoDone()));
    }
    running.wait();
  }  // ~Pool while a task runs and 20 wait
  EXPECT_EQ(completes, 20);
  EXPECT_EQ(tg.Pending(), 0);
}

void WaitOnGroupWithNoTasks() {
  Pool pool(1, 1);
  TaskGroup empty;
  empty.Wait();  // returns at once
  EXPECT_TRUE(pool.NewTaskGroup(0).WaitFor(nanoseconds(0)));
  // A count nobody will ever credit: WaitFor times out, never hangs.
  TaskGroup never(1);
  EXPECT_FALSE(never.WaitFor(milliseconds(1)));
  EXPECT_FALSE(never.WaitFor(nanoseconds(-5)));
  EXPECT_FALSE(never.WaitFor(nanoseconds::min()));
  ExpectNothingLost(pool, 0);  // Close does not wait on groups with no tasks
}

// A moved-from TaskOptions is empty again — no task, no group — so reusing
// it is kInvalidArgument (and credits nobody: it has no group any more).
void ReuseOfMovedFromTaskOptions() {
  Pool pool(1, 2);
  TaskGroup tg(1);
  std::atomic<int> ran{0};
  TaskOptions o = tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone();
  ASSERT_FALSE(pool.AddTask(std::move(o)));
  EXPECT_FALSE(o.HasTask());                   // NOLINT(bugprone-use-after-move): the point
  const Error e = pool.AddTask(std::move(o));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(e.Code(), ErrorCode::kInvalidArgument);
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(tg.Errors().empty());  // no second credit reached the group
  ExpectNothingLost(pool, 1);
  EXPECT_EQ(ran, 1);
}

// A moved-from TaskGroup still refers to its group (no null state): using it
// neither crashes nor makes a group-less task.
void UseOfMovedFromTaskGroup() {
  Pool pool(1, 2);
  TaskGroup tg(1);
  TaskGroup other(std::move(tg));
  // NOLINTBEGIN(bugprone-use-after-move): the point of the row
  EXPECT_EQ(tg.Pending(), 1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  // NOLINTEND(bugprone-use-after-move)
  EXPECT_EQ(other.Pending(), 0);
  ExpectNothingLost(pool, 1);
}

void NegativeOrHugeAddTimeout() {
  TaskOptions o;
  ExpectThrows<std::invalid_argument>([&] { o.SetAddTimeout(nanoseconds(-1)); }, "negative");
  ExpectThrows<std::invalid_argument>([&] { o.SetAddTimeout(nanoseconds::min()); }, "negative");
  Pool pool(1, 1);
  TaskGroup tg(1);
  // The largest timeout is "wait as long as it takes", not an overflow.
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions().SetTask([] {}).SetAddTimeout(nanoseconds::max()).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(nanoseconds::max()));
  ExpectNothingLost(pool, 1);
}

// A Backoff at the limits of nanoseconds: no overflow; Close does not wait
// for the delay, and the task settles once.
void HugeBackoff() {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> afters{0}, runs{0};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&] {
                                  ++runs;
                                  return Error("x");
                                })
                                .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                                  h.ErrReload(
                                      3, [&](const Error&) { ++afters; },
                                      Backoff{.initial = nanoseconds::max(),
                                              .multiplier = std::numeric_limits<double>::infinity(),
                                              .max = nanoseconds::max(),
                                              .jitter = 1.0});
                                })
                                .SetAutoDone()));
  EXPECT_FALSE(tg.WaitFor(milliseconds(1)));  // the retry is waiting out its delay
  ExpectNothingLost(pool, 1);
  EXPECT_EQ(afters, 1);
  EXPECT_EQ(tg.Pending(), 0);
}

// Throws of types not derived from std::exception: still a kException
// failure / a counted hook error, with a message.
void NonStdExceptions() {
  Pool pool(1, 2);
  TaskGroup tg(2);
  std::atomic<int> code{-1};
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([]() -> Error { throw 42; })
                                .SetOnError([&](ErrHandle&, TaskGroup&, const Error& e) {
                                  code = static_cast<int>(e.Code());
                                })
                                .SetAutoDone()));
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions().SetTask([] {}).SetOnComplete([] { throw "hook"; }).SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(code, static_cast<int>(ErrorCode::kException));
  const auto errors = tg.Errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_FALSE(errors[0].Message().empty());
  ExpectNothingLost(pool, 2);
  EXPECT_EQ(detail::PoolAccess::Totals(pool).callback_errors, 1u);
}

void ThrowingOnAddTimeout() {
  Pool pool(1, 1);
  Blocker blocker;
  blocker.AddTo(pool);
  ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {})));  // the only slot
  TaskGroup tg(1);
  const Error e = pool.AddTask(tg.NewTaskOptions()
                                   .SetTask([] {})
                                   .SetAddTimeout(nanoseconds(0))
                                   .SetOnAddTimeout([] { throw std::runtime_error("late"); })
                                   .SetAutoDone());
  EXPECT_EQ(e.Code(), ErrorCode::kTimeout);
  EXPECT_EQ(tg.Pending(), 0);
  // The hook's throw, then the rejection itself.
  ASSERT_EQ(tg.Errors().size(), 2u);
  EXPECT_TRUE(Contains(tg.Errors()[0].Message(), "late"));
  EXPECT_EQ(tg.Errors()[1].Code(), ErrorCode::kTimeout);
  blocker.Release();
  ExpectNothingLost(pool, 2);
}

void AddTaskToCancelledGroup() {
  Pool pool(1, 2);
  TaskGroup tg(3);
  tg.Cancel();
  std::atomic<int> ran{0};
  EXPECT_EQ(pool.AddTask(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone()).Code(),
            ErrorCode::kCancelled);
  std::vector<TaskOptions> batch;
  for (int i = 0; i < 2; ++i) {
    batch.push_back(tg.NewTaskOptions().SetTask([&] { ++ran; }).SetAutoDone());
  }
  EXPECT_EQ(pool.AddTaskGroup(std::move(batch)).Code(), ErrorCode::kCancelled);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(tg.Errors().size(), 3u);  // one per rejected task
  ExpectNothingLost(pool, 0);
  EXPECT_EQ(ran, 0);
}

// Done() from the task's own callbacks, many times, with auto-done too:
// the group is credited once for the task.
void RepeatedDoneInsideOwnCallbacks() {
  Pool pool(1, 2);
  TaskGroup tg(2);
  TaskGroup* g = &tg;
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([g] {
                                  g->Done();
                                  g->Done();
                                })
                                .SetOnSuccess([g] { g->Done(); })
                                .SetOnComplete([g] { g->Done(); })
                                .SetAutoDone()));
  ExpectNothingLost(pool, 1);  // Close(kDrain): the task has settled
  EXPECT_EQ(tg.Pending(), 1);  // one credit, not four or five
  EXPECT_TRUE(tg.Errors().empty());
  tg.Done();
  EXPECT_TRUE(tg.WaitFor(kHangGuard));
}

void CloseTwiceAndUpgrade() {
  Pool pool(1, 4);
  std::atomic<int> completes{0};
  for (int i = 0; i < 4; ++i) {
    ASSERT_FALSE(pool.AddTask(TaskOptions().SetTask([] {}).SetOnComplete([&] { ++completes; })));
  }
  pool.Close(CloseMode::kDrain);
  pool.Close(CloseMode::kCancelPending);
  pool.Close();
  EXPECT_EQ(completes, 4);
  ExpectNothingLost(pool, 4);
}

// ErrReload(-1) on a task that never succeeds: Close still returns, and
// `after` learns why the retries stopped.
void EndlessRetriesThenClose() {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> after_code{-1};
  std::latch retrying(1);
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([&] { return Error("never"); })
                                .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                                  h.ErrReload(-1, [&](const Error& e) {
                                    after_code = static_cast<int>(e.Code());
                                  });
                                  retrying.count_down();
                                })
                                .SetAutoDone()));
  retrying.wait();
  ExpectNothingLost(pool, 1);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(after_code, static_cast<int>(ErrorCode::kClosed));
}

// A task waiting on its own group would wait for itself: a bounded wait
// returns false instead of hanging the worker.
void WaitOnOwnGroupInsideTask() {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> waited{-1};
  TaskGroup* g = &tg;
  ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions()
                                .SetTask([g, &waited] { waited = g->WaitFor(milliseconds(5)); })
                                .SetAutoDone()));
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(waited, 0);
  ExpectNothingLost(pool, 1);
}

struct MisuseCase {
  const char* name;
  void (*run)();
};

const MisuseCase kCases[] = {
    {"NoTask", NoTask},
    {"NullInterfaces", NullInterfaces},
    {"EmptyCallables", EmptyCallables},
    {"ZeroWorkers", ZeroWorkers},
    {"ZeroCapacity", ZeroCapacity},
    {"HugeWorkersOrCapacity", HugeWorkersOrCapacity},
    {"NegativeGroupSize", NegativeGroupSize},
    {"DoneBelowZero", DoneBelowZero},
    {"AutoDoneBeyondGroupCount", AutoDoneBeyondGroupCount},
    {"ErrReloadOutsideOnError", ErrReloadOutsideOnError},
    {"ErrReloadTwice", ErrReloadTwice},
    {"ErrReloadBadArguments", ErrReloadBadArguments},
    {"AddTaskGroupLargerThanCapacity", AddTaskGroupLargerThanCapacity},
    {"AddTaskAfterClose", AddTaskAfterClose},
    {"EmptyBatchOnClosedPool", EmptyBatchOnClosedPool},
    {"CloseFromInsideATask", CloseFromInsideATask},
    {"DestroyWhileTasksRun", DestroyWhileTasksRun},
    {"WaitOnGroupWithNoTasks", WaitOnGroupWithNoTasks},
    {"ReuseOfMovedFromTaskOptions", ReuseOfMovedFromTaskOptions},
    {"UseOfMovedFromTaskGroup", UseOfMovedFromTaskGroup},
    {"NegativeOrHugeAddTimeout", NegativeOrHugeAddTimeout},
    {"HugeBackoff", HugeBackoff},
    {"NonStdExceptions", NonStdExceptions},
    {"ThrowingOnAddTimeout", ThrowingOnAddTimeout},
    {"AddTaskToCancelledGroup", AddTaskToCancelledGroup},
    {"RepeatedDoneInsideOwnCallbacks", RepeatedDoneInsideOwnCallbacks},
    {"CloseTwiceAndUpgrade", CloseTwiceAndUpgrade},
    {"EndlessRetriesThenClose", EndlessRetriesThenClose},
    {"WaitOnOwnGroupInsideTask", WaitOnOwnGroupInsideTask},
};

class MisuseTest : public ::testing::TestWithParam<MisuseCase> {};

TEST_P(MisuseTest, GivesTheDocumentedOutcome) { GetParam().run(); }

INSTANTIATE_TEST_SUITE_P(Table, MisuseTest, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<MisuseCase>& info) {
                           return std::string(info.param.name);
                         });

// Destroying a pool from one of its own tasks would join the calling thread:
// documented as a programming error that terminates with a message.
TEST(MisuseDeathTest, PoolDestroyedByItsOwnTaskTerminatesWithMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(
      {
        auto* pool = new Pool(1, 1);
        std::latch done(1);
        pool->AddTask(TaskOptions().SetTask([pool] { delete pool; }));
        done.wait();  // never: the process ends in the task
      },
      "destroyed by one of its own tasks");
}

}  // namespace
}  // namespace litepool
