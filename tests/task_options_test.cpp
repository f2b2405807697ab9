#include "litepool/task_options.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/task_options_access.hpp"
#include "litepool/alloter.hpp"
#include "litepool/detail/move_only_function.hpp"
#include "litepool/err_group.hpp"
#include "litepool/map.hpp"
#include "litepool/pool.hpp"

namespace litepool {
namespace {

struct CountingTask : ITask {
  std::atomic<int> execs{0}, successes{0}, completes{0};
  Error Exec() override {
    ++execs;
    return Error();
  }
  void OnSuccess() override { ++successes; }
  void OnComplete() override { ++completes; }
};

TEST(TaskOptionsTest, SharedPtrToITaskSubclassUsesEveryHook) {
  auto task = std::make_shared<CountingTask>();
  Pool pool(2, 4);
  TaskGroup tg = pool.NewTaskGroup(3);
  for (int i = 0; i < 3; ++i) {
    ASSERT_FALSE(pool.AddTask(tg.NewTaskOptions().SetTask(task).SetAutoDone()));
  }
  tg.Wait();
  EXPECT_EQ(task->execs, 3);
  EXPECT_EQ(task->successes, 3);
  EXPECT_EQ(task->completes, 3);
}

TEST(TaskOptionsTest, NullInterfacesThrowInvalidArgument) {
  TaskOptions o;
  EXPECT_THROW(o.SetTask(std::shared_ptr<ITask>()), std::invalid_argument);
  EXPECT_THROW(o.SetTaskWithInterface(nullptr), std::invalid_argument);
  EXPECT_THROW(o.SetOnSuccessWithInterface(nullptr), std::invalid_argument);
  EXPECT_THROW(o.SetOnErrorWithInterface(nullptr), std::invalid_argument);
  EXPECT_THROW(o.SetOnCompleteWithInterface(nullptr), std::invalid_argument);
  EXPECT_FALSE(o.HasTask());
}

TEST(TaskOptionsTest, EmptyCallablesThrowInvalidArgument) {
  TaskOptions o;
  EXPECT_THROW(o.SetTask(std::function<Error()>()), std::invalid_argument);
  EXPECT_THROW(o.SetOnSuccess(std::function<void()>()), std::invalid_argument);
  Error (*null_fn)() = nullptr;
  EXPECT_THROW(o.SetTask(null_fn), std::invalid_argument);
  EXPECT_THROW(o.SetAddTimeout(std::chrono::nanoseconds(-1)), std::invalid_argument);
}

TEST(TaskOptionsTest, VoidTaskCountsAsSuccess) {
  Pool pool(1, 1);
  std::atomic<int> ok{0};
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetOnSuccess([&] { ++ok; }).SetAutoDone());
  tg.Wait();
  EXPECT_EQ(ok, 1);
}

TEST(TaskOptionsTest, CopiedOptionsRunTwice) {
  Pool pool(2, 2);
  std::atomic<int> runs{0};
  TaskGroup tg(2);
  auto o = tg.NewTaskOptions().SetTask([&] { ++runs; }).SetAutoDone();
  ASSERT_FALSE(pool.AddTask(o));
  ASSERT_FALSE(pool.AddTask(o));
  tg.Wait();
  EXPECT_EQ(runs, 2);
}

TEST(TaskOptionsTest, MovedFromOptionsAreRejectedAsInvalid) {
  Pool pool(1, 1);
  std::atomic<int> runs{0};
  TaskGroup tg(1);
  auto o = tg.NewTaskOptions().SetTask([&] { ++runs; });
  ASSERT_FALSE(pool.AddTask(std::move(o)));
  Error again = pool.AddTask(std::move(o));  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(again.Code(), ErrorCode::kInvalidArgument);
  tg.Done();
  pool.Close();
  EXPECT_EQ(runs, 1);
}

TEST(TaskOptionsTest, TwoArgumentOnErrorForm) {
  Pool pool(1, 1);
  TaskGroup tg(1);
  std::atomic<int> seen{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("no"); })
                   .SetOnError([&](ErrHandle&, const Error& e) {
                     if (e.Message() == "no") ++seen;
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(seen, 1);
}

TEST(TaskOptionsTest, LvalueChainReturnsSameObject) {
  TaskOptions o;
  TaskOptions& r = o.SetTask([] {}).SetAutoDone();
  EXPECT_EQ(&r, &o);
  EXPECT_TRUE(o.HasTask());
}

// --- move-only callables -------------------------------------------------

TEST(TaskOptionsTest, UniquePtrCaptureRunsAsTask) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  std::atomic<int> seen{0};
  auto p = std::make_unique<int>(41);
  ASSERT_FALSE(pool.AddTask(
      tg.NewTaskOptions().SetTask([p = std::move(p), &seen] { seen = *p + 1; }).SetAutoDone()));
  tg.Wait();
  EXPECT_EQ(seen, 42);
}

TEST(TaskOptionsTest, MoveOnlyHooksRun) {
  Pool pool(1, 4);
  TaskGroup tg(2);
  std::atomic<int> success{0}, error{0}, complete{0};
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] {})
                   .SetOnSuccess([p = std::make_unique<int>(1), &success] { success += *p; })
                   .SetOnComplete([p = std::make_unique<int>(2), &complete] { complete += *p; })
                   .SetAutoDone());
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("no"); })
                   .SetOnError([p = std::make_unique<int>(3), &error](ErrHandle&, const Error&) {
                     error += *p;
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(success, 1);
  EXPECT_EQ(complete, 2);
  EXPECT_EQ(error, 3);
}

TEST(TaskOptionsTest, CopyingMoveOnlyCallableThrowsNamingTheSetter) {
  auto expect_copy_throws = [](const TaskOptions& o, const std::string& setter) {
    try {
      TaskOptions copy(o);
      FAIL() << "copy of " << setter << " did not throw";
    } catch (const std::logic_error& e) {
      EXPECT_EQ(std::string(e.what()),
                "TaskOptions::" + setter +
                    " holds a move-only callable: move the options instead of copying them");
    }
  };
  auto mo = [] { return [p = std::make_unique<int>(0)] { (void)p; }; };
  expect_copy_throws(TaskOptions().SetTask(mo()), "SetTask");
  // A body too large for the record lives elsewhere; same message.
  std::unique_ptr<int> big_p;
  char pad[40] = {};
  expect_copy_throws(TaskOptions().SetTask([big_p = std::move(big_p), pad] { (void)pad; }),
                     "SetTask");
  expect_copy_throws(TaskOptions().SetTask([] {}).SetOnSuccess(mo()), "SetOnSuccess");
  expect_copy_throws(TaskOptions().SetTask([] {}).SetOnComplete(mo()), "SetOnComplete");
  expect_copy_throws(TaskOptions().SetTask([] {}).SetOnAddTimeout(mo()), "SetOnAddTimeout");
  expect_copy_throws(TaskOptions().SetTask([] {}).SetOnError(
                         [p = std::make_unique<int>(0)](ErrHandle&, const Error&) {}),
                     "SetOnError");
  // Copy assignment too.
  TaskOptions target;
  TaskOptions source = TaskOptions().SetTask(mo());
  EXPECT_THROW(target = source, std::logic_error);
}

TEST(TaskOptionsTest, MovedMoveOnlyOptionsAreAccepted) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  std::atomic<int> runs{0};
  TaskOptions o = tg.NewTaskOptions()
                      .SetTask([p = std::make_unique<int>(1), &runs] { runs += *p; })
                      .SetAutoDone();
  ASSERT_FALSE(pool.AddTask(std::move(o)));
  tg.Wait();
  EXPECT_EQ(runs, 1);
}

