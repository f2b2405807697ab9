// ParkSpot: where one pool thread sleeps — its parked flag, its semaphore,
// and the claim a spare is woken with. Parking (and, for spares, the
// scheduler's idle loop) drives it; see parking.hpp for the handshake.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_PARK_SPOT_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_PARK_SPOT_HPP_

#include <atomic>
#include <semaphore>

namespace litepool::detail {

class ParkSpot {
 public:
  // The park protocol (the engine's loop drives it): SetParked, re-check
  // for work, then Sleep — or CancelPark if work showed up.
  void SetParked() noexcept { parked_.store(true, std::memory_order_seq_cst); }
  // Cancels a park announced by SetParked: true if the flag was still set
  // (nobody will release the semaphore); false if a waker took it (the
  // caller must consume the wake-up with Sleep()).
  bool CancelPark() noexcept { return parked_.exchange(false, std::memory_order_seq_cst); }
  // Sleeps until Unpark().
  void Sleep() { wake_.acquire(); }
  // Announced parked and not woken yet (seq_cst).
  bool Parked() const noexcept { return parked_.load(std::memory_order_seq_cst); }
  // Wakes the worker if it is parked; returns true if it was.
  bool Unpark() noexcept;
  // A spare's claim (Spares): wakes it, if it is parked, with a claim it
  // takes on waking (TakeClaim). A wake-up without a claim (a stop) is not
  // one: only the thread that counted the spare active hands it a claim.
  bool UnparkWithClaim() noexcept;
  // Own thread, after Sleep: whether the wake-up carried a claim (cleared).
  bool TakeClaim() noexcept { return claimed_.exchange(false, std::memory_order_relaxed); }

 private:
  std::atomic<bool> parked_{false};
  // Set before the semaphore's release by UnparkWithClaim, read after its
  // acquire (the semaphore orders the two: relaxed).
  std::atomic<bool> claimed_{false};
  std::binary_semaphore wake_{0};
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_PARK_SPOT_HPP_
