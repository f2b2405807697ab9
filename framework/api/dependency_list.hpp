// DependencyList: the dependencies of a dependent task, shared by copies of
// its TaskOptions; DependencyAccess: what the Pool reads of a Dependency.
#ifndef LITEPOOL_FRAMEWORK_DEPENDENCY_LIST_HPP_
#define LITEPOOL_FRAMEWORK_DEPENDENCY_LIST_HPP_

#include <optional>
#include <utility>
#include <vector>

#include "litepool/future.hpp"
#include "litepool/task_group.hpp"

namespace litepool::detail {

struct DependencyList {
  explicit DependencyList(std::vector<Dependency> d) : deps(std::move(d)) {}
  std::vector<Dependency> deps;  // immutable once made
};

struct DependencyAccess {
  // The Future's state, or null (a TaskGroup, or a Future without state).
  static FutureStateBase* State(const Dependency& d) noexcept { return d.state_; }
  static const std::optional<TaskGroup>& Group(const Dependency& d) noexcept { return d.group_; }
};

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_DEPENDENCY_LIST_HPP_
