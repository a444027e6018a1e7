// Frames built at start-up for the micro-benchmarks: one IPv4 or IPv6 TCP segment
// (header, options, payload) wrapped in the link layers and tunnels the decoder
// knows, with correct IP header checksums and length fields, and a Frame over them.
// Not on any measured path: the benchmarks only read what these return.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/frame.hpp"
#include "decode/link_types.hpp"

namespace tcpscope::bench {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
// Byte by byte: GCC 12 warns falsely (-Warray-bounds) about vector::insert of a short list.
inline void append(Bytes& b, const Bytes& tail) {
  for (std::uint8_t v : tail) b.push_back(v);
}
inline void append(Bytes& b, std::initializer_list<std::uint8_t> tail) {
  for (std::uint8_t v : tail) b.push_back(v);
}

// The one's-complement sum of 16-bit words, folded and inverted (RFC 1071).
inline std::uint16_t internet_checksum_of(const std::uint8_t* p, std::size_t n) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += static_cast<std::uint32_t>((p[i] << 8) | p[i + 1]);
  if (n % 2 != 0) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

struct TcpSpec {
  std::uint16_t sport = 12896;
  std::uint16_t dport = 1234;
  std::uint32_t seq = 2099912037;
  std::uint32_t ack = 0;
  std::uint16_t flags = 0x002;
  std::uint16_t window = 28280;
  Bytes options;  // padded with NOPs to a multiple of 4
  std::size_t payload_len = 0;
};

// The TCP header, options and payload ('x' bytes); the checksum field is left 0.
inline Bytes tcp_segment(const TcpSpec& spec) {
  Bytes options = spec.options;
  while (options.size() % 4 != 0) options.push_back(1);
  Bytes b;
  put16(b, spec.sport);
  put16(b, spec.dport);
  put32(b, spec.seq);
  put32(b, spec.ack);
  b.push_back(static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4 | (spec.flags >> 8)));
  b.push_back(static_cast<std::uint8_t>(spec.flags));
  put16(b, spec.window);
  put16(b, 0);  // checksum
  put16(b, 0);  // urgent pointer
  append(b, options);
  b.insert(b.end(), spec.payload_len, 'x');
  return b;
}

// The article SYN's options: mss 1412, sackOK, TS val 576627967 ecr 0, nop, wscale 7.
inline Bytes syn_options() {
  return {2, 4, 0x05, 0x84, 4, 2, 8, 10, 0x22, 0x5e, 0xa4, 0xff, 0, 0, 0, 0, 1, 3, 3, 7};
}
// nop, nop, TS: what most data segments of Linux carry.
inline Bytes timestamp_options() { return {1, 1, 8, 10, 0x22, 0x5e, 0xa5, 0x25, 0x0f, 0x2d, 0xf1, 0x4c}; }
// nop, nop, TS, nop, nop, SACK with three blocks (the longest a TS leaves room for).
inline Bytes sack_options() {
  Bytes b = timestamp_options();
  append(b, {1, 1, 5, 26});
  for (std::uint32_t left : {1000u, 5000u, 9000u}) {
    put32(b, left);
    put32(b, left + 1448);
  }
  return b;
}

// An IPv4 header (no options, DF, TTL 64) before `payload`, with its checksum.
inline Bytes ipv4(std::uint8_t protocol, const Bytes& payload, std::uint32_t src = 0x75191990,
                  std::uint32_t dst = 0xac110009) {
  Bytes b;
  append(b, {0x45, 0x00});
  put16(b, static_cast<std::uint16_t>(20 + payload.size()));
  append(b, {0xb9, 0x9a, 0x40, 0x00, 64, protocol, 0, 0});
  put32(b, src);
  put32(b, dst);
  const std::uint16_t sum = internet_checksum_of(b.data(), b.size());
  b[10] = static_cast<std::uint8_t>(sum >> 8);
  b[11] = static_cast<std::uint8_t>(sum);
  append(b, payload);
  return b;
}

