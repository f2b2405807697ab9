// The stuck-wait diagnostic's per-pool state.
#include "task/stuck_watch.hpp"

#include <cstdio>
#include <string>
#include <utility>

namespace litepool::detail {

StuckWatch::StuckWatch(std::chrono::milliseconds report_after,
                       std::function<void(std::string_view)> on_report, std::string pool_name,
                       std::function<bool()> quiet)
    : report_after_(report_after),
      on_report_(std::move(on_report)),
      pool_name_(std::move(pool_name)),
      quiet_(std::move(quiet)) {}

void StuckWatch::Detach() {
  MutexLock lock(mu_);
  quiet_ = nullptr;
}

bool StuckWatch::PoolQuiet() const {
  MutexLock lock(mu_);
  return !quiet_ || quiet_();
}

void StuckWatch::Report(std::string_view message) const noexcept {
  if (!on_report_) {
    // One call: stdio locks the stream, so concurrent reports do not
    // interleave within a line.
    std::fprintf(stderr, "%.*s\n", static_cast<int>(message.size()), message.data());
    return;
  }
  try {
    on_report_(message);
  } catch (...) {
    // A throwing reporter must not turn a wait into a throw.
  }
}

namespace {
std::string PoolAndTime(const StuckWatch& watch) {
  const std::string name = watch.PoolName().empty() ? "(unnamed)" : "\"" + watch.PoolName() + "\"";
  return "on pool " + name + " has waited " + std::to_string(watch.ReportAfter().count()) +
         " ms while the pool had nothing queued, running, delayed or waiting to retry";
}
}  // namespace

std::string StuckGroupMessage(const char* what, const StuckWatch& watch, std::int64_t pending) {
  return std::string("litepool: ") + what + " " + PoolAndTime(watch) +
         ", with Pending() = " + std::to_string(pending) +
         ": no task left will credit the group. Likely cause: a task added without "
         "SetAutoDone(), or a Done() missing (the wait goes on)";
}

std::string StuckFutureMessage(const StuckWatch& watch, const char* what) {
  return std::string("litepool: ") + what + " " + PoolAndTime(watch) +
         ": the result depends on something no task of the pool will do now, most likely a "
         "TaskGroup with a task added without SetAutoDone() or a Done() missing (the wait "
         "goes on)";
}

std::string StuckIdleMessage(const StuckWatch& watch) {
  return "litepool: Pool::WaitIdle " + PoolAndTime(watch) +
         ", yet it has not returned: a wake-up was lost (please report it)";
}

}  // namespace litepool::detail
