// Settlement: runs one attempt of a task and takes it through its hooks,
// retries and group credit (DESIGN §3, "Order for one task").
#ifndef LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_
#define LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_

#include "busy_clock.hpp"

namespace litepool::detail {

class Engine;
class Worker;
struct TaskRecord;

// Runs the next attempt of `task` on the calling worker thread (or settles
// it as cancelled without running it, when its group or the pool cancelled
// it). Either re-queues it for a retry or settles it: OnComplete, credit,
// counters, and deletes it. Never throws: user exceptions are caught.
// The worker's busy time grows by now - `start`; returns now, so a worker
// that goes straight on to its next task reads the clock once per task.
BusyClock::Ticks RunAttempt(Engine& engine, Worker& self, TaskRecord* task,
                            BusyClock::Ticks start);

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_SETTLEMENT_HPP_
