// Pool's scheduling controls (DESIGN §6.2): Pause / Resume / Paused / Purge,
// WaitIdle / WaitIdleFor and SetWorkers.
//
// Placeholder: the engine does not implement them yet. Each member throws
// std::logic_error("litepool: <name> not implemented yet") (Paused returns
// false), so a caller is told rather than silently ignored. The engine's
// implementation replaces this file.
#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>

#include "litepool/pool.hpp"

namespace litepool {

namespace {
[[noreturn]] void NotImplemented(const char* name) {
  throw std::logic_error(std::string("litepool: ") + name + " not implemented yet");
}
}  // namespace

void Pool::Pause() { NotImplemented("Pause"); }
void Pool::Resume() { NotImplemented("Resume"); }
bool Pool::Paused() const { return false; }
std::size_t Pool::Purge() { NotImplemented("Purge"); }
void Pool::WaitIdle() const { NotImplemented("WaitIdle"); }
bool Pool::WaitIdleFor(std::chrono::nanoseconds) const { NotImplemented("WaitIdleFor"); }
void Pool::SetWorkers(std::size_t) { NotImplemented("SetWorkers"); }

}  // namespace litepool
