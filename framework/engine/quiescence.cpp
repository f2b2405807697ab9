#include "engine/quiescence.hpp"

#include "engine/ledger.hpp"

namespace litepool::detail {

void Quiescence::Settled() {
  // Dekker with Close() and WaitIdle: this thread's counter writes, fence,
  // then the flags; the waiter's flag, fence, then the counters.
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Relaxed: ordered by the fence above.
  if (closed_.load(std::memory_order_relaxed)) {
    MutexLock lock(drain_mu_);
    drain_cv_.NotifyAll();
  }
  if (idle_waiters_.load(std::memory_order_relaxed) > 0) NotifyIdle();
}

void Quiescence::WaitDrained() {
  MutexLock lock(drain_mu_);
  for (;;) {
    const Accounting a = ledger_.Totals();
    if (a.settled >= a.accepted) return;
    drain_cv_.Wait(lock);
  }
}

bool Quiescence::IdleNow() const {
  const Accounting a = ledger_.Totals();
  return a.in_flight <=
         static_cast<std::uint64_t>(idle_waiting_tasks_.load(std::memory_order_seq_cst));
}

void Quiescence::NotifyIdle() {
  MutexLock lock(idle_mu_);
  idle_cv_.NotifyAll();
}

bool Quiescence::BlockUntilIdle(Deadline deadline, const std::atomic<bool>* also) {
  MutexLock lock(idle_mu_);
  // seq_cst: the waiter count up, then the counters (IdleNow), against a
  // settling thread's counters, then this count (Settled's fence).
  idle_waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool idle = IdleNow();
  while (!idle) {
    if (also != nullptr && also->load(std::memory_order_relaxed)) break;
    if (!deadline) {
      idle_cv_.Wait(lock);
    } else if (idle_cv_.WaitUntil(lock, *deadline) == std::cv_status::timeout) {
      idle = IdleNow();
      break;
    }
    idle = IdleNow();
  }
  idle_waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return idle;
}

void Quiescence::Interrupt(std::atomic<bool>& flag) {
  {
    MutexLock lock(idle_mu_);
    flag.store(true, std::memory_order_relaxed);  // ordered by idle_mu_
  }
  idle_cv_.NotifyAll();
}

}  // namespace litepool::detail
