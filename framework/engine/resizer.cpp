#include "engine/resizer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "admission/slot_gate.hpp"
#include "engine/parking.hpp"
#include "engine/pool_flags.hpp"
#include "engine/stats_reader.hpp"
#include "engine/thread_launcher.hpp"
#include "engine/trace_session.hpp"
#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

static_assert(Resizer::kMaxWorkers == WorkerTable::kMaxWorkers);

void Resizer::CheckSize(const char* who, std::size_t workers, std::size_t queue_capacity) {
  if (workers > kMaxWorkers) {
    throw std::invalid_argument(std::string(who) + ": at most " + std::to_string(kMaxWorkers) +
                                " workers, got " + std::to_string(workers));
  }
  if (queue_capacity > kMaxCapacity / workers) {
    throw std::invalid_argument(std::string(who) +
                                ": workers * queue_capacity is too large (max 2^40)");
  }
}

void Resizer::SetWorkers(std::size_t n) {
  CheckSize("Pool::SetWorkers", n, p_.queue_capacity);
  MutexLock lock(mu_);
  // Once closed, Close owns the threads (it joins them under this mutex, so
  // a resize it waited for has finished).
  if (p_.flags.Closed()) return;
  WorkerTable& workers = p_.workers;
  const std::size_t seated = workers.Seated();
  const auto slots = [this](std::size_t count) {
    return static_cast<std::int64_t>(count * p_.queue_capacity);
  };
  if (n < seated) {
    // The dispatcher stops picking them, then the capacity shrinks (the
    // free count may go below zero: producers wait until the queues drain
    // below the new capacity, no task is dropped). Each leaves between two
    // tasks, handing its queue to the seated workers (Scheduler::Leave).
    workers.SetSeated(n);
    p_.gate.Resize(slots(n) - slots(seated));
    p_.gate.SetOversubscribed(p_.launcher.Oversubscribed(n));
    RetireThreads(n, seated);
    return;
  }
  // Growing: the slots of workers that left get new threads, then new
  // Workers; seated (and their slots freed) once all of them run.
  std::size_t started = seated;
  try {
    for (; started < n; ++started) {
      if (started == workers.Made()) {
        workers.Make(p_.make_worker(started));
        workers.PublishMade();
        p_.tracing.AddWorker(started);  // a running trace records it too
      }
      Worker& w = workers[started];
      if (w.LeaveAsked()) p_.stats.Rebase(w);  // it left: its row starts again from zero
      w.Reseat();
      p_.start_worker(w);
    }
  } catch (...) {
    // A thread could not start, or on_thread_start threw (the thread
    // returned). Stop the ones started here, that one included.
    RetireThreads(seated, std::min(started + 1, workers.Made()));
    throw;
  }
  workers.SetSeated(n);
  p_.gate.Resize(slots(n) - slots(seated));
  p_.gate.SetOversubscribed(p_.launcher.Oversubscribed(n));
}

void Resizer::RetireThreads(std::size_t first, std::size_t last) {
  for (std::size_t i = first; i < last; ++i) {
    p_.workers[i].AskToLeave();
    p_.parking.Unpark(p_.workers[i]);  // after the request: Park re-checks it
  }
  // Each leaves between two tasks; a long task is waited for.
  for (std::size_t i = first; i < last; ++i) p_.workers[i].Join();
}

}  // namespace litepool::detail
