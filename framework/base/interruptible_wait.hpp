// InterruptibleWait: a blocking wait that another thread may cut short by
// raising a flag the waiter checks. The owner of the wait's mutex and
// condition variable implements it, so nobody else locks them.
#ifndef LITEPOOL_FRAMEWORK_BASE_INTERRUPTIBLE_WAIT_HPP_
#define LITEPOOL_FRAMEWORK_BASE_INTERRUPTIBLE_WAIT_HPP_

#include <atomic>

namespace litepool::detail {

class InterruptibleWait {
 public:
  // Sets `flag` under the wait's mutex, then wakes the waiters: a waiter
  // between its check of `flag` and its sleep cannot miss it. Any thread.
  virtual void Interrupt(std::atomic<bool>& flag) = 0;

 protected:
  ~InterruptibleWait() = default;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_BASE_INTERRUPTIBLE_WAIT_HPP_
