#include "engine/quiescence.hpp"

#include "engine/ledger.hpp"

namespace litepool::detail {

void Quiescence::Unadmit(std::uint64_t n) noexcept {
  ledger_.Unadmit(n);
  Settled();  // fewer accepted tasks: the drain may be complete
}

void Quiescence::NotifyWaiters() noexcept {
  // Under each mutex: a waiter between its check and its sleep holds it,
  // so this notify comes after it sleeps.
  {
    MutexLock lock(drain_mu_);
    drain_cv_.NotifyAll();
  }
  MutexLock lock(idle_mu_);
  idle_cv_.NotifyAll();
}

void Quiescence::WaitDrained() {
  MutexLock lock(drain_mu_);
  AddWaiter();  // before the first check (see SettleWatch)
  for (;;) {
    const Accounting a = ledger_.Totals();
    if (a.settled >= a.accepted) break;
    drain_cv_.Wait(lock);
  }
  RemoveWaiter();
}

bool Quiescence::IdleNow() const {
  const Accounting a = ledger_.Totals();
  return a.in_flight <=
         static_cast<std::uint64_t>(idle_waiting_tasks_.load(std::memory_order_seq_cst));
}

bool Quiescence::BlockUntilIdle(Deadline deadline, const std::atomic<bool>* also) {
  MutexLock lock(idle_mu_);
  AddWaiter();  // before the first check (see SettleWatch)
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
  RemoveWaiter();
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
