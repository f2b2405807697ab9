// litepool/dispatch.hpp — Dispatch, the policy a Pool uses to pick the
// worker for a new task (PoolOptions::dispatch). Its own header so that the
// engine's dispatcher needs nothing else of the public API.
#ifndef LITEPOOL_DISPATCH_HPP_
#define LITEPOOL_DISPATCH_HPP_

#include "litepool/detail/export.hpp"

namespace litepool {

// How the pool picks the worker for a new task or a retry
// (PoolOptions::dispatch), fixed for the pool's life. A policy only decides
// where a task is queued: under every policy idle workers steal from the
// busiest queue, and every accepted task settles exactly once. The default
// costs the least per task; kLeastLoaded reads every worker's load per task.
// The policies exist to compare load balance (tools/lab, litepool-lab).
enum class Dispatch {
  kIdleFirstTwoChoices,  // an idle worker, else the less loaded of two (default)
  kRoundRobin,           // workers in turn
  kRandom,               // a random worker
  kLeastLoaded,          // the worker with the fewest queued + running tasks
};

}  // namespace litepool

#endif  // LITEPOOL_DISPATCH_HPP_
