#include "engine/engine.hpp"

#include <algorithm>
#include <future>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "litepool/detail/deadline.hpp"
#include "engine/execution_context.hpp"
#include "litepool/detail/format_duration.hpp"
#include "task/group_state.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace litepool::detail {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes of freed plain records a pool keeps for reuse (8 MiB): a full pool of
// typical size recycles every block, and a huge one does not pin memory it
// needed once.
constexpr std::size_t kRecordCacheBytes = std::size_t{8} << 20;
// Linux limits a thread name to 16 bytes, the terminating NUL included.
constexpr std::size_t kMaxThreadName = 15;
// The size limits of a pool (at construction and for SetWorkers, `who`
// names the caller in the message); workers >= 1.
void CheckSize(const char* who, std::size_t workers, std::size_t queue_capacity) {
  if (workers > Engine::kMaxWorkers) {
    throw std::invalid_argument(std::string(who) + ": at most " +
                                std::to_string(Engine::kMaxWorkers) + " workers, got " +
                                std::to_string(workers));
  }
  if (queue_capacity > Engine::kMaxCapacity / workers) {
    throw std::invalid_argument(std::string(who) +
                                ": workers * queue_capacity is too large (max 2^40)");
  }
}

PoolOptions Validated(PoolOptions o) {
  if (o.workers == 0) {
    o.workers = std::max(1u, std::thread::hardware_concurrency());
  }
  if (o.queue_capacity == 0) {
    throw std::invalid_argument("litepool::Pool: queue_capacity must be >= 1");
  }
  CheckSize("litepool::Pool", o.workers, o.queue_capacity);
  switch (o.dispatch) {
    case Dispatch::kIdleFirstTwoChoices:
    case Dispatch::kRoundRobin:
    case Dispatch::kRandom:
    case Dispatch::kLeastLoaded:
      break;
    default:
      throw std::invalid_argument("litepool::Pool: PoolOptions::dispatch is not a Dispatch value (" +
                                  std::to_string(static_cast<int>(o.dispatch)) + ")");
  }
  return o;
}

// Why an expired task did not run (kExpired).
Error ExpiredError(const TaskExtras& x) {
  return Error("expired: not started within its queue timeout of " +
                   FormatDuration(*x.hooks.queue_timeout),
               ErrorCode::kExpired);
}

// OnAddTimeout runs on the submitting thread; a throw goes to the group.
// It is the rejected task's own code: a Done() on its group inside it
// credits that task (returns true), never the task that called AddTask.
bool RunOnAddTimeout(TaskSpec& spec) {
  if (!spec.on_add_timeout) return false;
  ExecutionContext& ctx = Context();
  const ExecutionContext saved = ctx;
  ctx.task = nullptr;
  ctx.err_handle = nullptr;
  ctx.rejected_group = spec.group.get();
  ctx.rejected_credit = false;
  try {
    spec.on_add_timeout();
  } catch (...) {
    if (spec.group) spec.group->AddError(Error::FromException(std::current_exception()));
  }
  const bool credit = ctx.rejected_credit;
  ctx = saved;
  return credit;
}


// Counts down to the worker start that FailWorkerStartForTesting asked to
// fail. Relaxed: tests set it before they construct the pool, on the same
// thread that starts the workers.
std::atomic<int> fail_worker_start{0};

}  // namespace

void FailWorkerStartForTesting(int nth) noexcept {
  fail_worker_start.store(nth, std::memory_order_relaxed);
}

void MaybeFailWorkerStart() {
  int n = fail_worker_start.load(std::memory_order_relaxed);
  while (n > 0 && !fail_worker_start.compare_exchange_weak(
                      n, n - 1, std::memory_order_relaxed)) {
  }
  if (n == 1) {
    throw std::system_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "litepool: worker thread could not start (test hook)");
  }
}

const char* Engine::InvalidReason(const TaskSpec& spec) noexcept {
  if (const char* why = spec.InvalidReason()) return why;
  // Refused, never ignored, until the engine schedules them (issue 15).
  return nullptr;
}

Engine::Engine(PoolOptions options)
    : options_(Validated(std::move(options))),
      queue_capacity_(options_.queue_capacity),
      // Of each block kind: enough for a full pool plus each worker's batch
      // in flight, and no more than kRecordCacheBytes worth of plain records
      // (blocks with hooks are larger: the same count is about 5x that).
      // (As sized at construction: SetWorkers does not resize the cache.)
      records_(std::min<std::size_t>(options_.workers * (queue_capacity_ + RecordPool::kBatch),
                                     kRecordCacheBytes / sizeof(TaskRecord))),
      dispatcher_(workers_, options_.dispatch),
      gate_(static_cast<std::int64_t>(options_.workers * queue_capacity_), options_.workers,
            static_cast<std::int64_t>(queue_capacity_), SlotGate::Refill{kRefillWait, kRefillWaitOversubscribed}),
      sink_(closed_, cancel_pending_, this, &Engine::Requeue, trace_ids_),
      spare_slots_(std::make_unique<std::atomic<Worker*>[]>(kMaxSpares)),
      timer_([this](void* task) { RequeueNow(static_cast<TaskRecord*>(task)); }),
      expiry_timer_([this](void* ticket) { Expire(static_cast<QueueTicket*>(ticket)); }) {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus_.push_back(c);
    }
  }
