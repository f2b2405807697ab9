// Periodic tasks: Pool::Every, PeriodicHandle, and the timer that holds the
// schedules between runs.
#include <stdexcept>
#include <utility>

#include "api/periodic_timer.hpp"
#include "litepool/periodic.hpp"
#include "litepool/pool.hpp"
#include "litepool/task_options.hpp"
#include "task/execution_context.hpp"

namespace litepool {
namespace detail {

void PeriodicState::Cancel() {
  {
    MutexLock lock(mu_);
    ended_.store(true, std::memory_order_release);
    // Called from inside the run itself it cannot wait for that run.
    if (running_ && runner_ != std::this_thread::get_id()) {
      while (running_) cv_.Wait(lock);
    }
  }
  DropFnUnlessRunning();
}

void PeriodicState::End() noexcept {
  ended_.store(true, std::memory_order_release);
  DropFnUnlessRunning();
}

void PeriodicState::DropFnUnlessRunning() noexcept {
  MoveOnlyFunction<Error()> dropped;  // destroyed after the lock is released
  MutexLock lock(mu_);
  if (!running_) dropped = std::move(fn_);
}

bool PeriodicState::Skip(Clock::time_point due, Clock::time_point& next) {
  if (ended_.load(std::memory_order_acquire)) return false;
  const Clock::time_point now = Clock::now();
  if (options_.fixed_delay) {  // the period counts from the cancelled run
    next = now + period_;
    return true;
  }
  // Fixed rate: the purged run and every due time that passed since.
  const auto skipped = now > due ? (now - due) / period_ : 0;
  missed_.fetch_add(static_cast<std::uint64_t>(skipped) + 1, std::memory_order_relaxed);
  next = due + (skipped + 1) * period_;
  return true;
}

bool PeriodicState::RunOnce(Clock::time_point due, Clock::time_point& next) {
  {
    // Under mu_: a Cancel that returned set ended_ before this check, so no
    // run starts after it; one that comes later waits for this run.
    MutexLock lock(mu_);
    if (ended_.load(std::memory_order_acquire)) return false;
    running_ = true;
    runner_ = std::this_thread::get_id();
  }
  Error e;
  try {
    e = fn_();
  } catch (...) {
    e = Error::FromException(std::current_exception());
  }
  // Relaxed: counters, read as a snapshot; Cancel's lock orders them for
  // a caller that waited for this run.
  if (e) failures_.fetch_add(1, std::memory_order_relaxed);
  const std::uint64_t runs = runs_.fetch_add(1, std::memory_order_relaxed) + 1;
  const Clock::time_point end = Clock::now();
  bool go_on = false;
  {
    MutexLock lock(mu_);
    running_ = false;
    runner_ = std::thread::id();
    go_on = !ended_.load(std::memory_order_acquire);
  }
  cv_.NotifyAll();
  if (options_.max_runs != 0 && runs >= options_.max_runs) {
    End();
    return false;
  }
  if (!go_on) {
    DropFnUnlessRunning();
    return false;
  }
  if (options_.fixed_delay) {
    next = end + period_;
    return true;
  }
  // Fixed rate: the next multiple of the period after the end; the ones
  // that passed meanwhile are skipped, not run in a burst.
  next = due + period_;
  if (next <= end) {
    const auto skipped = (end - due) / period_;
    missed_.fetch_add(static_cast<std::uint64_t>(skipped), std::memory_order_relaxed);
    next = due + (skipped + 1) * period_;
  }
  return true;
}

PeriodicTimer::PeriodicTimer(Pool& pool)
    : pool_(pool), timer_([this](PeriodicState* s) { Fire(s); }) {}

bool PeriodicTimer::Start(std::shared_ptr<PeriodicState> state, Clock::time_point first) {
  MutexLock lock(mu_);
  if (ended_) {
    state->End();
    return false;
  }
  PeriodicState* key = state.get();
  pending_[key] = Pending{std::move(state), first};
  if (!timer_.Schedule(key, first)) {
    pending_[key].state->End();
    pending_.erase(key);
    return false;
  }
  return true;
}

void PeriodicTimer::Schedule(PeriodicState* state, Clock::time_point due) {
  // Called by a run, which holds the state through its task.
  MutexLock lock(mu_);
  if (ended_) {
    state->End();
    return;
  }
  auto it = pending_.find(state);
  if (it != pending_.end()) it->second.due = due;
  if (!timer_.Schedule(state, due)) state->End();
}

void PeriodicTimer::Fire(PeriodicState* key) {
  Pending p;
  {
    MutexLock lock(mu_);
    auto it = pending_.find(key);
    if (it == pending_.end()) return;
    p = it->second;  // the schedule keeps its entry while the run is queued
  }
  if (!p.state->Active()) {
    MutexLock lock(mu_);
    pending_.erase(key);  // cancelled (or max_runs): the schedule ends here
    return;
  }
  TaskOptions run;
  run.SetTask([this, state = p.state, due = p.due] {
    Clock::time_point next;
    const bool go_on = state->RunOnce(due, next);
    Continue(state.get(), go_on, next);
  });
  // A run cancelled unrun (Pool::Purge) is a missed run, not the end of the
  // schedule: only Cancel, max_runs and Close end it. (Close ends every
  // schedule first, so Skip finds this one ended then.)
  run.SetOnError([this, state = p.state, due = p.due](ErrHandle&, TaskGroup&, const Error&) {
    Clock::time_point next;
    const bool go_on = state->Skip(due, next);
    Continue(state.get(), go_on, next);
  });
  if (p.state->GetPriority() != Priority::kNormal) run.SetPriority(p.state->GetPriority());
  // The timer thread serves every schedule of the pool: a run due on a full
  // pool is queued beyond its capacity rather than block it.
  ExecutionContext& context = Context();
  const bool saved = context.overflow_ok;
  context.overflow_ok = true;
  const Error refused = pool_.AddTask(std::move(run));
  context.overflow_ok = saved;
  if (refused) {
    p.state->End();
    MutexLock lock(mu_);
    pending_.erase(key);
  }
}

void PeriodicTimer::Continue(PeriodicState* state, bool go_on, Clock::time_point next) {
  if (go_on) return Schedule(state, next);
  MutexLock lock(mu_);
  pending_.erase(state);  // the schedule ended here
}

void PeriodicTimer::EndAll() {
  MutexLock lock(mu_);
  ended_ = true;
  for (auto& [key, p] : pending_) p.state->End();
  pending_.clear();
  (void)timer_.TakeAll();
}

void PeriodicTimer::Stop() {
  EndAll();
  (void)timer_.Stop();
}

}  // namespace detail

PeriodicHandle::PeriodicHandle() noexcept = default;
PeriodicHandle::PeriodicHandle(std::shared_ptr<detail::PeriodicState> state) noexcept
    : state_(std::move(state)) {}
PeriodicHandle::PeriodicHandle(PeriodicHandle&&) noexcept = default;
PeriodicHandle& PeriodicHandle::operator=(PeriodicHandle&&) noexcept = default;
PeriodicHandle::~PeriodicHandle() = default;

void PeriodicHandle::Cancel() {
  if (state_) state_->Cancel();
}
bool PeriodicHandle::Active() const { return state_ && state_->Active(); }
std::uint64_t PeriodicHandle::Runs() const { return state_ ? state_->Runs() : 0; }
std::uint64_t PeriodicHandle::Missed() const { return state_ ? state_->Missed() : 0; }
std::uint64_t PeriodicHandle::Failures() const { return state_ ? state_->Failures() : 0; }

PeriodicHandle Pool::EveryImpl(std::chrono::nanoseconds period, detail::MoveOnlyFunction<Error()> f,
                               PeriodicOptions options) {
  if (period.count() <= 0) {
    throw std::invalid_argument("Pool::Every: the period must be positive");
  }
  auto state = std::make_shared<detail::PeriodicState>(period, std::move(f), options);
  std::chrono::nanoseconds first = options.first_after.value_or(period);
  if (first.count() < 0) first = std::chrono::nanoseconds(0);
  if (Closed()) {
    state->End();
  } else {
    periodic_->Start(state, std::chrono::steady_clock::now() + first);
  }
  return PeriodicHandle(std::move(state));
}

}  // namespace litepool
