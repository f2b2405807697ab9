// litepool/detail/coro_group_waiter.hpp — internal: the hook TaskGroup's
// counter calls when it reaches zero (TaskGroup::WaitAsync, coro.hpp).
// Users never name it.
#ifndef LITEPOOL_DETAIL_CORO_GROUP_WAITER_HPP_
#define LITEPOOL_DETAIL_CORO_GROUP_WAITER_HPP_

#include "litepool/detail/export.hpp"

namespace litepool {

class TaskGroup;

namespace detail {

// One registration, an intrusive list node (no allocation): it lives in the
// suspended coroutine's frame until `ready` is called.
struct GroupWaiter {
  GroupWaiter* next = nullptr;
  // Called exactly once, by the thread whose credit brought the counter to
  // zero, after the group's lock was released. It must not run the waiting
  // coroutine inline (it posts a resumption) and may free the node.
  void (*ready)(GroupWaiter*) noexcept = nullptr;
};

// Registers `waiter` for the next time the counter of `group` is zero.
// Returns false (and does not register) when the counter is zero already.
// Thread-safe; takes the group's lock briefly; never blocks otherwise.
LITEPOOL_API bool AddGroupWaiter(const TaskGroup& group, GroupWaiter& waiter);

}  // namespace detail
}  // namespace litepool

#endif  // LITEPOOL_DETAIL_CORO_GROUP_WAITER_HPP_
