// RecordPool: recycles the memory of TaskRecords (and of their TaskExtras),
// so a pool in steady state makes no heap allocation per task.
//
// A record is allocated by the producer (AddTask) and destroyed by the
// worker that settles it. Through malloc, that is a cross-thread free: on
// glibc it lands in the producer's arena under the arena's lock, which the
// profile of EmptyTask/p1 showed as the largest single cost (malloc, free
// and the futex of __lll_lock_wait together about a third of the cycles).
// Here a worker keeps the blocks it frees in a private batch and hands a
// full batch to a moodycamel queue with a single bulk enqueue (its own
// producer token); AddTask takes a block from that queue, or from operator
// new when it is empty. It takes them a batch at a time too: one bulk
// dequeue fills the calling thread's stash (one per thread, shared by every
// pool: the blocks are plain memory), and the next kBatch - 1 Makes use it
// without touching the queue; the stash is freed when its thread ends.
// Measured in alternated throughput_bench runs: EmptyTask/p2/plain 12-17 %
// less time per task (two producers each dequeuing per task contended on
// the queue's lines), p1/plain 0-5 % more (within its run-to-run spread;
// taking the stash's blocks oldest first instead was no better).
// There are two sizes of block, each with its queue: a plain record (one
// cache line), and a record followed by its TaskExtras.
// Blocks are plain aligned `operator new` memory, so any of them may be
// freed with operator delete at any time.
//
// At most `max_cached` blocks of each kind wait in the queues (checked per
// batch, so the bound is approximate by one batch per worker), and at most
// kBatch - 1 of each kind in each producer thread's stash; beyond that
// a batch goes back to operator delete, so a burst does not pin its peak
// memory.
//
// Under AddressSanitizer a cached block is poisoned until it is reused, so
// a use of a settled record is still reported.
#ifndef LITEPOOL_FRAMEWORK_RECORD_POOL_HPP_
#define LITEPOOL_FRAMEWORK_RECORD_POOL_HPP_

#include <concurrentqueue/concurrentqueue.h>
#include <cstddef>

#include "litepool/detail/export.hpp"

namespace litepool::detail {

struct TaskRecord;
struct TaskSpec;

class RecordPool {
  // The kinds of block, each with its queue and its batch per worker:
  // a TaskRecord alone, or a TaskRecord with its TaskExtras right after it.
  enum Kind { kPlain, kWithExtras };

 public:
  // Freed blocks a worker collects before it hands them back at once.
  static constexpr std::size_t kBatch = 32;

  // One worker's private batches of freed blocks. Only its worker's thread
  // may call Free. The destructor frees the blocks it still holds.
  class LocalCache {
   public:
    explicit LocalCache(RecordPool& pool);
    ~LocalCache();
    LocalCache(const LocalCache&) = delete;
    LocalCache& operator=(const LocalCache&) = delete;

    // Destroys `record` (and its extras) and keeps the blocks. Never blocks.
    void Free(TaskRecord* record) noexcept;

   private:
    struct Batch {
      explicit Batch(moodycamel::ConcurrentQueue<void*>& q) : token(q) {}
      moodycamel::ProducerToken token;
      void* blocks[kBatch];
      std::size_t count = 0;
    };
    void Keep(Kind kind, void* block) noexcept;

    RecordPool& pool_;
    Batch batches_[2];
  };

  explicit RecordPool(std::size_t max_cached) : max_cached_(max_cached) {}
  ~RecordPool();
  RecordPool(const RecordPool&) = delete;
  RecordPool& operator=(const RecordPool&) = delete;

  // A record made from `spec`, in recycled blocks when some are free.
  // Thread-safe. Throws std::bad_alloc (then `spec` is left as it was).
  TaskRecord* Make(TaskSpec&& spec);
  // Destroys a record from any thread and frees its blocks (no recycling:
  // for the rare paths off a worker). Thread-safe.
  static void Destroy(TaskRecord* record) noexcept;
  // Plain record blocks waiting in the shared queue (not in the workers'
  // batches); approximate while other threads use the pool.
  std::size_t CachedApprox() const noexcept { return free_[kPlain].size_approx(); }
  // Plain record blocks in the calling thread's stash (for tests).
  static std::size_t StashedPlainForTesting() noexcept;

 private:
  const std::size_t max_cached_;
  moodycamel::ConcurrentQueue<void*> free_[2];  // indexed by Kind
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_RECORD_POOL_HPP_
