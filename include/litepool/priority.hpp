// litepool/priority.hpp — Priority, the scheduling class of a task.
//
// Set by TaskOptions::SetPriority and SubmitOptions::priority, reported by
// TraceEvent::priority. A worker always takes the highest-priority task it
// can see (its own queue, then the queue it steals from) before a lower
// one; within one priority no order is promised. A plain enum: thread-safe,
// never allocates.
#ifndef LITEPOOL_PRIORITY_HPP_
#define LITEPOOL_PRIORITY_HPP_

#include "litepool/detail/export.hpp"

namespace litepool {

// The scheduling class of a task; kNormal unless set.
enum class Priority { kLow, kNormal, kHigh };

}  // namespace litepool

#endif  // LITEPOOL_PRIORITY_HPP_
