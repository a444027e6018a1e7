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
#include "core/digits.hpp"

namespace tcpscope::render {

// Digit helpers shared by RowText and RowCursor.
namespace row_digits {
using tcpscope::six_digits;
using tcpscope::two_digits;
// 0..255 without leading zeros at p; returns its length.
inline std::size_t small_number(char* p, std::uint32_t v) {
  if (v < 10) {
    p[0] = static_cast<char>('0' + v);
    return 1;
  }
  if (v < 100) {
    two_digits(p, v);
    return 2;
  }
  p[0] = static_cast<char>('0' + v / 100);
  two_digits(p + 1, v % 100);
  return 3;
}
// An IPv4 address's dotted quad at p (at most 15 bytes); returns its length.
inline std::size_t dotted_quad(char* p, const IpAddr& addr) {
  std::size_t n = 0;
  for (int i = 0; i < 4; ++i) {
    if (i) p[n++] = '.';
    n += small_number(p + n, addr.bytes[i]);
  }
  return n;
}
// Nanoseconds rounded to the microsecond, split for "-"? whole "." 6 digits.
struct Micros {
  bool negative;
  std::uint64_t whole;
  std::uint32_t fraction;
};
inline Micros to_micros(std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t v = negative ? static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(ns)
                                   : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = (v + 500) / 1000;
  return Micros{negative, us / 1'000'000, static_cast<std::uint32_t>(us % 1'000'000)};
}
// "." and the six digits of a fraction (0..999999) at p: 7 bytes.
inline void six_decimals(char* p, std::uint32_t fraction) {
  p[0] = '.';
  six_digits(p + 1, fraction);
}
}  // namespace row_digits

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
    const row_digits::Micros t = row_digits::to_micros(ns);
    if (t.negative) ch('-');
    num(t.whole);
    row_digits::six_decimals(room(7), t.fraction);
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
    used_ += row_digits::dotted_quad(room(15), addr);
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
    if (v < 10) {
      *p = static_cast<char>('0' + v);
      ++used_;
      return *this;
    }
    // Written from the end of a 20-byte scratch, two digits at a time, then copied.
    char tmp[20];
    char* end = tmp + sizeof tmp;
    char* q = end;
    while (v >= 100) {
      q -= 2;
      row_digits::two_digits(q, static_cast<std::uint32_t>(v % 100));
      v /= 100;
    }
    if (v >= 10) {
      q -= 2;
      row_digits::two_digits(q, static_cast<std::uint32_t>(v));
    } else {
      *--q = static_cast<char>('0' + v);
    }
    const auto n = static_cast<std::size_t>(end - q);
    std::memcpy(p, q, n);
    used_ += n;
    return *this;
  }

  fmt::memory_buffer& out_;
  std::size_t used_;  // bytes of `out_` written so far (its size may lag behind)
};

