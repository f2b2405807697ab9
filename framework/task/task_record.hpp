// TaskRecord: one accepted task on its way through the engine.
//
// A plain task (SetTask and nothing else) fits in one cache line: the body,
// the group handle, a pointer to the extras, and one word holding the
// admission time and four flags. Everything a plain task leaves empty
// (interface task, hooks, retry state, trace id) lives in a TaskExtras
// right behind the record, in a larger block that RecordPool hands out only
// to tasks that have any of it. The record crosses from the
// producer to a worker, and its block back to a producer: each line it
// spans is two cache-line transfers per task (measured: the 360-byte record
// of before cost 8-12 % ns/task in EmptyTask/plain; hooks unchanged).
// Blocks are recycled, so steady state allocates nothing.
#ifndef LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
#define LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <stop_token>
#include <utility>

#include "base/cache_line.hpp"
#include "litepool/detail/task_spec.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/task_group.hpp"
#include "observe/busy_clock.hpp"
#include "task/group_state.hpp"

namespace litepool::detail {

struct TaskRecord;

// The claim on a queued task with a queue timeout (SetQueueTimeout), shared
// by its record and the expiry timer: the worker that takes the task and
// the timer that expires it race for it with one CAS. An expired record
// stays in its queue (a lock-free queue cannot give it back): the timer
// settles it and empties it (Hollow), and the last of the two to let go of
// it (record_refs) frees it.
//
// A task with a stop token (SubmitOptions::stop) has a ticket too: a stop
// requested while it is queued hands the ticket to the expiry timer at
// once (`on_stop`), which settles the task as kCancelled.
struct QueueTicket {
  enum State : int { kQueued, kTaken, kExpired };
  // Where a stopped ticket goes: the engine's expiry, which settles the
  // task at once. Called on the thread that requested the stop; never throws.
  class StopSink {
   public:
    virtual void ExpireSoon(QueueTicket* ticket) noexcept = 0;

   protected:
    ~StopSink() = default;
  };
  // What a stop does: hand the ticket (and this registration's reference)
  // to the sink.
  struct OnStop {
    StopSink* sink;
    QueueTicket* ticket;
    void operator()() const noexcept {
      ticket->stop_fired.store(true, std::memory_order_release);
      sink->ExpireSoon(ticket);
    }
  };
  // `refs`: the record, plus the deadline's timer entry and the stop
  // registration, each if there is one.
  QueueTicket(TaskRecord* r, std::chrono::steady_clock::time_point d, int initial_refs) noexcept
      : refs(initial_refs), record(r), deadline(d) {}
  std::atomic<int> state{kQueued};
  std::atomic<int> refs;
  std::atomic<int> record_refs{2};  // once expired: the queue and the timer
  TaskRecord* const record;
  const std::chrono::steady_clock::time_point deadline;
  // Set by OnStop before it hands its reference to the timer.
  std::atomic<bool> stop_fired{false};
  // Registered before the task is queued; destroyed by whoever takes or
  // expires the task first (DropStop), else with the ticket.
  std::optional<std::stop_callback<OnStop>> on_stop;
  // It has a deadline (a queue timeout), and so a timer entry to start
  // once the task is queued. Read it before the task is queued: a ticket
  // for the stop token only may be freed by the worker that takes the task.
  bool Timed() const noexcept { return deadline != std::chrono::steady_clock::time_point::max(); }
  // Drops one reference; deletes the ticket at the last.
  void Release() noexcept {
    if (refs.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }
  // Unregisters the stop callback (waiting for one running on another
  // thread) and drops its reference unless it fired (then the timer holds
  // it). Called once, by the thread that won `state`; a ticket without a
  // stop token does nothing.
  void DropStop() noexcept {
    if (!on_stop) return;
    on_stop.reset();
    if (!stop_fired.load(std::memory_order_acquire)) Release();
  }
};

// The cold part of a record: the hooks, and the retry state.
struct TaskExtras {
  explicit TaskExtras(TaskHooks&& h) noexcept : hooks(std::move(h)) {}

  TaskHooks hooks;
  // Retry state, set when OnError calls ErrReload (OnError lives here, so a
  // retrying task always has extras).
  int retries_left = 0;        // -1: unlimited
  int attempt = 0;             // retries run so far
  std::uint64_t trace_id = 0;  // 0 until a traced attempt names the task
  // Set while the first attempt waits in a queue with a queue timeout;
  // cleared by the worker that takes the task (retries are not re-timed).
  QueueTicket* ticket = nullptr;
  ErrHandle::AfterFn after;
  Backoff backoff;
};

struct alignas(kCacheLine) TaskRecord {
  // Moves the body and group of `s` here and its hooks into a TaskExtras
  // built in `extras_block` (non-null exactly when s.hooks.Any()).
  // Only moves; noexcept so RecordPool can build it in a recycled block.
  TaskRecord(TaskSpec&& s, void* extras_block) noexcept
      : exec_fn(std::move(s.exec_fn)),
        group(GroupAccess::Make(std::move(s.group))),
        extras(extras_block != nullptr ? new (extras_block) TaskExtras(std::move(s.hooks))
                                       : nullptr),
        // One store: the admission stamp and the flags (auto_done, resumption).
        word_((BusyClock::Now() & kAdmittedMask) | (s.auto_done ? kAutoDone : 0) |
              (s.resumption ? kResumption : 0)) {
    // A body too large for the record lives in the extras: call it there.
    if (extras != nullptr && extras->hooks.exec_large) exec_fn = LargeBody{extras};
  }

