// litepool/priority.hpp — Priority, the scheduling class of a task.
//
//   pool.AddTask(tg.NewTaskOptions().SetTask(Work).SetPriority(litepool::Priority::kHigh));
//
// A worker takes the highest-priority task it can see before a lower one;
// within one priority no order is promised. Used by TaskOptions, Submit and
// TraceEvent. A plain enum: thread-safe, never allocates.
#ifndef LITEPOOL_PRIORITY_HPP_
#define LITEPOOL_PRIORITY_HPP_

namespace litepool {

// The scheduling class of a task; kNormal unless set.
enum class Priority { kLow, kNormal, kHigh };

}  // namespace litepool

#endif  // LITEPOOL_PRIORITY_HPP_
