// A cursor that writes printer text straight into a fmt::memory_buffer: room for
// the longest possible text is reserved once (the buffer keeps its capacity from
// packet to packet), so the hot path is plain stores with no per-piece size checks,
// no memmove calls and no format-string parsing.
#pragma once
#include <fmt/format.h>

#include <bit>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "core/addr.hpp"
#include "core/digits.hpp"

namespace tcpscope::print {

// Appends `n` bytes to `out`: grows it once, then one memcpy. fmt's own
// append() is an out-of-line generic copy loop, slow for the short pieces
// the printers add.
inline void append_bytes(fmt::memory_buffer& out, const char* data, std::size_t n) {
  const std::size_t old = out.size();
  out.resize(old + n);
  std::memcpy(out.data() + old, data, n);
}

// The same for text pieces: literals (size known after inlining) become a few
// moves; short runtime pieces are copied by a loop (a call to memcpy costs more
// than the copy); long ones go to memcpy.
[[gnu::always_inline]] inline void append_text(fmt::memory_buffer& out, std::string_view s) {
  const std::size_t old = out.size();
  out.resize(old + s.size());
  char* p = out.data() + old;
  if (__builtin_constant_p(s.size()) || s.size() > 32) {
    std::memcpy(p, s.data(), s.size());
    return;
  }
  for (char c : s) *p++ = c;
}

class TextWriter {
 public:
  // Reserves `max_len` bytes after the buffer's current end; the caller must not
  // write more than that. The buffer is trimmed to what was written on destruction.
  TextWriter(fmt::memory_buffer& out, std::size_t max_len) : out_(out), start_(out.size()) {
    // kStoreSlack more: dec32 stores 8 digit bytes at once, past its text's end.
    out_.resize(start_ + max_len + kStoreSlack);
    p_ = out_.data() + start_;
  }
  ~TextWriter() { out_.resize(static_cast<std::size_t>(p_ - out_.data())); }
  TextWriter(const TextWriter&) = delete;
  TextWriter& operator=(const TextWriter&) = delete;

  void put(char c) { *p_++ = c; }
  void text(std::string_view s) {
    // Literals (size known after inlining) become a few moves; short runtime pieces
    // are copied by a loop on a local pointer (a char store could alias p_, which
    // would otherwise be reloaded for every byte); long ones go to memcpy.
    if (__builtin_constant_p(s.size()) || s.size() > 32) {
      std::memcpy(p_, s.data(), s.size());
      p_ += s.size();
      return;
    }
    char* p = p_;
    for (char c : s) *p++ = c;
    p_ = p;
  }
  // Copies `N` bytes (a fixed size: a few moves) but advances by `n` <= N only; the
  // caller's room must allow N.
  template <std::size_t N>
  void fixed_copy(const char* s, std::size_t n) {
    std::memcpy(p_, s, N);
    p_ += n;
  }
  char* position() const { return p_; }
  template <std::size_t N>
  void lit(const char (&s)[N]) {  // a string literal, its length known at compile time
    std::memcpy(p_, s, N - 1);
    p_ += N - 1;
  }