#endif
  gate_.SetOversubscribed(Oversubscribed(options_.workers));
  for (std::size_t i = 0; i < options_.workers; ++i) {
    workers_.Make(std::make_unique<Worker>(*this, i));
    workers_.PublishMade();
  }
  workers_.SetSeated(options_.workers);
  try {
    workers_.ForEachMade([this](Worker& w) { StartThread(w); });
  } catch (...) {
    // A thread could not start (std::system_error), or on_thread_start or
    // pinning threw on it: stop and join the ones that did (and that one), so that unwinding destroys no joinable std::thread
    // (std::terminate), then let the error reach the Pool's caller.
    closed_.store(true, std::memory_order_seq_cst);
    stop_.store(true, std::memory_order_seq_cst);
    WakeAll();
    workers_.ForEachMade([](Worker& w) { w.Join(); });
    throw;
  }
}

void Engine::StartThread(Worker& w) {
  MaybeFailWorkerStart();
  const bool pin = options_.pin_workers && !w.Spare() && !cpus_.empty();
  const bool handshake = pin || static_cast<bool>(options_.on_thread_start);
  // Set by the new thread once on_thread_start returned (or threw); the
  // starter waits for it only when there is a hook or pinning to report.
  std::promise<void> started;
  std::future<void> ready;
  if (handshake) ready = started.get_future();
  w.Start([this, &w, pin, handshake, &started] {
    Context().worker = &w;
#if defined(__linux__)
    const std::string name = ThreadName(w.Id());
    pthread_setname_np(pthread_self(), name.c_str());
#endif
    if (handshake) {
      try {
#if defined(__linux__)
        if (pin) {
          cpu_set_t set;
          CPU_ZERO(&set);
          CPU_SET(cpus_[w.Id() % cpus_.size()], &set);
          if (const int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set)) {
            throw std::system_error(err, std::generic_category(),
                                    "litepool: pin_workers: pthread_setaffinity_np");
          }
        }
#endif
        if (options_.on_thread_start) options_.on_thread_start(w.Id());
      } catch (...) {
        started.set_exception(std::current_exception());
        Context().worker = nullptr;
        return;  // the starter joins this thread and rethrows
      }
      started.set_value();  // `started` may be gone after this line
    }
    RunUntil(w, nullptr);
    if (options_.on_thread_stop) {
      try {
        options_.on_thread_stop(w.Id());
      } catch (...) {
        // Nobody to report to: the thread is leaving (documented in pool.hpp).
      }
    }
    Context().worker = nullptr;
  });
  if (handshake) ready.get();  // rethrows what on_thread_start threw
}

Engine::~Engine() {
  if (OwnWorker() != nullptr) {
    // Joining would wait for this very thread: a programming error that
    // cannot be reported by exception from a destructor.
    std::fputs("litepool: a Pool was destroyed by one of its own tasks\n", stderr);
    std::terminate();
  }
  Close(CloseMode::kDrain);
}

std::string Engine::ThreadName(std::size_t id) const {
  // Trim the prefix to fit kMaxThreadName, keep "-id" (a spare: "-s<k>").
  std::string name = options_.name.empty() ? "litepool" : options_.name;
  const std::string id_text =
      id >= kMaxWorkers ? "s" + std::to_string(id - kMaxWorkers) : std::to_string(id);
  const std::size_t keep = kMaxThreadName - 1 - id_text.size();
  if (name.size() > keep) name.resize(keep);
  name.push_back('-');
  name.append(id_text);
  return name;
}

Worker* Engine::OwnWorker() const noexcept {
  Worker* w = Context().worker;
  return w != nullptr && &w->GetEngine() == this ? w : nullptr;
}

Error Engine::Reject(TaskSpec& spec, Error why, bool credit_requested) {
  if (!spec.group) return why;
  // Seed-style code ignores AddTask's result: the group keeps the reason,
  // recorded before the credit so that Wait() returns after it.
  spec.group->AddError(why);
  if (spec.auto_done || credit_requested) spec.group->Credit("auto-Done of a rejected task");
  return why;
}

SlotGate::Result Engine::Admit(std::int64_t n,
                               std::optional<std::chrono::nanoseconds> timeout,
                               Priority priority, Worker* own) {
  if (!gate_.TryAcquire(n)) {
    const bool try_once = timeout && timeout->count() == 0;
    if (try_once) return SlotGate::Result::kTimeout;
    if (own != nullptr || Context().overflow_ok) {
      // Overflow path: a worker waiting for a slot of its own pool could
      // wait for itself (any add-timeout but 0: an hour, or
      // nanoseconds::max(), would be a self-deadlock).
      gate_.ForceAcquire(n);
    } else {
      const auto result = gate_.Acquire(n, priority, DeadlineAfter(timeout), closed_);
      if (result != SlotGate::Result::kAcquired) return result;
    }
  }
  // seq_cst pair with Close(): either Close counts these tasks before it
  // waits for the drain, or this thread sees closed_ and backs out.
  accepted_.fetch_add(static_cast<std::uint64_t>(n), std::memory_order_seq_cst);
  if (closed_.load(std::memory_order_seq_cst)) {
    Unadmit(n);
    return SlotGate::Result::kClosed;
  }
  return SlotGate::Result::kAcquired;
}

