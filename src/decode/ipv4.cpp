// IPv4 (RFC 791): header length and total length checks in tcpdump's order,
// the captured end cut to the total length (Ethernet padding dropped), and the
// payload handed on only for the first fragment.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

void decode_ipv4(const Cursor& c, Packet& out) {
  if (!c.has(1)) {
    push_layer(out, LayerKind::ipv4, c, 0);
    return set_truncated(out, LayerKind::ipv4, kIpv4MinHeaderLen, 0);
  }
  if ((c.u8(0) >> 4) != 4) {
    push_layer(out, LayerKind::ipv4, c, 0);
    return set_malformed(out, LayerKind::ipv4, "IP version is not 4");
  }
  if (!c.has(kIpv4MinHeaderLen)) {
    push_layer(out, LayerKind::ipv4, c, c.captured());
    return set_truncated(out, LayerKind::ipv4, kIpv4MinHeaderLen, c.captured());
  }
  const std::uint32_t hlen = (c.u8(0) & 0x0fu) * 4u;
  const std::uint32_t total = c.be16(2);
  const std::uint16_t frag = c.be16(6);
  const bool later_fragment = (frag & 0x1fff) != 0;
  push_layer(out, LayerKind::ipv4, c, hlen < c.captured() ? hlen : c.captured(), later_fragment ? 1 : 0);
  if (c.length < kIpv4MinHeaderLen) return set_malformed(out, LayerKind::ipv4, "shorter than an IPv4 header");
  if (hlen < kIpv4MinHeaderLen) return set_malformed(out, LayerKind::ipv4, "header length below 20");
  if (total < hlen) return set_malformed(out, LayerKind::ipv4, "total length below header length");

  // What follows the header ends at the total length (tcpdump's nd_push_snaplen).
  Cursor inner = c;
  if (inner.off + total < inner.end) inner.end = inner.off + total;
  if (!inner.has(hlen)) return set_truncated(out, LayerKind::ipv4, hlen, inner.captured());
  if (later_fragment) return;  // no transport header in a non-first fragment

  IpContext ip;
  ip.src = IpAddr::v4(c.at(12));
  ip.dst = IpAddr::v4(c.at(16));
  ip.ip_len = total;
  ip.fragmented = (frag & 0x2000) != 0;
  ip.version = 4;
  ip.ip_offset = c.off;
  Cursor payload = inner;
  payload.off += hlen;
  payload.length = total - hlen;
  decode_ip_payload(c.u8(9), payload, ip, out);
}

}  // namespace tcpscope::decode::detail
