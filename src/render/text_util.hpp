// Small helpers for terminal text: display width of UTF-8 (CJK counts two
// columns), padding, ANSI colours that are empty when colour is off.
#pragma once
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <type_traits>

#include "render/messages.hpp"

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

// Appends to a fmt::memory_buffer through a raw pointer: the buffer is grown in large
// steps ahead of the writes and cut back to what was written by finish() (or the
// destructor). The explanations are made of many short pieces, and fmt's own
// append/push_back (a capacity check and a copy loop per call, not inlined) cost more
// than the bytes. Nothing else may write to the buffer until finish().
class FastAppender {
 public:
  explicit FastAppender(fmt::memory_buffer& out)
      : out_(&out), cursor_(out.data() + out.size()), end_(cursor_) {}
  FastAppender(const FastAppender&) = delete;
  FastAppender& operator=(const FastAppender&) = delete;
  ~FastAppender() {
    if (cursor_ != end_) finish();  // equal: the buffer already ends where the writes did
  }

  // Cuts the buffer back to what was written; the appender may go on writing after it.
  void finish() {
    out_->resize(size());
    cursor_ = end_ = out_->data() + out_->size();
  }
  [[gnu::always_inline]] void put(std::string_view s) { copy(take(s.size()), s.data(), s.size()); }
  [[gnu::always_inline]] void put(char c) { *take(1) = c; }
  void spaces(std::size_t n) {
    if (n) std::memset(take(n), ' ', n);
  }
  template <class T>
  void integer(T v) {
    const fmt::format_int f(v);
    put(std::string_view(f.data(), f.size()));
  }
  // The text written since `from` (a size() taken earlier); valid until the next write.
  std::string_view since(std::size_t from) const { return {out_->data() + from, size() - from}; }
  std::size_t size() const { return static_cast<std::size_t>(cursor_ - out_->data()); }
  // Upper-cases the ASCII letter at `at` (an English title built from a lower-case phrase).
  void capitalize_at(std::size_t at) {
    if (at >= size()) return;
    char& c = out_->data()[at];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }

 private:
  static constexpr std::size_t kStep = 64 * 1024;
  // Most pieces are a few bytes: copied inline with two overlapping loads and stores
  // instead of a call to memcpy.
  [[gnu::always_inline]] static void copy(char* to, const char* from, std::size_t n) {
    if (n >= 8 && n <= 16) {
      std::uint64_t head, tail;
      std::memcpy(&head, from, 8);
      std::memcpy(&tail, from + n - 8, 8);
      std::memcpy(to, &head, 8);
      std::memcpy(to + n - 8, &tail, 8);
    } else if (n >= 4 && n < 8) {
      std::uint32_t head, tail;
      std::memcpy(&head, from, 4);
      std::memcpy(&tail, from + n - 4, 4);
      std::memcpy(to, &head, 4);
      std::memcpy(to + n - 4, &tail, 4);
    } else if (n < 4) {
      for (std::size_t i = 0; i < n; ++i) to[i] = from[i];
    } else {
      std::memcpy(to, from, n);
    }
  }
  // Two pointers (the next byte, the end of the room) rather than a size and a room in the
  // buffer: one compare and one store per piece.
  [[gnu::always_inline]] char* take(std::size_t n) {
    if (static_cast<std::size_t>(end_ - cursor_) < n) [[unlikely]]
      grow(n);
    char* p = cursor_;
    cursor_ += n;
    return p;
  }
  [[gnu::noinline]] void grow(std::size_t n) {
    const std::size_t used = size();
    out_->resize(used + std::max(n, kStep));
    cursor_ = out_->data() + used;
    end_ = out_->data() + out_->size();
  }
  fmt::memory_buffer* out_;
  char* cursor_;  // where the next byte goes
  char* end_;     // the end of the room made by grow()
};

[[gnu::always_inline]] inline void append_text(FastAppender& out, std::string_view s) { out.put(s); }
inline void append_text(fmt::memory_buffer& out, std::string_view s) {
  if (s.empty()) return;
  const std::size_t at = out.size();
  out.resize(at + s.size());
  std::memcpy(out.data() + at, s.data(), s.size());
}
inline void append_text(std::string& out, std::string_view s) { out.append(s); }
inline void append_char(FastAppender& out, char c) { out.put(c); }
inline void append_char(fmt::memory_buffer& out, char c) { out.push_back(c); }

// Appends `n` spaces.
inline void append_spaces(FastAppender& out, std::size_t n) { out.spaces(n); }
inline void append_spaces(fmt::memory_buffer& out, std::size_t n) {
  const std::size_t at = out.size();
  out.resize(at + n);
  std::memset(out.data() + at, ' ', n);
}

// Appends one argument of append_numbered(): integers and texts directly, anything else through fmt.
template <class Out, class T>
void append_value(Out& out, const T& v) {
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool> && !std::is_same_v<T, char>) {
    const fmt::format_int f(v);
    append_text(out, std::string_view(f.data(), f.size()));
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    append_text(out, std::string_view(v));
  } else {
    fmt::memory_buffer text;
    fmt::format_to(fmt::appender(text), "{}", v);
    append_text(out, std::string_view(text.data(), text.size()));
  }
}

// Appends `text` with each "{N}" replaced by the N-th argument (0-based), as
// fmt::format(fmt::runtime(text), args...) would, without parsing a format string:
// the message catalogues use only plain numbered arguments (messages_test checks it).
// An index without an argument is dropped.
template <class Out, class... Args>
void append_numbered(Out& out, std::string_view text, const Args&... args) {
  while (!text.empty()) {
    const NumberedCut cut = cut_numbered(text);
    append_text(out, cut.literal);
    if (!cut.has_arg) return;
    std::size_t k = 0;
    ((k++ == cut.index ? append_value(out, args) : void()), ...);
  }
}

// The same as append_numbered(out, messages[key], args...), from the text's pieces.
template <class Out, class... Args>
void append_message(Out& out, std::span<const MessagePiece> pieces, const Args&... args) {
  for (const MessagePiece& piece : pieces) {
    append_text(out, piece.literal);
    if (piece.arg == MessagePiece::kNoArg) continue;
    std::size_t k = 0;
    ((k++ == piece.arg ? append_value(out, args) : void()), ...);
  }
}

// Appends `s`, then spaces up to `width` display columns.
template <class Out>
void append_padded(Out& out, std::string_view s, std::size_t width) {
  append_text(out, s);
  const std::size_t w = display_width(s);
  if (w < width) append_spaces(out, width - w);
}

// Appends `n` box-drawing horizontals "─" (the arrows of the ladders).
template <class Out>
void append_horizontal(Out& out, std::size_t n) {
  static constexpr std::string_view kRun =
      "────────────────────────────────────────────────────────────────";  // 64
  constexpr std::size_t kPer = 3;                                          // UTF-8 bytes of "─"
  for (; n > kRun.size() / kPer; n -= kRun.size() / kPer) append_text(out, kRun);
  append_text(out, kRun.substr(0, n * kPer));
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
