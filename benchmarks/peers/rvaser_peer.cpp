// benchmarks/peers/rvaser_peer.cpp — rvaser thread_pool (Debian's
// libthread-pool-dev): Submit() per job; its std::future is dropped (a
// packaged_task future does not block on destruction).
#include <thread_pool/thread_pool.hpp>

#include <memory>

#include "executor.hpp"

namespace litepool_bench {
namespace {

class RvaserExecutor final : public Executor {
 public:
  explicit RvaserExecutor(const ExecutorConfig& config) : pool_(config.workers) {}
  void Submit(Job job) override { (void)pool_.Submit(job); }

 private:
  thread_pool::ThreadPool pool_;  // destructor drains, then joins
};

}  // namespace

std::unique_ptr<Executor> MakeRvaser(const ExecutorConfig& config) {
  return std::make_unique<RvaserExecutor>(config);
}

}  // namespace litepool_bench
