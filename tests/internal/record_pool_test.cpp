// RecordPool: freed record blocks are reused by later tasks, and a freed
// record is destroyed at once even though its block is kept.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "api/task_options_access.hpp"
#include "litepool/litepool.hpp"
#include "task/record_pool.hpp"
#include "task/task_record.hpp"

namespace litepool::detail {
namespace {

TaskSpec SpecHolding(std::shared_ptr<int> state) {
  TaskOptions o = TaskOptions().SetTask([state] {});
  return std::move(TaskOptionsAccess::Spec(o));
}

// With a hook: the record needs extras, so it takes the larger block kind.
TaskSpec SpecWithHookHolding(std::shared_ptr<int> state) {
  TaskOptions o = TaskOptions().SetTask([] {}).SetOnComplete([state] {});
  return std::move(TaskOptionsAccess::Spec(o));
}

// Makes a worker's batch of plain records and frees them through `cache`
// (so the batch is handed back); returns their addresses.
std::set<void*> FreeAFullBatchOfPlainRecords(RecordPool& pool, RecordPool::LocalCache& cache) {
  std::set<void*> freed;
  for (std::size_t i = 0; i < RecordPool::kBatch; ++i) {
    TaskRecord* r = pool.Make(SpecHolding(nullptr));
    freed.insert(r);
    cache.Free(r);
  }
  return freed;
}

TEST(RecordPoolTest, AFullBatchOfFreedBlocksIsReusedByMake) {
  RecordPool pool(1024);
  RecordPool::LocalCache cache(pool);
  const std::set<void*> freed = FreeAFullBatchOfPlainRecords(pool, cache);
  EXPECT_EQ(pool.CachedApprox(), RecordPool::kBatch);
  // The batch was handed back: the next records come from those blocks.
  for (std::size_t i = 0; i < RecordPool::kBatch; ++i) {
    TaskRecord* r = pool.Make(SpecHolding(nullptr));
    EXPECT_EQ(freed.count(r), 1u) << "record " << i << " was not recycled";
    RecordPool::Destroy(r);
  }
}

// The producer's stash: one bulk dequeue takes the whole batch, so the
// next Makes of this thread do not touch the shared queue. A fresh thread,
// so that no earlier test's blocks are in the stash.
TEST(RecordPoolTest, MakeTakesAWholeBatchIntoTheThreadsStash) {
  std::size_t cached_after = 99, stashed_after = 0;
  bool recycled = false;
  std::thread([&] {
    RecordPool pool(1024);
    RecordPool::LocalCache cache(pool);
    const std::set<void*> freed = FreeAFullBatchOfPlainRecords(pool, cache);
    TaskRecord* r = pool.Make(SpecHolding(nullptr));
    recycled = freed.count(r) == 1;
    cached_after = pool.CachedApprox();
    stashed_after = RecordPool::StashedPlainForTesting();
    RecordPool::Destroy(r);
  }).join();
  EXPECT_TRUE(recycled);
  EXPECT_EQ(cached_after, 0u);
  EXPECT_EQ(stashed_after, RecordPool::kBatch - 1);
}

// A thread's stash is freed when the thread ends; a Make from a
// thread_local destructor that runs after that takes one block straight
// from the queue and stashes nothing, since nothing would free the stash
// any more. A leaked stash fails this test under the sanitizer build
// (LeakSanitizer); the stash count fails it in every build.
TEST(RecordPoolTest, AThreadsStashIsFreedWhenItEndsAndNotRefilledAfter) {
  RecordPool pool(1024);
  std::size_t stashed_in_late_destructor = 99;
  {
    std::vector<TaskRecord*> records;  // two batches, made before any is freed
    for (std::size_t i = 0; i < 2 * RecordPool::kBatch; ++i) {
      records.push_back(pool.Make(SpecHolding(nullptr)));
    }
    RecordPool::LocalCache cache(pool);
    for (TaskRecord* r : records) cache.Free(r);
  }
  ASSERT_GE(pool.CachedApprox(), 2 * RecordPool::kBatch);
  std::thread([&] {
    // Constructed before the stash's reaper, so destroyed after it.
    struct LateAdder {
      RecordPool* pool;
      std::size_t* stashed;
      ~LateAdder() {
        RecordPool::Destroy(pool->Make(SpecHolding(nullptr)));
        *stashed = RecordPool::StashedPlainForTesting();
      }
    };
    thread_local LateAdder late{&pool, &stashed_in_late_destructor};
    RecordPool::Destroy(pool.Make(SpecHolding(nullptr)));  // fills the stash
    ASSERT_EQ(RecordPool::StashedPlainForTesting(), RecordPool::kBatch - 1);
  }).join();
  EXPECT_EQ(stashed_in_late_destructor, 0u);
}

// For a plain record (kept in the worker's batch) and one with extras.
TEST(RecordPoolTest, FreeDestroysTheRecordAndItsExtrasAtOnce) {
  for (auto make : {&SpecHolding, &SpecWithHookHolding}) {
    RecordPool pool(1024);
    RecordPool::LocalCache cache(pool);
    auto state = std::make_shared<int>(7);
    std::weak_ptr<int> watch = state;
    TaskRecord* r = pool.Make(make(std::move(state)));
    ASSERT_EQ(r->extras != nullptr, make == &SpecWithHookHolding);
    ASSERT_FALSE(watch.expired());
    cache.Free(r);  // one block: it stays in the worker's batch
    EXPECT_TRUE(watch.expired());
  }
}

TEST(RecordPoolTest, APlainTaskFitsInOneCacheLine) {
  EXPECT_LE(sizeof(TaskRecord), 64u);
  TaskRecord* r = RecordPool(16).Make(SpecHolding(nullptr));
  EXPECT_EQ(r->extras, nullptr);
  RecordPool::Destroy(r);
}

// A plain record's block is too small for extras: the kinds never mix.
TEST(RecordPoolTest, BlocksOfPlainRecordsAreNotReusedForTasksWithHooks) {
  RecordPool pool(1024);
  RecordPool::LocalCache cache(pool);
  const std::set<void*> plain = FreeAFullBatchOfPlainRecords(pool, cache);
  ASSERT_EQ(pool.CachedApprox(), RecordPool::kBatch);
  std::vector<TaskRecord*> with_hooks;
  for (std::size_t i = 0; i < RecordPool::kBatch; ++i) {
    with_hooks.push_back(pool.Make(SpecWithHookHolding(nullptr)));
    EXPECT_EQ(plain.count(with_hooks.back()), 0u);
  }
  EXPECT_EQ(pool.CachedApprox(), RecordPool::kBatch);  // plain blocks untouched
  for (TaskRecord* r : with_hooks) RecordPool::Destroy(r);
}

TEST(RecordPoolTest, NoBlockIsCachedBeyondTheBound) {
  RecordPool pool(0);  // cache nothing: a full batch goes to operator delete
  RecordPool::LocalCache cache(pool);
  FreeAFullBatchOfPlainRecords(pool, cache);
  EXPECT_EQ(pool.CachedApprox(), 0u);
}

}  // namespace
}  // namespace litepool::detail
