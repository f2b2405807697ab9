#include <gtest/gtest.h>

#include <sstream>
#include <string>

#include "litepool/litepool.hpp"

namespace litepool {
namespace {

TEST(UsageTest, StatsTotalsAreSumsOfWorkers) {
  Pool pool(3, 8);
  TaskGroup tg(60);
  for (int i = 0; i < 60; ++i) {
    pool.AddTask(tg.NewTaskOptions()
                     .SetTask([i] { return i % 4 == 0 ? Error("x") : Error(); })
                     .SetAutoDone());
  }
  tg.Wait();
  const UsageReport r = pool.Stats();
  ASSERT_EQ(r.workers.size(), 3u);
  std::uint64_t executed = 0, succeeded = 0, failed = 0;
  for (std::size_t i = 0; i < r.workers.size(); ++i) {
    EXPECT_EQ(r.workers[i].id, i);
    executed += r.workers[i].executed;
    succeeded += r.workers[i].succeeded;
    failed += r.workers[i].failed;
  }
  EXPECT_EQ(executed, 60u);
  EXPECT_EQ(r.total.executed, 60u);
  EXPECT_EQ(succeeded, 45u);
  EXPECT_EQ(failed, 15u);
  EXPECT_EQ(r.total.succeeded + r.total.failed, 60u);
  EXPECT_GE(r.imbalance, 1.0);
}

TEST(UsageTest, UsagePrintsARowPerWorkerTotalAndImbalance) {
  Pool pool(PoolOptions{.workers = 2, .queue_capacity = 4, .name = "demo"});
  TaskGroup tg(10);
  for (int i = 0; i < 10; ++i) pool.AddTask(tg.NewTaskOptions().SetTask([] {}).SetAutoDone());
  tg.Wait();
  std::ostringstream out;
  pool.Usage(out);
  const std::string s = out.str();
  EXPECT_NE(s.find("\"demo\""), std::string::npos) << s;
  EXPECT_NE(s.find("executed"), std::string::npos);
  EXPECT_NE(s.find("total"), std::string::npos);
  EXPECT_NE(s.find("imbalance"), std::string::npos);
  // header + 2 workers + total + imbalance + title
  int lines = 0;
  for (char c : s) lines += c == '\n';
  EXPECT_EQ(lines, 6) << s;
}

TEST(UsageTest, ToJsonHasEveryField) {
  UsageReport r;
  r.name = "a\"b";
  WorkerUsage w;
  w.id = 0;
  w.executed = 7;
  w.busy = std::chrono::nanoseconds(1500);
  r.workers.push_back(w);
  r.total = w;
  r.imbalance = 1.25;
  const std::string j = r.ToJson();
  EXPECT_NE(j.find("\"name\":\"a\\\"b\""), std::string::npos) << j;
  EXPECT_NE(j.find("\"executed\":7"), std::string::npos) << j;
  EXPECT_NE(j.find("\"busy_ns\":1500"), std::string::npos) << j;
  EXPECT_NE(j.find("\"imbalance\":1.25"), std::string::npos) << j;
  for (const char* key : {"succeeded", "failed", "retried", "stolen", "callback_errors", "queued", "total"}) {
    EXPECT_NE(j.find(std::string("\"") + key + "\""), std::string::npos) << key;
  }
}

TEST(UsageTest, ImbalanceIsMaxOverMeanBusy) {
  Pool pool(2, 2);
  // Nothing ran: no busy time, imbalance defined as 1.
  EXPECT_DOUBLE_EQ(pool.Stats().imbalance, 1.0);
}

}  // namespace
}  // namespace litepool
