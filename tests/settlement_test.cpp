// The life cycle of one task: hook order, retries, Done, exceptions.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "litepool/litepool.hpp"
#include "test_util.hpp"

namespace litepool {
namespace {

using testing::kHangGuard;

class Journal {
 public:
  void Add(std::string s) {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(s));
  }
  std::vector<std::string> Events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
};

using Events = std::vector<std::string>;

TEST(SettlementTest, SuccessOrderIsExecSuccessComplete) {
  Pool pool(1, 1);
  Journal j;
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] { j.Add("exec"); })
                   .SetOnSuccess([&] { j.Add("success"); })
                   .SetOnError([&](ErrHandle&, TaskGroup&, const Error&) { j.Add("error"); })
                   .SetOnComplete([&] { j.Add("complete"); })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(j.Events(), (Events{"exec", "success", "complete"}));
}

TEST(SettlementTest, FailureOrderIsExecErrorComplete) {
  Pool pool(1, 1);
  Journal j;
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     j.Add("exec");
                     return Error("x");
                   })
                   .SetOnSuccess([&] { j.Add("success"); })
                   .SetOnError([&](ErrHandle&, TaskGroup&, const Error& e) {
                     j.Add("error:" + e.Message());
                   })
                   .SetOnComplete([&] { j.Add("complete"); })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(j.Events(), (Events{"exec", "error:x", "complete"}));
  EXPECT_TRUE(tg.Errors().empty());  // OnError handled it
}

TEST(SettlementTest, WaitReturnsOnlyAfterOnCompleteReturned) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::latch in_complete(1), proceed(1);
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] {})
                   .SetOnComplete([&] {
                     in_complete.count_down();
                     proceed.wait();
                   })
                   .SetAutoDone());
  in_complete.wait();
  EXPECT_EQ(tg.Pending(), 1);
  EXPECT_FALSE(tg.WaitFor(std::chrono::nanoseconds(0)));
  proceed.count_down();
  tg.Wait();
  EXPECT_EQ(tg.Pending(), 0);
}

// Task records are recycled (framework/record_pool.hpp): the block may be
// kept, but what the hooks captured must be gone by the time Wait returns.
TEST(SettlementTest, CapturedStateIsReleasedBeforeWaitReturns) {
  Pool pool(2, 4);
  constexpr int kTasks = 10;  // fewer than a worker's batch of freed blocks
  std::vector<std::weak_ptr<int>> watched;
  TaskGroup tg(kTasks);
  for (int i = 0; i < kTasks; ++i) {
    auto state = std::make_shared<int>(i);
    watched.push_back(state);
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([state] {})
                     .SetOnSuccess([state] {})
                     .SetOnComplete([state] {})
                     .SetAutoDone());
  }
  tg.Wait();
  for (const auto& w : watched) EXPECT_TRUE(w.expired());
}

TEST(SettlementTest, RetryUntilSuccessGoesToAfterNotOnSuccess) {
  Pool pool(2, 4);
  TaskGroup tg(1);
  std::atomic<int> attempts{0}, successes{0};
  Error final_result("unset");
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] { return ++attempts < 3 ? Error("flaky") : Error(); })
                   .SetOnSuccess([&] { ++successes; })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(5, [&](const Error& e) { final_result = e; });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(successes, 0);
  EXPECT_FALSE(final_result);
  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.total.executed, 3u);
  EXPECT_EQ(r.total.retried, 2u);
  EXPECT_EQ(r.total.succeeded, 1u);
  EXPECT_TRUE(tg.Errors().empty());
}

TEST(SettlementTest, RetriesExhaustedGiveLastErrorToAfterAndErrors) {
  Pool pool(2, 4);
  TaskGroup tg(1);
  std::atomic<int> attempts{0};
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] { return Error("fail " + std::to_string(++attempts)); })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(3, [&](const Error& e) { final_result = e; });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(attempts, 4);
  EXPECT_EQ(final_result.Message(), "fail 4");
  ASSERT_EQ(tg.Errors().size(), 1u);
  EXPECT_EQ(tg.Errors()[0].Message(), "fail 4");
  EXPECT_EQ(pool.Stats().total.failed, 1u);
}

