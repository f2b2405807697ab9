// litepool/pool.hpp — Pool, the task pool (Go: litepool.NewPool / ListPool).
//
//   litepool::Pool pool(5, 10);          // 5 workers, 10 queued tasks each
//   auto tg = pool.NewTaskGroup(n);
//   for (int i = 0; i < n; ++i)
//     pool.AddTask(tg.NewTaskOptions().SetTask(Work).SetAutoDone());
//   tg.Wait();
//   pool.Usage();                        // per-worker load table
//
// Architecture: N worker threads, each owning a lock-free queue. A new task
// goes to an idle worker if there is one, else to the less loaded of two
// random candidates; a worker that runs dry steals from the busiest queue
// before it parks. A task added by a running task of the same pool goes on
// that worker's own stack instead (newest first; other workers steal the
// oldest), where a wait of the adding task finds it. The pool admits at most workers *
// queue_capacity queued tasks; AddTask waits for a slot (bounded by the task's add-timeout).
// Producers blocked on a full pool are admitted by priority, then in
// arrival order. A producer that finds the pool full yields the CPU a few
// times before it sleeps, unless the pool has more workers than the
// process has CPUs (a yield would wait out the busy workers' time slices).
// A sleeping producer is woken once half the capacity is free, so it
// refills a batch per wake-up; at the latest 100 us after it fell asleep
// (1 ms with more workers than CPUs, where the wake-up takes a CPU from a
// busy worker), at once when a worker runs out of work, and at its
// add-timeout it takes any free slot (it never times out while a slot is
// free).
//
// Guarantees: every accepted task is settled exactly once — its hooks run in
// the documented order (see task.hpp), then its group is credited — including
// on Close.
//
// Not guaranteed: any order between tasks (not even FIFO per producer); and
// progress for blocked producers while tasks retry for ever without a
// backoff — a retry is re-queued beyond the capacity at once, so unlimited
// retries (ErrReload(-1)) with no Backoff can keep the pool full and a
// producer blocked in AddTask until they stop. Give such retries a Backoff
// (a waiting retry holds no slot) or an add-timeout to the producers.
//
// Thread-safety: every member is thread-safe. AddTask called on one of this
// pool's worker threads never blocks on a full pool: when no slot is free it
// queues the task on an overflow path (the pool holds it beyond its
// capacity) rather than waiting for a slot, which could deadlock — whatever
// the add-timeout, except 0, which still tries once and returns kTimeout.
// Retries are re-queued the same way. (A worker of another pool blocks as
// any thread does; ErrGroup::Go never does, see err_group.hpp.)
// OnWorkerThread() and OnAnyPoolWorkerThread() tell a caller which case it
// is in.
//
// Waits on a worker thread — the helping waits: TaskGroup::Wait/WaitFor,
// Future::Get/Wait/WaitFor, ParallelFor, Map, ErrGroup::Wait, Alloter::Exec,
// SyncWait and Pool::WaitIdle/WaitIdleFor (every other header refers here):
// the waiting thread runs the tasks that its own task added to this pool
// (a coroutine's resumptions it posted included), and only those — never
// an unrelated task. So
// waits nest only as deep as your code does, and a task that waits for the
// waiter is never run by it. With none of its own left to run, the waiter
// blocks, and while tasks are queued a spare thread runs them in its place:
// at most 2 spare threads per worker, started on demand and kept for reuse;
// what they run is counted in Stats().total (they have no row). Beyond that
// bound, a blocked waiter runs queued tasks of any origin itself rather
// than leave them waiting.
//
// The destructor must not run while another thread is still inside a
// member call of the same pool (AddTask included), as for any object.
#ifndef LITEPOOL_POOL_HPP_
#define LITEPOOL_POOL_HPP_

#include "litepool/detail/export.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <iosfwd>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "litepool/dispatch.hpp"
#include "litepool/error.hpp"
#include "litepool/future.hpp"
#include "litepool/periodic.hpp"
#include "litepool/task_group.hpp"
#include "litepool/task_options.hpp"
#include "litepool/trace.hpp"

