// litepool/priority.hpp — Priority, the scheduling class of a task.
//
// Named by SubmitOptions::priority and TraceEvent::priority. The engine does
// not schedule by priority yet: Submit refuses a non-default priority
// (TaskError kInvalidArgument, "not supported yet") rather than ignore it,
// and traces record kNormal. A plain enum: thread-safe, never allocates.
#ifndef LITEPOOL_PRIORITY_HPP_
#define LITEPOOL_PRIORITY_HPP_

#include "litepool/detail/export.hpp"

namespace litepool {

// The scheduling class of a task; kNormal unless set.
enum class Priority { kLow, kNormal, kHigh };

}  // namespace litepool

#endif  // LITEPOOL_PRIORITY_HPP_
