// Quiescence: waiting for a pool to be done — Close's drain (every accepted
// task settled) and WaitIdle (nothing queued, running or waiting to retry).
// The one owner of both waits and of the handshake that wakes them.
//
// What the waits wait for changes in three places only, and each notifies
// where it happens (the SettleWatch handshake, task/settle_watch.hpp):
//   - a task settles: settlement calls Settled() right after the task's
//     counters and its group's credit — on a worker, a spare, the expiry
//     timer, Purge or Close alike;
//   - an admission is undone (Unadmit): the accepted count goes down;
//   - a task on a worker thread enters WaitIdle (EnterWaitOnWorker): it no
//     longer counts as running.
// No thread has to remember to notify before it sleeps or leaves.
//
// Thread-safety: every member, any thread. WaitDrained and BlockUntilIdle
// block; the rest never do but for short locks.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "base/interruptible_wait.hpp"
#include "litepool/detail/mutex.hpp"
#include "task/settle_watch.hpp"

namespace litepool::detail {

class Ledger;

class Quiescence final : public SettleWatch, public InterruptibleWait {
 public:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;

  explicit Quiescence(Ledger& ledger) noexcept : ledger_(ledger) {}

  // Takes back `n` admissions (a task that was counted accepted and then
  // refused: the pool closed meanwhile, no memory) and notifies: a drain may
  // be complete now. seq_cst, as Ledger::Admit.
  void Unadmit(std::uint64_t n) noexcept;

  // --- Close ------------------------------------------------------------------
  // Blocks until every accepted task settled. No timeout: the handshake
  // cannot miss a wake-up.
  void WaitDrained() LITEPOOL_EXCLUDES(drain_mu_);

  // --- WaitIdle ---------------------------------------------------------------
  // Every accepted task settled, but for the tasks that are themselves
  // inside WaitIdle on a worker thread.
  bool IdleNow() const;
  // Blocks until IdleNow() or `deadline`; true when idle. `also`: another
  // reason to return (raised through Interrupt). Returns happens-after every
  // settle it counted.
  bool BlockUntilIdle(Deadline deadline, const std::atomic<bool>* also = nullptr)
      LITEPOOL_EXCLUDES(idle_mu_);
  // A task waits in WaitIdle on a worker thread: it does not count as
  // running meanwhile (which may make the pool idle: notifies).
  void EnterWaitOnWorker() noexcept {
    idle_waiting_tasks_.fetch_add(1, std::memory_order_seq_cst);
    Settled();
  }
  void LeaveWaitOnWorker() noexcept { idle_waiting_tasks_.fetch_sub(1, std::memory_order_seq_cst); }
  // Cuts a BlockUntilIdle short: `flag` (its `also`) set under the idle
  // mutex, then its waiters woken.
  void Interrupt(std::atomic<bool>& flag) override LITEPOOL_EXCLUDES(idle_mu_);

 private:
  void NotifyWaiters() noexcept override LITEPOOL_EXCLUDES(drain_mu_, idle_mu_);

  Ledger& ledger_;
  // The tasks in WaitIdle on a worker thread.
  std::atomic<std::int64_t> idle_waiting_tasks_{0};
  Mutex idle_mu_;
  CondVar idle_cv_;
  Mutex drain_mu_;
  CondVar drain_cv_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_