namespace litepool {

namespace detail {
class Engine;
struct PoolAccess;
// Submit's stop token, watched while the task is queued: a stop then
// settles the task at once (kCancelled) and frees its slot.
LITEPOOL_API void SetQueuedStop(TaskOptions& options, std::stop_token stop);
struct ComposeAccess;
class DeferredTasks;
class PeriodicTimer;
}  // namespace detail

// Coroutines (litepool/coro.hpp defines them).
template <class T>
class CoTask;
class ScheduleAwaiter;
namespace detail {
template <class T>
constexpr bool kIsCoTask = false;
template <class T>
constexpr bool kIsCoTask<CoTask<T>> = true;
}  // namespace detail

// How to build a Pool. Every field has a default, so designated
// initialisers compile warning-free (in this order):
//   litepool::Pool pool(litepool::PoolOptions{.workers = 4, .name = "io"});
struct PoolOptions {
  // Worker threads; 0 means std::thread::hardware_concurrency() (at least 1).
  std::size_t workers = 0;
  // Queued tasks per worker; must be at least 1 (0 throws).
  std::size_t queue_capacity = 64;
  // Shown by Usage(); also the worker threads' name prefix (Linux, 15 chars).
  std::string name{};
  // How many times an idle worker polls the queues before it parks; it
  // yields the CPU between two polls (0: park at once).
  std::uint32_t spin_iterations = 256;
  // Called on each new thread of the pool, on that thread, with its index:
  // on_thread_start before it runs any task, on_thread_stop after its last
  // one, before it exits. Workers have indices 0..workers-1 (SetWorkers'
  // new ones continue them); spare threads (see "Waits on a worker thread"
  // in pool.hpp) run them too, with indices from 4096 on, above any
  // worker's. A throw from on_thread_start on a worker stops the threads
  // already started and propagates from the Pool constructor (or
  // SetWorkers); on a spare thread the spare does not start (its waiter
  // helps instead). A throw from on_thread_stop is ignored: the thread is
  // leaving.
  std::function<void(std::size_t worker)> on_thread_start{};
  std::function<void(std::size_t worker)> on_thread_stop{};
  // Linux: pin worker i to the i-th CPU of the process's affinity mask (as
  // at construction; modulo its size). Spare threads are not pinned. A
  // refused pin throws std::system_error from the constructor. Elsewhere:
  // ignored.
  bool pin_workers = false;
  // The dispatch policy (see Dispatch). A value outside the enum throws
  // std::invalid_argument from the constructor.
  Dispatch dispatch = Dispatch::kIdleFirstTwoChoices;
  // The stuck-wait diagnostic. A wait off the pool's worker threads —
  // TaskGroup::Wait/WaitFor of a group from NewTaskGroup, Future::Get/Wait/
  // WaitFor of a Future from Submit or Spawn, WaitIdle, SyncWait while its
  // coroutine awaits such a group (WaitAsync) or Future — that has gone on
  // this long while the pool had nothing queued, running, delayed or
  // waiting to retry (so nothing left that could end it) reports once, with
  // a message naming the wait, the group's Pending() and the likely cause:
  // a task without SetAutoDone() or a missing Done(). The report never
  // changes what the wait returns, and it is not repeated within one wait.
  // Zero turns it off.
  std::chrono::milliseconds stuck_wait_report{std::chrono::seconds(10)};
  // Receives that message (one line, no newline), on the waiting thread; an
  // exception from it is ignored. Empty: the message is written as one line
  // on stderr.
  std::function<void(std::string_view message)> on_stuck_wait{};
};

// One row of Usage(); UsageReport::total sums them. Counters only grow
// over the pool's life (queued is a snapshot).
struct WorkerUsage {
  std::size_t id = 0;           // worker index, 0-based (total: 0, unused)
  std::uint64_t executed = 0;   // runs of Exec, retries included
  std::uint64_t succeeded = 0;  // final outcomes of tasks
  std::uint64_t failed = 0;     // final failures, cancellations included
  std::uint64_t retried = 0;    // runs requested by ErrReload, also those cancelled before they ran
  std::uint64_t stolen = 0;     // tasks taken from another worker's queue
  std::uint64_t callback_errors = 0;  // hooks that threw
  std::chrono::nanoseconds busy{0};   // time spent inside Exec and hooks
  std::size_t queued = 0;             // waiting in its queue right now
  std::uint64_t expired = 0;          // queue_timeout ran out (included in failed)
  LatencySummary queue_wait{};        // admission -> start of each attempt
  LatencySummary run_time{};          // one Exec
  // (a LatencySummary with count 0 was not measured: Usage prints "-")
};

// How Usage() lays out its table.
enum class UsageStyle {
  kCompact,  // at most 80 columns: counts, busy time, share and a load bar
  kWide,     // every counter plus p50/p99 of queue wait and run time
};

// A latency distribution on fixed bounds, the same for every pool and every
// report, so metrics systems can add and compare them (Prometheus
// histograms: UsageReport::ToPrometheus, litepool/prometheus.hpp). Read
// from the same log-bucket histograms as LatencySummary.
struct LatencyBuckets {
  // Upper bounds: 1, 2.5 and 5 per decade from 100 ns to 10 s, wide enough
  // for an empty task's queue wait and a long task's run.
  static constexpr std::size_t kBounds = 25;
  static constexpr std::array<std::chrono::nanoseconds, kBounds> kUpperBounds = {
      std::chrono::nanoseconds(100),           std::chrono::nanoseconds(250),
      std::chrono::nanoseconds(500),           std::chrono::nanoseconds(1'000),
      std::chrono::nanoseconds(2'500),         std::chrono::nanoseconds(5'000),
      std::chrono::nanoseconds(10'000),        std::chrono::nanoseconds(25'000),
      std::chrono::nanoseconds(50'000),        std::chrono::nanoseconds(100'000),
      std::chrono::nanoseconds(250'000),       std::chrono::nanoseconds(500'000),
      std::chrono::nanoseconds(1'000'000),     std::chrono::nanoseconds(2'500'000),
      std::chrono::nanoseconds(5'000'000),     std::chrono::nanoseconds(10'000'000),
      std::chrono::nanoseconds(25'000'000),    std::chrono::nanoseconds(50'000'000),
      std::chrono::nanoseconds(100'000'000),   std::chrono::nanoseconds(250'000'000),
      std::chrono::nanoseconds(500'000'000),   std::chrono::nanoseconds(1'000'000'000),
      std::chrono::nanoseconds(2'500'000'000), std::chrono::nanoseconds(5'000'000'000),
      std::chrono::nanoseconds(10'000'000'000)};
  // cumulative[i]: the samples at or below kUpperBounds[i] (so it never
  // decreases with i). A sample counts under the first bound at or above
  // the top of its histogram bucket: never under a bound below its value,
  // and its bucket is at most 1/16 wide, as for LatencySummary.
  std::array<std::uint64_t, kBounds> cumulative{};
  std::uint64_t count = 0;  // every sample (the +Inf bucket)
  // Estimated: each sample at the middle of its histogram bucket, so
  // within 1/32 of the true sum. 0 while count == 0.
  std::chrono::nanoseconds sum{0};
};

// What Pool::Stats() returns: the numbers of the Usage() table. A plain
// value, detached from the pool.
struct LITEPOOL_API UsageReport {
  std::string name{};                // PoolOptions::name
  std::vector<WorkerUsage> workers;  // one per worker, by id
  WorkerUsage total;                 // the sum of `workers` (latencies merged),
                                     // plus what spare threads ran (Pool's
                                     // "Waits on a worker thread")
  double imbalance = 1.0;            // max busy / mean busy (1.0 = perfect)
  // For metrics (ToPrometheus); Usage() and ToJson() do not show them.
  std::size_t queue_capacity = 0;     // per worker (Pool::QueueCapacity())
  std::uint64_t cancelled = 0;        // of total.failed: settled as cancelled
                                      // (TaskGroup::Cancel, Close, Purge)
  std::uint64_t rejected = 0;         // tasks AddTask / AddTaskGroup refused
                                      // (never accepted, in no other count)
  LatencyBuckets queue_wait_buckets;  // total.queue_wait on fixed bounds
  LatencyBuckets run_time_buckets;    // total.run_time on fixed bounds
  std::size_t delayed = 0;            // admitted tasks not queued yet: waiting
                                      // out a delay (TaskOptions::SetDelay) or
                                      // for dependencies (SetAfter)
  // The report as one line of JSON for tools and plots:
  // {"name":..., "workers":[{"id":0, ...}], "total":{...}, "imbalance":...,
  // "delayed":...};
  // each row has every WorkerUsage field (the total has no "id"), `busy` as
  // integer "busy_ns", a LatencySummary as {"count", "p50_ns", "p90_ns",
  // "p99_ns", "max_ns"}. Always valid JSON: bytes of `name` that are not
  // valid UTF-8 become U+FFFD, a non-finite imbalance becomes null.
  // Thread-safe for a report no one modifies meanwhile.
  std::string ToJson() const;
  // The report in the Prometheus text exposition format 0.0.4, every
  // sample labelled pool="<name>" (escaped as the format asks):
  //   litepool_tasks_total{outcome=...}   counter: settled tasks by outcome,
  //       disjoint ("succeeded"; "failed": a returned error or a throw;
  //       "cancelled"; "expired"), so they add up to the settled tasks
  //   litepool_task_retries_total         counter: total.retried
  //   litepool_tasks_rejected_total       counter: rejected
  //   litepool_hook_errors_total          counter: total.callback_errors
  //   litepool_workers                    gauge: workers.size()
  //   litepool_queue_capacity             gauge: queue_capacity (per worker)
  //   litepool_queued_tasks               gauge: total.queued
  //   litepool_worker_busy_seconds_total{worker="i"}  counter: busy
  //   litepool_worker_tasks_total{worker="i"}         counter: executed
  //   litepool_queue_wait_seconds, litepool_run_seconds  histograms of the
  //       total (queue_wait_buckets, run_time_buckets), in seconds
  // A worker's row starts from zero when SetWorkers seats it again: a
  // counter reset, which rate() handles. Numbers in the C locale, never
  // NaN. Thread-safe for a report no one modifies meanwhile.
  std::string ToPrometheus() const;
};

// What Close() does with tasks accepted but not yet run.
enum class CloseMode {
  kDrain,          // run everything already accepted, then stop
  kCancelPending,  // settle queued tasks as kCancelled, then stop
};

// N workers with bounded queues (overview: pool.hpp). Not copyable, not
// movable: share it by reference, or use DefaultPool(). Go name: NewPool.
class LITEPOOL_API Pool {
 public:
  // Starts the worker threads before it
  // returns. Throws std::invalid_argument for 0 workers or 0
  // queue_capacity (PoolOptions: 0 workers means hardware_concurrency),
  // std::system_error if a thread cannot be started or pinned, and what
  // on_thread_start throws (the threads already started are stopped).
  Pool(std::size_t workers, std::size_t queue_capacity);
  explicit Pool(PoolOptions options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Close(kDrain): blocks until every accepted task has settled and the
  // workers have exited. Must not run on one of this pool's own worker
  // threads (a task must not own its pool).
  ~Pool();

  // Submits one task. Returns ok once it is queued, or:
  //   kInvalidArgument  no task set, or a negative queue timeout;
  //   kClosed           the pool is closed;
  //   kCancelled        the task's group was cancelled;
  //   kTimeout          no slot within the add-timeout (OnAddTimeout ran).
  // A rejected task runs no task hook but still credits its group when it
  // has SetAutoDone(), so no Wait() hangs on it, and its Error is added to
  // that group's Errors(), so an ignored result loses nothing. Blocks while
  // the pool is full, up to the add-timeout if one is set (never on one of
  // this pool's worker threads: see pool.hpp). Thread-safe.
  Error AddTask(TaskOptions options);

  // The one-liner (oneTBB's tg.run(f)): tg.Add(1), then submits `f` (any
  // callable TaskOptions::SetTask accepts) with SetAutoDone(), so tg.Wait()
  // waits for it. A rejected add (kTimeout, kClosed, kCancelled,
  // kInvalidArgument) still credits tg, so no Wait() hangs on it; the Error
  // is returned. If SetTask throws (e.g. a null function pointer), tg is
  // left untouched. Blocks like AddTask(TaskOptions). Thread-safe.
  template <class F>
  Error AddTask(const TaskGroup& tg, F&& f) {
    TaskOptions options = tg.NewTaskOptions();
    options.SetTask(std::forward<F>(f)).SetAutoDone();
    tg.Add(1);
    return AddTask(std::move(options));
  }

  // Submits all or none. More tasks than Capacity() returns
  // kInvalidArgument at once; otherwise waits for enough slots, bounded by
  // the smallest add-timeout set on any of them. Any invalid option rejects
  // the whole batch. An empty batch returns ok at once, or kClosed once the
  // pool is closed. Thread-safe.
  Error AddTaskGroup(std::vector<TaskOptions> options);

  // A new group expecting `n` completions (n < 0: std::invalid_argument).
  TaskGroup NewTaskGroup(std::int64_t n);

  // Prints the per-worker table and the imbalance (max busy / mean busy).
  // kCompact (the default) fits 80 columns: executed, succeeded, failed,
  // retried, stolen, busy_ms, queued, share and a load bar per worker, a
  // total row; counts too wide for their column are abbreviated (1.23M), and
  // hooks that threw / expired tasks get a line of their own when non-zero.
  // kWide adds cb_err, expired and the p50/p99 of queue wait and run time
  // ("-" when nothing was measured). Columns are aligned; ANSI colour is
  // used only when `out` is std::cout / std::cerr / std::clog writing to a
  // terminal, NO_COLOR is unset and TERM is set and not "dumb". One write
  // to `out`. Thread-safe (the caller guards `out`), never blocks on tasks.
  // Usage() writes to std::cout (two overloads rather than a default
  // argument, so that this header needs only the iosfwd declarations).
  void Usage() const;
  void Usage(std::ostream& out, UsageStyle style = UsageStyle::kCompact) const;
  // The same numbers as a struct (and, via ToJson(), as JSON). Each
  // counter is read atomically; the set is not one snapshot while tasks
  // run. Thread-safe, never blocks on tasks.
  UsageReport Stats() const;

  // Tracing: one TraceEvent per attempt (retries included) that runs Exec
  // between StartTrace and StopTrace, with times since StartTrace; see
  // trace.hpp. StartTrace allocates bounded per-worker buffers
  // (options.max_events in total, split evenly over the workers); a worker
  // whose buffer is full counts further attempts in Trace::Dropped(), and
  // recording never blocks or allocates. While no trace runs, nothing is
  // recorded and a task pays one relaxed load. Calling StartTrace while a
  // trace runs discards that trace and starts a new one. StopTrace returns
  // the trace and stops recording; without a running trace (never started,
  // or stopped already) it returns an empty Trace. Both are thread-safe
  // (serialised with each other), may be called from a task, and block
  // only for an event being written at that moment; StartTrace throws
  // std::bad_alloc if the buffers cannot be allocated (a running trace
  // then goes on unchanged).
  void StartTrace(TraceOptions options = {});
  Trace StopTrace();

  // Stops accepting tasks and settles every accepted one; kDrain runs them,
  // kCancelPending cancels the queued ones. Running tasks finish; no new
  // retry is requested after Close (`after` gets kClosed), and retries
  // waiting out a Backoff delay run at once (kDrain) or are cancelled
  // (kCancelPending), so Close never waits for a delay. Delayed tasks
  // (TaskOptions::SetDelay) are accepted tasks: kDrain waits for their time
  // and runs them, kCancelPending cancels them at once, as it does dependent
  // tasks still waiting (kDrain waits for their dependencies). Continuations
  // (Future::Then) asked for once Close started settle kClosed.
  // kCancelPending also stops the std::stop_token that running Submit
  // callables were given.
  // A paused pool is resumed first by kDrain (its queued tasks run);
  // kCancelPending cancels them without running them.
  // Blocks until the workers have stopped,
  // except when called on one of this pool's workers, where it only starts
  // the close. Idempotent; a later kCancelPending upgrades a kDrain.
  void Close(CloseMode mode = CloseMode::kDrain);
  // True once Close() has started. Thread-safe, never blocks.
  bool Closed() const;

  // The current worker count (set at construction, changed by SetWorkers)
  // and the per-worker queue capacity (fixed at construction). Thread-safe,
  // never block.
  std::size_t Workers() const;
  std::size_t QueueCapacity() const;
  // Workers() * QueueCapacity(): the most tasks that may wait at once; it
  // follows SetWorkers. Thread-safe, never blocks.
  std::size_t Capacity() const;

  // True when the calling thread is one of this pool's worker threads
  // (running a task, a hook or a helping Wait of this pool); false on any
  // other thread, a worker of another pool included. There AddTask never
  // blocks on a full pool (see pool.hpp) and ~Pool must not run. Thread-safe,
  // never blocks, never throws.
  bool OnWorkerThread() const noexcept;
  // True when the calling thread is a worker thread of any Pool in the
  // process (this one, another one, DefaultPool()): a thread where waiting
  // for a slot of a full pool, or for work only the pools' tasks can do, may
  // deadlock. Front-ends use it to pick a non-blocking path (ErrGroup::Go).
  // Thread-safe, never blocks, never throws.
  static bool OnAnyPoolWorkerThread() noexcept;

  // --- Scheduling controls -----------------------------------------------
  // Priorities and queue timeouts are per task: TaskOptions::SetPriority,
  // TaskOptions::SetQueueTimeout, SubmitOptions::priority / queue_timeout.

  // Stops workers from starting queued tasks. Tasks already running go on
  // to the end (with their hooks); no queued task starts and no retry runs
  // (one whose backoff ends while paused waits for Resume) until Resume.
  // AddTask still queues, and blocks when the pool is full, as usual; queue
  // timeouts keep counting, so a waiting task may expire (kExpired). Does
  // not wait for running tasks. Idempotent (a second Pause is a no-op; no
  // nesting count). No effect once Close() has started (Close(kDrain)
  // resumes a paused pool first; Close(kCancelPending) cancels its queued
  // tasks). Thread-safe, never blocks, may be called from a task.
  void Pause();
  // Lets the workers start queued tasks again (and wakes them). Idempotent:
  // resuming a pool that is not paused does nothing. Thread-safe, never
  // blocks, may be called from a task.
  void Resume();
  // True between Pause() and the next Resume() (or Close). Thread-safe,
  // never blocks; a snapshot when another thread pauses or resumes.
  bool Paused() const;

  // Settles every task that is accepted but not running as kCancelled: the
  // queued ones, retries waiting out a backoff, tasks held on the
  // overflow path (AddTask from a worker of a full pool), delayed tasks
  // (SetDelay) and dependent tasks still waiting for their dependencies
  // (SetAfter) — so the dependents of a purged task are purged with it. Each runs its
  // hooks as a cancelled task does (OnError or, for a retry, `after` gets
  // kCancelled; OnComplete; the auto-Done credit; without OnError the error
  // goes to the group's Errors()) and counts as failed in Stats(). Running
  // tasks are not touched. Returns how many tasks it settled; when it
  // returns, they have settled (their hooks ran, their groups were credited)
  // and their slots are free, so blocked producers get in at once. A task
  // admitted while Purge runs may be purged or not. Paused or not; the pool
  // stays open (and paused, if it was). Thread-safe; blocks only while the
  // purged tasks' hooks run (on the calling thread or a worker). May be
  // called from a task. A coroutine's resumption (coro.hpp) is not a task
  // to purge: it stays queued, is not counted, and never runs on the
  // calling thread; the queued start of a Spawned coroutine is purged like
  // a task: the coroutine never runs and its Future's Get throws TaskError
  // (kCancelled).
  std::size_t Purge();

  // Blocks until the pool is idle: no task queued, running, delayed,
  // waiting for its dependencies, or waiting out a retry backoff (BS::thread_pool wait(), Asio
  // join() without stopping the pool). A paused pool with queued tasks is not idle: WaitIdle waits
  // for Resume (or Purge). Tasks added meanwhile are waited for too, so a
  // steady stream of producers can keep it waiting. Happens-before:
  // everything the tasks that settled before it returned did (their hooks
  // included) is visible after it returns. On one of this pool's worker
  // threads (from inside a task): the calling task (and any other task
  // inside WaitIdle) does not count as running, and the caller runs only
  // the tasks its own task added to this pool while it waits (no other
  // task; see "Waits on a worker thread"), so it cannot deadlock its own pool. Thread-safe, const:
  // it changes nothing.
  void WaitIdle() const;
  // As WaitIdle, giving up after `timeout`: true when the pool became idle,
  // false on timeout (then nothing is known about the tasks). A zero or
  // negative timeout checks once. Thread-safe.
  bool WaitIdleFor(std::chrono::nanoseconds timeout) const;

  // Resizes the pool to `n` workers at run time (ants Tune, folly
  // setNumThreads). Growing starts n - Workers() threads (ids Workers() ..
  // n-1; on_thread_start runs on each, pin_workers pins them) and returns
  // once they run; queued tasks spread to them at once. Shrinking retires
  // the workers with the highest ids: each finishes the task it is running,
  // hands its queued tasks to the remaining workers, runs on_thread_stop and
  // exits; SetWorkers returns once they have exited (so it may wait for a
  // long task). Capacity() follows Workers() at once; when it shrinks below
  // the queued count, no task is dropped: producers block until the queues
  // drain below the new capacity (an AddTaskGroup batch larger than the
  // new capacity, waiting or not, gets kInvalidArgument). Stats(): `workers` lists the current
  // workers; `total` keeps the counts of retired workers, so after a shrink
  // total may exceed the sum of the rows (a worker re-added later with the
  // same id starts its row from zero; its max latencies are bounded by its
  // histogram buckets). A trace running during a grow records the added
  // workers too: each gets a buffer of the trace's per-worker share
  // (max_events / workers at StartTrace), so the trace may hold that many
  // more events per added worker, and Dropped() counts theirs. Throws
  // std::invalid_argument for n == 0, n > 4096 (the most a pool may have)
  // or n * QueueCapacity() > 2^40 (as the constructor),
  // std::logic_error when called on one of this pool's worker threads (it
  // could wait for itself), std::system_error if a thread cannot start, and
  // whatever on_thread_start throws: then the threads this call started are
  // stopped again and Workers() is unchanged. After Close() has started it
  // does nothing. Thread-safe: concurrent calls are serialised (the last
  // one wins).
  void SetWorkers(std::size_t n);

  // --- Results (future.hpp) ---------------------------------------------
  // Runs `f` as a task and returns the Future of its result. F: R() or
  // R(std::stop_token) (the token stops when options.stop does or when the
  // pool is closed with kCancelPending), any move-constructible
  // callable, move-only ones included. R = Error gives Future<void> whose
  // Get throws TaskError for a returned error; otherwise Future<R> (a
  // reference result is copied). A throw from `f` is rethrown by Get (the
  // same exception object). Rejected (kClosed, kTimeout), stopped before it
  // started or dropped by Close(kCancelPending) (kCancelled): Get throws
  // TaskError with that Cause(). options.priority and
  // options.queue_timeout act as TaskOptions::SetPriority /
  // SetQueueTimeout: an expired task does not run and Get throws TaskError
  // kExpired. Submit itself never throws for bad arguments: a null callable
  // (empty std::function, null function pointer), a negative add_timeout
  // or queue_timeout, or a priority outside the enum are refused through
  // the Future (Get throws TaskError kInvalidArgument; nothing runs).
  // options.delay and options.after act as TaskOptions::SetDelay / SetAfter
  // (admitted now, queued later; such a task never waits for a slot).
  // Blocks like AddTask while the pool is full (bounded
  // by options.add_timeout; never on a worker thread). At most one heap
  // allocation (the shared state; a capture of more than 40 bytes adds a
  // second). Thread-safe.
  template <class F>
  requires detail::Submittable<F>
  [[nodiscard]] Future<detail::SubmitResult<F>> Submit(F&& f, SubmitOptions options = {});
  // Anything else given to Submit: a compile-time error that lists the
  // accepted forms (never an error deep inside this header).
  template <class F, class... A>
  requires(!detail::Submittable<F> ||
           (sizeof...(A) > 0 && !(sizeof...(A) == 1 && (std::is_convertible_v<A, SubmitOptions> &&
                                                        ...)))) Future<void> Submit(F&&, A&&...) {
    static_assert(detail::kAlwaysFalse<F>,
                  "litepool::Pool::Submit accepts a callable R() or R(std::stop_token) "
                  "(lambda, function pointer, std::function; move-only ones as an rvalue) "
                  "and optional SubmitOptions; R = Error gives Future<void>. Submit takes "
                  "no arguments: capture them ([x] { return f(x); })");
    return {};
  }

  // --- Periodic tasks (periodic.hpp) -------------------------------------
  // Runs `f` as a task of this pool every `period` (see periodic.hpp for
  // the schedule: fixed rate by default, no catch-up burst; fixed delay on
  // request) until the handle's Cancel, options.max_runs runs, or Close.
  // F: void() or Error(), any move-constructible callable, move-only ones
  // included; a returned Error or a throw counts in Failures() and the
  // schedule goes on. Between runs it holds no slot, no worker and no
  // thread but the pool's one timer thread; a run due on a full pool is
  // queued anyway. Not counted by WaitIdle or Stats().delayed between runs
  // (each run is an ordinary task while queued or running). period <= 0:
  // std::invalid_argument. On a closed pool the handle is not Active() and
  // f never runs. Thread-safe; never blocks.
  template <class F>
  requires detail::TaskBody<F>
  [[nodiscard]] PeriodicHandle Every(std::chrono::nanoseconds period, F&& f,
                                     PeriodicOptions options = {}) {
    using D = std::decay_t<F>;
    if constexpr (std::is_void_v<std::invoke_result_t<D&>>) {
      return EveryImpl(period, detail::VoidBody<D>{D(std::forward<F>(f))}, options);
    } else {
      return EveryImpl(period, D(std::forward<F>(f)), options);
    }
  }

  // --- Coroutines (coro.hpp) --------------------------------------------
  // Starts `task` on this pool: its first step runs as a task on one of the
  // workers, and the coroutine belongs to this pool (its resumptions are
  // posted here until it awaits another pool's Schedule()). The Future gets
  // its value, or rethrows the exception its body let escape (the original
  // object). A pool that refuses the start (closed) destroys the task
  // without running it: Get throws TaskError (kClosed). The coroutine's
  // frame is freed before the Future is ready, so Get/Wait happen-after
  // everything the coroutine did. Blocks like AddTask while the pool is
  // full (never on a worker thread). An empty task throws
  // std::invalid_argument. Thread-safe.
  template <class T>
  [[nodiscard]] Future<T> Spawn(CoTask<T> task);
  // Anything else given to Spawn: a compile-time error naming the form.
  template <class F, class... A>
  requires(!detail::kIsCoTask<std::remove_cvref_t<F>> ||
           sizeof...(A) > 0) Future<void> Spawn(F&&, A&&...) {
    static_assert(detail::kAlwaysFalse<F>,
                  "litepool::Pool::Spawn accepts a CoTask<T> (an rvalue): call the "
                  "coroutine function and pass its result, pool.Spawn(Work(x)); Spawn "
                  "takes no arguments: capture them. A plain callable goes to Submit");
    return {};
  }
  // `co_await pool.Schedule();` inside a CoTask resumes the coroutine as a
  // task on one of this pool's workers; the coroutine then belongs to this
  // pool (its later resumptions are posted here). See ScheduleAwaiter for
  // the details (the co_await waits for a slot when the pool is full, like
  // AddTask). The call itself is thread-safe, never blocks, never throws.
  inline ScheduleAwaiter Schedule();

 private:
  friend struct detail::PoolAccess;
  // Lets `state`'s blocking waits report a stuck wait on this pool
  // (PoolOptions::stuck_wait_report).
  void WatchStuckWaits(detail::FutureStateBase& state) const noexcept;
  friend struct detail::ComposeAccess;
  std::unique_ptr<detail::Engine> engine_;
  // What Futures keep of this pool (for Then): cut off by the destructor,
  // after Close, so a continuation posted later finds the pool closed.
  std::shared_ptr<detail::PoolAnchor> anchor_;
  // Delayed and dependent tasks, admitted but not queued yet.
  std::unique_ptr<detail::DeferredTasks> deferred_;
  // Periodic tasks (Every) between their runs.
  std::unique_ptr<detail::PeriodicTimer> periodic_;
  PeriodicHandle EveryImpl(std::chrono::nanoseconds period, detail::MoveOnlyFunction<Error()> f,
                           PeriodicOptions options);
  // Stopped by Close(kCancelPending): the token Submit's stop-token
  // callables see (with SubmitOptions::stop).
  std::stop_source cancel_stop_;
};

template <class F>
requires detail::Submittable<F> Future<detail::SubmitResult<F>> Pool::Submit(
    F&& f, SubmitOptions options) {
  using T = detail::SubmitResult<F>;
  using Body = detail::SubmitBody<T, std::decay_t<F>>;
  // Two producers: the task body, and this call (so a rejection's error,
  // known only when AddTask returns, is in place before the Future is ready).
  detail::Promise<T> promise(2);
  detail::FutureState<T>& state = promise.State();
  state.anchor = anchor_;
  Future<T> future = promise.GetFuture();
  WatchStuckWaits(state);
  Error rejected;
  const std::stop_token queued_stop = options.stop;
  // Every refusal reaches the caller one way: through the Future.
  if (detail::IsNullCallable(f)) {
    rejected = Error("Submit: null callable", ErrorCode::kInvalidArgument);
  } else if (options.add_timeout && options.add_timeout->count() < 0) {
    rejected = Error("Submit: negative add_timeout", ErrorCode::kInvalidArgument);
  } else if (!detail::IsPriority(options.priority)) {
    rejected = Error("Submit: priority is not a Priority (kLow, kNormal, kHigh)",
                     ErrorCode::kInvalidArgument);
  } else if (options.stop.stop_requested()) {
    rejected = Error("cancelled before it started (SubmitOptions::stop)", ErrorCode::kCancelled);
  }
  if (rejected) {
    state.SetError(std::move(rejected));
    { detail::Promise<T> dropped = std::move(promise); }  // a producer done
  } else {
    decltype(Body::link) link{};
    if constexpr (detail::TakesStopToken<std::decay_t<F>>) {
      // The callable sees the caller's token and the pool's cancel token;
      // a link (one more allocation) only when both can stop.
      if (options.stop.stop_possible()) {
        link = std::make_unique<detail::SubmitStopLink>(options.stop, cancel_stop_.get_token());
        state.stop = link->source.get_token();
      } else {
        state.stop = cancel_stop_.get_token();
      }
    } else {
      state.stop = std::move(options.stop);
    }
    TaskOptions task;
    task.SetTask(Body{std::move(promise), std::decay_t<F>(std::forward<F>(f)), std::move(link)});
    if (options.add_timeout) task.SetAddTimeout(*options.add_timeout);
    if (options.priority != Priority::kNormal) task.SetPriority(options.priority);
    if (options.queue_timeout) task.SetQueueTimeout(*options.queue_timeout);
    if (queued_stop.stop_possible()) detail::SetQueuedStop(task, queued_stop);
    if (options.delay.count() > 0) task.SetDelay(options.delay);
    if (!options.after.empty()) task.SetAfter(std::move(options.after));
    // On rejection the body was destroyed unrun inside AddTask; its
    // "dropped" error is replaced by the real reason before we let go.
    if (Error e = AddTask(std::move(task))) state.SetError(std::move(e));
  }
  state.ReleaseProducer();
  return future;
}

}  // namespace litepool

#include "litepool/detail/compose.hpp"

#endif  // LITEPOOL_POOL_HPP_
