#include "task/record_pool.hpp"

#include <new>
#include <utility>

#include "task/task_record.hpp"

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

// The two kinds of block, indexed like RecordPool::Kind. TaskExtras starts
// at kExtrasOffset in a kWithExtras block.
constexpr std::size_t kExtrasOffset =
    (sizeof(TaskRecord) + alignof(TaskExtras) - 1) / alignof(TaskExtras) * alignof(TaskExtras);
constexpr std::size_t kSize[2] = {sizeof(TaskRecord), kExtrasOffset + sizeof(TaskExtras)};
constexpr std::align_val_t kAlign{alignof(TaskRecord)};

// A cached block is off limits until Make reuses it.
void Poison([[maybe_unused]] int kind, [[maybe_unused]] void* block) noexcept {
#if defined(LITEPOOL_ASAN)
  ASAN_POISON_MEMORY_REGION(block, kSize[kind]);
#endif
}
void Unpoison([[maybe_unused]] int kind, [[maybe_unused]] void* block) noexcept {
#if defined(LITEPOOL_ASAN)
  ASAN_UNPOISON_MEMORY_REGION(block, kSize[kind]);
#endif
}
// operator delete of a block that may be poisoned.
void Release(int kind, void* block) noexcept {
  Unpoison(kind, block);
  ::operator delete(block, kAlign);
}

// Destroys what `record` holds; returns the kind of its block.
int DestroyRecord(TaskRecord* record) noexcept {
  TaskExtras* extras = record->extras;
  if (extras != nullptr) extras->~TaskExtras();
  record->~TaskRecord();
  return extras != nullptr ? 1 : 0;
}

// The producer's side: the blocks a thread took from a pool's queue in one
// bulk dequeue and has not used yet, per kind. Blocks are plain memory, the
// same for every pool, so one stash per thread serves all of them.
// Trivially destructible (initial-exec TLS, no guard on the hot path); the
// StashReaper below frees what is left when the thread ends, and marks the
// stash closed so that a task added from a later thread_local destructor
// takes the direct path instead of refilling a stash nobody would free.
struct Stash {
  void* blocks[RecordPool::kBatch];
  std::size_t count;
};
struct ThreadStash {
  Stash kinds[2];
  bool closed;  // the reaper ran: take no more blocks into the stash
};
__attribute__((tls_model("initial-exec"))) thread_local ThreadStash thread_stash{};

struct StashReaper {
  ~StashReaper() {
    for (int kind : {0, 1}) {
      Stash& s = thread_stash.kinds[kind];
      for (std::size_t i = 0; i < s.count; ++i) Release(kind, s.blocks[i]);
      s.count = 0;
    }
    thread_stash.closed = true;
  }
};

// A block of `kind` from this thread's stash, refilled from `free` in one
// bulk dequeue when empty; null when `free` is empty too.
void* TakeBlock(int kind, moodycamel::ConcurrentQueue<void*>& free) {
  ThreadStash& ts = thread_stash;
  Stash& s = ts.kinds[kind];
  if (s.count == 0) [[unlikely]] {
    if (ts.closed) {
      void* block = nullptr;
      return free.try_dequeue(block) ? block : nullptr;
    }
    // Registered on this thread's first refill (the language's own
    // once-per-thread guard; refills are one Make in kBatch).
    thread_local StashReaper reaper;
    s.count = free.try_dequeue_bulk(s.blocks, RecordPool::kBatch);
    if (s.count == 0) return nullptr;
  }
  return s.blocks[--s.count];
}

}  // namespace

RecordPool::LocalCache::LocalCache(RecordPool& pool)
    : pool_(pool), batches_{Batch(pool.free_[kPlain]), Batch(pool.free_[kWithExtras])} {}

RecordPool::LocalCache::~LocalCache() {
  for (int kind : {kPlain, kWithExtras}) {
    for (std::size_t i = 0; i < batches_[kind].count; ++i) {
      Release(kind, batches_[kind].blocks[i]);
    }
  }
}

void RecordPool::LocalCache::Keep(Kind kind, void* block) noexcept {
  Poison(kind, block);
  Batch& b = batches_[kind];
  b.blocks[b.count++] = block;
  if (b.count < kBatch) return;
  // The queue's element hand-over (release on enqueue, acquire on dequeue)
  // orders this thread's destruction of the records before the producer's
  // construction of new ones in the same blocks.
  moodycamel::ConcurrentQueue<void*>& free = pool_.free_[kind];
  if (free.size_approx() >= pool_.max_cached_ || !free.enqueue_bulk(b.token, b.blocks, b.count)) {
    for (std::size_t i = 0; i < b.count; ++i) Release(kind, b.blocks[i]);
  }
  b.count = 0;
}

void RecordPool::LocalCache::Free(TaskRecord* record) noexcept {
  Keep(static_cast<Kind>(DestroyRecord(record)), record);
}

RecordPool::~RecordPool() {
  for (int kind : {kPlain, kWithExtras}) {
    void* block = nullptr;
    while (free_[kind].try_dequeue(block)) Release(kind, block);
  }
}

TaskRecord* RecordPool::Make(TaskSpec&& spec) {
  // TaskRecord's and TaskExtras' constructors only move: they do not throw.
  static_assert(std::is_nothrow_constructible_v<TaskRecord, TaskSpec&&, void*>);
  const Kind kind = spec.hooks.Any() ? kWithExtras : kPlain;
  void* block = TakeBlock(kind, free_[kind]);
  if (block != nullptr) {
    Unpoison(kind, block);
  } else {
    block = ::operator new(kSize[kind], kAlign);
  }
  void* extras = kind == kWithExtras ? static_cast<char*>(block) + kExtrasOffset : nullptr;
  return new (block) TaskRecord(std::move(spec), extras);
}

std::size_t RecordPool::StashedPlainForTesting() noexcept {
  return thread_stash.kinds[kPlain].count;
}

void RecordPool::Destroy(TaskRecord* record) noexcept {
  DestroyRecord(record);
  ::operator delete(record, kAlign);
}

}  // namespace litepool::detail
