// TCP header and options decoding (RFC 9293 §3.1): a view over the captured TCP
// bytes, with the raw 12-bit flags kept as they are.
#pragma once
#include <cstdint>

#include "core/addr.hpp"
#include "core/bytes.hpp"
#include "decode/packet.hpp"

namespace tcpscope::decode {

inline constexpr std::uint32_t kTcpMinHeaderLen = 20;

// Read-only view of the fixed 20-byte TCP header. Construct it only over at least
// kTcpMinHeaderLen readable bytes; the accessors are plain big-endian loads at the
// RFC 9293 offsets and cannot fail.
class TcpHeaderView {
 public:
  static constexpr bool fits(ByteView captured) { return captured.size() >= kTcpMinHeaderLen; }
  constexpr explicit TcpHeaderView(const std::uint8_t* header) : p_(header) {}

  constexpr std::uint16_t src_port() const { return load_be16(p_ + 0); }
  constexpr std::uint16_t dst_port() const { return load_be16(p_ + 2); }
  constexpr std::uint32_t seq() const { return load_be32(p_ + 4); }
  constexpr std::uint32_t ack() const { return load_be32(p_ + 8); }
  constexpr std::uint8_t data_offset() const { return p_[12] >> 4; }         // in 32-bit words
  constexpr std::uint32_t header_len() const { return data_offset() * 4u; }  // in bytes
  // The 12 flag bits (reserved bits, AE, CWR, ECE, URG, ACK, PSH, RST, SYN, FIN).
  constexpr std::uint16_t flags12() const { return static_cast<std::uint16_t>(load_be16(p_ + 12) & 0x0fffu); }
  // The classic 8 flag bits of byte 13 (what tcpdump 4.99 prints).
  constexpr std::uint8_t flags8() const { return p_[13]; }
  constexpr std::uint16_t window() const { return load_be16(p_ + 14); }
  constexpr std::uint16_t checksum() const { return load_be16(p_ + 16); }
  constexpr std::uint16_t urgent() const { return load_be16(p_ + 18); }

 private:
  const std::uint8_t* p_;
};

// The fixed header's fields past the ports into `tcp`, as every TCP decode path reads them.
inline void read_tcp_fixed_fields(const TcpHeaderView& h, TcpFacts& tcp) {
  tcp.seq = SeqNum(h.seq());
  tcp.ack = SeqNum(h.ack());
  tcp.flags = h.flags12();
  tcp.window = h.window();
  tcp.urgent = h.urgent();
  tcp.header_len = static_cast<std::uint8_t>(h.header_len());
}

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
// (options included) was captured. Returns ok, truncated or malformed; the caller
// stores the status in out.status. A bad option list is not a decode failure: it
// sets out.tcp.options.malformed.
DecodeStatus decode_tcp(ByteView captured, const TcpIpContext& ip, Packet& out);

// The TCP checksum over the pseudo-header and `segment` (header + payload, fully
// captured): 0 when the stored checksum is right, otherwise the one's-complement
// value that makes the stored field wrong (see tcp_checksum_should_be).
std::uint16_t tcp_checksum_residue(const IpAddr& src, const IpAddr& dst, ByteView segment);
// The value the checksum field should have held, given the stored one and a non-zero residue.
std::uint16_t tcp_checksum_should_be(std::uint16_t stored, std::uint16_t residue);

}  // namespace tcpscope::decode