TEST(TaskOptionsTest, LargeCapturesRunAndCopy) {
  Pool pool(1, 4);
  TaskGroup tg(3);
  std::atomic<long> sum{0};
  struct Pad40 {
    long v[5];
  };  // beyond the record, inside the 48-byte buffer
  struct Pad200 {
    long v[25];
  };  // beyond the buffer: a heap block
  Pad40 a{{1, 2, 3, 4, 5}};
  Pad200 b{};
  b.v[24] = 100;
  TaskOptions big = tg.NewTaskOptions().SetTask([a, &sum] { sum += a.v[4]; }).SetAutoDone();
  ASSERT_FALSE(pool.AddTask(big));  // a copy: copyable captures stay copyable
  ASSERT_FALSE(pool.AddTask(std::move(big)));
  ASSERT_FALSE(
      pool.AddTask(tg.NewTaskOptions().SetTask([b, &sum] { sum += b.v[24]; }).SetAutoDone()));
  tg.Wait();
  EXPECT_EQ(sum, 110);
}

TEST(TaskOptionsTest, InterfaceTaskReplacesALargeBody) {
  Pool pool(1, 4);
  TaskGroup tg(1);
  long pad[6] = {};
  std::atomic<int> large_runs{0};
  auto task = std::make_shared<CountingTask>();
  TaskOptions o = tg.NewTaskOptions().SetTask([pad, &large_runs] {
    (void)pad;
    ++large_runs;
  });
  o.SetTask(task).SetAutoDone();
  ASSERT_FALSE(pool.AddTask(std::move(o)));
  tg.Wait();
  EXPECT_EQ(large_runs, 0);
  EXPECT_EQ(task->execs, 1);
}

