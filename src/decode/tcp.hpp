// TCP header and options decoding (RFC 9293 §3.1): a view over the captured TCP
// bytes, with the raw 12-bit flags kept as they are.
#pragma once
#include <cstdint>

#include "core/addr.hpp"
#include "core/bytes.hpp"
#include "decode/packet.hpp"

namespace tcpscope::decode {

// Context the IP layer hands to TCP.
struct TcpIpContext {
  IpAddr src;
  IpAddr dst;
  std::uint32_t segment_len = 0;  // TCP header + payload length according to the IP header
  std::uint32_t ip_len = 0;       // IPv4 total length, or IPv6 payload length + 40
  bool ip_fragment = false;       // first fragment of a fragmented datagram: checksum not verifiable
};

// Decodes the TCP header at the start of `captured` (the bytes actually captured
// from the TCP header on) into out.tcp and sets out.has_tcp when the whole header
// (options included) was captured. Returns ok, truncated or malformed.
DecodeStatus decode_tcp(ByteView captured, const TcpIpContext& ip, Packet& out);

}  // namespace tcpscope::decode
