#include "print/text_writer.hpp"

#include <arpa/inet.h>

namespace tcpscope::print {

void TextWriter::ipv6(const std::uint8_t* a) {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, a, buf, sizeof buf) == nullptr) return;
  text(buf);
}

}  // namespace tcpscope::print
