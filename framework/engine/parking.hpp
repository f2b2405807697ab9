// Parking: how a pool's worker threads sleep when they find no work, and how
// whoever brings work wakes one. The one owner of the park/wake handshake
// and of the count of parked workers.
//
// The contract (a prepare/cancel/commit handshake, as Taskflow's notifier):
//
//   a worker that found nothing              a thread that brings work
//   ----------------------------             -------------------------
//   parking.Prepare(self);                   publish it (a queue count, a
//   re-check, with seq_cst loads, all that     flag: seq_cst);
//     a waker publishes (work, stop, leave);  parking.Unpark(w) / UnparkOther
//   found: parking.Cancel(self);
//   else:  parking.Commit(self);   // sleeps
//
// Either the worker's re-check sees the published work, or the waker's
// Unpark sees the worker's flag (both sides seq_cst: the Dekker pattern), so
// no wake-up is lost. Cancel consumes a wake-up a waker sent meanwhile, so
// a worker never sleeps through work and never keeps a stale token.
//
// Thread-safety: Prepare, Cancel and Commit on the worker's own thread;
// Unpark and UnparkOther from any thread. Never allocates; Commit blocks.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_PARKING_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_PARKING_HPP_

#include <atomic>
#include <cstdint>

#include "base/cache_line.hpp"

namespace litepool::detail {

class Worker;
class WorkerTable;

class Parking {
 public:
  // Announces `self` as parked (counted, its flag set). seq_cst.
  void Prepare(Worker& self) noexcept;
  // Work showed up during the re-check: `self` stays awake. If a waker took
  // the flag meanwhile, its wake-up is consumed here (a short wait).
  void Cancel(Worker& self);
  // Sleeps until Unpark.
  void Commit(Worker& self);
  // Wakes `w` if it is parked; true if it was (then it leaves the parked
  // count). seq_cst.
  bool Unpark(Worker& w) noexcept;
  // Wakes one parked worker of `workers` other than `busy`; true if one was.
  bool UnparkOther(const WorkerTable& workers, const Worker& busy) noexcept;
  // Wakes every parked worker of `workers`.
  void UnparkAll(const WorkerTable& workers) noexcept;
  // Workers parked now (seq_cst: the waker's side of the handshake).
  std::int64_t Parked() const noexcept { return parked_.load(std::memory_order_seq_cst); }

 private:
  // Written by every park and wake: alone on its cache line.
  alignas(kCacheLine) std::atomic<std::int64_t> parked_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_PARKING_HPP_