void Engine::Unadmit(std::int64_t n) {
  accepted_.fetch_sub(static_cast<std::uint64_t>(n), std::memory_order_seq_cst);
  gate_.Release(n);
  NotifyDrainIfClosed();  // fewer accepted tasks: the drain may be complete
}

Error Engine::AddTask(TaskSpec&& spec) {
  if (!spec.HasTask()) {
    return Reject(spec, Error("AddTask: TaskOptions has no task (call "
                              "SetTask before AddTask)",
                              ErrorCode::kInvalidArgument));
  }
  if (const char* why = InvalidReason(spec)) [[unlikely]] {
    return Reject(spec, Error(std::string("AddTask: ") + why, ErrorCode::kInvalidArgument));
  }
  if (Closed()) return Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
  if (spec.group && spec.group->stop.stop_requested()) {
    return Reject(spec, Error("AddTask: task group was cancelled",
                              ErrorCode::kCancelled));
  }
  Worker* const own = OwnWorker();
  switch (Admit(1, spec.add_timeout, spec.hooks.priority, own)) {
    case SlotGate::Result::kAcquired:
      break;
    case SlotGate::Result::kClosed:
      return Reject(spec, Error("AddTask: pool is closed", ErrorCode::kClosed));
    case SlotGate::Result::kTooLarge:  // not reached: a pool has at least one slot
      return Reject(spec, Error("AddTask: the pool has no slot", ErrorCode::kInvalidArgument));
    case SlotGate::Result::kTimeout: {
      const bool credit = RunOnAddTimeout(spec);
      return Reject(spec, Error("AddTask: no free slot within the add-timeout of " +
                                    FormatDuration(*spec.add_timeout),
                                ErrorCode::kTimeout),
                    credit);
    }
  }
  TaskRecord* record = nullptr;
  QueueTicket* ticket = nullptr;
  try {
    record = records_.Make(std::move(spec));
    ticket = PrepareExpiry(record);
  } catch (...) {  // bad_alloc: undo the admission, nothing was queued
    if (record != nullptr) RecordPool::Destroy(record);
    Unadmit(1);
    throw;
  }
  // A task added by a task of this pool goes on that worker's spawned
  // stack; any other through the dispatcher.
  if (own == nullptr) [[likely]] {
    Dispatch(record);
  } else {
    EnqueueSpawned(record, own);
  }
  if (ticket != nullptr) [[unlikely]] StartExpiry(ticket);
  return Error();
}

Error Engine::AddTaskGroup(std::vector<TaskSpec>&& specs) {
  auto reject_all = [&](const Error& why) {
    for (auto& s : specs) Reject(s, why);
    return why;
  };
  // An empty batch is admitted at once (nothing to wait for), unless the pool
  // is closed: every AddTask/AddTaskGroup after Close returns kClosed.
  if (specs.empty()) {
    return Closed() ? Error("AddTaskGroup: pool is closed", ErrorCode::kClosed) : Error();
  }
  // Also after waiting in line: a SetWorkers may shrink the pool meanwhile.
  auto too_large = [&] {
    return Error("AddTaskGroup: " + std::to_string(specs.size()) +
                     " tasks exceed the pool's capacity of " + std::to_string(Capacity()),
                 ErrorCode::kInvalidArgument);
  };
  if (specs.size() > Capacity()) return reject_all(too_large());
  std::optional<std::chrono::nanoseconds> timeout;
  Priority priority = Priority::kLow;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!specs[i].HasTask()) {
      return reject_all(Error("AddTaskGroup: task " + std::to_string(i) +
                                  " has no task (call SetTask)",
                              ErrorCode::kInvalidArgument));
    }
    if (const char* why = InvalidReason(specs[i])) {
      return reject_all(Error("AddTaskGroup: task " + std::to_string(i) + ": " + why,
                              ErrorCode::kInvalidArgument));
    }
    if (specs[i].group && specs[i].group->stop.stop_requested()) {
      return reject_all(Error("AddTaskGroup: task " + std::to_string(i) +
                                  "'s group was cancelled",
                              ErrorCode::kCancelled));
    }
    if (specs[i].add_timeout && (!timeout || *specs[i].add_timeout < *timeout)) {
      timeout = specs[i].add_timeout;
    }
    // A batch waits in line at its highest task's priority.
    priority = std::max(priority, specs[i].hooks.priority);
  }
  if (Closed()) return reject_all(Error("AddTaskGroup: pool is closed", ErrorCode::kClosed));
  const auto n = static_cast<std::int64_t>(specs.size());
  Worker* const own = OwnWorker();
  switch (Admit(n, timeout, priority, own)) {
    case SlotGate::Result::kAcquired:
      break;
    case SlotGate::Result::kClosed:
      return reject_all(Error("AddTaskGroup: pool is closed", ErrorCode::kClosed));
    case SlotGate::Result::kTooLarge:  // SetWorkers shrank the pool meanwhile
      return reject_all(too_large());
    case SlotGate::Result::kTimeout: {
      const Error why("AddTaskGroup: no room for " + std::to_string(n) +
                          " tasks within the add-timeout of " +
                          FormatDuration(*timeout),
                      ErrorCode::kTimeout);
      for (auto& s : specs) Reject(s, why, RunOnAddTimeout(s));
      return why;
    }
  }
  std::vector<TaskRecord*> records;
  std::vector<QueueTicket*> tickets;
  try {
    records.reserve(specs.size());
    tickets.reserve(specs.size());
    for (auto& s : specs) {
      records.push_back(records_.Make(std::move(s)));
      if (QueueTicket* t = PrepareExpiry(records.back())) tickets.push_back(t);
    }
  } catch (...) {  // bad_alloc: undo the whole admission, nothing was queued
    for (QueueTicket* t : tickets) delete t;
    for (TaskRecord* r : records) RecordPool::Destroy(r);
    Unadmit(n);
    throw;
  }
  for (TaskRecord* r : records) {
    if (own == nullptr) {
      Dispatch(r);
    } else {
      EnqueueSpawned(r, own);
    }
  }
  for (QueueTicket* t : tickets) StartExpiry(t);
  return Error();
}

