// The engine's accounting invariant: accepted == settled once idle.
#include <gtest/gtest.h>

#include <atomic>

#include "litepool/litepool.hpp"
#include "pool_access.hpp"

namespace litepool {
namespace {

TEST(AccountingTest, AcceptedEqualsSettledOnceIdle) {
  Pool pool(2, 4);
  TaskGroup tg(100);
  for (int i = 0; i < 100; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i] { return i % 5 == 0 ? Error("x") : Error(); })
                     .SetOnError([](ErrHandle& h, TaskGroup&, const Error&) { h.ErrReload(1); })
                     .SetAutoDone());
  }
  tg.Wait();
  pool.Close();
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 100u);
  EXPECT_EQ(a.settled, 100u);
  EXPECT_EQ(a.in_flight, 0u);
}

TEST(AccountingTest, RejectedTasksAreNotAccepted) {
  Pool pool(1, 1);
  pool.AddTask(TaskOptions());
  pool.Close();
  pool.AddTask(TaskOptions().SetTask([] {}));
  const detail::Accounting a = detail::PoolAccess::Totals(pool);
  EXPECT_EQ(a.accepted, 0u);
  EXPECT_EQ(a.settled, 0u);
}

}  // namespace
}  // namespace litepool
