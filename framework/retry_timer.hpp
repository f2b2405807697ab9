// RetryTimer: holds retries that asked for a backoff delay and hands each
// back to the engine when its delay is over. One thread, started on first
// use; tasks without a backoff never touch it.
#ifndef LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_
#define LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <utility>
#include <vector>

namespace litepool::detail {

struct TaskRecord;

class RetryTimer {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RetryTimer(std::function<void(TaskRecord*)> fire)
      : fire_(std::move(fire)) {}
  ~RetryTimer() { Stop(); }
  RetryTimer(const RetryTimer&) = delete;
  RetryTimer& operator=(const RetryTimer&) = delete;

  // Calls fire(task) on the timer thread at `when`. Thread-safe.
  void Schedule(TaskRecord* task, Clock::time_point when);
  // From now on every held and newly scheduled task fires at once.
  void Flush();
  // Fires whatever is held, then stops the thread. Idempotent.
  void Stop();

 private:
  void Run();
  using Entry = std::pair<Clock::time_point, TaskRecord*>;
  struct Later {
    bool operator()(const Entry& a, const Entry& b) const {
      return a.first > b.first;
    }
  };

  std::function<void(TaskRecord*)> fire_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, Later> heap_;
  bool flush_ = false;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_RETRY_TIMER_HPP_