void Engine::EnqueueSpawned(TaskRecord* task, Worker* own) {
  // The spawned stack holds kNormal tasks only: one LIFO cannot keep the
  // priority rule, so a prioritised task goes through the dispatcher.
  if (task->GetPriority() != Priority::kNormal) return Dispatch(task);
  // Spawned by the task running on `own`: on its spawned stack, where a wait
  // of that task finds it (isolation). `own` is busy running that task, so
  // a parked worker comes to steal it (work-conserving).
  own->PushSpawned(task);
  WakeHelperFor(*own);
}

void Engine::Dispatch(TaskRecord* task) { DispatchAt(task->GetPriority(), task); }

void Engine::DispatchAt(Priority p, TaskRecord* task) {
  bool picked_idle = false;
  Worker& w = dispatcher_.Pick(&picked_idle);
  if (p == Priority::kNormal) [[likely]] {
    w.Push(task);
  } else {
    // Relaxed: a worker that misses the flag for a moment still finds the
    // task (its queue count is up), just not by level.
    if (!prioritized_.load(std::memory_order_relaxed)) {
      prioritized_.store(true, std::memory_order_relaxed);
    }
    w.PushAt(p, task);
  }
  // seq_cst loads: pair with Park() (flag, count, then queue re-check).
  if (Unpark(w)) return;
  // Work-conserving (DESIGN §1): if the chosen worker is running a task,
  // this one waits behind it, so a parked worker must come and steal it.
  // The idle flag is read now, not taken from Pick (it may be stale): Push's
  // seq_cst count, then this seq_cst load, against the worker's seq_cst
  // idle_ store, then its queue count (RunUntil) — either this thread sees
  // the worker busy, or the worker sees this task and wakes someone.
  if (!w.IdleFlagSeqCst()) WakeHelperFor(w);
}

bool Engine::Unpark(Worker& w) noexcept {
  if (!w.Unpark()) return false;
  parked_.fetch_sub(1, std::memory_order_seq_cst);
  return true;
}

void Engine::WakeHelperFor(const Worker& busy) noexcept {
  if (parked_.load(std::memory_order_seq_cst) > 0) {
    const std::size_t n = workers_.Made();
    for (std::size_t i = 0; i < n; ++i) {
      if (&workers_[i] != &busy && Unpark(workers_[i])) return;
    }
  }
  // No parked worker: if some are blocked in waits, a spare stands in.
  // seq_cst: pairs with WaitOnWorker (blocked_ up, then the queue counts).
  if (blocked_.load(std::memory_order_seq_cst) > 0 && !ActivateSpare()) {
    AskABlockedWaiterToHelp();
  }
}

void Engine::Requeue(void* engine, TaskRecord* task, std::chrono::nanoseconds delay) {
  Engine& self = *static_cast<Engine*>(engine);
  // A waiting retry holds no slot (see RequeueNow for a queued one).
  if (delay.count() > 0 && !self.sink_.CancelPending()) {
    // The group's token: its Cancel() ends the wait at once (the retry then
    // settles as kCancelled without running).
    GroupState* g = task->Group();
    self.timer_.Schedule(task, Clock::now() + delay,
                         g != nullptr ? g->stop.get_token() : std::stop_token());
  } else {
    self.RequeueNow(task);
  }
}

QueueTicket* Engine::PrepareExpiry(TaskRecord* task) {
  TaskExtras* x = task->extras;
  if (x == nullptr) [[likely]] return nullptr;
  // Beyond about a century a timeout cannot run out (and now + timeout
  // could overflow): no deadline.
  const bool timed =
      x->hooks.queue_timeout && *x->hooks.queue_timeout <= std::chrono::hours(24 * 365 * 100);
  const bool stoppable = x->hooks.stop.stop_possible();
  if (!timed && !stoppable) [[likely]] return nullptr;
  // The expiry timer settles with this Worker's counters (made once).
  std::call_once(expirer_once_, [this] {
    expirer_ = std::make_unique<Worker>(*this, kOffRowId, /*spare=*/true);
    expirer_view_.store(expirer_.get(), std::memory_order_release);
  });
  const auto deadline = timed ? Clock::now() + *x->hooks.queue_timeout : Clock::time_point::max();
  x->ticket = new QueueTicket(task, deadline, 1 + (timed ? 1 : 0) + (stoppable ? 1 : 0));
  if (stoppable) {
    // Last, as it cannot throw: a stop requested already fires here, and
    // the timer may settle the task before it is queued (the worker that
    // pops it then lets go of it, as of any expired record).
    x->ticket->on_stop.emplace(x->hooks.stop,
                               QueueTicket::OnStop{&Engine::ExpireSoon, this, x->ticket});
  }
  return x->ticket;
}

