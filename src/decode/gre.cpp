// GRE (RFC 2784/2890, and the PPTP variant, version 1): flags, optional
// checksum/offset, key, sequence and acknowledgement fields, then the protocol.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

void decode_gre(const Cursor& c, Packet& out) {
  if (!c.has(4)) {
    push_layer(out, LayerKind::gre, c, c.captured());
    return set_truncated(out, LayerKind::gre, 4, c.captured());
  }
  const std::uint16_t flags = c.be16(0);
  const std::uint16_t proto = c.be16(2);
  const unsigned version = flags & 0x7;
  std::uint32_t hdr = 4;
  if (version == 0) {
    if (flags & 0xc000) hdr += 4;  // checksum present or routing present: checksum + offset
    if (flags & 0x2000) hdr += 4;  // key
    if (flags & 0x1000) hdr += 4;  // sequence number
    if (flags & 0x4000) return set_unsupported(out, LayerKind::gre, "GRE source routing");
  } else if (version == 1) {
    hdr += 4;                      // payload length + call id
    if (flags & 0x1000) hdr += 4;  // sequence number
    if (flags & 0x0080) hdr += 4;  // acknowledgement number
  } else {
    push_layer(out, LayerKind::gre, c, 4, static_cast<std::uint8_t>(version));
    return set_unsupported(out, LayerKind::gre, "unknown GRE version");
  }
  if (!c.has(hdr)) {
    push_layer(out, LayerKind::gre, c, c.captured(), static_cast<std::uint8_t>(version));
    return set_truncated(out, LayerKind::gre, hdr, c.captured());
  }
  push_layer(out, LayerKind::gre, c, hdr, static_cast<std::uint8_t>(version));
  const Cursor next = c.after(hdr);
  if (version == 1) return proto == 0x880b ? decode_ppp(next, out) : set_unsupported(out, LayerKind::gre, "");
  switch (proto) {
    case 0x880b:
      return decode_ppp(next, out);
    default:
      return decode_ethertype(proto, next, out);
  }
}

}  // namespace tcpscope::decode::detail
