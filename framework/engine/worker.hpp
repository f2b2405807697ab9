// Worker: the data of one pool thread — its queues (WorkQueues), what
// settlement writes (SettleSite: counters, record cache, trace), its parking
// spot (ParkSpot), and its idle and leave flags. Plain data: the loop that
// runs on the thread is the Scheduler's (scheduler.cpp), and a Worker calls
// nothing back. It knows its pool only as the HelpingWaits interface through
// which a wait on its thread enters the scheduler.
#ifndef LITEPOOL_FRAMEWORK_WORKER_HPP_
#define LITEPOOL_FRAMEWORK_WORKER_HPP_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>

#include "base/cache_line.hpp"
#include "engine/park_spot.hpp"
#include "engine/work_queues.hpp"
#include "task/settle_site.hpp"

namespace litepool::detail {

class HelpingWaits;
struct TaskRecord;

class Worker : public WorkQueues, public SettleSite {
 public:
  // `spare`: a spare thread (it stands in for a worker blocked in a wait;
  // the dispatcher never picks it, so only its spawned stack is used).
  // `pool`: the scheduler of the pool this thread serves (its identity for
  // "is this thread one of mine", and the entry for helping waits);
  // `records`: where this worker's cache hands freed record blocks back.
  Worker(HelpingWaits& pool, RecordPool& records, std::size_t id, bool spare = false)
      : SettleSite(records), pool_(pool), id_(id), spare_(spare) {}
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Takes ownership of the thread started for this worker (ThreadLauncher).
  void Adopt(std::thread thread) noexcept { thread_ = std::move(thread); }
  void Join();

  // Idle: looking for work (spinning or parked) with an empty queue.
  bool Idle() const noexcept { return idle_.load(std::memory_order_relaxed) && Queued() == 0; }
  // The idle flag alone, seq_cst: Dispatch's half of the work-conserving
  // handshake (see Scheduler::DispatchAt).
  bool IdleFlagSeqCst() const noexcept { return idle_.load(std::memory_order_seq_cst); }
  // Queued tasks plus the running one: the dispatcher's load measure.
  std::int64_t Load() const noexcept {
    return Queued() + (idle_.load(std::memory_order_relaxed) ? 0 : 1);
  }

  // The idle flag: set (relaxed: a dispatch hint) when the worker starts
  // looking for work; cleared with seq_cst, the worker's half of the
  // work-conserving handshake (Scheduler::DispatchAt).
  void SetIdleFlag(bool idle) noexcept {
    idle_.store(idle, idle ? std::memory_order_relaxed : std::memory_order_seq_cst);
  }

  std::size_t Id() const noexcept { return id_; }
  bool Spare() const noexcept { return spare_; }
  HelpingWaits& Waits() const noexcept { return pool_; }
  // Its parking spot (Parking, Spares and the scheduler drive it).
  ParkSpot& Spot() noexcept { return spot_; }
  const ParkSpot& Spot() const noexcept { return spot_; }

  // --- leaving the pool (Pool::SetWorkers shrinking it) --------------------
  // The resizer asks a seated worker to leave and joins its thread; the
  // thread, at the top of its loop (between tasks), hands its queued tasks
  // to the others and returns. Reseat() before a new thread starts here.
  void AskToLeave() noexcept { leave_.store(true, std::memory_order_seq_cst); }
  // Relaxed: checked once per loop turn; the park re-check uses the seq_cst
  // one (against AskToLeave, then Unpark).
  bool LeaveAsked() const noexcept { return leave_.load(std::memory_order_relaxed); }
  bool LeaveAskedSeqCst() const noexcept { return leave_.load(std::memory_order_seq_cst); }
  void Reseat() noexcept { leave_.store(false, std::memory_order_seq_cst); }

 private:
  HelpingWaits& pool_;  // which pool this thread belongs to
  const std::size_t id_;
  const bool spare_;
  // Written by the owner, read by producers.
  alignas(kCacheLine) std::atomic<bool> idle_{false};
  std::atomic<bool> leave_{false};
  ParkSpot spot_;
  std::thread thread_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_WORKER_HPP_
