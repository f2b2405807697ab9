#include "engine/thread_launcher.hpp"

#include <algorithm>
#include <future>
#include <system_error>
#include <utility>

#include "engine/worker.hpp"
#include "task/execution_context.hpp"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif

namespace litepool::detail {
namespace {

// Linux limits a thread name to 16 bytes, the terminating NUL included.
constexpr std::size_t kMaxThreadName = 15;

}  // namespace

ThreadFactory DefaultThreadFactory() {
  return [](std::function<void()> main) { return std::thread(std::move(main)); };
}

ThreadLauncher::ThreadLauncher(const PoolOptions& options, std::size_t first_spare_id,
                               ThreadFactory factory)
    : options_(options), first_spare_id_(first_spare_id), factory_(std::move(factory)) {
#if defined(__linux__)
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    for (int c = 0; c < CPU_SETSIZE; ++c) {
      if (CPU_ISSET(c, &set)) cpus_.push_back(c);
    }
  }
#endif
}

void ThreadLauncher::Start(Worker& w, std::function<void()> loop) {
  const bool pin = options_.pin_workers && !w.Spare() && !cpus_.empty();
  const bool handshake = pin || static_cast<bool>(options_.on_thread_start);
  // Set by the new thread once on_thread_start returned (or threw); the
  // starter waits for it only when there is a hook or pinning to report.
  std::promise<void> started;
  std::future<void> ready;
  if (handshake) ready = started.get_future();
  w.Adopt(factory_([this, &w, pin, handshake, &started, loop = std::move(loop)] {
    Context().worker = &w;
#if defined(__linux__)
    const std::string name = ThreadName(w.Id());
    pthread_setname_np(pthread_self(), name.c_str());
#endif
    if (handshake) {
      try {
#if defined(__linux__)
        if (pin) {
          cpu_set_t set;
          CPU_ZERO(&set);
          CPU_SET(cpus_[w.Id() % cpus_.size()], &set);
          if (const int err = pthread_setaffinity_np(pthread_self(), sizeof set, &set)) {
            throw std::system_error(err, std::generic_category(),
                                    "litepool: pin_workers: pthread_setaffinity_np");
          }
        }
#endif
        if (options_.on_thread_start) options_.on_thread_start(w.Id());
      } catch (...) {
        started.set_exception(std::current_exception());
        Context().worker = nullptr;
        return;  // the starter joins this thread and rethrows
      }
      started.set_value();  // `started` may be gone after this line
    }
    loop();
    if (options_.on_thread_stop) {
      try {
        options_.on_thread_stop(w.Id());
      } catch (...) {
        // Nobody to report to: the thread is leaving (documented in pool.hpp).
      }
    }
    Context().worker = nullptr;
  }));
  if (handshake) ready.get();  // rethrows what on_thread_start threw
}

std::string ThreadLauncher::ThreadName(std::size_t id) const {
  // Trim the prefix to fit kMaxThreadName, keep "-id" (a spare: "-s<k>").
  std::string name = options_.name.empty() ? "litepool" : options_.name;
  const std::string id_text =
      id >= first_spare_id_ ? "s" + std::to_string(id - first_spare_id_) : std::to_string(id);
  const std::size_t keep = kMaxThreadName - 1 - id_text.size();
  if (name.size() > keep) name.resize(keep);
  name.push_back('-');
  name.append(id_text);
  return name;
}

bool ThreadLauncher::Oversubscribed(std::size_t workers) const noexcept {
  const std::size_t cpus =
      cpus_.empty() ? std::max(1u, std::thread::hardware_concurrency()) : cpus_.size();
  return workers > cpus;
}

}  // namespace litepool::detail
