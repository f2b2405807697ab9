// Engine: the pool behind litepool::Pool — workers, admission, dispatch,
// retries and close. Pool is a thin facade over it.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_HPP_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "observe/busy_clock.hpp"
#include "engine/dispatcher.hpp"
#include "task/record_pool.hpp"
#include "litepool/pool.hpp"
#include "litepool/trace.hpp"
#include "timers/retry_timer.hpp"
#include "task/settlement.hpp"
#include "admission/slot_gate.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

struct GroupState;
struct QueueTicket;
struct TaskRecord;
struct TaskSpec;

// Pool-wide totals for the accounting invariant (tests/internal, stress,
// fuzz): once idle, every accepted task is settled exactly once, under
// exactly one outcome. Read while tasks run, each number is exact but the
// set is not a snapshot.
struct Accounting {
  std::uint64_t accepted = 0;   // tasks admitted
  std::uint64_t settled = 0;    // tasks settled: the sum of the four below
  std::uint64_t in_flight = 0;  // accepted - settled
  // Settled by the final result the task's hooks saw (disjoint):
  std::uint64_t succeeded = 0;  // ok
  std::uint64_t failed = 0;     // an error the task returned
  std::uint64_t cancelled = 0;  // kCancelled / kClosed: group Cancel or Close
  std::uint64_t exception = 0;  // kException: the task threw
  std::uint64_t executed = 0;         // runs of Exec, retries included
  std::uint64_t retried = 0;          // retries requested by ErrReload (run or not)
  std::uint64_t callback_errors = 0;  // hooks that threw

  // The invariant, once idle: every accepted task settled, once.
  bool Balanced() const noexcept { return accepted == settled; }
};

// Test hook (tests/internal): the n-th worker thread started from now on
// (n >= 1; 0: none) fails to start with std::system_error, as when the OS
// refuses a thread. Process-wide; one atomic load per thread start.
void FailWorkerStartForTesting(int nth) noexcept;
// Throws std::system_error if the hook above says this start must fail.
void MaybeFailWorkerStart();

// The engine behind litepool::Pool. Its parts, and who calls whom (no part
// calls back into the one that called it):
//   engine.cpp      Pool's API: admission (slot_gate), dispatch (dispatcher)
//                   onto a Worker, close, stats, traces
//   run_loop.cpp    the one scheduling loop: worker threads, spare threads
//                   and helping waits all run Engine::RunUntil
//   settlement.cpp  one attempt of one task: hooks, retry, after,
//                   OnComplete, credit; its only way back is the SettleSink
//   worker.*        plain data: a queue, a spawned stack, counters, a
//                   parking spot
class Engine {
 public:
  // Spare threads a pool may start, per worker: a worker blocked in a wait
  // (TaskGroup::Wait, Future::Get, ParallelFor on a worker thread) while
  // tasks are queued gets a spare thread in its place, so the pool keeps
  // its parallelism; spares are kept for reuse and counted in Stats()'s
  // total. Beyond the bound, a blocked waiter runs queued tasks itself, as
  // an unisolated helper (it cannot deadlock; it may nest).
  static constexpr std::size_t kSpareThreadsPerWorker = 2;
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
  static constexpr std::size_t kMaxWorkers = WorkerTable::kMaxWorkers;
  // Tasks the pool may hold: the slot count is an int64, and 2^40 (about
  // 10^12 tasks) is far beyond any memory while far from overflow.
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 40;