TEST(TaskOptionsTest, ErrReloadAfterTakesMoveOnlyAndStdFunction) {
  Pool pool(1, 4);
  TaskGroup tg(2);
  std::atomic<int> afters{0};
  std::function<void(const Error&)> as_function = [&afters](const Error&) { ++afters; };
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("no"); })
                   .SetOnError([&](ErrHandle& h, const Error&) { h.ErrReload(0, as_function); })
                   .SetAutoDone());
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] { return Error("no"); })
                   .SetOnError([&](ErrHandle& h, const Error&) {
                     h.ErrReload(1, [p = std::make_unique<int>(1), &afters](const Error& e) {
                       if (e) afters += *p;
                     });
                   })
                   .SetAutoDone());
  tg.Wait();
  EXPECT_EQ(afters, 2);
}

TEST(TaskOptionsTest, FrontEndsAcceptMoveOnlyFunctions) {
  Pool pool(2, 8);
  ErrGroup g(pool);
  std::atomic<int> sum{0};
  g.Go([p = std::make_unique<int>(1), &sum] { sum += *p; });
  EXPECT_FALSE(g.Wait());
  Alloter alloter = Alloter::WithPool(pool);
  EXPECT_FALSE(alloter.Exec([p = std::make_unique<int>(2), &sum] { sum += *p; },
                            [p = std::make_unique<int>(3), &sum] { sum += *p; }));
  EXPECT_EQ(sum, 6);
  auto offset = std::make_unique<int>(10);
  struct AddOffset {
    std::unique_ptr<int> offset;
    int operator()(const int& x) const { return x + *offset; }
  };
  std::vector<int> out =
      Map(std::vector<int>{1, 2}, AddOffset{std::move(offset)}, MapOptions{.pool = pool});
  EXPECT_EQ(out, (std::vector<int>{11, 12}));
}

TEST(MoveOnlyFunctionTest, SmallTargetsAreInlineLargeOnesOnTheHeap) {
  struct Small {
    char c[48];
    void operator()() const {}
  };
  struct Large {
    char c[49];
    void operator()() const {}
  };
  struct Aligned {
    alignas(32) char c[8];
    void operator()() const {}
  };
  EXPECT_TRUE(detail::MoveOnlyFunction<void()>::kStoresInline<Small>);
  EXPECT_FALSE(detail::MoveOnlyFunction<void()>::kStoresInline<Large>);
  EXPECT_FALSE(detail::MoveOnlyFunction<void()>::kStoresInline<Aligned>);
  // The record keeps a body of three pointers: an empty Submit body plus two captures.
  EXPECT_TRUE(detail::ExecFn::kStoresInline<std::function<Error()>> == false);
  EXPECT_EQ(sizeof(detail::ExecFn), 32u);
}

