// Appending one output row's fields straight into a fmt::memory_buffer: integers,
// fixed-point seconds, addresses and literal text are written with a cursor, no
// format string parsed per field, no snprintf (inet_ntop), no temporary strings.
// The `conns` renderers (json, zeek_log) write their rows with it; the text is
// the same as fmt's `{}` gives (integers, true/false) and inet_ntop's.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

#include "core/addr.hpp"

namespace tcpscope::render {

class RowText {
 public:
  // Appends at the end of `out`; the text is committed to `out` when this object
  // goes away (or at commit()).
  explicit RowText(fmt::memory_buffer& out) : out_(out), used_(out.size()) {}
  ~RowText() { commit(); }
  RowText(const RowText&) = delete;
  RowText& operator=(const RowText&) = delete;

  void commit() { out_.resize(used_); }

  // Literal text (a string literal or any view).
  RowText& text(std::string_view s) {
    char* p = room(s.size());
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return *this;
  }
  RowText& ch(char c) {
    *room(1) = c;
    ++used_;
    return *this;
  }
  // An integer as fmt's "{}" prints it.
  template <class Int>
  RowText& num(Int value) {
    static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
    char* p = room(21);
    if constexpr (std::is_signed_v<Int>) {
      if (value < 0) {
        *p++ = '-';
        ++used_;
        return digits(p, static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(value));
      }
    }
    return digits(p, static_cast<std::uint64_t>(value));
  }
  RowText& boolean(bool b) { return text(b ? std::string_view("true") : std::string_view("false")); }
  // Seconds with six decimals, rounded to the microsecond: "-"? seconds "." 6 digits.
  RowText& seconds(std::int64_t ns) {
    const bool negative = ns < 0;
    const std::uint64_t v = negative ? static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(ns)
                                     : static_cast<std::uint64_t>(ns);
    const std::uint64_t us = (v + 500) / 1000;
    if (negative) ch('-');
    num(us / 1'000'000);
    char* p = room(7);
    p[0] = '.';
    std::uint32_t frac = static_cast<std::uint32_t>(us % 1'000'000);
    for (int i = 6; i >= 1; --i) {
      p[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    used_ += 7;
    return *this;
  }
  // `s` padded with spaces to `width` columns, as fmt's "{:<width}" ("{:>width}" for
  // right()) pads ASCII text: never cut.
  RowText& left(std::string_view s, std::size_t width) {
    text(s);
    return spaces(width > s.size() ? width - s.size() : 0);
  }
  RowText& right(std::string_view s, std::size_t width) {
    spaces(width > s.size() ? width - s.size() : 0);
    return text(s);
  }
  RowText& spaces(std::size_t n) {
    char* p = room(n);
    std::memset(p, ' ', n);
    used_ += n;
    return *this;
  }
  // inet_ntop's text of an address (dotted quad for IPv4).
  RowText& ip(const IpAddr& addr) {
    if (!addr.is_v4()) return text(addr.to_string());
    for (int i = 0; i < 4; ++i) {
      if (i) ch('.');
      num(addr.bytes[i]);
    }
    return *this;
  }

 private:
  // A pointer to at least n writable bytes after the text so far.
  char* room(std::size_t n) {
    if (used_ + n > out_.capacity()) {
      out_.resize(used_);  // the buffer keeps (copies) only its size when it grows
      out_.reserve(std::max(used_ + n, out_.capacity() * 2));
    }
    return out_.data() + used_;
  }
  RowText& digits(char* p, std::uint64_t v) {
    char tmp[20];
    int n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    for (int i = 0; i < n; ++i) p[i] = tmp[n - 1 - i];
    used_ += static_cast<std::size_t>(n);
    return *this;
  }

  fmt::memory_buffer& out_;
  std::size_t used_;  // bytes of `out_` written so far (its size may lag behind)
};

}  // namespace tcpscope::render
