// Linux "cooked" capture headers: SLL (v1, 16 bytes) and SLL2 (v2, 20 bytes).
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

namespace {
constexpr std::uint32_t kSllHeader = 16;
constexpr std::uint32_t kSll2Header = 20;

void decode_sll_protocol(std::uint16_t proto, LayerKind kind, const Cursor& next, Packet& out) {
  // Values below 1536 are Linux packet types, not Ethernet types (802.3, 802.2 LLC, CAN, ...).
  if (proto < 1536) return set_unsupported(out, kind, "non-Ethernet-type protocol");
  decode_ethertype(proto, next, out);
}
}  // namespace

void decode_linux_sll(const Cursor& c, Packet& out) {
  if (!c.has(kSllHeader)) return set_truncated(out, LayerKind::linux_sll, kSllHeader, c.captured());
  push_layer(out, LayerKind::linux_sll, c, kSllHeader);
  decode_sll_protocol(c.be16(14), LayerKind::linux_sll, c.after(kSllHeader), out);
}

void decode_linux_sll2(const Cursor& c, Packet& out) {
  if (!c.has(kSll2Header)) return set_truncated(out, LayerKind::linux_sll2, kSll2Header, c.captured());
  push_layer(out, LayerKind::linux_sll2, c, kSll2Header);
  decode_sll_protocol(c.be16(0), LayerKind::linux_sll2, c.after(kSll2Header), out);
}

}  // namespace tcpscope::decode::detail