TEST(SettlementTest, ErrReloadZeroGivesFirstErrorAtOnce) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> attempts{0};
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     ++attempts;
                     return Error("first");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(0, [&](const Error& e) { final_result = e; });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(attempts, 1);
  EXPECT_EQ(final_result.Message(), "first");
}

TEST(SettlementTest, ErrReloadCalledTwiceLastWins) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> attempts{0}, first_after{0}, second_after{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     ++attempts;
                     return Error("no");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(5, [&](const Error&) { ++first_after; });
                     h.ErrReload(1, [&](const Error&) { ++second_after; });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(first_after, 0);
  EXPECT_EQ(second_after, 1);
}

TEST(SettlementTest, ErrReloadOutsideOnErrorThrowsLogicError) {
  ErrHandle h;
  EXPECT_FALSE(h.Active());
  EXPECT_THROW(h.ErrReload(1), std::logic_error);
}

TEST(SettlementTest, ErrReloadRejectsBadArguments) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> bad_count{0}, bad_backoff{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("x"); })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     try {
                       h.ErrReload(-2);
                     } catch (const std::invalid_argument&) {
                       ++bad_count;
                     }
                     try {
                       h.ErrReload(
                           1, {},
                           Backoff{.initial = std::chrono::milliseconds(1), .multiplier = 0.5});
                     } catch (const std::invalid_argument&) {
                       ++bad_backoff;
                     }
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(bad_count, 1);
  EXPECT_EQ(bad_backoff, 1);
}

TEST(SettlementTest, RetryIsRequeuedNotRunInlineOnTheWorker) {
  // One worker. The retry waits an hour of backoff; the worker must still be
  // free to run the next task, and Close(kCancelPending) must end the retry.
  Pool pool(1, 4);
  TaskGroup tg(2);
  std::latch other_ran(1);
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("always"); })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(
                         1, [&](const Error& e) { final_result = e; },
                         Backoff{.initial = std::chrono::hours(1)});
                   })
                   .SetAutoDone());
  pool.AddTask(tg.NewTaskOptions().SetTask([&] { other_ran.count_down(); }).SetAutoDone());
  other_ran.wait();
  EXPECT_EQ(tg.Pending(), 1);  // the retrying task is still pending
  pool.Close(CloseMode::kCancelPending);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(final_result.Code(), ErrorCode::kCancelled);
}

TEST(SettlementTest, CloseDrainDoesNotWaitOutABackoffDelay) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  std::latch failed_once(1);
  std::atomic<int> attempts{0}, afters{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     ++attempts;
                     return Error("x");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(
                         1, [&](const Error& e) { afters += e ? 1 : 100; },
                         Backoff{.initial = std::chrono::hours(1)});
                     failed_once.count_down();
                   })
                   .SetAutoDone());
  failed_once.wait();
  auto closed = std::async(std::launch::async, [&] { pool.Close(CloseMode::kDrain); });
  ASSERT_EQ(closed.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_EQ(tg.Pending(), 0);
  EXPECT_EQ(afters, 1);  // one final result, a failure
  EXPECT_LE(attempts, 2);
}

