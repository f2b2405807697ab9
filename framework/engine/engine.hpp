// Engine: the pool behind litepool::Pool — the composition root. It owns
// and wires the parts; each protocol belongs to one of them, and none of
// them names the Engine:
//
//   Intake        (intake.hpp)        admission: AddTask, AddTaskGroup
//   Router        (router.hpp)        where a queued task goes, whom it wakes
//   Scheduler     (scheduler.hpp)     the one loop: find work, steal, run;
//                                     helping waits; Pause / Resume
//   Parking       (parking.hpp)       park / wake handshake of the workers
//   Spares        (spares.hpp)        blocked waiters and spare threads
//   Quiescence    (quiescence.hpp)    Close's drain and WaitIdle
//   Retries       (retries.hpp)       retries, and their backoff timer
//   Expiry        (expiry.hpp)        queue timeouts, and their timer
//   Purger        (purger.hpp)        Purge
//   Resizer       (resizer.hpp)       SetWorkers, the size limits
//   ThreadLauncher(thread_launcher.hpp) names, pins, thread hooks; injectable
//   StatsReader   (stats_reader.hpp)  Stats(), row baselines
//   TraceSession  (trace_session.hpp) StartTrace / StopTrace
//   Ledger        (ledger.hpp)        accepted count, accounting totals
// Below them: the admission gate (admission/), task records and settlement
// (task/), the timers (timers/) and the counters (observe/).
//
// Close is the one sequence the root runs itself: it sets the flags, wakes
// the parts, and (on a thread that is not the pool's) waits for the drain
// and stops the threads.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "admission/slot_gate.hpp"
#include "engine/expiry.hpp"
#include "engine/intake.hpp"
#include "engine/ledger.hpp"
#include "engine/off_row.hpp"
#include "engine/parking.hpp"
#include "engine/pool_flags.hpp"
#include "engine/purger.hpp"
#include "engine/quiescence.hpp"
#include "engine/resizer.hpp"
#include "engine/retries.hpp"
#include "engine/router.hpp"
#include "engine/scheduler.hpp"
#include "engine/spares.hpp"
#include "engine/stats_reader.hpp"
#include "engine/thread_launcher.hpp"
#include "engine/trace_session.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"
#include "litepool/pool.hpp"
#include "litepool/trace.hpp"
#include "observe/busy_clock.hpp"
#include "task/record_pool.hpp"
#include "task/settlement.hpp"
#include "task/stuck_watch.hpp"

namespace litepool::detail {

struct TaskSpec;

class Engine {
 public:
  // A producer asleep on a full pool is served once half the capacity is
  // free (one wake per batch), or after this long at the first free slot: a
  // bound on what the batching costs a producer whose tasks are long (see
  // SlotGate, "Refills"). No worker idles meanwhile (HandOffNow). 100 us
  // measured as fast as 1 ms on UserPath/spin1us; 1 ms made
  // Balance/seed003_spin_w2 (2 workers, 2 CPUs) 3 % slower.
  static constexpr std::chrono::microseconds kRefillWait{100};
  // The same on a pool with more workers than CPUs, whose producers sleep at
  // once. Each expiry is a wake-up that takes a CPU from a worker with work:
  // at 100 us, Balance/seed003_cpu (5 workers of CPU-bound tasks, 2 CPUs)
  // ran 5 % slower (132-136 ms against 126-128). About a scheduler slice.
  static constexpr std::chrono::microseconds kRefillWaitOversubscribed{1000};

