// benchmarks/peers/tbb_peer.cpp — oneTBB: task_arena::enqueue for plain
// jobs, task_arena::enqueue(task_group::defer(...)) for groups.
//
// The arena reserves no slot for an external thread: every slot goes to a
// worker, as the jobs are only enqueued, never executed by the submitter.
// oneTBB caps its worker threads at hardware_concurrency - 1 unless a
// global_control allows more; we allow enough for any arena size used here,
// so "5 workers" means 5 threads for every system.
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

#include <memory>

#include "executor.hpp"

namespace litepool_bench {
namespace {

void AllowEnoughTbbThreads() {
  // Leaked on purpose: it must outlive every arena, including those
  // destroyed during static destruction.
  static auto* const control =
      new oneapi::tbb::global_control(oneapi::tbb::global_control::max_allowed_parallelism, 64);
  (void)control;
}

class TbbGroup final : public Group {
 public:
  explicit TbbGroup(oneapi::tbb::task_arena& arena)
      : arena_(arena), group_(std::make_unique<oneapi::tbb::task_group>()) {}
  void Submit(Job job) override { arena_.enqueue(group_->defer(job)); }
  void Wait() override {
    arena_.execute([this] { group_->wait(); });
  }

 private:
  oneapi::tbb::task_arena& arena_;
  // Held by pointer: ~task_group may throw (noexcept(false)), which a
  // Group's noexcept destructor may not be declared to do.
  std::unique_ptr<oneapi::tbb::task_group> group_;
};

class TbbExecutor final : public Executor {
 public:
  explicit TbbExecutor(const ExecutorConfig& config)
      : arena_((AllowEnoughTbbThreads(), static_cast<int>(config.workers)),
               /*reserved_for_masters=*/0) {
    arena_.initialize();
  }
  void Submit(Job job) override { arena_.enqueue(job); }
  std::unique_ptr<Group> NewGroup(std::int64_t) override {
    return std::make_unique<TbbGroup>(arena_);
  }

 private:
  oneapi::tbb::task_arena arena_;
};

}  // namespace

std::unique_ptr<Executor> MakeTbb(const ExecutorConfig& config) {
  return std::make_unique<TbbExecutor>(config);
}

}  // namespace litepool_bench
