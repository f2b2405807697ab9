// litepool/detail/overflow_scope.hpp — OverflowScope: lets a worker thread
// submit to another pool without blocking on it when it is full. Internal:
// for the front-ends (Alloter, ErrGroup, Map); do not name anything in
// litepool::detail from application code.
//
// Pool::AddTask on one of the target pool's own workers never waits for a
// slot: a full pool takes the task on its overflow path (see pool.hpp). A
// worker of another pool waits like any thread, which can deadlock when the
// two pools' workers wait for each other's slots. Inside an OverflowScope a
// worker of any pool is treated like the target pool's own worker:
//
//   if (Pool::OnAnyPoolWorkerThread()) {
//     detail::OverflowScope overflow;
//     return target.AddTask(std::move(options));   // never blocks
//   }
//
// Contract: AddTask and AddTaskGroup called on this thread while the scope
// lives take the overflow path of a full pool instead of waiting, whatever
// the add-timeout, except 0 (that still tries once and returns kTimeout).
// On a thread that is no pool's worker the scope does nothing (such a
// thread may block, and the pool's bound holds). Scopes nest; each restores
// the setting it found. Per thread: create and destroy it on the same
// thread. Never blocks, never allocates, never throws.
#ifndef LITEPOOL_DETAIL_OVERFLOW_SCOPE_HPP_
#define LITEPOOL_DETAIL_OVERFLOW_SCOPE_HPP_

#include "litepool/detail/export.hpp"

namespace litepool::detail {

// Sets whether AddTask calls on this thread may take a full pool's overflow
// path (as on its own worker) and returns the previous setting. Only a
// worker thread of a Pool can turn it on; elsewhere it stays off. For
// OverflowScope; never blocks, never throws.
LITEPOOL_API bool ExchangeOverflowOnWorker(bool on) noexcept;

// See the top of this file.
class OverflowScope {
 public:
  OverflowScope() noexcept : saved_(ExchangeOverflowOnWorker(true)) {}
  ~OverflowScope() { ExchangeOverflowOnWorker(saved_); }
  OverflowScope(const OverflowScope&) = delete;
  OverflowScope& operator=(const OverflowScope&) = delete;

 private:
  bool saved_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_OVERFLOW_SCOPE_HPP_