  explicit Engine(PoolOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Pool's API -------------------------------------------------------
  Error AddTask(TaskSpec&& spec);
  Error AddTaskGroup(std::vector<TaskSpec>&& specs);
  void Close(CloseMode mode);
  bool Closed() const noexcept { return closed_.load(std::memory_order_acquire); }
  UsageReport Stats() const;
  Accounting Totals() const;
  // Producers asleep in line for a slot now (tests).
  std::size_t ProducersInLineForTesting() { return gate_.InLine(); }
  // Whether the admission gate treats the pool as oversubscribed (tests).
  bool OversubscribedForTesting() const noexcept { return gate_.Oversubscribed(); }
  // Threads blocked in a wait now (tests).
  std::int64_t BlockedForTesting() const noexcept {
    return blocked_.load(std::memory_order_seq_cst);
  }
  void StartTrace(TraceOptions options);
  Trace StopTrace();
  std::size_t Workers() const noexcept { return workers_.Seated(); }
  std::size_t QueueCapacity() const noexcept { return queue_capacity_; }
  std::size_t Capacity() const noexcept { return Workers() * queue_capacity_; }
  const std::string& Name() const noexcept { return options_.name; }

  // --- controls (DESIGN §6.2; contracts in pool.hpp) -------------------------
  void Pause() noexcept;
  void Resume() noexcept;
  bool Paused() const noexcept { return paused_.load(std::memory_order_acquire); }
  // Settles every queued task and every retry waiting out a backoff as
  // kCancelled, on the calling thread; returns how many.
  std::size_t Purge();
  // Until nothing is queued, running or waiting to retry (tasks inside
  // WaitIdle on this pool's workers excepted), or `deadline`.
  bool WaitIdle(std::optional<std::chrono::steady_clock::time_point> deadline);
  // Seats n workers (n >= 1 and not from a worker thread: the Pool checks
  // both; n <= kMaxWorkers and the capacity limit: checked here). Growing
  // starts threads on the slots of workers that left, then on new Workers,
  // and frees their slots; shrinking asks the last workers to leave, joins
  // them and takes their slots (producers may block until the queues drain
  // below the new capacity). One at a time; a no-op once closed.
  void SetWorkers(std::size_t n);

  // --- TaskGroup's API ------------------------------------------------------
  // A wait on a worker thread of this pool (`self` is the calling thread's
  // Worker): runs the tasks that the running task spawned (and only those)
  // until the group is zero; with none left to run, blocks on the group, a
  // spare thread standing in. True at zero, false at `deadline`.
  bool WaitOnWorker(Worker& self, GroupState& group,
                    std::optional<std::chrono::steady_clock::time_point> deadline);
  // The same loop for Pool::WaitIdle on a worker thread.
  bool WaitIdleOnWorker(Worker& self,
                        std::optional<std::chrono::steady_clock::time_point> deadline);

  // --- Deferred tasks (delayed and dependent; api/deferred_tasks.*) ------
  // Admits `spec` as AddTask does — validated, rejected the same way (its
  // group credited, the error in its Errors()), counted accepted, so Close
  // (kDrain) and WaitIdle wait for it and Stats count it — but takes no
  // slot and queues nothing: the caller holds the record until it gives it
  // back with ReleaseDeferred, exactly once. Null (and `rejected` set) when
  // refused. Thread-safe; never blocks; may throw std::bad_alloc (then
  // nothing was admitted).
  TaskRecord* AdmitDeferred(TaskSpec&& spec, Error& rejected);
  // Gives a deferred task back. Without `cancel`: queued now, beyond the
  // capacity if need be (as a retry is: it was admitted at the call, and
  // whoever releases it must not block); a queue timeout counts from here.
  // With `cancel`: settled unrun with that error on the calling thread (its
  // hooks and credit run there, counted failed), as Purge settles a task.
  // Thread-safe; never blocks but for that settlement's hooks.
  void ReleaseDeferred(TaskRecord* task, const Error* cancel);

  // Where the workers' caches hand freed record blocks back (Worker's
  // constructor).
  RecordPool& Records() noexcept { return records_; }

 private:
  // --- admission (engine.cpp) ---------------------------------------------
  // Why a spec with a task must be refused (kInvalidArgument), or null.
  static const char* InvalidReason(const TaskSpec& spec) noexcept;
  // Credits the group of a task that is not accepted (auto-Done, or a Done()
  // from its OnAddTimeout: `credit_requested`) and returns `why`.
  Error Reject(TaskSpec& spec, Error why, bool credit_requested = false);
  // Takes n slots (at once; by the overflow path on this pool's worker, or
  // in an OverflowScope, unless the add-timeout is 0; or waiting up to
  // `timeout`, in line at `priority`) and counts n accepted tasks.
  // kAcquired: admitted; otherwise nothing was taken.
  SlotGate::Result Admit(std::int64_t n, std::optional<std::chrono::nanoseconds> timeout,
                         Priority priority, Worker* own);
  // Undoes an admission whose tasks were never queued.
  void Unadmit(std::int64_t n);
  // The calling thread's Worker if it belongs to this pool, else null.
  Worker* OwnWorker() const noexcept;
  // Queues a task added by the task running on `own` (a worker of this
  // pool) on its spawned stack; other tasks go through Dispatch.
  void EnqueueSpawned(TaskRecord* task, Worker* own);
  void Dispatch(TaskRecord* task);
  // The same for a task whose level is known without reading the record
  // (a queue's: the expiry timer may be emptying a queued record's extras).
  void DispatchAt(Priority level, TaskRecord* task);
  // Queue timeouts (SetQueueTimeout): the ticket of `task`'s first attempt
  // (null without a timeout), made before it is queued (throws
  // std::bad_alloc), and put on the expiry timer after.
  QueueTicket* PrepareExpiry(TaskRecord* task);
  void StartExpiry(QueueTicket* ticket) noexcept;
  // The expiry timer's action: settles the task as kExpired unless a worker
  // took it first.
  void Expire(QueueTicket* ticket);
  // A task taken from a queue: true if it may run (or be purged); false if
  // its queue timeout expired it first (then it is let go of here).
  bool Claim(Worker& self, TaskRecord* task) noexcept;
  // Re-queues a retry (after `delay`), beyond the capacity if need be.
  static void Requeue(void* engine, TaskRecord* task, std::chrono::nanoseconds delay);
  void RequeueNow(TaskRecord* task);
  // Work-conserving (DESIGN §1): a task queued behind a running one wakes
  // a parked worker other than `busy` to steal it, or, when workers are
  // blocked in waits, a spare thread.
  void WakeHelperFor(const Worker& busy) noexcept;
  // Unparks `w` if it is parked (counted in parked_).
  bool Unpark(Worker& w) noexcept;

  // --- the loop (run_loop.cpp) ----------------------------------------------
  struct Until;
  // The one scheduling loop: see run_loop.cpp. Returns true when `until`
  // holds (always, for a worker thread's loop: it returns at stop).
  bool RunUntil(Worker& self, const Until* until);
  // Takes a task: the own spawned stack, the own queue, then a steal.
  bool FindWork(Worker& self, TaskRecord*& task);
  // FindWork's last step: false (and `task` back in `self`'s queue at
  // `level`) if the pool was paused meanwhile.
  bool KeepUnlessPaused(Worker& self, TaskRecord* task, Priority level);
  bool Steal(Worker& self, TaskRecord*& task);
  // FindWork once priorities are in use: kHigh (own queue, then a steal),
  // then kNormal, then kLow (DESIGN §6.2's priority rule).
  bool FindWorkByPriority(Worker& self, TaskRecord*& task);
  bool StealAt(Priority p, Worker& self, TaskRecord*& task);
  // Steal and StealAt: from the worker (or spare) with the most tasks by
  // `count`, else from any with some; `pop` takes one from a victim.
  template <class Count, class Pop>
  bool StealBy(Worker& self, Count count, Pop pop);
  // Runs one attempt of `task` on `self`; returns the time it ended.
  BusyClock::Ticks RunTask(Worker& self, TaskRecord* task, BusyClock::Ticks start);
  // A worker with nothing to take: polls, then parks, until it finds a task
  // (true) or the pool stops (false).
  bool Idle(Worker& self, TaskRecord*& task);
  // The same for a spare: it leaves the active spares and sleeps until a
  // blocked waiter needs it again. `counted`: it is still counted active.
  bool IdleSpare(Worker& self, TaskRecord*& task, bool counted);
  // A waiter with nothing of its own left to run: blocks on the group (a
  // spare standing in while tasks are queued). With the spares at their
  // bound, it runs one queued task of any origin instead (true).
  bool BlockOrHelp(Worker& self, const Until& until);
  // A thread asleep in BlockOrHelp, listed (blocked_mu_) before it counts
  // in blocked_, so that whoever queues a task with the spares at their
  // bound can ask one of them to run it (AskABlockedWaiterToHelp).
  struct BlockedWaiter {
    GroupState* group;  // the wait's group; null: WaitIdle
    // Asked to run a queued task: set under the wait's mutex, then its
    // condition variable notified (WaitUntilZero's / BlockUntilIdle's `also`).
    std::atomic<bool> help{false};
    BlockedWaiter* prev = nullptr;
    BlockedWaiter* next = nullptr;
  };
  void ListBlocked(BlockedWaiter& w);
  void UnlistBlocked(BlockedWaiter& w);
  // A task is queued, a thread is blocked in a wait and no spare can stand
  // in (bound reached): wakes one blocked waiter that was not asked yet, to
  // run a queued task of any origin. Otherwise, with every thread of the pool
  // asleep in a wait, the task would wait forever.
  void AskABlockedWaiterToHelp();
  // Sleeps until Unpark, unless work, a stop or a request to leave shows up
  // first.
  void Park(Worker& self);
  // A worker asked to leave (SetWorkers), between tasks: hands its queued
  // tasks to the seated workers; its thread then returns.
  void Leave(Worker& self);
  // Moves every task queued on `w` to the seated workers.
  void HandOffQueued(Worker& w);
  // Asks workers [first, last) to leave and joins their threads.
  void RetireThreads(std::size_t first, std::size_t last);
  // More workers than the process has CPUs: a producer blocked on the full
  // pool then sleeps at once instead of yielding first, with a longer
  // refill wait (SlotGate::SetOversubscribed).
  bool Oversubscribed(std::size_t workers) const noexcept;
  // The spare threads the pool may have now (kSpareThreadsPerWorker each).
  std::size_t SpareBound() const noexcept { return kSpareThreadsPerWorker * Workers(); }
  bool HasQueuedWork() const noexcept;
  bool Stopping() const noexcept { return stop_.load(std::memory_order_seq_cst); }
  // Spares: a spare is activated for each worker blocked in a wait (up to
  // the bound); false if none could be (bound reached, or stopping).
  bool ActivateSpare();
  // A spare with nothing to run, or more spares active than waiters: it
  // leaves the active count (CAS); false if another one left instead.
  bool TryRetireSpare() noexcept;
  template <class F>
  void ForEachSpare(F&& f) const;
  // The spares and the purger: threads whose counts go to the total only.
  template <class F>
  void ForEachOffRow(F&& f) const {
    ForEachSpare(f);
    // Acquire: made on first use (OffRowWorker), published after.
    if (Worker* w = purger_view_.load(std::memory_order_acquire)) f(*w);
    if (Worker* w = expirer_view_.load(std::memory_order_acquire)) f(*w);
  }
  // Starts `w`'s thread: PoolOptions::on_thread_start, pinning (workers),
  // then RunUntil, then on_thread_stop. Returns once on_thread_start
  // returned; rethrows what it threw (the thread then exits at once).
  void StartThread(Worker& w);

  // --- idle waits (engine.cpp) ------------------------------------------------
  // The pool is idle: every accepted task settled, but for the tasks that
  // are themselves inside WaitIdle on a worker thread.
  bool IdleNow() const;
  // Wakes WaitIdle callers (they re-check IdleNow).
  void NotifyIdle();
  // Blocks until IdleNow() or `deadline`; true when idle.
  // `also`: another reason to return (set under idle_mu_, then idle_cv_
  // notified).
  bool BlockUntilIdle(std::optional<std::chrono::steady_clock::time_point> deadline,
                      const std::atomic<bool>* also = nullptr);

  // --- close (engine.cpp) ---------------------------------------------------
  void WakeAll();
  // Wakes a Close waiting in WaitDrained if the pool is closed. Called after
  // the caller's counter updates (see the fence inside).
  void NotifyDrainIfClosed();
  void WaitDrained();
  void StopWorkers();
  std::string ThreadName(std::size_t id) const;

  // --- Stats (usage_report.cpp) ----------------------------------------------
  // One worker's counters as read now: its row before any baseline.
  struct RowBaseline {
    WorkerUsage usage;
    LatencyCounts waits, runs;  // BusyClock ticks
  };
  RowBaseline ReadRow(const Worker& w) const;

  PoolOptions options_;
  BusyClock busy_clock_;
  std::size_t queue_capacity_;
  RecordPool records_;  // before workers_: their caches hand blocks to it
  WorkerTable workers_;
  // SetWorkers one at a time, and not while StopWorkers joins the threads.
  std::mutex resize_mu_;
  // A worker seated again starts its Stats() row from zero: its counters
  // when it was seated again, subtracted from its row (the total keeps
  // everything). Written by SetWorkers, read by Stats().
  mutable std::mutex baseline_mu_;
  std::map<std::size_t, std::unique_ptr<RowBaseline>> row_baselines_;
  Dispatcher dispatcher_;

  // The gate lays out its own lines (slot_gate.hpp); accepted_ follows its
  // last one, written by every AddTask.
  alignas(kCacheLine) SlotGate gate_;
  std::atomic<std::uint64_t> accepted_{0};
  alignas(kCacheLine) std::atomic<std::int64_t> parked_{0};
  // Workers blocked in a wait, and spares active in their place (<= it).
  std::atomic<std::int64_t> blocked_{0};
  std::atomic<std::int64_t> active_spares_{0};
  std::mutex blocked_mu_;
  BlockedWaiter* blocked_list_ = nullptr;  // guarded by blocked_mu_
  alignas(kCacheLine) std::atomic<bool> closed_{false};
  std::atomic<bool> cancel_pending_{false};
  std::atomic<bool> stop_{false};
  std::atomic<bool> paused_{false};
  // Set at the first task with a priority other than kNormal: from then on
  // workers look at the levels in order (FindWorkByPriority); until then
  // FindWork pays one load for priorities.
  std::atomic<bool> prioritized_{false};
  std::atomic<std::uint64_t> trace_ids_{0};  // Worker::NextTraceId's source
  SettleSink sink_;

  // WaitIdle callers (a settled task checks it, relaxed, and wakes them;
  // a parking worker re-checks it after a fence), and the tasks among them
  // that wait on a worker thread (they do not count as running).
  alignas(kCacheLine) std::atomic<std::int64_t> idle_waiters_{0};
  std::atomic<std::int64_t> idle_waiting_tasks_{0};
  mutable std::mutex idle_mu_;
  std::condition_variable idle_cv_;
  // Purge settles tasks on its caller's thread, one Purge at a time, with
  // the counters and record cache of this Worker (no thread of its own);
  // the expiry timer's thread has one too. Made on first use: each record
  // cache adds a producer to the shared free lists, which every
  // RecordPool::Make scans (measured: +24 instructions per task when they
  // were made up front).
  std::mutex purge_mu_;
  std::unique_ptr<Worker> purger_;  // guarded by purge_mu_
  std::once_flag expirer_once_;
  std::unique_ptr<Worker> expirer_;
  std::atomic<Worker*> purger_view_{nullptr};   // for ForEachOffRow
  std::atomic<Worker*> expirer_view_{nullptr};
  // CPUs of the process's affinity mask at construction (pin_workers, and
  // Oversubscribed); empty where the platform has no mask.
  std::vector<int> cpus_;

  // Spare threads: made on demand under spare_mu_, never freed before the
  // engine; readers walk spare_slots_[0, spare_count_) without the lock.
  // The slots are as many as the largest pool may have (SetWorkers).
  static constexpr std::size_t kMaxSpares = kSpareThreadsPerWorker * kMaxWorkers;
  // Ids: workers 0..kMaxWorkers-1, spares from kMaxWorkers on (on_thread_start
  // gets them too), and the purger's and expirer's (no thread, no row).
  static constexpr std::size_t kOffRowId = kMaxWorkers + kMaxSpares;
  std::mutex spare_mu_;
  std::vector<std::unique_ptr<Worker>> spares_;  // guarded by spare_mu_
  std::unique_ptr<std::atomic<Worker*>[]> spare_slots_;
  std::atomic<std::size_t> spare_count_{0};

  std::mutex drain_mu_;
  std::condition_variable drain_cv_;
  std::once_flag stopped_once_;
  RetryTimer timer_;
  RetryTimer expiry_timer_;  // after timer_: stopped (and destroyed) first

  // The running trace: one buffer per worker (installed in the workers),
  // and the clock value its times count from. Guarded by trace_mu_.
  std::mutex trace_mu_;
  std::vector<std::unique_ptr<TraceBuffer>> trace_buffers_;
  BusyClock::Ticks trace_origin_ = 0;
};

template <class F>
void Engine::ForEachSpare(F&& f) const {
  // Acquire: a slot counted here was filled (and its Worker built) before
  // the count was raised.
  const std::size_t n = spare_count_.load(std::memory_order_acquire);
  for (std::size_t i = 0; i < n; ++i) f(*spare_slots_[i].load(std::memory_order_acquire));
}

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_HPP_