void Engine::ExpireSoon(void* engine, QueueTicket* ticket) noexcept {
  try {
    static_cast<Engine*>(engine)->expiry_timer_.Schedule(ticket, Clock::now());
  } catch (...) {
    // No memory for the timer's entry: the task is settled when a worker
    // takes it (Submit's body checks the token), and this reference goes.
    ticket->Release();
  }
}

void Engine::StartExpiry(QueueTicket* ticket) noexcept {
  // A ticket for the stop token only has no deadline to wait for.
  if (ticket->deadline == Clock::time_point::max()) return;
  // After the task was queued: the timer may fire at once, and from then on
  // it touches the record only through a won CAS (Expire). A worker may
  // have taken (and even settled) the task already: the ticket outlives it.
  try {
    expiry_timer_.Schedule(ticket, ticket->deadline);
  } catch (...) {
    // No memory for the timer's entry: the task cannot expire. Drop the
    // timer's reference; the worker that takes the task drops the other.
    ticket->Release();
  }
}

bool Engine::Claim(Worker& self, TaskRecord* task) {
  TaskExtras* x = task->extras;
  QueueTicket* ticket = x != nullptr ? x->ticket : nullptr;
  if (ticket == nullptr) return true;
  int queued = QueueTicket::kQueued;
  // Its deadline passed before a worker reached it: expired, whether the
  // timer thread got to it yet or not (so a zero timeout always expires).
  // Settled here, on the worker, with its own counters.
  if (ticket->deadline != Clock::time_point::max() && Clock::now() >= ticket->deadline &&
      ticket->state.compare_exchange_strong(queued, QueueTicket::kExpired,
                                            std::memory_order_acq_rel)) {
    x->ticket = nullptr;
    ticket->DropStop();
    gate_.Release(1);  // its slot back at once
    SettleUnrun(sink_, self, task, ExpiredError(*x));
    ticket->Release();  // the record's reference (the timer's fires later)
    NotifyDrainIfClosed();
    return false;
  }
  queued = QueueTicket::kQueued;  // a failed exchange above overwrote it
  if (ticket->state.compare_exchange_strong(queued, QueueTicket::kTaken,
                                            std::memory_order_acq_rel)) {
    x->ticket = nullptr;  // retries are not re-timed
    ticket->DropStop();   // a stop from now on is the running task's business
    ticket->Release();
    return true;
  }
  // Expired: the timer settled it (or is settling it) and gave its slot
  // back. Whoever of the two lets go last frees the record.
  if (ticket->record_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    self.Records().Free(task);
  }
  ticket->Release();
  return false;
}

void Engine::Expire(QueueTicket* ticket) {
  int queued = QueueTicket::kQueued;
  if (ticket->state.compare_exchange_strong(queued, QueueTicket::kExpired,
                                            std::memory_order_acq_rel)) {
    // Before any hook runs: no stop callback is left to fire into a
    // settled task.
    ticket->DropStop();
    TaskRecord* task = ticket->record;
    const Error why =
        ticket->stop_fired.load(std::memory_order_acquire)
            ? Error("cancelled while queued (its stop token was stopped)", ErrorCode::kCancelled)
            : ExpiredError(*task->extras);
    gate_.Release(1);  // its slot back at once
    // Emptied, not freed: the record still sits in a queue (QueueTicket).
    // The timer thread serves every queue timeout of the pool: a hook of an
    // expired task that adds a task must not block it on a full pool, so
    // it takes the overflow path, as on a worker.
    const bool saved_overflow = Context().overflow_ok;
    Context().overflow_ok = true;
    SettleUnrun(sink_, *expirer_, task, why, /*hollow=*/true);
    Context().overflow_ok = saved_overflow;
    if (ticket->record_refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      expirer_->Records().Free(task);
    }
    NotifyDrainIfClosed();  // settled: a Close or a WaitIdle may be waiting
  }
  ticket->Release();
}

void Engine::RequeueNow(TaskRecord* task) {
  // A queued retry holds a slot, taken even when none is free: the task was
  // admitted already, and waiting for a slot could deadlock a worker.
  gate_.ForceAcquire(1);
  task->SetAdmitted(BusyClock::Now());  // a retry's queue wait starts here
  Dispatch(task);
}

void Engine::NotifyDrainIfClosed() {
  // Dekker with Close(): this thread's counter writes, fence, read closed_;
  // Close writes closed_, fence, reads the counters. Either Close sees the
  // counts, or this thread sees closed_ and notifies under the mutex (so a
  // waiter between its check and its wait cannot miss it).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Relaxed: ordered by the fence above.
  if (closed_.load(std::memory_order_relaxed)) {
    std::lock_guard lock(drain_mu_);
    drain_cv_.notify_all();
  }
  // The same handshake with WaitIdle (idle_waiters_ up, then the counters).
  if (idle_waiters_.load(std::memory_order_relaxed) > 0) NotifyIdle();
}

