#include "engine/engine.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>

#include "task/execution_context.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

// Bytes of freed plain records a pool keeps for reuse (8 MiB): a full pool of
// typical size recycles every block, and a huge one does not pin memory it
// needed once.
constexpr std::size_t kRecordCacheBytes = std::size_t{8} << 20;

PoolOptions Validated(PoolOptions o) {
  if (o.workers == 0) {
    o.workers = std::max(1u, std::thread::hardware_concurrency());
  }
  if (o.queue_capacity == 0) {
    throw std::invalid_argument("litepool::Pool: queue_capacity must be >= 1");
  }
  Resizer::CheckSize("litepool::Pool", o.workers, o.queue_capacity);
  switch (o.dispatch) {
    case Dispatch::kIdleFirstTwoChoices:
    case Dispatch::kRoundRobin:
    case Dispatch::kRandom:
    case Dispatch::kLeastLoaded:
      break;
    default:
      throw std::invalid_argument(
          "litepool::Pool: PoolOptions::dispatch is not a Dispatch value (" +
          std::to_string(static_cast<int>(o.dispatch)) + ")");
  }
  return o;
}

}  // namespace

Engine::Engine(PoolOptions options, ThreadFactory threads)
    : options_(Validated(std::move(options))),
      queue_capacity_(options_.queue_capacity),
      gate_(static_cast<std::int64_t>(options_.workers * queue_capacity_), options_.workers,
            static_cast<std::int64_t>(queue_capacity_),
            SlotGate::Refill{kRefillWait, kRefillWaitOversubscribed}),
      ledger_(workers_, spares_, off_row_),
      // Of each block kind: enough for a full pool plus each worker's batch
      // in flight, and no more than kRecordCacheBytes worth of plain records
      // (blocks with hooks are larger: the same count is about 5x that).
      // (As sized at construction: SetWorkers does not resize the cache.)
      records_(std::min<std::size_t>(options_.workers * (queue_capacity_ + RecordPool::kBatch),
                                     kRecordCacheBytes / sizeof(TaskRecord))),
      launcher_(options_, kMaxWorkers, std::move(threads)),
      scheduler_({options_, flags_, workers_, router_, parking_, spares_, quiescence_, expiry_,
                  gate_, sink_}),
      off_row_(scheduler_, records_, kOffRowId),
      spares_(scheduler_, records_, flags_.stop, kMaxWorkers, kMaxSpares,
              [this](Worker& w) { StartThread(w); }),
      quiescence_(ledger_),
      router_(workers_, options_.dispatch, parking_, spares_),
      retries_(gate_, router_, flags_.cancel_pending),
      sink_(flags_.closed, flags_.cancel_pending, retries_, quiescence_, trace_ids_),
      expiry_(gate_, sink_, off_row_),
      intake_({flags_, gate_, ledger_, records_, router_, expiry_, quiescence_, workers_,
               queue_capacity_, scheduler_}),
      purger_({workers_, spares_, off_row_, retries_, expiry_, gate_, sink_, router_}),
      stats_(workers_, spares_, off_row_, ledger_, busy_clock_, options_.name, queue_capacity_),
      tracing_(workers_, busy_clock_),
      resizer_({flags_, workers_, gate_, launcher_, parking_, stats_, tracing_, queue_capacity_,
                [this](std::size_t id) { return MakeWorker(id); },
                [this](Worker& w) { StartThread(w); }}) {
  stuck_watch_ =
      std::make_shared<StuckWatch>(options_.stuck_wait_report, options_.on_stuck_wait,
                                   options_.name, [this] { return quiescence_.IdleNow(); });
  gate_.SetOversubscribed(launcher_.Oversubscribed(options_.workers));
  for (std::size_t i = 0; i < options_.workers; ++i) {
    workers_.Make(MakeWorker(i));
    workers_.PublishMade();
  }
  workers_.SetSeated(options_.workers);
  try {
    workers_.ForEachMade([this](Worker& w) { StartThread(w); });
  } catch (...) {
    // A thread could not start (std::system_error), or on_thread_start or
    // pinning threw on it: stop and join the ones that did (and that one),
    // so that unwinding destroys no joinable std::thread (std::terminate),
    // then let the error reach the Pool's caller.
    flags_.closed.store(true, std::memory_order_seq_cst);
    flags_.stop.store(true, std::memory_order_seq_cst);
    scheduler_.WakeAll();
    workers_.ForEachMade([](Worker& w) { w.Join(); });
    throw;
  }
}

Engine::~Engine() {
  const Worker* own = Context().worker;
  if (own != nullptr && Owns(*own)) {
    // Joining would wait for this very thread: a programming error that
    // cannot be reported by exception from a destructor.
    std::fputs("litepool: a Pool was destroyed by one of its own tasks\n", stderr);
    std::terminate();
  }
  Close(CloseMode::kDrain);
  // Before the members IdleNow reads go away; waits still holding the
  // watch see a quiet pool from now on.
  stuck_watch_->Detach();
}

std::unique_ptr<Worker> Engine::MakeWorker(std::size_t id) {
  return std::make_unique<Worker>(scheduler_, records_, id);
}

void Engine::StartThread(Worker& w) {
  launcher_.Start(w, [this, &w] { scheduler_.Run(w); });
}

bool Engine::WaitIdle(std::optional<std::chrono::steady_clock::time_point> deadline) {
  // On a thread of this pool: help (isolated) as TaskGroup::Wait does.
  if (Worker* own = intake_.OwnWorker()) return scheduler_.WaitIdle(*own, deadline);
  return quiescence_.BlockUntilIdle(deadline);
}

void Engine::Close(CloseMode mode) {
  // cancel_pending before closed: whoever sees the pool closed by a
  // kCancelPending close also sees that queued tasks are to be cancelled.
  if (mode == CloseMode::kCancelPending) {
    flags_.cancel_pending.store(true, std::memory_order_seq_cst);
  }
  flags_.closed.store(true, std::memory_order_seq_cst);
  // A paused pool is resumed: kDrain runs its queued tasks, kCancelPending
  // cancels them (checked before each attempt).
  scheduler_.Unpause();
  // Retries waiting out a backoff run now: a close never waits for a delay
  // (and they stop there: no retry is requeued after Close).
  retries_.Flush();
  gate_.WakeAll();
  scheduler_.WakeAll();
  if (intake_.OwnWorker() != nullptr) return;  // the owner of the pool finishes the close
  std::call_once(stopped_once_, [this] { StopWorkers(); });
}

void Engine::StopWorkers() {
  quiescence_.WaitDrained();
  // After a SetWorkers in flight (it saw the pool open): its threads are
  // started, or it made none.
  resizer_.Exclusive([this] {
    flags_.stop.store(true, std::memory_order_seq_cst);
    // A worker may be between its stop check and parking: Park re-checks
    // the flag after announcing itself, and WakeAll covers the rest.
    scheduler_.WakeAll();
    workers_.ForEachMade([](Worker& w) { w.Join(); });
    spares_.JoinAll();
  });
  retries_.Stop();
  // Every task was taken: the held tickets fire and find nothing to expire.
  expiry_.Stop();
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
      if (expiry_.Claim(w, t)) SettleUnrun(sink_, w, t, Error("pool stopped", ErrorCode::kClosed));
    }
  };
  workers_.ForEachMade(drop_expired);
  spares_.ForEach(drop_expired);
}

}  // namespace litepool::detail
