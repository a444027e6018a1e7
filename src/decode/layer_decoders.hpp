// Internal to decode/: the cursor the layer decoders pass down, and one entry
// point per layer. Each decoder appends its Layer to the Packet and hands the
// rest of the frame to the next one; none of them reads past `end`.
#pragma once
#include <cstdint>

#include "core/addr.hpp"
#include "core/bytes.hpp"
#include "decode/packet.hpp"

namespace tcpscope::decode::detail {

inline constexpr std::uint32_t kEthernetHeaderLen = 14;  // Ethernet II, no tag
inline constexpr std::uint32_t kIpv4MinHeaderLen = 20;   // IPv4 without options

// Where a decoder stands in the frame. `end` is the captured end that applies
// here (the capture length, cut further by an enclosing IP total length, like
// tcpdump's snapend); `length` is what the enclosing layer announced for the
// rest (tcpdump's `length` argument: wire bytes, not captured bytes).
struct Cursor {
  const std::uint8_t* base = nullptr;  // frame start
  std::uint32_t off = 0;
  std::uint32_t end = 0;
  std::uint32_t length = 0;

  std::uint32_t captured() const { return end > off ? end - off : 0; }
  bool has(std::uint32_t n) const { return captured() >= n; }
  const std::uint8_t* at(std::uint32_t rel = 0) const { return base + off + rel; }
  std::uint8_t u8(std::uint32_t rel) const { return base[off + rel]; }
  std::uint16_t be16(std::uint32_t rel) const { return load_be16(base + off + rel); }
  std::uint32_t be32(std::uint32_t rel) const { return load_be32(base + off + rel); }
  // The cursor after a header of `n` bytes (n must be captured).
  Cursor after(std::uint32_t n) const {
    Cursor c = *this;
    c.off += n;
    c.length = length > n ? length - n : 0;
    return c;
  }
};

Layer& push_layer(Packet& out, LayerKind kind, const Cursor& c, std::uint32_t header_len,
                  std::uint8_t aux = 0);
void set_truncated(Packet& out, LayerKind layer, std::uint32_t need, std::uint32_t have);
void set_malformed(Packet& out, LayerKind layer, const char* reason);
void set_unsupported(Packet& out, LayerKind layer, const char* reason);

// Packet::tcp_facts_only's fast path (tcp_facts_fast.cpp): true when it decoded
// the frame (an Ethernet/IPv4/TCP frame with nothing unusual), false to decode it
// in full.
bool decode_tcp_facts_fast(const Frame& frame, Packet& out);

// Link layers (link.cpp dispatches on the DLT value).
void decode_link(int link_type, const Cursor& c, Packet& out);
void decode_ethernet(const Cursor& c, Packet& out);
// The protocol behind an Ethernet type field (after Ethernet, VLAN, SLL, GRE, Geneve, ...).
void decode_ethertype(std::uint16_t type, const Cursor& c, Packet& out);
void decode_linux_sll(const Cursor& c, Packet& out);
void decode_linux_sll2(const Cursor& c, Packet& out);
void decode_null_loop(const Cursor& c, Packet& out, bool loop);
void decode_ppp(const Cursor& c, Packet& out);
void decode_ppp_protocol(std::uint16_t proto, const Cursor& c, Packet& out);
void decode_raw_ip(const Cursor& c, Packet& out, int version);  // version 0: by the first nibble
void decode_arcnet_linux(const Cursor& c, Packet& out);
void decode_ipoib(const Cursor& c, Packet& out);
void decode_juniper_ether(const Cursor& c, Packet& out);
void decode_mpls(const Cursor& c, Packet& out);

// Network layers.
void decode_ipv4(const Cursor& c, Packet& out);
void decode_ipv6(const Cursor& c, Packet& out);
void decode_arp(const Cursor& c, Packet& out);

// What the IP layer hands to its payload.
struct IpContext {
  IpAddr src;
  IpAddr dst;
  std::uint32_t ip_len = 0;  // IPv4 total length, or IPv6 payload length + 40
  bool fragmented = false;   // MF set (IPv4) or a fragment header (IPv6)
  std::uint8_t version = 4;
  std::uint32_t ip_offset = 0;  // offset of the IP header in the frame
};
void decode_ip_payload(std::uint8_t proto, const Cursor& c, const IpContext& ip, Packet& out);
void decode_udp(const Cursor& c, const IpContext& ip, Packet& out);
void decode_vxlan(const Cursor& c, Packet& out);
void decode_geneve(const Cursor& c, Packet& out);
void decode_gre(const Cursor& c, Packet& out);

}  // namespace tcpscope::decode::detail
