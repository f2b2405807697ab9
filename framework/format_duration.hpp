// FormatDuration lives in the public detail header (the front-ends use it and
// include only public headers): one implementation for every message. This
// name stays for the engine's includes.
#ifndef LITEPOOL_FRAMEWORK_FORMAT_DURATION_HPP_
#define LITEPOOL_FRAMEWORK_FORMAT_DURATION_HPP_

#include "litepool/detail/format_duration.hpp"

#endif  // LITEPOOL_FRAMEWORK_FORMAT_DURATION_HPP_
