// Dispatcher: picks the worker for a new task — an idle worker first, else
// the less loaded of two random candidates (power of two choices).
#ifndef LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
#define LITEPOOL_FRAMEWORK_DISPATCHER_HPP_

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace litepool::detail {

class Worker;

class Dispatcher {
 public:
  explicit Dispatcher(const std::vector<std::unique_ptr<Worker>>& workers)
      : workers_(workers) {}

  // The worker to push to. `idle_workers` is the engine's idle count (a
  // hint: when zero the idle scan is skipped). Thread-safe, lock-free.
  // `*picked_idle` tells whether the choice was an idle worker.
  Worker& Pick(std::int64_t idle_workers, bool* picked_idle) const;

 private:
  const std::vector<std::unique_ptr<Worker>>& workers_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DISPATCHER_HPP_