void Engine::Pause() noexcept {
  paused_.store(true, std::memory_order_seq_cst);
  // No effect once closed: Close clears the flag after it sets closed_, so
  // either it sees this store or this thread sees closed_ and undoes it.
  if (closed_.load(std::memory_order_seq_cst)) paused_.store(false, std::memory_order_seq_cst);
}

void Engine::Resume() noexcept {
  // seq_cst: a worker about to park re-checks the flag after announcing
  // itself (Park); either it sees the pool resumed or WakeAll sees it parked.
  if (paused_.exchange(false, std::memory_order_seq_cst)) {
    WakeAll();
    // Workers blocked in waits while paused lost their spares (a spare
    // with nothing to run goes idle): the queued tasks get them back.
    while (blocked_.load(std::memory_order_seq_cst) >
               active_spares_.load(std::memory_order_seq_cst) &&
           HasQueuedWork()) {
      if (!ActivateSpare()) {
        AskABlockedWaiterToHelp();
        break;
      }
    }
  }
}

std::size_t Engine::Purge() {
  std::lock_guard lock(purge_mu_);
  if (!purger_) {
    purger_ = std::make_unique<Worker>(*this, kOffRowId, /*spare=*/true);
    purger_view_.store(purger_.get(), std::memory_order_release);
  }
  const Error why("purged (Pool::Purge)", ErrorCode::kCancelled);
  std::size_t purged = 0;
  // Retries waiting out a backoff hold no slot.
  for (void* t : timer_.TakeAll()) {
    SettleUnrun(sink_, *purger_, static_cast<TaskRecord*>(t), why);
    ++purged;
  }
  // Queued tasks (the overflow path's included: they sit in the same
  // queues) give their slot back first, so blocked producers get in at once.
  // A coroutine's resumption is not a task to purge: settling it here would
  // run the coroutine's body on this thread. It is set aside and queued
  // again once every queue is drained, with its slot.
  std::vector<TaskRecord*> resumptions;
  auto drain = [&](Worker& w) {
    TaskRecord* t = nullptr;
    while (w.TryPopAt(Priority::kHigh, t) || w.TryPop(t) || w.TryStealSpawned(t) ||
           w.TryPopAt(Priority::kLow, t)) {
      if (!Claim(*purger_, t)) continue;  // expired meanwhile: settled already
      if (t->Resumption()) {
        try {
          resumptions.push_back(t);
        } catch (...) {  // no memory to set it aside: queue it again now
          DispatchAt(Priority::kNormal, t);
        }
        continue;
      }
      gate_.Release(1);
      SettleUnrun(sink_, *purger_, t, why);
      ++purged;
    }
  };
  workers_.ForEachMade(drain);
  ForEachSpare(drain);
  // kNormal: a resumption has no priority of its own.
  for (TaskRecord* t : resumptions) DispatchAt(Priority::kNormal, t);
  NotifyDrainIfClosed();  // settled: a Close or a WaitIdle may be waiting
  return purged;
}

void Engine::SetWorkers(std::size_t n) {
  CheckSize("Pool::SetWorkers", n, queue_capacity_);
  std::lock_guard lock(resize_mu_);
  // Once closed, Close owns the threads (StopWorkers joins them under this
  // mutex, so a resize it waited for has finished).
  if (Closed()) return;
  const std::size_t seated = workers_.Seated();
  const auto slots = [this](std::size_t workers) {
    return static_cast<std::int64_t>(workers * queue_capacity_);
  };
  if (n < seated) {
    // The dispatcher stops picking them, then the capacity shrinks (the
    // free count may go below zero: producers wait until the queues drain
    // below the new capacity, no task is dropped). Each leaves between two
    // tasks, handing its queue to the seated workers (RunUntil).
    workers_.SetSeated(n);
    gate_.Resize(slots(n) - slots(seated));
    gate_.SetOversubscribed(Oversubscribed(n));
    RetireThreads(n, seated);
    return;
  }
  // Growing: the slots of workers that left get new threads, then new
  // Workers; seated (and their slots freed) once all of them run.
  std::size_t started = seated;
  try {
    for (; started < n; ++started) {
      if (started == workers_.Made()) {
        workers_.Make(std::make_unique<Worker>(*this, started));
        workers_.PublishMade();
        TraceNewWorker(started);
      }
      Worker& w = workers_[started];
      if (w.LeaveAsked()) {
        // It left (its thread was joined): its row starts again from zero.
        auto base = std::make_unique<RowBaseline>(ReadRow(w));
        std::lock_guard baseline(baseline_mu_);
        row_baselines_[started] = std::move(base);
      }
      w.Reseat();
      StartThread(w);
    }
  } catch (...) {
    // A thread could not start, or on_thread_start threw (StartThread
    // joined nothing: the thread returned). Stop the ones started here,
    // that one included.
    RetireThreads(seated, std::min(started + 1, workers_.Made()));
    throw;
  }
  workers_.SetSeated(n);
  gate_.Resize(slots(n) - slots(seated));
  gate_.SetOversubscribed(Oversubscribed(n));
}

