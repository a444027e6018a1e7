// Small helpers for terminal text: display width of UTF-8 (CJK counts two
// columns), padding, ANSI colours that are empty when colour is off.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace tcpscope::render {

inline std::size_t display_width(std::string_view s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::uint32_t cp = c;
    std::size_t len = 1;
    if (c >= 0xF0) {
      len = 4;
      cp = c & 0x07u;
    } else if (c >= 0xE0) {
      len = 3;
      cp = c & 0x0Fu;
    } else if (c >= 0xC0) {
      len = 2;
      cp = c & 0x1Fu;
    }
    for (std::size_t k = 1; k < len && i + k < s.size(); ++k)
      cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    if (c == 0x1B) {  // an ANSI escape sequence takes no room
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != 'm') ++j;
      i = j + 1;
      continue;
    }
    width += (cp >= 0x2E80 && cp <= 0xFFEF) ? 2 : 1;
    i += len;
  }
  return width;
}

inline std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  for (std::size_t w = display_width(s); w < width; ++w) out += ' ';
  return out;
}

// Appends `s`, then spaces up to `width` display columns.
template <class Buffer>
void append_padded(Buffer& out, std::string_view s, std::size_t width) {
  out.append(s);
  for (std::size_t w = display_width(s); w < width; ++w) out.push_back(' ');
}

template <class Buffer>
void append_repeat(Buffer& out, std::string_view s, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) out.append(s);
}

inline std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

// Upper-cases the first ASCII letter (English titles built from lower-case phrases).
inline std::string capitalize(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

struct Palette {
  bool on = false;
  std::string_view bold() const { return on ? "\x1b[1m" : ""; }
  std::string_view red() const { return on ? "\x1b[31m" : ""; }
  std::string_view green() const { return on ? "\x1b[32m" : ""; }
  std::string_view yellow() const { return on ? "\x1b[33m" : ""; }
  std::string_view cyan() const { return on ? "\x1b[36m" : ""; }
  std::string_view dim() const { return on ? "\x1b[2m" : ""; }
  std::string_view reset() const { return on ? "\x1b[0m" : ""; }
};

}  // namespace tcpscope::render