// The same texts as RowText, written through a bare cursor into room reserved once
// for the whole row: no capacity check, no scratch copy per field. For a row whose
// size has a known bound (conn_json: its keys are constant, its values bounded but
// for the Zeek history and IPv6 addresses, which it counts in). Integers are written
// in place from their last digit back, after counting their digits; short texts of
// varying length (names) are copied with two overlapping loads, not a memcpy call.
class RowCursor {
 public:
  // Reserves `bound` bytes after the end of `out`; the text written must stay within.
  // The buffer grows as RowText grows it (to its capacity times a power of two):
  // fmt's own 1.5x steps reallocate more often, which left the heap of `conns` (its
  // rows' buffers and its connections) a few MiB larger at the peak.
  RowCursor(fmt::memory_buffer& out, std::size_t bound) : out_(out), start_(out.size()) {
    if (start_ + bound > out.capacity()) {
      std::size_t capacity = std::max<std::size_t>(out.capacity(), 1);
      while (capacity < start_ + bound) capacity *= 2;
      out.reserve(capacity);
    }
    p_ = out.data() + start_;
  }
  ~RowCursor() { commit(); }
  RowCursor(const RowCursor&) = delete;
  RowCursor& operator=(const RowCursor&) = delete;
  void commit() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }

  // Literal text: the length is a constant where this is inlined, the copy too.
  template <std::size_t N>
  [[gnu::always_inline]] RowCursor& lit(const char (&s)[N]) {
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
    return *this;
  }
  // Text of any length (names, the history, IPv6 addresses).
  RowCursor& text(std::string_view s) {
    copy_short(p_, s.data(), s.size());
    p_ += s.size();
    return *this;
  }
  RowCursor& ch(char c) {
    *p_++ = c;
    return *this;
  }
  RowCursor& boolean(bool b) {
    if (b) {
      std::memcpy(p_, "true", 4);
      p_ += 4;
    } else {
      std::memcpy(p_, "false", 5);
      p_ += 5;
    }
    return *this;
  }
  // An integer as fmt's "{}" prints it.
  template <class Int>
  RowCursor& num(Int value) {
    static_assert(std::is_integral_v<Int> && !std::is_same_v<Int, bool>);
    if constexpr (std::is_signed_v<Int>) {
      if (value < 0) {
        *p_++ = '-';
        return unsigned_num(static_cast<std::uint64_t>(0) - static_cast<std::uint64_t>(value));
      }
    }
    return unsigned_num(static_cast<std::uint64_t>(value));
  }
  // Seconds with six decimals, rounded to the microsecond (RowText::seconds).
  RowCursor& seconds(std::int64_t ns) {
    const row_digits::Micros t = row_digits::to_micros(ns);
    if (t.negative) *p_++ = '-';
    unsigned_num(t.whole);
    row_digits::six_decimals(p_, t.fraction);
    p_ += 7;
    return *this;
  }
  // inet_ntop's text of an address (dotted quad for IPv4).
  RowCursor& ip(const IpAddr& addr) {
    if (!addr.is_v4()) return text(addr.to_string());
    p_ += row_digits::dotted_quad(p_, addr);
    return *this;
  }

  // The longest text ip() writes, and num() (20 digits and a sign).
  static constexpr std::size_t kMaxIpText = 46;
  static constexpr std::size_t kMaxNumText = 21;

 private:
  static std::size_t digit_count(std::uint64_t v) {
    std::size_t n = 1;
    for (;;) {
      if (v < 10) return n;
      if (v < 100) return n + 1;
      if (v < 1000) return n + 2;
      if (v < 10000) return n + 3;
      v /= 10000;
      n += 4;
    }
  }
  RowCursor& unsigned_num(std::uint64_t v) {
    const std::size_t n = digit_count(v);
    char* q = p_ + n;
    while (v >= 100) {
      q -= 2;
      row_digits::two_digits(q, static_cast<std::uint32_t>(v % 100));
      v /= 100;
    }
    if (v >= 10)
      row_digits::two_digits(q - 2, static_cast<std::uint32_t>(v));
    else
      q[-1] = static_cast<char>('0' + v);
    p_ += n;
    return *this;
  }
  // n bytes from `from` to `to`, reading and writing only those bytes: two
  // overlapping loads for up to 32 bytes, memcpy beyond.
  static void copy_short(char* to, const char* from, std::size_t n) {
    if (n >= 8) {
      if (n > 32) {
        std::memcpy(to, from, n);
      } else if (n > 16) {
        char head[16], tail[16];
        std::memcpy(head, from, 16);
        std::memcpy(tail, from + n - 16, 16);
        std::memcpy(to, head, 16);
        std::memcpy(to + n - 16, tail, 16);
      } else {
        std::uint64_t head, tail;
        std::memcpy(&head, from, 8);
        std::memcpy(&tail, from + n - 8, 8);
        std::memcpy(to, &head, 8);
        std::memcpy(to + n - 8, &tail, 8);
      }
    } else if (n >= 4) {
      std::uint32_t head, tail;
      std::memcpy(&head, from, 4);
      std::memcpy(&tail, from + n - 4, 4);
      std::memcpy(to, &head, 4);
      std::memcpy(to + n - 4, &tail, 4);
    } else {
      for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
    }
  }

  fmt::memory_buffer& out_;
  std::size_t start_;
  char* p_;
};

}  // namespace tcpscope::render