// An IPv6 header (2001:db8::1 -> 2001:db8::2, hop limit 64) before `payload`.
inline Bytes ipv6(std::uint8_t next_header, const Bytes& payload) {
  Bytes b;
  append(b, {0x60, 0, 0, 0});
  put16(b, static_cast<std::uint16_t>(payload.size()));
  b.push_back(next_header);
  b.push_back(64);
  for (std::uint8_t last : {1, 2}) {
    append(b, {0x20, 0x01, 0x0d, 0xb8});
    b.insert(b.end(), 11, 0);
    b.push_back(last);
  }
  append(b, payload);
  return b;
}

inline constexpr std::uint16_t kEtherIpv4 = 0x0800;
inline constexpr std::uint16_t kEtherIpv6 = 0x86dd;

inline Bytes ethernet(std::uint16_t ethertype, const Bytes& payload) {
  Bytes b = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0xfe, 0xee, 0x0b, 0x00, 0x00, 0x01};
  put16(b, ethertype);
  append(b, payload);
  return b;
}

// Ethernet with one 802.1Q tag per entry of `vlan_tpids` (outermost first, e.g. 0x88a8 then 0x8100).
inline Bytes ethernet_tagged(std::initializer_list<std::uint16_t> vlan_tpids, std::uint16_t ethertype,
                             const Bytes& payload) {
  Bytes b = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0xfe, 0xee, 0x0b, 0x00, 0x00, 0x01};
  std::uint16_t vid = 100;
  for (std::uint16_t tpid : vlan_tpids) {
    put16(b, tpid);
    put16(b, vid++);
  }
  put16(b, ethertype);
  append(b, payload);
  return b;
}

// Linux cooked capture v1 (DLT_LINUX_SLL): packet type "to us", ARPHRD_ETHER, a 6-byte address.
inline Bytes linux_sll(std::uint16_t protocol, const Bytes& payload) {
  Bytes b = {0, 0, 0, 1, 0, 6, 0xfe, 0xee, 0x0b, 0x00, 0x00, 0x01, 0, 0};
  put16(b, protocol);
  append(b, payload);
  return b;
}

// Linux cooked capture v2 (DLT_LINUX_SLL2): protocol, reserved, ifindex 2, ARPHRD_ETHER, "to us".
inline Bytes linux_sll2(std::uint16_t protocol, const Bytes& payload) {
  Bytes b;
  put16(b, protocol);
  put16(b, 0);
  put32(b, 2);
  append(b, {0, 1, 0, 6, 0xfe, 0xee, 0x0b, 0x00, 0x00, 0x01, 0, 0});
  append(b, payload);
  return b;
}

// BSD loopback (DLT_NULL): the address family in the capturing host's byte order (AF_INET = 2).
inline Bytes null_loopback(const Bytes& payload) {
  const std::uint32_t family = 2;
  Bytes b(4);
  for (int i = 0; i < 4; ++i)
    b[static_cast<std::size_t>(i)] = reinterpret_cast<const std::uint8_t*>(&family)[i];
  append(b, payload);
  return b;
}

// Ethernet / IPv4 / UDP to port 4789 / VXLAN (VNI 42) around an inner Ethernet frame.
inline Bytes vxlan_over_ipv4(const Bytes& inner_ethernet) {
  Bytes udp;
  put16(udp, 49152);
  put16(udp, 4789);
  put16(udp, static_cast<std::uint16_t>(8 + 8 + inner_ethernet.size()));
  put16(udp, 0);  // no checksum
  append(udp, {0x08, 0, 0, 0, 0, 0, 42, 0});
  append(udp, inner_ethernet);
  return ethernet(kEtherIpv4, ipv4(17, udp, 0xc0000201, 0xc0000202));
}

// Owns the bytes of one frame and hands out a Frame over them.
struct OwnedFrame {
  Bytes bytes;
  int link_type = decode::dlt::en10mb;

  Frame frame(std::int64_t sec = 1606304140, std::int64_t nsec = 282576000) const {
    Frame f;
    f.ts = Timestamp{sec, nsec};
    f.caplen = static_cast<std::uint32_t>(bytes.size());
    f.wire_len = f.caplen;
    f.link_type = link_type;
    f.data = ByteView(bytes.data(), bytes.size());
    f.number = 1;
    return f;
  }
};

}  // namespace tcpscope::bench
