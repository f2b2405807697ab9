// Pool's scheduling controls: Pause / Resume / Paused / Purge,
// WaitIdle / WaitIdleFor and SetWorkers, over the engine.
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "api/deferred_tasks.hpp"
#include "engine/engine.hpp"
#include "litepool/detail/deadline.hpp"
#include "litepool/pool.hpp"
#include "task/execution_context.hpp"

namespace litepool {

void Pool::Pause() { engine_->Pause(); }
void Pool::Resume() { engine_->Resume(); }
bool Pool::Paused() const { return engine_->Paused(); }
std::size_t Pool::Purge() {
  // Deferred tasks first: a dependent released by the purge of its
  // dependency would otherwise be purged or not depending on which queue
  // the engine drains first. Every task not running is purged, so are
  // the dependents waiting for it.
  const std::size_t deferred = deferred_->CancelAll(/*for_good=*/false);
  return deferred + engine_->Purge();
}
namespace {
// WaitIdle and WaitIdleFor: off the pool's workers, watched for a stuck
// wait (PoolOptions::stuck_wait_report). The engine's idle test is the
// watch's quiet test, so a report means a wake-up went missing.
bool WatchedWaitIdle(detail::Engine& engine,
                     std::optional<std::chrono::steady_clock::time_point> deadline) {
  const std::shared_ptr<const detail::StuckWatch> watch = engine.StuckWatchHandle();
  const bool on_worker = detail::Context().worker != nullptr;
  return detail::WatchedWait(
      on_worker ? nullptr : watch.get(), deadline,
      [&engine](std::optional<std::chrono::steady_clock::time_point> until) {
        return engine.WaitIdle(until);
      },
      [&watch] { return detail::StuckIdleMessage(*watch); });
}
}  // namespace

void Pool::WaitIdle() const { WatchedWaitIdle(*engine_, std::nullopt); }
bool Pool::WaitIdleFor(std::chrono::nanoseconds timeout) const {
  return WatchedWaitIdle(*engine_, detail::DeadlineAfter(timeout));
}
void Pool::SetWorkers(std::size_t n) {
  if (n == 0) throw std::invalid_argument("Pool::SetWorkers: n must be >= 1");
  if (OnWorkerThread()) {
    throw std::logic_error("Pool::SetWorkers called on one of the pool's own worker threads");
  }
  engine_->SetWorkers(n);
}

}  // namespace litepool
