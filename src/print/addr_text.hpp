// Numeric address text as tcpdump prints it (IPv4 dotted quad, IPv6 RFC 5952 form).
#pragma once
#include <fmt/format.h>

#include "core/addr.hpp"

namespace tcpscope::print {

void append_ip(fmt::memory_buffer& out, const IpAddr& addr);
void append_ipv4(fmt::memory_buffer& out, const std::uint8_t* p);
void append_ipv6(fmt::memory_buffer& out, const std::uint8_t* p);

}  // namespace tcpscope::print
