// litepool/litepool.hpp — the umbrella header: everything of litepool.
//
// A callback-driven task pool: submit tasks built with TaskOptions (or ITask
// objects), attach OnSuccess / OnError / OnComplete hooks, retry failures
// with ErrHandle::ErrReload, count completions with a TaskGroup and read
// Pool::Usage() to see how evenly the workers were loaded.
#ifndef LITEPOOL_LITEPOOL_HPP_
#define LITEPOOL_LITEPOOL_HPP_

#include "litepool/detail/export.hpp"

// The version of these headers, the same as meson.build's project version
// (scripts/test.d/10-consumers checks it); the shared library's soname
// carries major.minor while the major is 0. Compare with
// LITEPOOL_VERSION >= 200 for "0.2.0 or later".
#define LITEPOOL_VERSION_MAJOR 0
#define LITEPOOL_VERSION_MINOR 2
#define LITEPOOL_VERSION_PATCH 0
#define LITEPOOL_VERSION \
  (LITEPOOL_VERSION_MAJOR * 10000 + LITEPOOL_VERSION_MINOR * 100 + LITEPOOL_VERSION_PATCH)

#include "litepool/alloter.hpp"
#include "litepool/coro.hpp"
#include "litepool/default_pool.hpp"
#include "litepool/err_group.hpp"
#include "litepool/err_handle.hpp"
#include "litepool/error.hpp"
#include "litepool/future.hpp"
#include "litepool/map.hpp"
#include "litepool/parallel.hpp"
#include "litepool/periodic.hpp"
#include "litepool/pool.hpp"
#include "litepool/priority.hpp"
#include "litepool/task.hpp"
#include "litepool/task_group.hpp"
#include "litepool/task_options.hpp"

#endif  // LITEPOOL_LITEPOOL_HPP_
