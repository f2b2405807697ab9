// Quiescence: waiting for a pool to be done — Close's drain (every accepted
// task settled) and WaitIdle (nothing queued, running or waiting to retry).
// The one owner of both waits and of the handshake that wakes them.
//
// The handshake (Dekker, seq_cst on both sides):
//   a thread that settled tasks          a waiter (Close, WaitIdle)
//   ---------------------------          --------------------------
//   its counters written                 closed flag set / waiter counted
//   Settled(): fence, then reads the     fence, then reads the counters
//     closed flag and the waiter count     (Ledger::Totals)
//     and, if set, notifies under the
//     wait's mutex
// Either the waiter sees the counts, or the settling thread sees the waiter
// and notifies it under the mutex (so a waiter between its check and its
// sleep cannot miss it).
//
// Who calls Settled(): every thread that settles tasks calls it once before
// it sleeps or leaves — a worker about to park (Parking's Prepare comes
// first), a spare going idle, a worker leaving the pool, Purge, the expiry
// timer, and an admission undone. A worker that runs task after task
// without sleeping tells WaitIdle callers through TaskRan() instead (one
// relaxed load per task); the last worker to park then closes the gap.
//
// Thread-safety: every member, any thread. WaitDrained and BlockUntilIdle
// block; the rest never do but for short locks.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include "base/cache_line.hpp"
#include "base/interruptible_wait.hpp"
#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

class Ledger;

class Quiescence final : public InterruptibleWait {
 public:
  using Deadline = std::optional<std::chrono::steady_clock::time_point>;

  Quiescence(const Ledger& ledger, const std::atomic<bool>& closed) noexcept
      : ledger_(ledger), closed_(closed) {}

  // A thread's settled tasks are counted (see the header comment): wakes a
  // Close waiting in WaitDrained and WaitIdle callers if there are any.
  void Settled() LITEPOOL_EXCLUDES(drain_mu_, idle_mu_);
  // After each task a worker ran: wakes WaitIdle callers, if any. Relaxed:
  // the common case (nobody in WaitIdle) costs one load; a waiter that
  // registers meanwhile is woken by the last worker to park (Settled).
  void TaskRan() LITEPOOL_EXCLUDES(idle_mu_) {
    if (idle_waiters_.load(std::memory_order_relaxed) > 0) [[unlikely]]
      NotifyIdle();
  }

  // --- Close ------------------------------------------------------------------
  // Blocks until every accepted task settled. Call after the closed flag
  // was set and fenced (Engine::Close). No timeout: the handshake cannot
  // miss a wake-up.
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
  // running meanwhile.
  void EnterWaitOnWorker() noexcept { idle_waiting_tasks_.fetch_add(1, std::memory_order_seq_cst); }
  void LeaveWaitOnWorker() noexcept { idle_waiting_tasks_.fetch_sub(1, std::memory_order_seq_cst); }
  // Cuts a BlockUntilIdle short: `flag` (its `also`) set under the idle
  // mutex, then its waiters woken.
  void Interrupt(std::atomic<bool>& flag) override LITEPOOL_EXCLUDES(idle_mu_);

 private:
  void NotifyIdle() LITEPOOL_EXCLUDES(idle_mu_);

  const Ledger& ledger_;
  const std::atomic<bool>& closed_;
  // WaitIdle callers (read, relaxed, after every task), and the tasks among
  // them that wait on a worker thread.
  alignas(kCacheLine) std::atomic<std::int64_t> idle_waiters_{0};
  std::atomic<std::int64_t> idle_waiting_tasks_{0};
  Mutex idle_mu_;
  CondVar idle_cv_;
  Mutex drain_mu_;
  CondVar drain_cv_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_QUIESCENCE_HPP_
