// Resizer: Pool::SetWorkers — seats more or fewer workers at run time, and
// the pool's size limits. The owner of the resize mutex: one resize at a
// time, and none while Close joins the threads (Exclusive).
//
// Growing starts threads on the slots of workers that left, then on new
// Workers, and frees their slots once all run; shrinking asks the last
// workers to leave (each hands its queued tasks to the others between two
// tasks), joins them and takes their slots (producers may wait until the
// queues drain below the new capacity; no task is dropped).
//
// Thread-safety: any thread but a worker of this pool (the Pool checks);
// blocks while the leaving workers finish their running task.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_RESIZER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_RESIZER_HPP_

#include <cstddef>
#include <functional>
#include <memory>

#include "litepool/detail/mutex.hpp"

namespace litepool::detail {

class Parking;
class SlotGate;
class StatsReader;
class TraceSession;
class ThreadLauncher;
class Worker;
class WorkerTable;
struct PoolFlags;

class Resizer {
 public:
  // One thread, queue and stack each: beyond a few thousand workers a pool
  // is a configuration mistake, not a machine.
  static constexpr std::size_t kMaxWorkers = 4096;
  // Tasks the pool may hold: the slot count is an int64, and 2^40 (about
  // 10^12 tasks) is far beyond any memory while far from overflow.
  static constexpr std::size_t kMaxCapacity = std::size_t{1} << 40;
  // Throws std::invalid_argument, naming `who`, if `workers` (>= 1) or
  // workers * queue_capacity is beyond the limits.
  static void CheckSize(const char* who, std::size_t workers, std::size_t queue_capacity);

  struct Parts {
    const PoolFlags& flags;
    WorkerTable& workers;
    SlotGate& gate;
    ThreadLauncher& launcher;
    Parking& parking;
    StatsReader& stats;
    TraceSession& tracing;
    std::size_t queue_capacity;
    // Makes the Worker of slot `id`; starts a worker's thread (its loop).
    std::function<std::unique_ptr<Worker>(std::size_t id)> make_worker;
    std::function<void(Worker&)> start_worker;
  };
  explicit Resizer(Parts parts) : p_(std::move(parts)) {}

  // n >= 1 (the Pool checks), within the limits (checked here). A no-op
  // once closed.
  void SetWorkers(std::size_t n) LITEPOOL_EXCLUDES(mu_);
  // Runs `f` with no resize in flight (and none after, if `f` stops the
  // pool): Close joins the threads through it.
  void Exclusive(const std::function<void()>& f) LITEPOOL_EXCLUDES(mu_) {
    MutexLock lock(mu_);
    f();
  }

 private:
  // Asks workers [first, last) to leave and joins their threads.
  void RetireThreads(std::size_t first, std::size_t last) LITEPOOL_REQUIRES(mu_);

  Parts p_;
  Mutex mu_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_RESIZER_HPP_
