// ThreadLauncher: starts a pool's threads — workers and spares — with the
// pool's name, pinning and thread hooks, through an injectable factory.
//
//   ThreadLauncher launcher(options, DefaultThreadFactory());
//   launcher.Start(worker, [&] { scheduler.RunUntil(worker, nullptr); });
//
// Start returns once PoolOptions::on_thread_start returned on the new thread
// and rethrows what it (or pinning, or the factory) threw; the thread then
// exits without running the loop. Tests inject a factory that refuses a
// thread (as the OS may, with std::system_error); nothing else differs.
#ifndef LITEPOOL_FRAMEWORK_ENGINE_THREAD_LAUNCHER_HPP_
#define LITEPOOL_FRAMEWORK_ENGINE_THREAD_LAUNCHER_HPP_

#include <cstddef>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "litepool/pool.hpp"

namespace litepool::detail {

class Worker;

// Makes a running thread from `main`; throws std::system_error when no
// thread can be had.
using ThreadFactory = std::function<std::thread(std::function<void()> main)>;
ThreadFactory DefaultThreadFactory();

class ThreadLauncher {
 public:
  // `options` is the pool's (name, pin_workers, on_thread_start/stop), read
  // on every start: it must outlive the launcher. Spares' ids start at
  // `first_spare_id` (workers take the ids below). Reads the process's CPU
  // affinity mask once.
  ThreadLauncher(const PoolOptions& options, std::size_t first_spare_id, ThreadFactory factory);

  // Starts `w`'s thread: its name, its CPU (workers with pin_workers), then
  // on_thread_start, `loop`, and on_thread_stop. Returns once
  // on_thread_start returned; rethrows what it or pinning threw (the thread
  // then returns without running `loop`; join it). Any thread.
  void Start(Worker& w, std::function<void()> loop);

  // "<name>-<id>", or "<name>-s<k>" for the k-th spare,
  // trimmed to Linux's 15 characters.
  std::string ThreadName(std::size_t id) const;
  // More workers than the process has CPUs.
  bool Oversubscribed(std::size_t workers) const noexcept;

 private:
  const PoolOptions& options_;
  const std::size_t first_spare_id_;
  ThreadFactory factory_;
  // CPUs of the process's affinity mask at construction; empty where the
  // platform has no mask.
  std::vector<int> cpus_;
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_ENGINE_THREAD_LAUNCHER_HPP_
