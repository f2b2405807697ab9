#include "retry_timer.hpp"

namespace litepool::detail {

void RetryTimer::Schedule(TaskRecord* task, Clock::time_point when) {
  std::lock_guard lock(mu_);
  if (flush_ || stop_) when = Clock::now();
  heap_.emplace(when, task);
  if (!thread_.joinable()) thread_ = std::thread([this] { Run(); });
  cv_.notify_one();
}

void RetryTimer::Flush() {
  std::lock_guard lock(mu_);
  flush_ = true;
  cv_.notify_one();
}

void RetryTimer::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
    cv_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

void RetryTimer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    if (heap_.empty()) {
      if (stop_) return;
      cv_.wait(lock);
      continue;
    }
    const Entry next = heap_.top();
    if (!flush_ && !stop_ && next.first > Clock::now()) {
      cv_.wait_until(lock, next.first);
      continue;
    }
    heap_.pop();
    lock.unlock();
    fire_(next.second);  // without the lock: fire_ may take other locks
    lock.lock();
  }
}

}  // namespace litepool::detail