bool Engine::Oversubscribed(std::size_t workers) const noexcept {
  const std::size_t cpus =
      cpus_.empty() ? std::max(1u, std::thread::hardware_concurrency()) : cpus_.size();
  return workers > cpus;
}

void Engine::RetireThreads(std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) {
    workers_[i].AskToLeave();
    Unpark(workers_[i]);  // after the request: Park re-checks it
  }
  // Each leaves between two tasks (RunUntil); a long task is waited for.
  for (std::size_t i = first; i < last; ++i) workers_[i].Join();
}

bool Engine::IdleNow() const {
  const Accounting a = Totals();
  return a.in_flight <=
         static_cast<std::uint64_t>(idle_waiting_tasks_.load(std::memory_order_seq_cst));
}

void Engine::NotifyIdle() {
  std::lock_guard lock(idle_mu_);
  idle_cv_.notify_all();
}

bool Engine::WaitIdle(std::optional<Clock::time_point> deadline) {
  // On a thread of this pool: help (isolated) as TaskGroup::Wait does.
  if (Worker* own = OwnWorker()) return WaitIdleOnWorker(*own, deadline);
  return BlockUntilIdle(deadline);
}

bool Engine::BlockUntilIdle(std::optional<Clock::time_point> deadline,
                            const std::atomic<bool>* also) {
  std::unique_lock lock(idle_mu_);
  // seq_cst: the waiter count up, then the counters (IdleNow), against a
  // settling thread's counters, then this count (RunTask, Park's fence).
  idle_waiters_.fetch_add(1, std::memory_order_seq_cst);
  bool idle = IdleNow();
  while (!idle) {
    if (also != nullptr && also->load(std::memory_order_relaxed)) break;
    if (!deadline) {
      idle_cv_.wait(lock);
    } else if (idle_cv_.wait_until(lock, *deadline) == std::cv_status::timeout) {
      idle = IdleNow();
      break;
    }
    idle = IdleNow();
  }
  idle_waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return idle;
}

Accounting Engine::Totals() const {
  Accounting a;
  auto add = [&a](const Worker& w) {
    const WorkerStats& s = w.Stats();
    // The sub-counts before `failed`: Settle writes `failed` first, so
    // `failed` read last is never behind them (no underflow below).
    const std::uint64_t cancelled = s.cancelled.Load();
    const std::uint64_t exception = s.exceptions.Load();
    const std::uint64_t failed = s.failed.Load();
    const std::uint64_t succeeded = s.succeeded.Load();
    a.settled += succeeded + failed;
    a.succeeded += succeeded;
    a.failed += failed - cancelled - exception;
    a.cancelled += cancelled;
    a.exception += exception;
    a.executed += s.executed.Load();
    a.retried += s.retried.Load();
    a.callback_errors += s.callback_errors.Load();
  };
  workers_.ForEachMade(add);
  ForEachOffRow([&](const Worker& w) { add(w); });
  a.accepted = accepted_.load(std::memory_order_seq_cst);
  a.in_flight = a.accepted >= a.settled ? a.accepted - a.settled : 0;
  return a;
}

void Engine::WaitDrained() {
  std::unique_lock lock(drain_mu_);
  for (;;) {
    const Accounting a = Totals();
    if (a.settled >= a.accepted) return;
    // Woken by NotifyDrainIfClosed: a worker about to park (after the last
    // settle every worker runs dry and parks; a closed pool skips the idle
    // poll) or an undone admission. No timeout: the handshake cannot miss.
    drain_cv_.wait(lock);
  }
}

void Engine::WakeAll() {
  workers_.ForEachMade([this](Worker& w) { Unpark(w); });
  // An idle spare sleeps until a waiter claims it (ActivateSpare counts it
  // active, then wakes it: IdleSpare takes every wake for such a claim) or
  // the pool stops. Woken for anything else it would leave the active count
  // once too often (Resume did: the count went below zero, and spares then
  // never retired).
  if (Stopping()) ForEachSpare([](Worker& w) { w.Unpark(); });
}

void Engine::StartTrace(TraceOptions options) {
  // Every worker made so far has a buffer (those that left get theirs back
  // if they are seated again); one SetWorkers makes during the trace gets
  // one of the same share (TraceNewWorker).
  const std::size_t n = workers_.Made();
  const std::size_t share = options.max_events / n;
  // Allocated before the lock and before any worker sees it: the workers'
  // path never allocates. The total is split evenly, the remainder to the
  // first workers.
  std::vector<std::unique_ptr<TraceBuffer>> buffers;
  buffers.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    buffers.push_back(std::make_unique<TraceBuffer>(share + (i < options.max_events % n ? 1 : 0)));
  }
  std::lock_guard lock(trace_mu_);
  // Workers made since `n` was read (a SetWorkers that found no trace
  // running, or the previous one): buffers of their own, here.
  for (std::size_t i = n; i < workers_.Made(); ++i) {
    buffers.push_back(std::make_unique<TraceBuffer>(share));
  }
  // A running trace is discarded: its buffers are freed once every worker
  // has let go of them (ExchangeTrace waits for an append in flight).
  trace_origin_ = BusyClock::Now();
  trace_share_ = share;
  for (std::size_t i = 0; i < buffers.size(); ++i) workers_[i].ExchangeTrace(buffers[i].get());
  trace_buffers_ = std::move(buffers);
}

