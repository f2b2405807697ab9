// TypedTimer<T>: a RetryTimer whose items are T objects — what the engine
// schedules (retries waiting out a backoff: TaskRecord; queue timeouts:
// QueueTicket) is named in the type, and nothing is cast by its users.
// Same contract as RetryTimer; T* never owned.
#ifndef LITEPOOL_FRAMEWORK_TIMERS_TYPED_TIMER_HPP_
#define LITEPOOL_FRAMEWORK_TIMERS_TYPED_TIMER_HPP_

#include <functional>
#include <stop_token>
#include <utility>
#include <vector>

#include "timers/retry_timer.hpp"

namespace litepool::detail {

template <class T>
class TypedTimer {
 public:
  using Clock = RetryTimer::Clock;

  explicit TypedTimer(std::function<void(T*)> fire)
      : timer_([fire = std::move(fire)](void* item) { fire(static_cast<T*>(item)); }) {}

  // fire(item) on the timer thread at `when`, or as soon as `cancel` stops.
  void Schedule(T* item, Clock::time_point when, std::stop_token cancel = {}) {
    timer_.Schedule(item, when, std::move(cancel));
  }
  // From now on every held and newly scheduled item fires at once.
  void Flush() { timer_.Flush(); }
  // Removes every held item and returns them.
  std::vector<T*> TakeAll() {
    std::vector<T*> items;
    for (void* item : timer_.TakeAll()) items.push_back(static_cast<T*>(item));
    return items;
  }
  // Fires whatever is held, then stops the thread. Idempotent.
  void Stop() { timer_.Stop(); }

 private:
  RetryTimer timer_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TIMERS_TYPED_TIMER_HPP_
