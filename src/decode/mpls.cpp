// MPLS label stack (RFC 3032): 4-byte entries up to the bottom-of-stack bit,
// then IPv4 or IPv6 chosen as tcpdump does (reserved labels 0/2/3, else the
// first nibble of the payload).
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

void decode_mpls(const Cursor& start, Packet& out) {
  Cursor c = start;
  std::uint32_t entry = 0;
  do {
    if (c.length < 4) return set_malformed(out, LayerKind::mpls, "label stack longer than the packet");
    if (!c.has(4)) {
      push_layer(out, LayerKind::mpls, c, c.captured());
      return set_truncated(out, LayerKind::mpls, 4, c.captured());
    }
    entry = c.be32(0);
    push_layer(out, LayerKind::mpls, c, 4);
    c = c.after(4);
  } while (!(entry & 0x100));
  switch (entry >> 12) {
    case 0:
    case 3:
      return decode_ipv4(c, out);
    case 2:
      return decode_ipv6(c, out);
    default:
      break;
  }
  if (c.length < 1) return set_unsupported(out, LayerKind::mpls, "empty MPLS payload");
  if (!c.has(1)) return set_truncated(out, LayerKind::mpls, 1, 0);
  const std::uint8_t first = c.u8(0);
  if (first >= 0x45 && first <= 0x4f) return decode_ipv4(c, out);
  if (first >= 0x60 && first <= 0x6f) return decode_ipv6(c, out);
  push_layer(out, LayerKind::payload, c, 0);
  set_unsupported(out, LayerKind::mpls, "MPLS payload not IP");
}

}  // namespace tcpscope::decode::detail
