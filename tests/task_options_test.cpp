#include "litepool/task_options.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <stdexcept>

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
  EXPECT_THROW(o.SetAddTimeout(std::chrono::nanoseconds(-1)),
               std::invalid_argument);
}

TEST(TaskOptionsTest, VoidTaskCountsAsSuccess) {
  Pool pool(1, 1);
  std::atomic<int> ok{0};
  TaskGroup tg(1);
  pool.AddTask(tg.NewTaskOptions()
                   .SetTask([] {})
                   .SetOnSuccess([&] { ++ok; })
                   .SetAutoDone());
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

}  // namespace
}  // namespace litepool
