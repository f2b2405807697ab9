#include "engine/parking.hpp"

#include "engine/worker.hpp"
#include "engine/worker_table.hpp"

namespace litepool::detail {

void Parking::Prepare(Worker& self) noexcept {
  parked_.fetch_add(1, std::memory_order_seq_cst);
  self.Spot().SetParked();
}

void Parking::Cancel(Worker& self) {
  // If a waker already cleared the flag it has released (or is about to
  // release) the semaphore, and counted this worker awake: consume that
  // token. Otherwise nobody will release it: undo the count here.
  if (self.Spot().CancelPark()) {
    parked_.fetch_sub(1, std::memory_order_seq_cst);
  } else {
    self.Spot().Sleep();
  }
}

void Parking::Commit(Worker& self) { self.Spot().Sleep(); }

bool Parking::Unpark(Worker& w) noexcept {
  if (!w.Spot().Unpark()) return false;
  parked_.fetch_sub(1, std::memory_order_seq_cst);
  return true;
}

bool Parking::UnparkOther(const WorkerTable& workers, const Worker& busy) noexcept {
  if (Parked() <= 0) return false;
  const std::size_t n = workers.Made();
  for (std::size_t i = 0; i < n; ++i) {
    if (&workers[i] != &busy && Unpark(workers[i])) return true;
  }
  return false;
}

void Parking::UnparkAll(const WorkerTable& workers) noexcept {
  workers.ForEachMade([this](Worker& w) { Unpark(w); });
}

}  // namespace litepool::detail
