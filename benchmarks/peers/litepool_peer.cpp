// benchmarks/peers/litepool_peer.cpp — litepool through the common
// Executor interface: one AddTask of a TaskOptions per job, as a user
// would write it.
#include "litepool_peer.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

namespace litepool_bench {

void CheckOk(const litepool::Error& err, const char* what) {
  if (err) {
    std::fprintf(stderr, "litepool benchmark: %s failed: %s\n", what, err.ToString().c_str());
    std::abort();
  }
}

namespace {

class LitepoolGroup final : public Group {
 public:
  LitepoolGroup(litepool::Pool& pool, std::int64_t n) : pool_(pool), group_(pool.NewTaskGroup(n)) {}
  void Submit(Job job) override {
    CheckOk(pool_.AddTask(group_.NewTaskOptions()
                              .SetTask([job]() -> litepool::Error {
                                job();
                                return {};
                              })
                              .SetAutoDone()),
            "AddTask (group)");
  }
  void Wait() override { group_.Wait(); }

 private:
  litepool::Pool& pool_;
  litepool::TaskGroup group_;
};

}  // namespace

LitepoolExecutor::LitepoolExecutor(const ExecutorConfig& config)
    : pool_(litepool::PoolOptions{
          .workers = config.workers, .queue_capacity = config.queue_capacity, .name = "bench"}) {}

LitepoolExecutor::~LitepoolExecutor() = default;

void LitepoolExecutor::Submit(Job job) {
  CheckOk(pool_.AddTask(litepool::TaskOptions().SetTask([job]() -> litepool::Error {
    job();
    return {};
  })),
          "AddTask");
}

std::unique_ptr<Group> LitepoolExecutor::NewGroup(std::int64_t n) {
  return std::make_unique<LitepoolGroup>(pool_, n);
}

double LitepoolExecutor::Imbalance() const { return pool_.Stats().imbalance; }

std::unique_ptr<Executor> MakeLitepool(const ExecutorConfig& config) {
  return std::make_unique<LitepoolExecutor>(config);
}

}  // namespace litepool_bench
