// RecordPool: freed record blocks are reused by later tasks, and a freed
// record is destroyed at once even though its block is kept.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <vector>

#include "litepool/litepool.hpp"
#include "record_pool.hpp"
#include "task_options_access.hpp"
#include "task_record.hpp"

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
std::set<void*> FreeAFullBatchOfPlainRecords(RecordPool& pool,
                                             RecordPool::LocalCache& cache) {
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
