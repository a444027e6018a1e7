// Link-type dispatch on the libpcap DLT value, plus the small link headers that
// need no file of their own (raw IP, ARCNET on Linux, IP over InfiniBand,
// Juniper's Ethernet capture header).
#include "decode/layer_decoders.hpp"
#include "decode/link_types.hpp"

namespace tcpscope::decode::detail {

void decode_link(int link_type, const Cursor& c, Packet& out) {
  switch (link_type) {
    case dlt::en10mb:
      return decode_ethernet(c, out);
    case dlt::null:
      return decode_null_loop(c, out, false);
    case dlt::loop:
      return decode_null_loop(c, out, true);
    case dlt::linux_sll:
      return decode_linux_sll(c, out);
    case dlt::linux_sll2:
      return decode_linux_sll2(c, out);
    case dlt::ppp:
    case dlt::ppp_serial:
      return decode_ppp(c, out);
    case dlt::raw:
    case dlt::raw_openbsd:
    case dlt::raw_linktype:
      return decode_raw_ip(c, out, 0);
    case dlt::ipv4:
    case dlt::ipv6:
      return decode_raw_ip(c, out, 0);  // tcpdump picks by the version nibble here too
    case dlt::arcnet_linux:
      return decode_arcnet_linux(c, out);
    case dlt::ipoib:
      return decode_ipoib(c, out);
    case dlt::juniper_ether:
      return decode_juniper_ether(c, out);
    default:
      set_unsupported(out, LayerKind::unknown, "unsupported link type");
      return;
  }
}

void decode_raw_ip(const Cursor& c, Packet& out, int version) {
  push_layer(out, LayerKind::raw_ip, c, 0, static_cast<std::uint8_t>(version));
  if (version == 4) return decode_ipv4(c, out);
  if (version == 6) return decode_ipv6(c, out);
  if (!c.has(1)) return set_truncated(out, LayerKind::raw_ip, 1, 0);
  switch (c.u8(0) & 0xf0) {
    case 0x40:
      return decode_ipv4(c, out);
    case 0x60:
      return decode_ipv6(c, out);
    default:
      return set_unsupported(out, LayerKind::raw_ip, "unknown IP version");
  }
}

// Linux ARCNET header: source, destination, 2-byte offset, system code, and for
// the RFC 1201 codes a split flag and a 2-byte sequence id.
void decode_arcnet_linux(const Cursor& c, Packet& out) {
  constexpr std::uint32_t kShort = 5, kLong = 8;
  if (!c.has(kShort)) return set_truncated(out, LayerKind::arcnet, kShort, c.captured());
  const std::uint8_t type = c.u8(4);
  const bool old_style = type == 240 || type == 241 || type == 0x80;  // IP_OLD, ARP_OLD, DIAGNOSE
  const std::uint32_t hdr = old_style ? kShort : kLong;
  if (!c.has(hdr)) return set_truncated(out, LayerKind::arcnet, hdr, c.captured());
  push_layer(out, LayerKind::arcnet, c, hdr, type);
  const Cursor next = c.after(hdr);
  switch (type) {
    case 240:
    case 212:
      return decode_ipv4(next, out);
    case 196:
      return decode_ipv6(next, out);
    case 241:
    case 213:
    case 214:
      return decode_arp(next, out);
    default:
      return set_unsupported(out, LayerKind::arcnet, "unknown ARCNET system code");
  }
}

// IP over InfiniBand (DLT_IPOIB): 40 bytes of addresses, then an Ethernet type
// and 2 reserved bytes.
void decode_ipoib(const Cursor& c, Packet& out) {
  constexpr std::uint32_t kHeader = 44;
  if (!c.has(kHeader)) return set_truncated(out, LayerKind::ipoib, kHeader, c.captured());
  push_layer(out, LayerKind::ipoib, c, kHeader);
  decode_ethertype(c.be16(40), c.after(kHeader), out);
}

// Juniper capture header: "MGC", flags, then (with the extension flag) a 2-byte
// extension length and TLVs; then Ethernet unless the no-L2 flag says IP.
void decode_juniper_ether(const Cursor& c, Packet& out) {
  if (!c.has(4)) return set_truncated(out, LayerKind::juniper, 4, c.captured());
  if (c.u8(0) != 'M' || c.u8(1) != 'G' || c.u8(2) != 'C')
    return set_malformed(out, LayerKind::juniper, "no Juniper magic");
  const std::uint8_t flags = c.u8(3);
  std::uint32_t hdr = 4;
  if (flags & 0x80) {
    if (!c.has(6)) return set_truncated(out, LayerKind::juniper, 6, c.captured());
    hdr = 6u + c.be16(4);
  }
  if (!c.has(hdr)) return set_truncated(out, LayerKind::juniper, hdr, c.captured());
  push_layer(out, LayerKind::juniper, c, hdr, flags);
  const Cursor next = c.after(hdr);
  if (flags & 0x02) return decode_raw_ip(next, out, 0);  // no layer-2 header
  decode_ethernet(next, out);
}

}  // namespace tcpscope::decode::detail
