// Text helpers shared by Usage()/ToJson() and the Trace writers: UTF-8
// clean-up, JSON strings, short numbers and durations for table cells.
#ifndef LITEPOOL_FRAMEWORK_USAGE_FORMAT_HPP_
#define LITEPOOL_FRAMEWORK_USAGE_FORMAT_HPP_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "litepool/detail/export.hpp"
#include "litepool/pool.hpp"

namespace litepool::detail {

// `s` as a JSON string literal (quotes included): valid UTF-8 is kept,
// every byte that is not part of a valid UTF-8 sequence becomes U+FFFD,
// control characters are escaped.
std::string JsonString(std::string_view s);

// `s` made safe for a terminal line: invalid UTF-8 and control characters
// (C0, DEL, C1) become '?', so a name cannot inject escape sequences.
std::string TerminalText(std::string_view s);

// Display columns of valid UTF-8 text: one per code point (ANSI escape
// sequences "ESC [ ... letter" count zero).
std::size_t DisplayColumns(std::string_view s);

// `s` cut to at most `columns` display columns, ending in "..." if cut.
std::string TruncateColumns(std::string_view s, std::size_t columns);

// `v` in at most `width` characters (width >= 4): exact when it fits, else
// three significant digits and a suffix k, M, G, T, P, E ("1.23M", "456k").
std::string ShortCount(std::uint64_t v, std::size_t width);

// A duration in three significant digits and a unit: "850ns", "12.3us",
// "1.50ms", "2.25s" (seconds beyond 999: "1234s").
std::string ShortDuration(std::chrono::nanoseconds d);

// The Usage() table of `report` (the pool has `workers` workers with
// queues of `queue_capacity`), with ANSI colour when `color`. The tests call it
// through the internal library with reports no pool could produce quickly.
std::string FormatUsage(const UsageReport& report, std::size_t workers, std::size_t queue_capacity,
                        UsageStyle style, bool color);

}  // namespace litepool::detail

#endif  // LITEPOOL_FRAMEWORK_USAGE_FORMAT_HPP_