void Engine::TraceNewWorker(std::size_t id) {
  std::lock_guard lock(trace_mu_);
  // No trace running, or StartTrace saw this worker already.
  if (trace_buffers_.empty() || trace_buffers_.size() != id) return;
  trace_buffers_.push_back(std::make_unique<TraceBuffer>(trace_share_));
  workers_[id].ExchangeTrace(trace_buffers_.back().get());
}

Trace Engine::StopTrace() {
  std::vector<std::unique_ptr<TraceBuffer>> buffers;
  BusyClock::Ticks origin = 0;
  {
    std::lock_guard lock(trace_mu_);
    if (trace_buffers_.empty()) return Trace();
    for (std::size_t i = 0; i < trace_buffers_.size(); ++i) workers_[i].ExchangeTrace(nullptr);
    buffers = std::move(trace_buffers_);
    trace_buffers_.clear();
    origin = trace_origin_;
  }
  // The workers no longer touch the buffers: convert outside the lock.
  const double ns_per_tick = busy_clock_.NanosPerTick();
  auto since = [&](BusyClock::Ticks t) {
    // Admitted before the trace started: shown at its start.
    if (t <= origin) return std::chrono::nanoseconds(0);
    return std::chrono::nanoseconds(
        static_cast<std::int64_t>(static_cast<double>(t - origin) * ns_per_tick));
  };
  std::size_t total = 0;
  std::uint64_t dropped = 0;
  for (const auto& b : buffers) {
    total += b->Size();
    dropped += b->Dropped();
  }
  std::vector<TraceEvent> events;
  events.reserve(total);
  for (std::size_t w = 0; w < buffers.size(); ++w) {
    for (const RawTraceEvent& r : *buffers[w]) {
      TraceEvent e;
      e.task = r.task;
      e.worker = w;
      e.attempt = r.attempt;
      e.stolen = r.stolen;
      e.priority = r.priority;
      e.outcome = r.outcome;
      e.admitted = since(r.admitted);
      e.start = since(r.start);
      e.end = since(r.end);
      events.push_back(e);
    }
  }
  return Trace(std::move(events), dropped, buffers.size());
}

void Engine::Close(CloseMode mode) {
  // cancel_pending_ before closed_: whoever sees the pool closed by a
  // kCancelPending close also sees that queued tasks are to be cancelled.
  if (mode == CloseMode::kCancelPending) {
    cancel_pending_.store(true, std::memory_order_seq_cst);
  }
  closed_.store(true, std::memory_order_seq_cst);
  // A paused pool is resumed: kDrain runs its queued tasks, kCancelPending
  // cancels them (CancelPending, checked before each attempt).
  paused_.store(false, std::memory_order_seq_cst);
  // Pairs with the fence in NotifyDrainIfClosed (WaitDrained reads the
  // counters after this).
  std::atomic_thread_fence(std::memory_order_seq_cst);
  // Retries waiting out a backoff run now: a close never waits for a delay
  // (and they stop there: no retry is requeued after Close).
  timer_.Flush();
  gate_.WakeAll();
  WakeAll();
  if (OwnWorker() != nullptr) return;  // the owner of the pool finishes the close
  std::call_once(stopped_once_, [this] { StopWorkers(); });
}

void Engine::StopWorkers() {
  WaitDrained();
  // After a SetWorkers in flight (it saw the pool open): its threads are
  // started, or it made none.
  std::lock_guard resize(resize_mu_);
  stop_.store(true, std::memory_order_seq_cst);
  // A worker may be between its Stopping() check and parking: Park()
  // re-checks Stopping() after announcing itself, and WakeAll covers the rest.
  WakeAll();
  workers_.ForEachMade([](Worker& w) { w.Join(); });
  // Spares start only while workers run: none starts after the joins above.
  {
    std::lock_guard lock(spare_mu_);
    for (auto& w : spares_) w->Join();
  }
  timer_.Stop();
  // Every task was taken: the held tickets fire and find nothing to expire.
  expiry_timer_.Stop();
  // A task the expiry timer settled stays in its queue until a worker pops
  // it and lets go of it (QueueTicket); a worker that stopped first left it
  // there. Every thread is joined: let go of those here, each by the same
  // protocol (Claim finds it expired), so neither record nor ticket leaks.
  auto drop_expired = [this](Worker& w) {
    TaskRecord* t = nullptr;
    while (w.TryPopAt(Priority::kHigh, t) || w.TryPop(t) || w.TryStealSpawned(t) ||
           w.TryPopAt(Priority::kLow, t)) {
      // Not expired: impossible once drained (every accepted task settled);
      // settled here rather than lost.
      if (Claim(w, t)) SettleUnrun(sink_, w, t, Error("pool stopped", ErrorCode::kClosed));
    }
  };
  workers_.ForEachMade(drop_expired);
  ForEachSpare(drop_expired);
}

}  // namespace litepool::detail
