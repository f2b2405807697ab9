// Helpers shared by the tests: a gate that blocks a worker until released.
#ifndef LITEPOOL_TESTS_TEST_UTIL_HPP_
#define LITEPOOL_TESTS_TEST_UTIL_HPP_

#include <chrono>
#include <latch>
#include <memory>
#include <stdexcept>

#include "litepool/litepool.hpp"

namespace litepool::testing {

// Occupies one worker: AddTo() returns once the blocking task is running;
// Release() lets it finish.
class Blocker {
 public:
  void AddTo(Pool& pool) { AddTo(pool, TaskOptions()); }
  // The same as a task of `tg`, with auto-Done: tg.Wait() waits for it.
  void AddTo(Pool& pool, const TaskGroup& tg) { AddTo(pool, tg.NewTaskOptions().SetAutoDone()); }
  void Release() {
    if (!released_) release_->count_down();
    released_ = true;
  }
  ~Blocker() { Release(); }

 private:
  void AddTo(Pool& pool, TaskOptions options) {
    auto started = started_;
    auto release = release_;
    Error e = pool.AddTask(std::move(options.SetTask([started, release] {
      started->count_down();
      release->wait();
    })));
    if (e) throw std::runtime_error(e.ToString());
    started_->wait();
  }

  std::shared_ptr<std::latch> started_ = std::make_shared<std::latch>(1);
  std::shared_ptr<std::latch> release_ = std::make_shared<std::latch>(1);
  bool released_ = false;
};

// Generous bound used only to turn a hang into a failure, never to wait
// for something to happen.
inline constexpr std::chrono::seconds kHangGuard{60};

}  // namespace litepool::testing

#endif  // LITEPOOL_TESTS_TEST_UTIL_HPP_
