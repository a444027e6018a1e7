// Hand-written number formatting for the hot printing paths: appends decimal or
// hexadecimal text to a fmt::memory_buffer without format-string parsing.
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <string_view>

namespace tcpscope::print {

inline void append_text(fmt::memory_buffer& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

// Decimal, like printf("%u") / PRIu64.
inline void append_dec(fmt::memory_buffer& out, std::uint64_t v) {
  char buf[20];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  out.append(p, end);
}

// Lowercase hexadecimal padded with zeros to at least `min_digits`, like printf("%0Nx").
inline void append_hex(fmt::memory_buffer& out, std::uint64_t v, int min_digits = 1) {
  static constexpr char kDigits[] = "0123456789abcdef";
  char buf[16];
  char* end = buf + sizeof buf;
  char* p = end;
  do {
    *--p = kDigits[v & 0xf];
    v >>= 4;
  } while (v != 0);
  while (end - p < min_digits && p > buf) *--p = '0';
  out.append(p, end);
}

// Each byte as two lowercase hex digits, no separator.
inline void append_hex_bytes(fmt::memory_buffer& out, const std::uint8_t* p, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    const char two[2] = {kDigits[p[i] >> 4], kDigits[p[i] & 0xf]};
    out.append(two, two + 2);
  }
}

}  // namespace tcpscope::print
