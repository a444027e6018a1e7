// The decoded form of one Frame: non-owning views per layer, filled in place by
// decode() into a caller-owned Packet (no allocation per packet).
//
// Ownership of this header: the layer stack (`layers`) belongs to the link/IP
// decoders; the `tcp` facts are the contract with track/ and must stay stable.
#pragma once
#include <array>
#include <cstdint>

#include "core/addr.hpp"
#include "core/bytes.hpp"
#include "core/frame.hpp"
#include "core/seq.hpp"
#include "core/tcp_flags.hpp"

namespace tcpscope::decode {

enum class LayerKind : std::uint8_t {
  ethernet,
  vlan,  // 802.1Q / 802.1ad tag
  linux_sll,
  linux_sll2,
  null_loop,  // BSD DLT_NULL / DLT_LOOP
  ppp,
  raw_ip,  // DLT_RAW / IPV4 / IPV6: no link header
  mpls,
  ipv4,
  ipv6,
  ipv6_ext,  // one IPv6 extension header (hop-by-hop, routing, fragment, dst-opts, AH)
  udp,
  vxlan,
  geneve,
  gre,
  tcp,
  icmp,
  icmp6,
  arp,
  payload,  // application bytes
  arcnet,   // Linux ARCNET header
  ipoib,    // IP over InfiniBand pseudo-header
  juniper,  // Juniper capture header
  unknown,
};

// One layer: where its header sits in the frame and how long it is.
struct Layer {
  LayerKind kind = LayerKind::unknown;
  std::uint32_t offset = 0;   // from the start of the frame
  std::uint32_t length = 0;   // header length (captured part)
  std::uint32_t cap_len = 0;  // bytes captured from `offset` on (up to the enclosing IP datagram's
                              // end: an outer IP total length cuts what follows, as tcpdump's snapend)
  std::uint32_t pdu_len = 0;  // this layer's length on the wire as its parent announced it
                              // (e.g. the IP payload length handed to UDP/TCP), header included
  std::uint8_t aux = 0;       // layer-specific: the IPv6 extension header's own protocol number
                              // (0, 43, 44, 51, 60); for ipv4 whether the datagram is a
                              // non-first fragment (1); for vlan the TPID's high byte
};

enum class DecodeCode : std::uint8_t { ok, truncated, malformed, unsupported };

// ok, or where decoding stopped: truncated{layer, need, have} or malformed{layer, reason}.
// The layers before `layer` stay valid.
struct DecodeStatus {
  DecodeCode code = DecodeCode::ok;
  LayerKind layer = LayerKind::unknown;
  std::uint32_t need = 0;
  std::uint32_t have = 0;
  const char* reason = "";  // static string, for malformed/unsupported
  bool ok() const { return code == DecodeCode::ok; }
};

enum class ChecksumStatus : std::uint8_t { good, bad, unverifiable };

// Summary of the TCP options (fixed capacity; the raw option bytes stay in `options_raw`).
struct TcpOptionSummary {
  std::int32_t mss = -1;     // -1: absent
  std::int16_t wscale = -1;  // -1: absent; raw shift value as sent
  bool sack_permitted = false;
  bool has_timestamps = false;
  std::uint32_t ts_val = 0;
  std::uint32_t ts_ecr = 0;
  std::uint8_t sack_count = 0;
  std::array<std::pair<SeqNum, SeqNum>, 4> sack{};
  bool malformed = false;  // a bad length or truncated option list
};

// The facts of one TCP segment that tracking needs. Valid when Packet::has_tcp.
struct TcpFacts {
  Endpoint src;
  Endpoint dst;
  SeqNum seq;
  SeqNum ack;
  std::uint16_t flags = 0;   // 12 raw bits, see core/tcp_flags.hpp
  std::uint16_t window = 0;  // raw, unscaled
  std::uint16_t urgent = 0;
  std::uint8_t header_len = 0;    // data offset * 4
  std::uint32_t payload_len = 0;  // from the IP length (not the capture length)
  std::uint32_t ip_len = 0;       // IPv4 total length, or IPv6 payload length + 40
  bool ip_fragment = false;       // carried in a (first) IP fragment
  TcpOptionSummary options;
  ChecksumStatus checksum = ChecksumStatus::unverifiable;
  std::uint16_t checksum_expected = 0;  // the value the checksum field should hold (unless unverifiable)
  ByteView payload;                     // the captured part of the payload (may be shorter than payload_len)
};

inline constexpr std::size_t kMaxLayers = 24;

struct Packet {
  const Frame* frame = nullptr;
  std::array<Layer, kMaxLayers> layers{};
  std::uint8_t layer_count = 0;
  DecodeStatus status;
  bool has_tcp = false;  // the innermost IP carries a TCP header that was fully captured (20 bytes + options)
  // Set by a caller that never looks at tcp.checksum (e.g. `conns` without
  // --validate-checksums): decode() then leaves it `unverifiable` instead of summing
  // the segment. Kept across reset().
  bool skip_tcp_checksum = false;
  // Set by a caller that reads only has_tcp, status and tcp (the tracker of
  // `conns`), together with skip_tcp_checksum: decode() may then take a fast path
  // for Ethernet/IPv4/TCP frames that fills those alone, with no layer recorded
  // (layer_count 0). Kept across reset().
  bool tcp_facts_only = false;
  TcpFacts tcp;

  void reset(const Frame& f) {
    frame = &f;
    layer_count = 0;
    status = DecodeStatus{};
    has_tcp = false;
  }
};

// Decode a frame into `out`, overwriting it. Never allocates, never reads past caplen.
void decode(const Frame& frame, Packet& out);

}  // namespace tcpscope::decode
