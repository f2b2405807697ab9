// litepool/detail/format_duration.hpp — a duration as short text for error
// messages ("500ns", "1.5ms", "2s"), shared by the engine and the front-ends
// so that every message spells a duration the same way. Internal: do not
// name anything in litepool::detail from application code.
//
// Header-only. Thread-safe (a pure function), never blocks; allocates the
// returned string (std::bad_alloc is the only exception).
#ifndef LITEPOOL_DETAIL_FORMAT_DURATION_HPP_
#define LITEPOOL_DETAIL_FORMAT_DURATION_HPP_

#include "litepool/detail/export.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace litepool::detail {

// The largest unit (ns, us, ms, s) in which `d` is at least 1, with up to
// three decimals (truncated, trailing zeros dropped): 500ns -> "500ns",
// 1500us -> "1.5ms", 2000ms -> "2s". Never "0ms" for a non-zero duration.
inline std::string FormatDuration(std::chrono::nanoseconds d) {
  std::int64_t ns = d.count();
  std::string sign;
  if (ns < 0) {
    sign = "-";
    // -(min) overflows: one nanosecond off does not matter in a message.
    ns = ns == INT64_MIN ? INT64_MAX : -ns;
  }
  struct Unit {
    std::int64_t ns;
    const char* suffix;
  };
  constexpr Unit kUnits[] = {{1'000'000'000, "s"}, {1'000'000, "ms"}, {1'000, "us"}, {1, "ns"}};
  for (const Unit& u : kUnits) {
    if (ns < u.ns && u.ns != 1) continue;
    std::string text = sign + std::to_string(ns / u.ns);
    // Three decimals of the unit, as an integer 0..999.
    std::int64_t frac = (ns % u.ns) / (u.ns >= 1000 ? u.ns / 1000 : 1);
    if (u.ns >= 1000 && frac != 0) {
      std::string digits = std::to_string(frac);
      digits.insert(0, 3 - digits.size(), '0');
      while (digits.back() == '0') digits.pop_back();
      text += "." + digits;
    }
    return text + u.suffix;
  }
  return sign + "0ns";  // not reached: the ns unit always matches
}

}  // namespace litepool::detail

#endif  // LITEPOOL_DETAIL_FORMAT_DURATION_HPP_
