// Purger: Pool::Purge — settles every queued task and every retry waiting
// out a backoff as kCancelled, on the caller's thread, without running
// them (their OnError / after / OnComplete and credit run). Queued tasks
// give their slot back first, so blocked producers get in at once.
// Coroutine resumptions are not tasks to purge: they stay queued and are
// not counted (a coroutine never runs on Purge's caller).
//
// Thread-safety: any thread; one Purge at a time (the others wait).
#ifndef LITEPOOL_FRAMEWORK_ENGINE_PURGER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_PURGER_HPP_

#include <cstddef>

#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

class Expiry;
class OffRowWorkers;
class Retries;
class Router;
class SettleSink;
class SlotGate;
class Spares;
class WorkerTable;
struct TaskRecord;
}  // namespace litepool::detail

namespace litepool {
class Error;
}

namespace litepool::detail {

class Purger {
 public:
  struct Parts {
    const WorkerTable& workers;
    Spares& spares;
    OffRowWorkers& off_row;
    Retries& retries;
    Expiry& expiry;
    SlotGate& gate;
    const SettleSink& sink;
    Router& router;
  };
  explicit Purger(const Parts& parts) noexcept : p_(parts) {}

  // Returns how many tasks it settled.
  std::size_t Purge() LITEPOOL_EXCLUDES(mu_);
  // Settles one admitted task that was never queued (a deferred one) with
  // `why`, unrun, on the calling thread, as Purge settles a queued one.
  void SettleDeferred(TaskRecord* task, const Error& why) LITEPOOL_EXCLUDES(mu_);

 private:
  Parts p_;
  // One Purge at a time: it settles with the off-row purger's counters and
  // record cache, which one thread at a time may use.
  Mutex mu_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_PURGER_HPP_
