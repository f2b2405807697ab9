// Pool's scheduling controls (DESIGN §6.2): Pause / Resume / Paused / Purge,
// WaitIdle / WaitIdleFor and SetWorkers, over the engine.
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "api/deferred_tasks.hpp"
#include "engine/engine.hpp"
#include "litepool/detail/deadline.hpp"
#include "litepool/pool.hpp"

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
void Pool::WaitIdle() const { engine_->WaitIdle(std::nullopt); }
bool Pool::WaitIdleFor(std::chrono::nanoseconds timeout) const {
  return engine_->WaitIdle(detail::DeadlineAfter(timeout));
}
void Pool::SetWorkers(std::size_t n) {
  if (n == 0) throw std::invalid_argument("Pool::SetWorkers: n must be >= 1");
  if (OnWorkerThread()) {
    throw std::logic_error("Pool::SetWorkers called on one of the pool's own worker threads");
  }
  engine_->SetWorkers(n);
}

}  // namespace litepool