// A retry waiting out its Backoff settles as kCancelled
// as soon as its group is cancelled (after / OnComplete / credit), instead of
// at the end of the delay (an hour here).
TEST(SettlementTest, RetryWaitingOutABackoffSettlesOnGroupCancel) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  std::latch failed_once(1);
  std::atomic<int> attempts{0}, completes{0};
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     ++attempts;
                     return Error("x");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(
                         3, [&](const Error& e) { final_result = e; },
                         Backoff{.initial = std::chrono::hours(1)});
                     failed_once.count_down();
                   })
                   .SetOnComplete([&] { ++completes; })
                   .SetAutoDone());
  failed_once.wait();
  tg.Cancel();
  // A behaviour bound far below the hour of backoff, not a synchronisation.
  ASSERT_TRUE(tg.WaitFor(std::chrono::seconds(10)));
  EXPECT_EQ(final_result.Code(), ErrorCode::kCancelled);
  EXPECT_EQ(completes, 1);
  EXPECT_EQ(attempts, 1);            // the retry never ran
  EXPECT_TRUE(tg.Errors().empty());  // a cancellation is no unhandled failure
}

// A cancel ends a retry's wait through a second timer entry; the first one
// (an hour away) stays held until it comes due. Purge must not count or
// settle that retry again, and Close(kDrain) must not wait out the hour.
TEST(SettlementTest, ARetryEndedByItsGroupsCancelIsNotPurgedAgainNorWaitedFor) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  std::latch failed_once(1);
  std::atomic<int> afters{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("x"); })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(
                         1, [&](const Error&) { ++afters; },
                         Backoff{.initial = std::chrono::hours(1)});
                     failed_once.count_down();
                   })
                   .SetAutoDone());
  failed_once.wait();
  tg.Cancel();
  ASSERT_TRUE(tg.WaitFor(std::chrono::seconds(10)));  // a behaviour bound
  EXPECT_EQ(pool.Purge(), 0u) << "the cancelled retry was purged a second time";
  auto closed = std::async(std::launch::async, [&] { pool.Close(CloseMode::kDrain); });
  ASSERT_EQ(closed.wait_for(kHangGuard), std::future_status::ready);
  EXPECT_EQ(afters, 1);
  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.cancelled, 1u);
  EXPECT_EQ(r.total.succeeded + r.total.failed, 1u);
}

// `retried` counts the retries ErrReload requested and the engine
// scheduled, including one cancelled while it waited out its backoff;
// `executed` counts runs (WorkerUsage: "runs requested by ErrReload").
TEST(SettlementTest, RetriedCountsRequestedRetriesExecutedCountsRuns) {
  Pool pool(1, 4);
  TaskGroup tg(2);
  std::latch waiting(1);
  // Task A: two retries run at once (no backoff), the second succeeds.
  std::atomic<int> a_runs{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] { return ++a_runs < 3 ? Error("again") : Error(); })
                   .SetOnError([](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(5); })
                   .SetAutoDone());
  // Task B: its one retry waits an hour and is cancelled before it runs.
  TaskGroup b(1);
  pool.AddTask(b.NewTaskOptions()
                   .SetTask([] { return Error("x"); })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(1, {}, Backoff{.initial = std::chrono::hours(1)});
                     waiting.count_down();
                   })
                   .SetAutoDone());
  waiting.wait();
  b.Cancel();
  ASSERT_TRUE(b.WaitFor(std::chrono::seconds(10)));  // a behaviour bound
  tg.Done();                                         // B's slot in tg: B has its own group
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  pool.Close();
  const UsageReport r = pool.Stats();
  EXPECT_EQ(r.total.retried, 3u);   // A: 2, B: 1 (cancelled before it ran)
  EXPECT_EQ(r.total.executed, 4u);  // A: 3 runs, B: 1
}

TEST(SettlementTest, BackoffDelayIsApplied) {
  Backoff b{.initial = std::chrono::milliseconds(10),
            .multiplier = 2.0,
            .max = std::chrono::milliseconds(35)};
  EXPECT_EQ(b.DelayFor(1), std::chrono::milliseconds(10));
  EXPECT_EQ(b.DelayFor(2), std::chrono::milliseconds(20));
  EXPECT_EQ(b.DelayFor(3), std::chrono::milliseconds(35));
  EXPECT_EQ(Backoff{}.DelayFor(1), std::chrono::nanoseconds(0));
}

