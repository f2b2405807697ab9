// benchmarks/peers/ceiling_peer.cpp — the "ceiling": one bare
// moodycamel::ConcurrentQueue and N consumer threads that spin on it. No
// bound, no stats, no hooks, no parking: the cost floor of handing a job
// to another thread. The consumers yield after a short spin so producers
// on a small machine still get the CPU.
#if __has_include(<concurrentqueue/concurrentqueue.h>)
#include <concurrentqueue/concurrentqueue.h>
#else
#include <concurrentqueue.h>
#endif

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include "common/bench_util.hpp"
#include "executor.hpp"

namespace litepool_bench {
namespace {

class CeilingExecutor final : public Executor {
 public:
  explicit CeilingExecutor(const ExecutorConfig& config)
      : queue_(config.workers * config.queue_capacity) {
    for (std::size_t i = 0; i < config.workers; ++i) {
      threads_.emplace_back([this] { Consume(); });
    }
  }
  ~CeilingExecutor() override {
    stop_.store(true, std::memory_order_release);
    for (auto& t : threads_) t.join();
  }
  void Submit(Job job) override { queue_.enqueue(job); }

 private:
  void Consume() {
    Job job;
    unsigned idle = 0;
    for (;;) {
      if (queue_.try_dequeue(job)) {
        job();
        idle = 0;
        continue;
      }
      if (stop_.load(std::memory_order_acquire)) {
        if (!queue_.try_dequeue(job)) return;  // drained
        job();
        continue;
      }
      if (++idle < 64) {
        CpuRelax();
      } else {
        std::this_thread::yield();
      }
    }
  }

  moodycamel::ConcurrentQueue<Job> queue_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<Executor> MakeCeiling(const ExecutorConfig& config) {
  return std::make_unique<CeilingExecutor>(config);
}

}  // namespace litepool_bench
