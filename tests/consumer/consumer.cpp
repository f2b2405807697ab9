// The program every consumer test builds: it includes only the installed
// public header and checks the basic contract, printing two lines that the
// test compares: the headers' version ("litepool 0.2.0", from the
// LITEPOOL_VERSION_* macros) and "litepool consumer: ...".
#include <litepool/litepool.hpp>

#include <atomic>
#include <iostream>
#include <memory>
#include <sstream>

namespace {

// Seed 003's interface style: one object shared by many tasks.
class Counter : public litepool::ITask {
 public:
  litepool::Error Exec() override {
    ++runs_;
    return litepool::Error();
  }
  void OnComplete() override { ++completed_; }
  int Completed() const { return completed_.load(); }

 private:
  std::atomic<int> runs_{0};
  std::atomic<int> completed_{0};
};

}  // namespace

static_assert(LITEPOOL_VERSION == LITEPOOL_VERSION_MAJOR * 10000 + LITEPOOL_VERSION_MINOR * 100 +
                                      LITEPOOL_VERSION_PATCH,
              "LITEPOOL_VERSION combines the three parts");

int main() {
  std::cout << "litepool " << LITEPOOL_VERSION_MAJOR << '.' << LITEPOOL_VERSION_MINOR << '.'
            << LITEPOOL_VERSION_PATCH << "\n";
  litepool::Pool pool(litepool::PoolOptions{.workers = 2, .queue_capacity = 8, .name = "consumer"});
  const int n = 100;
  litepool::TaskGroup tg = pool.NewTaskGroup(n);
  std::atomic<int> first_try{0}, recovered{0};
  for (int i = 0; i < n; ++i) {
    // Every tenth task fails its first run and succeeds on the retry.
    auto attempts = std::make_shared<std::atomic<int>>(0);
    pool.AddTask(
        tg.NewTaskOptions()
            .SetTask([i, attempts]() -> litepool::Error {
              if (i % 10 == 0 && attempts->fetch_add(1) == 0) return litepool::Error("flaky");
              return litepool::Error();
            })
            .SetOnSuccess([&] { ++first_try; })
            .SetOnError([&](litepool::ErrHandle& h, litepool::TaskGroup&, const litepool::Error&) {
              h.ErrReload(2, [&](const litepool::Error& e) {
                if (!e) ++recovered;
              });
            })
            .SetAutoDone());
  }
  auto counter = std::make_shared<Counter>();
  litepool::TaskGroup tg2 = pool.NewTaskGroup(10);
  for (int i = 0; i < 10; ++i) pool.AddTask(tg2.NewTaskOptions().SetTask(counter).SetAutoDone());
  tg.Wait();
  tg2.Wait();

  const litepool::UsageReport r = pool.Stats();
  std::ostringstream table;
  pool.Usage(table);
  const bool json_ok = r.ToJson().find("\"name\":\"consumer\"") != std::string::npos;
  const bool table_ok = table.str().find("imbalance") != std::string::npos;
  std::cout << "litepool consumer: " << first_try << " first-try, " << recovered << " recovered, "
            << tg.Errors().size() << " unhandled, " << counter->Completed() << " interface, "
            << r.total.executed << " runs, " << r.total.retried << " retried, json "
            << (json_ok ? "ok" : "BAD") << ", usage " << (table_ok ? "ok" : "BAD") << "\n";
  pool.Close();
  return pool.AddTask(litepool::TaskOptions().SetTask([] {})).Code() == litepool::ErrorCode::kClosed
             ? 0
             : 1;
}
