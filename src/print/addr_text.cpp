#include "print/addr_text.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "print/text_writer.hpp"

namespace tcpscope::print {

void append_ipv4(fmt::memory_buffer& out, const std::uint8_t* p) {
  char buf[16];
  char* w = buf;
  for (int i = 0; i < 4; ++i) {
    unsigned v = p[i];
    if (v >= 100) *w++ = static_cast<char>('0' + v / 100);
    if (v >= 10) *w++ = static_cast<char>('0' + (v / 10) % 10);
    *w++ = static_cast<char>('0' + v % 10);
    if (i < 3) *w++ = '.';
  }
  append_bytes(out, buf, static_cast<std::size_t>(w - buf));
}

void append_ipv6(fmt::memory_buffer& out, const std::uint8_t* p) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, p, buf, sizeof buf);
  append_bytes(out, buf, std::strlen(buf));
}

void append_ip(fmt::memory_buffer& out, const IpAddr& addr) {
  if (addr.is_v4())
    append_ipv4(out, addr.bytes.data());
  else
    append_ipv6(out, addr.bytes.data());
}

}  // namespace tcpscope::print