TEST(MoveOnlyFunctionTest, MovesCallsClonesAndDestroysOnce) {
  auto counter = std::make_shared<int>(0);
  std::weak_ptr<int> watch = counter;
  {
    detail::MoveOnlyFunction<int(int)> f = [c = counter](int x) { return ++*c + x; };
    counter.reset();
    EXPECT_TRUE(f.Copyable());
    detail::MoveOnlyFunction<int(int)> g = f.Clone();
    EXPECT_EQ(f(10), 11);
    EXPECT_EQ(g(10), 12);  // the same shared counter
    detail::MoveOnlyFunction<int(int)> h = std::move(f);
    EXPECT_FALSE(f);  // NOLINT(bugprone-use-after-move)
    EXPECT_EQ(h(0), 3);
    detail::MoveOnlyFunction<int(int)> empty(std::function<int(int)>{});
    EXPECT_FALSE(empty);
    EXPECT_FALSE(watch.expired());
  }
  EXPECT_TRUE(watch.expired());
  detail::MoveOnlyFunction<void()> mo = [p = std::make_unique<int>(0)] {};
  EXPECT_FALSE(mo.Copyable());
  EXPECT_THROW((void)mo.Clone(), std::bad_function_call);
}

// The scheduling-control setters: what they store for the engine, and where (the
// extras part, so a plain task still gets a one-cache-line record).
TEST(TaskOptionsTest, PriorityAndQueueTimeoutAreStoredWithTheHooks) {
  using namespace std::chrono_literals;
  TaskOptions plain = TaskOptions().SetTask([] {});
  EXPECT_FALSE(detail::TaskOptionsAccess::Spec(plain).hooks.Any());

  TaskOptions o = TaskOptions().SetTask([] {}).SetPriority(Priority::kHigh);
  detail::TaskSpec& spec = detail::TaskOptionsAccess::Spec(o);
  EXPECT_EQ(spec.hooks.priority, Priority::kHigh);
  EXPECT_FALSE(spec.hooks.queue_timeout.has_value());
  EXPECT_TRUE(spec.hooks.Any());

  o.SetQueueTimeout(10ms).SetPriority(Priority::kLow);
  ASSERT_TRUE(spec.hooks.queue_timeout.has_value());
  EXPECT_EQ(*spec.hooks.queue_timeout, 10ms);
  EXPECT_EQ(spec.hooks.priority, Priority::kLow);
  EXPECT_EQ(spec.InvalidReason(), nullptr);

  TaskOptions copy = o;  // copies keep both
  EXPECT_EQ(detail::TaskOptionsAccess::Spec(copy).hooks.priority, Priority::kLow);
  EXPECT_EQ(*detail::TaskOptionsAccess::Spec(copy).hooks.queue_timeout, 10ms);
  TaskOptions moved = std::move(o);  // the moved-from one is empty again
  EXPECT_EQ(detail::TaskOptionsAccess::Spec(moved).hooks.priority, Priority::kLow);
  EXPECT_EQ(spec.hooks.priority, Priority::kNormal);
  EXPECT_FALSE(spec.hooks.queue_timeout.has_value());

  // A normal priority alone costs nothing: still a plain task.
  TaskOptions normal = TaskOptions().SetTask([] {}).SetPriority(Priority::kNormal);
  EXPECT_FALSE(detail::TaskOptionsAccess::Spec(normal).hooks.Any());
}

TEST(TaskOptionsTest, NegativeQueueTimeoutIsLeftForAddTaskToReject) {
  using namespace std::chrono_literals;
  TaskOptions o;
  EXPECT_NO_THROW(o.SetQueueTimeout(-1ns));
  EXPECT_NE(detail::TaskOptionsAccess::Spec(o).InvalidReason(), nullptr);
  EXPECT_NO_THROW(o.SetQueueTimeout(0ns));
  EXPECT_EQ(detail::TaskOptionsAccess::Spec(o).InvalidReason(), nullptr);
}

TEST(TaskOptionsTest, PriorityOutsideTheEnumThrows) {
  TaskOptions o;
  EXPECT_THROW(o.SetPriority(static_cast<Priority>(7)), std::invalid_argument);
  EXPECT_THROW(TaskOptions().SetPriority(static_cast<Priority>(-1)), std::invalid_argument);
}

}  // namespace
}  // namespace litepool
