// ARP / RARP (RFC 826): only the fixed part is checked; the printer reads the
// addresses for tcpdump's summary line.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

void decode_arp(const Cursor& c, Packet& out) {
  constexpr std::uint32_t kFixed = 8;
  if (!c.has(kFixed)) {
    push_layer(out, LayerKind::arp, c, c.captured());
    return set_truncated(out, LayerKind::arp, kFixed, c.captured());
  }
  const std::uint32_t len = kFixed + 2u * c.u8(4) + 2u * c.u8(5);
  push_layer(out, LayerKind::arp, c, c.captured() < len ? c.captured() : len);
  if (!c.has(len)) set_truncated(out, LayerKind::arp, len, c.captured());
}

}  // namespace tcpscope::decode::detail