TEST(SettlementTest, RetryAfterCloseGivesClosedToAfter) {
  Pool pool(1, 2);
  TaskGroup tg(1);
  std::latch in_exec(1), proceed(1);
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     in_exec.count_down();
                     proceed.wait();
                     return Error("x");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(-1, [&](const Error& e) { final_result = e; });
                   })
                   .SetAutoDone());
  in_exec.wait();
  std::thread closer([&] { pool.Close(); });
  while (!pool.Closed()) std::this_thread::yield();
  proceed.count_down();
  closer.join();
  EXPECT_EQ(final_result.Code(), ErrorCode::kClosed);
  EXPECT_EQ(tg.Pending(), 0);
}

TEST(SettlementTest, UnlimitedRetriesStopOnGroupCancel) {
  Pool pool(2, 4);
  TaskGroup tg(1);
  std::atomic<int> attempts{0};
  Error final_result;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     if (++attempts == 5) tg.Cancel();
                     return Error("x");
                   })
                   .SetOnError([&](ErrHandle& h, TaskGroup&, const Error&) {
                     h.ErrReload(-1, [&](const Error& e) { final_result = e; });
                   })
                   .SetAutoDone());
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_EQ(attempts, 5);
  EXPECT_EQ(final_result.Code(), ErrorCode::kCancelled);
}

TEST(SettlementTest, DoneInRetryCallbackWithAutoDoneCountsOnce) {
  // Seed 003's closure idiom: Done() in `after` and SetAutoDone().
  Pool pool(3, 8);
  constexpr int kN = 300;
  TaskGroup tg = pool.NewTaskGroup(kN);
  std::atomic<int> completes{0};
  for (int i = 0; i < kN; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i] { return i % 3 == 0 ? Error("bad") : Error(); })
                     .SetOnError([](ErrHandle& h, TaskGroup& g, const Error&) {
                       h.ErrReload(2, [&g](const Error& e) {
                         if (e) g.Done();
                       });
                     })
                     .SetOnComplete([&] { ++completes; })
                     .SetAutoDone());
  }
  tg.Wait();
  EXPECT_EQ(completes, kN);
  EXPECT_EQ(tg.Pending(), 0);
  // A double credit would have driven the counter below zero: recorded as
  // kInvalidArgument errors. Only the exhausted retries may be there.
  for (const Error& e : tg.Errors()) EXPECT_EQ(e.Message(), "bad");
  EXPECT_EQ(tg.Errors().size(), static_cast<std::size_t>(kN / 3));
  EXPECT_EQ(pool.Stats().total.callback_errors, 0u);
}

TEST(SettlementTest, DoneInsideOwnCallbackWithoutAutoDoneCredits) {
  Pool pool(1, 2);
  TaskGroup tg(2);
  for (int i = 0; i < 2; ++i) {
    pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetOnSuccess([&tg] {
      tg.Done();
      tg.Done();  // same task: still one credit
    }));
  }
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  EXPECT_TRUE(tg.Errors().empty());
}

TEST(SettlementTest, DoneOnAnotherGroupInsideCallbackIsImmediate) {
  Pool pool(1, 2);
  TaskGroup other(1);
  TaskGroup tg(1);
  std::atomic<std::int64_t> seen{-1};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] {
                     other.Done();
                     seen = other.Pending();
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(seen, 0);
}

TEST(SettlementTest, ExceptionInTaskBecomesKException) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  Error seen;
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([]() -> Error { throw std::runtime_error("kaboom"); })
                   .SetOnError([&](ErrHandle&, TaskGroup&, const Error& e) { seen = e; })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(seen.Code(), ErrorCode::kException);
  EXPECT_EQ(seen.Message(), "kaboom");
}

