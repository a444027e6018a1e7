#include "print/hexdump.hpp"

namespace tcpscope::print {

namespace {
constexpr char kHex[] = "0123456789abcdef";

bool is_graph(std::uint8_t c) { return c > 0x20 && c < 0x7f; }

char* put_offset(char* o, std::size_t offset) {
  *o++ = '\n';
  *o++ = '\t';
  *o++ = '0';
  *o++ = 'x';
  int shift = 12;  // "%04x": at least four digits, more past 0xffff
  while (shift < 60 && (offset >> (shift + 4)) != 0) shift += 4;
  for (; shift >= 0; shift -= 4) *o++ = kHex[(offset >> shift) & 0xf];
  *o++ = ':';
  return o;
}
}  // namespace

void append_hex(fmt::memory_buffer& out, ByteView data) {
  char line[96];
  const std::size_t n = data.size();
  for (std::size_t base = 0; base < n; base += 16) {
    char* o = put_offset(line, base);
    *o++ = ' ';
    const std::size_t end = base + 16 < n ? base + 16 : n;
    for (std::size_t i = base; i < end; i += 2) {
      *o++ = ' ';
      *o++ = kHex[data[i] >> 4];
      *o++ = kHex[data[i] & 0xf];
      if (i + 1 < end) {
        *o++ = kHex[data[i + 1] >> 4];
        *o++ = kHex[data[i + 1] & 0xf];
      }
    }
    out.append(line, o);
  }
}

void append_hex_ascii(fmt::memory_buffer& out, ByteView data) {
  char line[112];
  const std::size_t n = data.size();
  for (std::size_t base = 0; base < n; base += 16) {
    char* o = put_offset(line, base);
    *o++ = ' ';
    const std::size_t end = base + 16 < n ? base + 16 : n;
    char* hex_start = o;
    for (std::size_t i = base; i < end; i += 2) {
      *o++ = ' ';
      *o++ = kHex[data[i] >> 4];
      *o++ = kHex[data[i] & 0xf];
      if (i + 1 < end) {
        *o++ = kHex[data[i + 1] >> 4];
        *o++ = kHex[data[i + 1] & 0xf];
      }
    }
    while (o - hex_start < 40) *o++ = ' ';
    *o++ = ' ';
    *o++ = ' ';
    for (std::size_t i = base; i < end; ++i) *o++ = is_graph(data[i]) ? static_cast<char>(data[i]) : '.';
    out.append(line, o);
  }
}

void append_ascii(fmt::memory_buffer& out, ByteView data) {
  out.push_back('\n');
  const std::size_t n = data.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t c = data[i];
    if (c == '\r') {
      // tcpdump's ascii_print: a CR is a '.' only when at least two bytes follow and the
      // next is not LF; so a CR before LF, and one of the last two bytes, print nothing.
      if (n - i > 2 && data[i + 1] != '\n') out.push_back('.');
    } else if (!is_graph(c) && c != '\t' && c != ' ' && c != '\n') {
      out.push_back('.');
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace tcpscope::print
