// UDP (RFC 768), and the tunnels tcpdump recognises by port: VXLAN (4789, either
// port) and Geneve (destination port 6081).
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

namespace {
constexpr std::uint32_t kUdpHeader = 8;
constexpr std::uint16_t kVxlanPort = 4789;
constexpr std::uint16_t kGenevePort = 6081;

// Ports that tcpdump 4.99 hands to another printer before it considers VXLAN or Geneve.
bool port_claimed_earlier(std::uint16_t p) {
  switch (p) {
    case 53:
    case 67:
    case 68:
    case 69:
    case 88:
    case 123:
    case 137:
    case 138:
    case 161:
    case 162:
    case 319:
    case 320:
    case 496:
    case 500:
    case 514:
    case 520:
    case 521:
    case 525:
    case 546:
    case 547:
    case 646:
    case 654:
    case 698:
    case 701:
    case 750:
    case 921:
    case 1645:
    case 1646:
    case 1701:
    case 1812:
    case 1813:
    case 1985:
    case 2054:
    case 2055:
    case 3503:
    case 3799:
    case 4500:
    case 4501:
    case 5060:
    case 5246:
    case 5247:
    case 5353:
    case 6343:
    case 6696:
    case 6697:
    case 7000:
    case 7001:
    case 7002:
    case 7003:
    case 7004:
    case 7005:
    case 7006:
    case 7007:
    case 7008:
    case 7009:
    case 8080:
    case 8472:
    case 9225:
      return true;
    default:
      return false;
  }
}
}  // namespace

void decode_udp(const Cursor& c, const IpContext& ip, Packet& out) {
  (void)ip;
  if (!c.has(4)) {
    push_layer(out, LayerKind::udp, c, c.captured());
    return set_truncated(out, LayerKind::udp, kUdpHeader, c.captured());
  }
  Layer& layer = push_layer(out, LayerKind::udp, c, c.captured() < kUdpHeader ? c.captured() : kUdpHeader);
  if (c.length < kUdpHeader) return set_malformed(out, LayerKind::udp, "shorter than a UDP header");
  if (!c.has(kUdpHeader)) return set_truncated(out, LayerKind::udp, kUdpHeader, c.captured());
  std::uint32_t ulen = c.be16(4);
  if (ulen == 0 && c.length > 65535) ulen = c.length;  // IPv6 jumbogram
  if (ulen < kUdpHeader) return set_malformed(out, LayerKind::udp, "UDP length below 8");
  std::uint32_t length = c.length - kUdpHeader;
  if (ulen - kUdpHeader < length) length = ulen - kUdpHeader;
  layer.pdu_len = length + kUdpHeader;
  Cursor payload = c;
  payload.off += kUdpHeader;
  payload.length = length;
  const std::uint16_t sport = c.be16(0), dport = c.be16(2);
  if (port_claimed_earlier(sport) || port_claimed_earlier(dport) || (sport >= 7000 && sport <= 7009) ||
      (dport >= 7000 && dport <= 7009))
    return;
  if (sport == kVxlanPort || dport == kVxlanPort) return decode_vxlan(payload, out);
  if (dport == kGenevePort) return decode_geneve(payload, out);
}

void decode_vxlan(const Cursor& c, Packet& out) {
  constexpr std::uint32_t kHeader = 8;
  if (c.length < kHeader || !c.has(kHeader)) {
    push_layer(out, LayerKind::vxlan, c, c.captured() < kHeader ? c.captured() : kHeader);
    return set_truncated(out, LayerKind::vxlan, kHeader, c.captured());
  }
  push_layer(out, LayerKind::vxlan, c, kHeader);
  decode_ethernet(c.after(kHeader), out);
}

void decode_geneve(const Cursor& c, Packet& out) {
  constexpr std::uint32_t kHeader = 8;
  if (c.length < kHeader || !c.has(kHeader)) {
    push_layer(out, LayerKind::geneve, c, c.captured() < kHeader ? c.captured() : kHeader);
    if (c.length < kHeader) return set_malformed(out, LayerKind::geneve, "shorter than a Geneve header");
    return set_truncated(out, LayerKind::geneve, kHeader, c.captured());
  }
  if ((c.u8(0) >> 6) != 0) {
    push_layer(out, LayerKind::geneve, c, kHeader);
    return set_malformed(out, LayerKind::geneve, "unknown Geneve version");
  }
  const std::uint32_t opts = (c.u8(0) & 0x3fu) * 4u;
  if (c.length < kHeader + opts) {
    push_layer(out, LayerKind::geneve, c, kHeader);
    return set_malformed(out, LayerKind::geneve, "options longer than the packet");
  }
  if (!c.has(kHeader + opts)) {
    push_layer(out, LayerKind::geneve, c, c.captured());
    return set_truncated(out, LayerKind::geneve, kHeader + opts, c.captured());
  }
  push_layer(out, LayerKind::geneve, c, kHeader + opts);
  const std::uint16_t proto = c.be16(2);
  decode_ethertype(proto, c.after(kHeader + opts), out);
}

}  // namespace tcpscope::decode::detail
