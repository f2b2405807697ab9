#include "engine/park_spot.hpp"

namespace litepool::detail {

bool ParkSpot::Unpark() noexcept {
  if (!parked_.load(std::memory_order_seq_cst)) return false;
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  wake_.release();
  return true;
}

bool ParkSpot::UnparkWithClaim() noexcept {
  if (!parked_.load(std::memory_order_seq_cst)) return false;
  if (!parked_.exchange(false, std::memory_order_seq_cst)) return false;
  // Only the thread that won the flag gets here: one claim per wake-up.
  claimed_.store(true, std::memory_order_relaxed);
  wake_.release();
  return true;
}

}  // namespace litepool::detail
