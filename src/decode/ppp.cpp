// PPP (RFC 1661) as libpcap's DLT_PPP carries it: optional HDLC address and
// control bytes (0xff 0x03), then a 1- or 2-byte protocol field.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

void decode_ppp(const Cursor& c, Packet& out) {
  if (!c.has(2)) return set_truncated(out, LayerKind::ppp, 2, c.captured());
  std::uint32_t hdr = 0;
  // Address/control (0xff 0x03), or pppd's direction byte (0x00 in, 0x01 out) with control.
  if ((c.u8(0) == 0xff || c.u8(0) == 0x00 || c.u8(0) == 0x01) && c.u8(1) == 0x03) hdr = 2;
  if (!c.has(hdr + 1)) return set_truncated(out, LayerKind::ppp, hdr + 1, c.captured());
  std::uint16_t proto = 0;
  if (c.u8(hdr) & 0x01) {  // protocol field compressed to one byte
    proto = c.u8(hdr);
    hdr += 1;
  } else {
    if (!c.has(hdr + 2)) return set_truncated(out, LayerKind::ppp, hdr + 2, c.captured());
    proto = c.be16(hdr);
    hdr += 2;
  }
  push_layer(out, LayerKind::ppp, c, hdr);
  decode_ppp_protocol(proto, c.after(hdr), out);
}

void decode_ppp_protocol(std::uint16_t proto, const Cursor& c, Packet& out) {
  switch (proto) {
    case 0x0021:  // IPv4
    case 0x0800:
      return decode_ipv4(c, out);
    case 0x0057:  // IPv6
    case 0x86dd:
      return decode_ipv6(c, out);
    case 0x0281:  // MPLS unicast
    case 0x0283:  // MPLS multicast (tcpdump does not take the Ethernet MPLS types here)
      return decode_mpls(c, out);
    default:
      return set_unsupported(out, LayerKind::ppp, "PPP protocol not decoded");
  }
}

}  // namespace tcpscope::decode::detail