  // `threads` makes the pool's threads (tests inject one that refuses).
  // Throws std::invalid_argument for bad options, and what starting a
  // thread threw (after stopping and joining the ones that started).
  explicit Engine(PoolOptions options, ThreadFactory threads = DefaultThreadFactory());
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Pool's API (contracts in pool.hpp) -----------------------------------
  Error AddTask(TaskSpec&& spec) { return intake_.AddTask(std::move(spec)); }
  Error AddTaskGroup(std::vector<TaskSpec>&& specs) {
    return intake_.AddTaskGroup(std::move(specs));
  }
  void Close(CloseMode mode);
  bool Closed() const noexcept { return flags_.Closed(); }
  UsageReport Stats() const { return stats_.Read(); }
  void StartTrace(TraceOptions options) { tracing_.Start(options); }
  Trace StopTrace() { return tracing_.Stop(); }
  std::size_t Workers() const noexcept { return workers_.Seated(); }
  std::size_t QueueCapacity() const noexcept { return queue_capacity_; }
  void Pause() noexcept { scheduler_.Pause(); }
  void Resume() { scheduler_.Resume(); }
  bool Paused() const noexcept { return scheduler_.Paused(); }
  std::size_t Purge() { return purger_.Purge(); }
  // Until nothing is queued, running or waiting to retry (tasks inside
  // WaitIdle on this pool's workers excepted), or `deadline`.
  bool WaitIdle(std::optional<std::chrono::steady_clock::time_point> deadline);
  void SetWorkers(std::size_t n) { resizer_.SetWorkers(n); }
  // Deferred tasks (delayed and dependent; api/deferred_tasks.*): see
  // Intake::AdmitDeferred. ReleaseDeferred gives the record back exactly
  // once: queued (no `cancel`), or settled unrun with `cancel` on the
  // calling thread (its hooks and credit run there, counted failed).
  TaskRecord* AdmitDeferred(TaskSpec&& spec, Error& rejected) {
    return intake_.AdmitDeferred(std::move(spec), rejected);
  }
  void ReleaseDeferred(TaskRecord* task, const Error* cancel) {
    if (cancel != nullptr) {
      purger_.SettleDeferred(task, *cancel);
    } else {
      intake_.QueueDeferred(task);
    }
  }
  // The stuck-wait diagnostic's state (task/stuck_watch.hpp), shared with
  // the groups and Futures whose waits report on this pool; it answers
  // "quiet" (Quiescence::IdleNow) until the destructor detaches it.
  std::shared_ptr<const StuckWatch> StuckWatchHandle() const noexcept { return stuck_watch_; }
  // Whether `w` is one of this pool's threads.
  bool Owns(const Worker& w) const noexcept { return &w.Waits() == &scheduler_; }

 private:
  friend struct PoolAccess;  // the one test peer (api/pool_access.hpp)

  void StartThread(Worker& w);
  std::unique_ptr<Worker> MakeWorker(std::size_t id);
  void StopWorkers();

  // Ids: workers 0..kMaxWorkers-1, spares after them (on_thread_start gets
  // them too), and the off-row records' (no thread, no row).
  static constexpr std::size_t kMaxWorkers = WorkerTable::kMaxWorkers;
  static constexpr std::size_t kMaxSpares = Spares::kPerWorker * kMaxWorkers;
  static constexpr std::size_t kOffRowId = kMaxWorkers + kMaxSpares;

  PoolOptions options_;
  std::shared_ptr<StuckWatch> stuck_watch_;  // set in the constructor, never replaced
  BusyClock busy_clock_;
  std::size_t queue_capacity_;
  // The gate lays out its own lines (slot_gate.hpp); the ledger's accepted
  // count follows its last one, written by every AddTask.
  alignas(kCacheLine) SlotGate gate_;
  Ledger ledger_;
  Parking parking_;
  PoolFlags flags_;
  std::atomic<std::uint64_t> trace_ids_{0};  // Worker::NextTraceId's source
  RecordPool records_;                       // before the workers: their caches hand blocks to it
  WorkerTable workers_;
  ThreadLauncher launcher_;
  // Before the parts that hold it as the pool's HelpingWaits (a reference
  // to a base of an object not yet constructed would be undefined).
  Scheduler scheduler_;
  OffRowWorkers off_row_;
  Spares spares_;
  Quiescence quiescence_;
  Router router_;
  Retries retries_;
  SettleSink sink_;
  Expiry expiry_;  // after retries_: its timer stops (and goes) first
  Intake intake_;
  Purger purger_;
  StatsReader stats_;
  TraceSession tracing_;
  Resizer resizer_;
  std::once_flag stopped_once_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_HPP_
