// Pool: the public facade over the Engine.
#include "litepool/pool.hpp"

#include <stdexcept>
#include <string>

#include "api/deferred_tasks.hpp"
#include "api/periodic_timer.hpp"
#include "api/pool_anchor.hpp"
#include "api/task_options_access.hpp"
#include "engine/engine.hpp"
#include "engine/worker.hpp"
#include "litepool/detail/overflow_scope.hpp"
#include "task/execution_context.hpp"
#include "task/group_state.hpp"

namespace litepool {

namespace detail {
bool ExchangeOverflowOnWorker(bool on) noexcept {
  ExecutionContext& context = Context();
  const bool previous = context.overflow_ok;
  // Off a worker thread the flag stays off: such a thread may block, and
  // the pool's bound must hold for it.
  context.overflow_ok = on && context.worker != nullptr;
  return previous;
}
}  // namespace detail

namespace {
PoolOptions Sized(std::size_t workers, std::size_t queue_capacity) {
  if (workers == 0) {
    throw std::invalid_argument("litepool::Pool: workers must be >= 1");
  }
  PoolOptions o;
  o.workers = workers;
  o.queue_capacity = queue_capacity;
  return o;
}

}  // namespace

Pool::Pool(std::size_t workers, std::size_t queue_capacity)
    : Pool(Sized(workers, queue_capacity)) {}

Pool::Pool(PoolOptions options)
    : engine_(std::make_unique<detail::Engine>(std::move(options))),
      anchor_(std::make_shared<detail::PoolAnchor>(*this)),
      deferred_(std::make_unique<detail::DeferredTasks>(*engine_)),
      periodic_(std::make_unique<detail::PeriodicTimer>(*this)) {}

Pool::~Pool() {
  // Close(kDrain) waits for the deferred tasks too (they count as
  // accepted), so the timer holds nothing when it stops. Continuations
  // posted from here on (Then on a Future of this pool) find the pool gone
  // and settle kClosed; the ones posted while Close drains find it closed.
  Close(CloseMode::kDrain);
  periodic_->Stop();
  deferred_->Stop();
  anchor_->CutOff();
}

Error Pool::AddTask(TaskOptions options) {
  detail::TaskSpec& spec = detail::TaskOptionsAccess::Spec(options);
  if (spec.Deferred()) [[unlikely]]
    return deferred_->Add(std::move(spec));
  return engine_->AddTask(std::move(spec));
}

Error Pool::AddTaskGroup(std::vector<TaskOptions> options) {
  std::vector<detail::TaskSpec> specs;
  specs.reserve(options.size());
  bool deferred = false;
  for (auto& o : options) {
    specs.push_back(std::move(detail::TaskOptionsAccess::Spec(o)));
    deferred = deferred || specs.back().Deferred();
  }
  if (deferred) [[unlikely]] {
    // All or none cannot hold for tasks queued later one by one: refused
    // as any invalid batch is (each group told, auto-Done credited).
    const Error why(
        "AddTaskGroup: a delayed or dependent task (SetDelay, SetAfter) must be "
        "added with AddTask",
        ErrorCode::kInvalidArgument);
    for (detail::TaskSpec& s : specs) {
      if (!s.group) continue;
      s.group->AddError(why);
      if (s.auto_done) s.group->Credit("auto-Done of a rejected task");
    }
    return why;
  }
  return engine_->AddTaskGroup(std::move(specs));
}

TaskGroup Pool::NewTaskGroup(std::int64_t n) {
  TaskGroup group(n);
  // Before the group is shared: its waits read it without a lock.
  detail::GroupAccess::State(group)->watch = engine_->StuckWatchHandle();
  return group;
}

void Pool::WatchStuckWaits(detail::FutureStateBase& state) const noexcept {
  state.SetStuckWatch(engine_->StuckWatchHandle());
}

UsageReport Pool::Stats() const {
  UsageReport report = engine_->Stats();
  report.delayed = deferred_->Held();
  return report;
}

void Pool::StartTrace(TraceOptions options) { engine_->StartTrace(options); }
Trace Pool::StopTrace() { return engine_->StopTrace(); }

void Pool::Close(CloseMode mode) {
  // Before the engine cancels the queue: a running stop-token task hears of
  // the cancel no later than the tasks queued behind it.
  // No periodic run is queued from now on (a run in progress finishes).
  periodic_->EndAll();
  if (mode == CloseMode::kCancelPending) {
    cancel_stop_.request_stop();
    // Before the engine's close waits for the drain: deferred tasks count
    // as accepted, and cancelled they need not wait for their time.
    deferred_->CancelAll(/*for_good=*/true);
  }
  engine_->Close(mode);
}
bool Pool::Closed() const { return engine_->Closed(); }

std::size_t Pool::Workers() const { return engine_->Workers(); }
std::size_t Pool::QueueCapacity() const { return engine_->QueueCapacity(); }
std::size_t Pool::Capacity() const { return Workers() * QueueCapacity(); }

bool Pool::OnWorkerThread() const noexcept {
  const detail::Worker* w = detail::Context().worker;
  return w != nullptr && engine_->Owns(*w);
}
bool Pool::OnAnyPoolWorkerThread() noexcept { return detail::Context().worker != nullptr; }

}  // namespace litepool
