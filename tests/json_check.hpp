// A strict JSON validity check for tests (RFC 8259): one value, nothing
// after it, strings of valid UTF-8 without raw control characters, no NaN,
// no trailing commas. Returns "" when valid, else what is wrong and where.
#ifndef LITEPOOL_TESTS_JSON_CHECK_HPP_
#define LITEPOOL_TESTS_JSON_CHECK_HPP_

#include <cctype>
#include <cstddef>
#include <string>
#include <string_view>

namespace litepool::testing {

class JsonCheck {
 public:
  static std::string Problem(std::string_view text) {
    JsonCheck c(text);
    c.Space();
    if (!c.Value(0)) return c.error_;
    c.Space();
    if (c.i_ != text.size()) c.Fail("text after the value");
    return c.error_;
  }

 private:
  explicit JsonCheck(std::string_view t) : t_(t) {}

  bool Fail(const char* what) {
    if (error_.empty()) error_ = std::string(what) + " at byte " + std::to_string(i_);
    return false;
  }
  bool At(char c) const { return i_ < t_.size() && t_[i_] == c; }
  void Space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
      ++i_;
  }
  bool Literal(std::string_view word) {
    if (t_.substr(i_, word.size()) != word) return Fail("bad literal");
    i_ += word.size();
    return true;
  }
  bool Digits() {
    const std::size_t start = i_;
    while (i_ < t_.size() && t_[i_] >= '0' && t_[i_] <= '9') ++i_;
    return i_ > start || Fail("digit expected");
  }
  bool Number() {
    if (At('-')) ++i_;
    if (At('0')) {
      ++i_;
    } else if (!Digits()) {
      return false;
    }
    if (At('.')) {
      ++i_;
      if (!Digits()) return false;
    }
    if (At('e') || At('E')) {
      ++i_;
      if (At('+') || At('-')) ++i_;
      if (!Digits()) return false;
    }
    return true;
  }
  bool String() {
    ++i_;  // opening quote
    while (i_ < t_.size()) {
      const auto b = static_cast<unsigned char>(t_[i_]);
      if (b == '"') {
        ++i_;
        return true;
      }
      if (b < 0x20) return Fail("raw control character in a string");
      if (b == '\\') {
        ++i_;
        if (i_ >= t_.size()) return Fail("unterminated escape");
        const char e = t_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k, ++i_) {
            if (i_ >= t_.size() || !std::isxdigit(static_cast<unsigned char>(t_[i_]))) {
              return Fail("bad \\u escape");
            }
          }
        } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
          return Fail("bad escape");
        }
        continue;
      }
      if (b < 0x80) {
        ++i_;
        continue;
      }
      // UTF-8: lead byte, continuation bytes, no overlong/surrogate/too large.
      std::size_t len = (b & 0xE0) == 0xC0   ? 2
                        : (b & 0xF0) == 0xE0 ? 3
                        : (b & 0xF8) == 0xF0 ? 4
                                             : 0;
      if (len == 0 || i_ + len > t_.size()) return Fail("invalid UTF-8");
      unsigned cp = b & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
      for (std::size_t k = 1; k < len; ++k) {
        const auto c = static_cast<unsigned char>(t_[i_ + k]);
        if ((c & 0xC0) != 0x80) return Fail("invalid UTF-8");
        cp = (cp << 6) | (c & 0x3F);
      }
      const unsigned min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return Fail("invalid UTF-8");
      i_ += len;
    }
    return Fail("unterminated string");
  }
  bool Value(int depth) {
    if (depth > 64) return Fail("too deep");
    if (i_ >= t_.size()) return Fail("value expected");
    switch (t_[i_]) {
      case '{': {
        ++i_;
        Space();
        if (At('}')) {
          ++i_;
          return true;
        }
        for (;;) {
          Space();
          if (!At('"')) return Fail("key expected");
          if (!String()) return false;
          Space();
          if (!At(':')) return Fail("':' expected");
          ++i_;
          Space();
          if (!Value(depth + 1)) return false;
          Space();
          if (At(',')) {
            ++i_;
            continue;
          }
          if (At('}')) {
            ++i_;
            return true;
          }
          return Fail("',' or '}' expected");
        }
      }
      case '[': {
        ++i_;
        Space();
        if (At(']')) {
          ++i_;
          return true;
        }
        for (;;) {
          Space();
          if (!Value(depth + 1)) return false;
          Space();
          if (At(',')) {
            ++i_;
            continue;
          }
          if (At(']')) {
            ++i_;
            return true;
          }
          return Fail("',' or ']' expected");
        }
      }
      case '"':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  std::string_view t_;
  std::size_t i_ = 0;
  std::string error_;
};

}  // namespace litepool::testing

#endif  // LITEPOOL_TESTS_JSON_CHECK_HPP_