  GroupState* Group() const noexcept { return GroupAccess::State(group); }
  bool GroupCancelled() const noexcept {
    GroupState* g = Group();
    return g != nullptr && g->stop.stop_requested();
  }

  // SetPriority's level (kept in the extras: a plain task is kNormal).
  Priority GetPriority() const noexcept {
    return extras != nullptr ? extras->hooks.priority : Priority::kNormal;
  }

  bool HasOnError() const noexcept {
    return extras != nullptr && (extras->hooks.on_error_fn || extras->hooks.on_error_iface);
  }

  // Calls the body kept in the extras (TaskHooks::exec_large).
  struct LargeBody {
    TaskExtras* extras;
    Error operator()() const { return extras->hooks.exec_large(); }
  };

  // BusyClock ticks of the admission (a retry: its re-queue), kept to
  // kAdmittedBits bits: the flags leave that much room in the record's last
  // word. A new record is stamped when it is built (AddTask), a retry by
  // RequeueNow.
  void SetAdmitted(BusyClock::Ticks now) noexcept {
    word_ = (word_ & ~kAdmittedMask) | (now & kAdmittedMask);
  }
  // `now` minus the admission time, in ticks: negative when the task was
  // admitted after `now` (pushed while its worker was already looking for
  // work, `now` being taken before the pop). The 56-bit difference is
  // sign-extended; it wraps after 2^55 ticks, months at any TSC rate.
  std::int64_t SinceAdmitted(BusyClock::Ticks now) const noexcept {
    constexpr unsigned kSpare = 64 - kAdmittedBits;
    return static_cast<std::int64_t>((now - word_) << kSpare) >> kSpare;
  }

  // Where the task is in its life (settlement.cpp drives it):
  //   kFirstAttempt  queued or running its first attempt; a failure goes to
  //                  OnError, which may ask for retries
  //   kRetrying      OnError asked for retries: a failure retries (or runs
  //                  `after` when none are left), OnError is not called again
  // Settled is not a phase: a settled record is freed at once.
  enum class Phase : std::uint8_t { kFirstAttempt, kRetrying };
  Phase GetPhase() const noexcept {
    return (word_ & kRetrying) != 0 ? Phase::kRetrying : Phase::kFirstAttempt;
  }
  void EnterRetrying() noexcept { word_ |= kRetrying; }

  // Properties, fixed or set once: written only by the thread that owns the
  // record at the time.
  bool AutoDone() const noexcept { return (word_ & kAutoDone) != 0; }
  // A coroutine's resumption (TaskSpec::resumption): never purged or
  // cancelled, it always runs on a worker.
  bool Resumption() const noexcept { return (word_ & kResumption) != 0; }
  // `group` was made for OnError of a group-less task.
  bool PrivateGroup() const noexcept { return (word_ & kPrivateGroup) != 0; }
  void SetPrivateGroup() noexcept { word_ |= kPrivateGroup; }
  // Done() called from the task's own code.
  bool CreditRequested() const noexcept { return (word_ & kCreditRequested) != 0; }
  void SetCreditRequested() noexcept { word_ |= kCreditRequested; }

  static constexpr unsigned kAdmittedBits = 56;
  static constexpr BusyClock::Ticks kAdmittedMask = (BusyClock::Ticks{1} << kAdmittedBits) - 1;
  static constexpr std::uint64_t kAutoDone = std::uint64_t{1} << kAdmittedBits;
  static constexpr std::uint64_t kPrivateGroup = kAutoDone << 1;
  static constexpr std::uint64_t kRetrying = kAutoDone << 2;
  static constexpr std::uint64_t kCreditRequested = kAutoDone << 3;
  static constexpr std::uint64_t kResumption = kAutoDone << 4;

  ExecFn exec_fn;      // empty for an interface task (extras)
  TaskGroup group;     // kept until settled: OnError's TaskGroup& refers to it
  TaskExtras* extras;  // null for a plain task; RecordPool frees it

 private:
  // One word: the admission stamp (low kAdmittedBits bits) and the flags
  // above it, so the record stays one cache line and is stamped with one
  // store. Written only by the thread that owns the record at the time.
  std::uint64_t word_;
};

// The plain record stays one cache line (a plain task pays for no feature it
// does not use): the admission stamp
// and the flags share its last word.
static_assert(sizeof(TaskRecord) == kCacheLine, "a plain TaskRecord is one cache line");

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_TASK_RECORD_HPP_
