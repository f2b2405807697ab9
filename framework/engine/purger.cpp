#include "engine/purger.hpp"

#include <vector>

#include "admission/slot_gate.hpp"
#include "engine/expiry.hpp"
#include "engine/off_row.hpp"
#include "engine/retries.hpp"
#include "engine/router.hpp"
#include "engine/spares.hpp"
#include "engine/worker_table.hpp"
#include "task/settlement.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {

void Purger::SettleDeferred(TaskRecord* task, const Error& why) {
  MutexLock lock(mu_);
  SettleUnrun(p_.sink, p_.off_row.Purger(), task, why);
}

std::size_t Purger::Purge() {
  MutexLock lock(mu_);
  Worker& purger = p_.off_row.Purger();
  const Error why("purged (Pool::Purge)", ErrorCode::kCancelled);
  std::size_t purged = 0;
  // Retries waiting out a backoff hold no slot.
  for (TaskRecord* t : p_.retries.TakeWaiting()) {
    SettleUnrun(p_.sink, purger, t, why);
    ++purged;
  }
  // Queued tasks (the overflow path's included: they sit in the same
  // queues) give their slot back first, so blocked producers get in at once.
  // A coroutine's resumption is not a task to purge: settling it here would
  // run the coroutine's body on this thread. It is set aside and queued
  // again once every queue is drained, with its slot.
  std::vector<TaskRecord*> resumptions;
  auto drain = [&](Worker& w) {
    TaskRecord* t = nullptr;
    while (w.TryPopAt(Priority::kHigh, t) || w.TryPop(t) || w.TryStealSpawned(t) ||
           w.TryPopAt(Priority::kLow, t)) {
      if (!p_.expiry.Claim(purger, t)) continue;  // expired meanwhile: settled already
      if (t->Resumption()) {
        try {
          resumptions.push_back(t);
        } catch (...) {  // no memory to set it aside: queue it again now
          p_.router.DispatchAt(Priority::kNormal, t);
        }
        continue;
      }
      p_.gate.Release(1);
      SettleUnrun(p_.sink, purger, t, why);
      ++purged;
    }
  };
  p_.workers.ForEachMade(drain);
  p_.spares.ForEach(drain);
  // kNormal: a resumption has no priority of its own.
  for (TaskRecord* t : resumptions) p_.router.DispatchAt(Priority::kNormal, t);
  return purged;
}

}  // namespace litepool::detail
