// Pool: the public facade over the Engine.
#include "litepool/pool.hpp"

#include <stdexcept>
#include <string>

#include "engine/engine.hpp"
#include "engine/execution_context.hpp"
#include "litepool/detail/overflow_scope.hpp"
#include "api/pool_anchor.hpp"
#include "api/task_options_access.hpp"
#include "engine/worker.hpp"

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
      anchor_(std::make_shared<detail::PoolAnchor>(*this)) {}

Pool::~Pool() {
  // Continuations posted from here on (Then on a Future of this pool) find
  // the pool gone and settle kClosed; the ones posted while Close drains
  // find it closed.
  Close(CloseMode::kDrain);
  anchor_->CutOff();
}

Error Pool::AddTask(TaskOptions options) {
  return engine_->AddTask(std::move(detail::TaskOptionsAccess::Spec(options)));
}

Error Pool::AddTaskGroup(std::vector<TaskOptions> options) {
  std::vector<detail::TaskSpec> specs;
  specs.reserve(options.size());
  for (auto& o : options) {
    specs.push_back(std::move(detail::TaskOptionsAccess::Spec(o)));
  }
  return engine_->AddTaskGroup(std::move(specs));
}

TaskGroup Pool::NewTaskGroup(std::int64_t n) { return TaskGroup(n); }

UsageReport Pool::Stats() const { return engine_->Stats(); }

void Pool::StartTrace(TraceOptions options) { engine_->StartTrace(options); }
Trace Pool::StopTrace() { return engine_->StopTrace(); }

void Pool::Close(CloseMode mode) {
  // Before the engine cancels the queue: a running stop-token task hears of
  // the cancel no later than the tasks queued behind it.
  if (mode == CloseMode::kCancelPending) cancel_stop_.request_stop();
  engine_->Close(mode);
}
bool Pool::Closed() const { return engine_->Closed(); }

std::size_t Pool::Workers() const { return engine_->Workers(); }
std::size_t Pool::QueueCapacity() const { return engine_->QueueCapacity(); }
std::size_t Pool::Capacity() const { return engine_->Capacity(); }

bool Pool::OnWorkerThread() const noexcept {
  const detail::Worker* w = detail::Context().worker;
  return w != nullptr && &w->GetEngine() == engine_.get();
}
bool Pool::OnAnyPoolWorkerThread() noexcept { return detail::Context().worker != nullptr; }

}  // namespace litepool
