// Text helpers for Usage(), ToJson() and the Trace writers.
#include "observe/usage_format.hpp"

#include <cstdio>
#include <iomanip>
#include <sstream>

namespace litepool::detail {
namespace {

constexpr char32_t kInvalid = 0xFFFFFFFF;  // not a code point: an invalid byte

// Decodes the code point at s[i] and advances i; an invalid sequence
// (truncated, overlong, surrogate, above U+10FFFF, stray continuation byte)
// yields kInvalid and consumes one byte, so decoding resumes at the next.
char32_t NextCodePoint(std::string_view s, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  std::size_t len = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kInvalid;
  }
  if (i + len > s.size()) {
    ++i;
    return kInvalid;
  }
  for (std::size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kInvalid;
    }
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kInvalid;
  }
  i += len;
  return cp;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

void AppendUtf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Three significant digits of x (0 <= x < 999.5): "1.23", "12.3", "123".
std::string ThreeDigits(double x) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(x < 9.995 ? 2 : x < 99.95 ? 1 : 0) << x;
  return s.str();
}

}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    const char32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case kInvalid:
        out += "\\ufffd";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (cp < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
          out += buf;
        } else {
          AppendUtf8(out, cp);
        }
    }
  }
  return out + "\"";
}

std::string TerminalText(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const char32_t cp = NextCodePoint(s, i);
    if (cp == kInvalid || IsControl(cp)) {
      out += '?';
    } else {
      AppendUtf8(out, cp);
    }
  }
  return out;
}

std::size_t DisplayColumns(std::string_view s) {
  std::size_t columns = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b == 0x1B && i + 1 < s.size() && s[i + 1] == '[') {  // CSI: skip to its final letter
      i += 2;
      while (i < s.size() && !(s[i] >= '@' && s[i] <= '~')) ++i;
      continue;
    }
    if ((b & 0xC0) != 0x80) ++columns;  // count lead bytes only
  }
  return columns;
}

std::string TruncateColumns(std::string_view s, std::size_t columns) {
  if (DisplayColumns(s) <= columns) return std::string(s);
  const std::size_t keep = columns > 3 ? columns - 3 : 0;
  std::size_t taken = 0;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    NextCodePoint(s, i);
    if (taken == keep) {
      i = start;
      break;
    }
    ++taken;
  }
  return std::string(s.substr(0, i)) + std::string("...").substr(0, columns - keep);
}

std::string ShortCount(std::uint64_t v, std::size_t width) {
  std::string exact = std::to_string(v);
  if (exact.size() <= width) return exact;
  static constexpr char kSuffix[] = {'k', 'M', 'G', 'T', 'P', 'E'};
  double x = static_cast<double>(v);
  for (char suffix : kSuffix) {
    x /= 1000.0;
    if (x < 999.5) return ThreeDigits(x) + suffix;
  }
  return ThreeDigits(x) + 'E';  // unreachable for 64-bit values
}

std::string ShortDuration(std::chrono::nanoseconds d) {
  const double ns = static_cast<double>(d.count() > 0 ? d.count() : 0);
  if (ns < 999.5) return std::to_string(static_cast<long long>(ns)) + "ns";
  if (ns < 999.5e3) return ThreeDigits(ns / 1e3) + "us";
  if (ns < 999.5e6) return ThreeDigits(ns / 1e6) + "ms";
  if (ns < 999.5e9) return ThreeDigits(ns / 1e9) + "s";
  return std::to_string(static_cast<long long>(ns / 1e9 + 0.5)) + "s";
}

}  // namespace litepool::detail