TEST(SettlementTest, ThrowingHooksAreRecordedAndWorkerSurvives) {
  Pool pool(1, 4);
  TaskGroup tg(3);
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] {})
                   .SetOnSuccess([] { throw std::runtime_error("s"); })
                   .SetAutoDone());
  pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetOnComplete([] { throw 7; }).SetAutoDone());
  pool.AddTask(
      tg.NewTaskOptions()
          .SetTask([] { return Error("e"); })
          .SetOnError([](ErrHandle&, TaskGroup&, const Error&) { throw std::logic_error("o"); })
          .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(pool.Stats().total.callback_errors, 3u);
  const auto errors = tg.Errors();
  // 3 hook exceptions + the failure OnError did not get to handle.
  ASSERT_EQ(errors.size(), 4u);
  int exceptions = 0;
  for (const auto& e : errors) exceptions += e.Code() == ErrorCode::kException;
  EXPECT_EQ(exceptions, 3);
  // The worker still runs tasks.
  TaskGroup after(1);
  pool.AddTask(after.NewTaskOptions().SetTask([] {}).SetAutoDone());
  EXPECT_TRUE(after.WaitFor(kHangGuard));
}

struct DefaultHooksTask : ITask {
  Error Exec() override { return Error("unhandled"); }
};

TEST(SettlementTest, ITaskDefaultOnErrorCountsAsUnhandled) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions().SetTask(std::make_shared<DefaultHooksTask>()).SetAutoDone());
  tg.Wait();
  ASSERT_EQ(tg.Errors().size(), 1u);
  EXPECT_EQ(tg.Errors()[0].Message(), "unhandled");
}

TEST(SettlementTest, AfterMayCaptureOnErrorsGroupByReference) {
  Pool pool(2, 4);
  TaskGroup tg(1);
  std::atomic<std::int64_t> pending_seen{-1};
  std::atomic<int> n{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([&] { return ++n < 2 ? Error("x") : Error(); })
                   .SetOnError([&](ErrHandle& h, TaskGroup& g, const Error&) {
                     h.ErrReload(3,
                                 [&g, &pending_seen](const Error&) { pending_seen = g.Pending(); });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(pending_seen, 1);
}

TEST(SettlementTest, GrouplessTaskGetsAPrivateGroupInOnError) {
  Pool pool(1, 1);
  std::latch done(1);
  std::atomic<std::int64_t> pending{-1};
  pool.AddTask(TaskOptions()
                   .SetTask([] { return Error("x"); })
                   .SetOnError([&](ErrHandle&, TaskGroup& g, const Error&) {
                     pending = g.Pending();
                     g.Done();  // credits nothing, throws nothing
                   })
                   .SetOnComplete([&] { done.count_down(); }));
  done.wait();
  pool.Close();
  EXPECT_EQ(pending, 0);
  EXPECT_EQ(pool.Stats().total.callback_errors, 0u);
}

TEST(SettlementTest, AutoDoneCreditsEveryKindOfOutcome) {
  Pool pool(1, 1);
  testing::Blocker blocker;
  TaskGroup tg(6);
  auto base = [&] { return tg.NewTaskOptions().SetAutoDone(); };
  pool.AddTask(base().SetTask([] {}));                       // success
  pool.AddTask(base().SetTask([] { return Error("f"); }));   // failure
  pool.AddTask(base().SetTask([]() -> Error { throw 1; }));  // exception
  pool.AddTask(base());                                      // invalid
  blocker.AddTo(pool);
  pool.AddTask(base().SetTask([] {}));                                             // fills the slot
  pool.AddTask(base().SetTask([] {}).SetAddTimeout(std::chrono::nanoseconds(0)));  // timeout
  blocker.Release();
  ASSERT_TRUE(tg.WaitFor(kHangGuard));
  pool.Close();
  TaskGroup closed(1);
  pool.AddTask(closed.NewTaskOptions().SetTask([] {}).SetAutoDone());  // closed
  EXPECT_EQ(closed.Pending(), 0);
}

}  // namespace
}  // namespace litepool