  // Decimal, like printf("%u") / PRIu64.
  void dec(std::uint64_t v) {
    if (v <= 0xffffffffu) return dec32(static_cast<std::uint32_t>(v));
    int digits = 1;
    for (std::uint64_t rest = v / 10; rest != 0; rest /= 10) ++digits;
    char* q = p_ + digits;
    p_ = q;
    do {
      *--q = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
  }
  // 32-bit values (ports, sequence numbers, lengths). From 100 on, up to eight digits
  // are computed at once in the bytes of one 64-bit word and stored with one 8-byte
  // store (the bytes past the text are overwritten by what follows or trimmed: the
  // writer's room has kStoreSlack bytes more than asked for).
  [[gnu::always_inline]] void dec32(std::uint32_t v) {
    if constexpr (std::endian::native == std::endian::little) {
      if (v < 10) {
        *p_++ = static_cast<char>('0' + v);
        return;
      }
      if (v < 100) {
        two_digits(p_, v);
        p_ += 2;
        return;
      }
      char* p = p_;
      if (v >= 100000000) {
        const std::uint32_t top = v / 100000000;  // 1 .. 42
        v -= top * 100000000;
        if (top >= 10) {
          two_digits(p, top);
          p += 2;
        } else {
          *p++ = static_cast<char>('0' + top);
        }
        const std::uint64_t digits = eight_digits(v);
        std::memcpy(p, &digits, 8);
        p_ = p + 8;
        return;
      }
      const int count = v < 1000       ? 3
                        : v < 10000    ? 4
                        : v < 100000   ? 5
                        : v < 1000000  ? 6
                        : v < 10000000 ? 7
                                       : 8;
      const std::uint64_t digits = eight_digits(v) >> (8 * (8 - count));
      std::memcpy(p, &digits, 8);
      p_ = p + count;
      return;
    }
    dec32_by_pairs(v);
  }
  // Digit count by comparison, then two digits per step from a table.
  void dec32_by_pairs(std::uint32_t v) {
    const int digits = v < 10           ? 1
                       : v < 100        ? 2
                       : v < 1000       ? 3
                       : v < 10000      ? 4
                       : v < 100000     ? 5
                       : v < 1000000    ? 6
                       : v < 10000000   ? 7
                       : v < 100000000  ? 8
                       : v < 1000000000 ? 9
                                        : 10;
    char* q = p_ + digits;
    p_ = q;
    while (v >= 100) {
      const std::uint32_t pair = (v % 100) * 2;
      v /= 100;
      *--q = kDigitPairs[pair + 1];
      *--q = kDigitPairs[pair];
    }
    if (v >= 10) {
      *--q = kDigitPairs[v * 2 + 1];
      *--q = kDigitPairs[v * 2];
    } else {
      *--q = static_cast<char>('0' + v);
    }
  }

  // Lowercase hexadecimal, zero-padded to at least `min_digits` (at most 16), like printf("%0Nx").
  void hex(std::uint64_t v, int min_digits = 1) {
    int digits = (64 - __builtin_clzll(v | 1) + 3) / 4;
    if (digits < min_digits) digits = min_digits;
    char* q = p_ + digits;
    p_ = q;
    for (int i = 0; i < digits; ++i) {
      *--q = kHexDigits[v & 0xf];
      v >>= 4;
    }
  }

  // Each byte as two lowercase hex digits, no separator.
  void hex_bytes(const std::uint8_t* bytes, std::size_t n) {
    char* p = p_;
    for (std::size_t i = 0; i < n; ++i) {
      *p++ = kHexDigits[bytes[i] >> 4];
      *p++ = kHexDigits[bytes[i] & 0xf];
    }
    p_ = p;
  }

  void ipv4(const std::uint8_t* a) {
    char* p = p_;
    for (int i = 0; i < 4; ++i) {
      const unsigned v = a[i];
      if (v >= 100) *p++ = static_cast<char>('0' + v / 100);
      if (v >= 10) *p++ = static_cast<char>('0' + (v / 10) % 10);
      *p++ = static_cast<char>('0' + v % 10);
      if (i < 3) *p++ = '.';
    }
    p_ = p;
  }
  void ipv6(const std::uint8_t* a);  // inet_ntop form, as print/addr_text.hpp
  void ip(const IpAddr& a) {
    if (a.is_v6())
      ipv6(a.bytes.data());
    else
      ipv4(a.bytes.data());
  }

 private:
  static constexpr std::size_t kStoreSlack = 8;

  // The eight decimal digits of `v` < 10^8, with leading zeros, as ASCII bytes in
  // printing order in memory (little-endian: the first digit in the lowest byte).
  // Splits into 4-digit halves, then 2-digit pairs, then digits, each step on all
  // lanes at once (multiply-shift divisions exact for these ranges).
  static std::uint64_t eight_digits(std::uint32_t v) {
    const std::uint64_t halves = std::uint64_t{v / 10000} | (std::uint64_t{v % 10000} << 32);
    const std::uint64_t hundreds = ((halves * 10486) >> 20) & 0x0000007f0000007full;
    const std::uint64_t pairs = hundreds | ((halves - hundreds * 100) << 16);
    const std::uint64_t tens = ((pairs * 103) >> 10) & 0x000f000f000f000full;
    const std::uint64_t digits = tens | ((pairs - tens * 10) << 8);
    return digits + 0x3030303030303030ull;
  }

  static constexpr char kHexDigits[] = "0123456789abcdef";
  fmt::memory_buffer& out_;
  std::size_t start_;
  char* p_;
};

}  // namespace tcpscope::print
