// Ethernet II and 802.1Q / 802.1ad (QinQ) tags, and the dispatch on the type
// field shared by every layer that carries an Ethernet type.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

namespace {
constexpr std::uint32_t kVlanTag = 4;
}  // namespace

void decode_ethernet(const Cursor& c, Packet& out) {
  if (!c.has(kEthernetHeaderLen))
    return set_truncated(out, LayerKind::ethernet, kEthernetHeaderLen, c.captured());
  push_layer(out, LayerKind::ethernet, c, kEthernetHeaderLen);
  const std::uint16_t type = c.be16(12);
  if (type <= 1500) return set_unsupported(out, LayerKind::ethernet, "802.3 length field (LLC)");
  decode_ethertype(type, c.after(kEthernetHeaderLen), out);
}

void decode_ethertype(std::uint16_t type, const Cursor& c, Packet& out) {
  switch (type) {
    case 0x8100:  // 802.1Q
    case 0x88a8:  // 802.1ad
    case 0x9100: {
      if (!c.has(kVlanTag)) return set_truncated(out, LayerKind::vlan, kVlanTag, c.captured());
      push_layer(out, LayerKind::vlan, c, kVlanTag, static_cast<std::uint8_t>(type >> 8));
      return decode_ethertype(c.be16(2), c.after(kVlanTag), out);
    }
    case 0x0800:
      return decode_ipv4(c, out);
    case 0x86dd:
      return decode_ipv6(c, out);
    case 0x0806:
    case 0x8035:
      return decode_arp(c, out);
    case 0x8847:
    case 0x8848:
      return decode_mpls(c, out);
    case 0x6558:
      return decode_ethernet(c, out);  // transparent Ethernet bridging
    default:
      return set_unsupported(out, LayerKind::unknown, "unknown ethertype");
  }
}

}  // namespace tcpscope::decode::detail
