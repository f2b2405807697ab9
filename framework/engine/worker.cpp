// Worker: its queue, its spawned stack and its parking spot. The loop that
// drives them is the Scheduler's (scheduler.cpp).
#include "engine/worker.hpp"

#include <thread>

namespace litepool::detail {

void Worker::Join() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace litepool::detail
