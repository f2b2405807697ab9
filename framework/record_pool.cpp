#include "record_pool.hpp"

#include <new>
#include <utility>

#include "task_record.hpp"

#if defined(__SANITIZE_ADDRESS__)
#define LITEPOOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LITEPOOL_ASAN 1
#endif
#endif
#if defined(LITEPOOL_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace litepool::detail {
namespace {
// A cached block is off limits until Make reuses it.
void Poison([[maybe_unused]] void* block) noexcept {
#if defined(LITEPOOL_ASAN)
  ASAN_POISON_MEMORY_REGION(block, sizeof(TaskRecord));
#endif
}
void Unpoison([[maybe_unused]] void* block) noexcept {
#if defined(LITEPOOL_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(block, sizeof(TaskRecord));
#endif
}
// operator delete of a block that may be poisoned.
void Release(void* block) noexcept {
  Unpoison(block);
  ::operator delete(block);
}
}  // namespace

RecordPool::LocalCache::~LocalCache() {
  for (std::size_t i = 0; i < count_; ++i) Release(blocks_[i]);
}

void RecordPool::LocalCache::Free(TaskRecord* record) noexcept {
  record->~TaskRecord();
  Poison(record);
  blocks_[count_++] = record;
  if (count_ < kBatch) return;
  // The queue's element hand-over (release on enqueue, acquire on dequeue)
  // orders this thread's destruction of the records before the producer's
  // construction of new ones in the same blocks.
  if (pool_.free_.size_approx() >= pool_.max_cached_ ||
      !pool_.free_.enqueue_bulk(token_, blocks_, count_)) {
    for (std::size_t i = 0; i < count_; ++i) Release(blocks_[i]);
  }
  count_ = 0;
}

RecordPool::~RecordPool() {
  void* block = nullptr;
  while (free_.try_dequeue(block)) Release(block);
}

TaskRecord* RecordPool::Make(TaskSpec&& spec) {
  void* block = nullptr;
  if (free_.try_dequeue(block)) {
    Unpoison(block);
  } else {
    block = ::operator new(sizeof(TaskRecord));
  }
  // TaskRecord's constructor only moves: it does not throw.
  static_assert(std::is_nothrow_constructible_v<TaskRecord, TaskSpec&&>);
  return new (block) TaskRecord(std::move(spec));
}

void RecordPool::Destroy(TaskRecord* record) noexcept {
  record->~TaskRecord();
  ::operator delete(record);
}

}  // namespace litepool::detail
