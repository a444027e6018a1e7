// IPv6 (RFC 8200): fixed header, then a bounded walk over hop-by-hop, routing,
// fragment, destination-options and AH headers, with tcpdump's length rules
// (payload length 0 means "jumbo or nothing": a Jumbo Payload option in a
// hop-by-hop header gives the length, otherwise the payload is empty).
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode::detail {

namespace {
constexpr std::uint32_t kFixedHeader = 40;
constexpr std::uint8_t kHopByHop = 0, kRouting = 43, kFragment = 44, kAh = 51, kDstOpts = 60;

// The Jumbo Payload length in a hop-by-hop header's options, or 0.
std::uint32_t find_jumbo(const Cursor& c, std::uint32_t header_len) {
  std::uint32_t i = 2;
  while (i < header_len) {
    const std::uint8_t type = c.u8(i);
    if (type == 0) {  // Pad1
      ++i;
      continue;
    }
    if (i + 2 > header_len) return 0;
    const std::uint32_t len = c.u8(i + 1) + 2u;
    if (i + len > header_len) return 0;
    if (type == 0xc2 && len == 6) {
      const std::uint32_t jumbo = c.be32(i + 2);
      return jumbo >= 65536 ? jumbo : 0;
    }
    i += len;
  }
  return 0;
}

// The destination a routing header leads to (for the pseudo-header), if any.
bool routing_final_destination(const Cursor& c, std::uint32_t header_len, IpAddr& dst) {
  if (header_len < 8) return false;
  const std::uint8_t type = c.u8(2);
  const std::uint32_t units = c.u8(1);
  if (type == 0 || type == 2) {
    if (units % 2) return false;
    const std::uint32_t count = units / 2;
    if (count == 0 || 8 + count * 16 > header_len) return false;
    dst = IpAddr::v6(c.at(8 + (count - 1) * 16));
    return true;
  }
  if (type == 4) {  // segment routing: the final destination is segment 0
    if (units % 2 || 8 + 16 > header_len) return false;
    dst = IpAddr::v6(c.at(8));
    return true;
  }
  return false;
}
// An extension header cut by the capture: recorded with what was captured of it,
// so the printer can show as much as tcpdump does before its marker.
void truncated_ext(const Cursor& cur, std::uint8_t nh, std::uint32_t need, Packet& out) {
  push_layer(out, LayerKind::ipv6_ext, cur, cur.captured() < need ? cur.captured() : need, nh);
  set_truncated(out, LayerKind::ipv6_ext, need, cur.captured());
}
}  // namespace

void decode_ipv6(const Cursor& c, Packet& out) {
  if (!c.has(kFixedHeader)) {
    push_layer(out, LayerKind::ipv6, c, c.captured());
    return set_truncated(out, LayerKind::ipv6, kFixedHeader, c.captured());
  }
  push_layer(out, LayerKind::ipv6, c, kFixedHeader);
  if (c.length < kFixedHeader) return set_malformed(out, LayerKind::ipv6, "shorter than an IPv6 header");
  if ((c.u8(0) >> 4) != 6) return set_malformed(out, LayerKind::ipv6, "IP version is not 6");

  const std::uint32_t payload_len = c.be16(4);
  // tcpdump's length of the datagram: announced, or (payload length 0) all that is left.
  std::uint32_t len = payload_len != 0 ? payload_len + kFixedHeader : c.length + kFixedHeader;
  Cursor inner = c;
  if (inner.off + len < inner.end) inner.end = inner.off + len;

  IpContext ip;
  ip.src = IpAddr::v6(c.at(8));
  ip.dst = IpAddr::v6(c.at(24));
  ip.version = 6;
  ip.ip_offset = c.off;

  std::uint8_t nh = c.u8(6);
  std::uint32_t advance = kFixedHeader;
  std::uint32_t total_advance = 0;
  std::uint32_t jumbo = 0;
  bool found_ext = false;
  bool first = true;
  Cursor cur = inner;
  for (int guard = 0; guard < 16; ++guard) {
    if (cur.off >= cur.end) return;  // every captured byte was a header: tcpdump prints no more
    if (len < advance) return set_truncated(out, LayerKind::ipv6_ext, advance, len);
    cur.off += advance;
    len -= advance;
    total_advance += advance;
    std::uint32_t ext_len = 0;
    switch (nh) {
      case kHopByHop:
        if (!first) return set_malformed(out, LayerKind::ipv6_ext, "hop-by-hop header not first");
        [[fallthrough]];
      case kDstOpts:
      case kRouting: {
        if (!cur.has(2)) return truncated_ext(cur, nh, 2, out);
        ext_len = (cur.u8(1) + 1u) * 8u;
        if (!cur.has(ext_len)) return truncated_ext(cur, nh, ext_len, out);
        if (nh == kHopByHop) {
          jumbo = payload_len == 0 ? find_jumbo(cur, ext_len) : 0;
          if (payload_len == 0 && jumbo == 0) {
            push_layer(out, LayerKind::ipv6_ext, cur, ext_len, nh);
            return set_malformed(out, LayerKind::ipv6_ext, "no valid Jumbo Payload option");
          }
        }
        if (nh == kRouting) routing_final_destination(cur, ext_len, ip.dst);
        break;
      }
      case kFragment:
        ext_len = 8;
        if (!cur.has(ext_len)) return truncated_ext(cur, nh, ext_len, out);
        ip.fragmented = true;
        if (cur.be16(2) & 0xfff8) {  // non-first fragment: nothing to decode behind it
          push_layer(out, LayerKind::ipv6_ext, cur, ext_len, nh).aux = nh;
          return;
        }
        break;
      case kAh:
        if (!cur.has(2)) return truncated_ext(cur, nh, 2, out);
        ext_len = (cur.u8(1) + 2u) * 4u;
        if (!cur.has(ext_len)) return truncated_ext(cur, nh, ext_len, out);
        break;
      default: {
        // Not an extension header: the upper layer.
        if (jumbo != 0) {
          len = jumbo + kFixedHeader;
          if (len < total_advance) return set_truncated(out, LayerKind::ipv6, total_advance, len);
          inner.end = c.off + len < c.end ? c.off + len : c.end;
          cur.end = inner.end;
          len -= total_advance;
        } else if (payload_len == 0) {
          if (found_ext) return set_truncated(out, LayerKind::ipv6_ext, 0, 0);
          len = 0;
          inner.end = c.off + kFixedHeader < c.end ? c.off + kFixedHeader : c.end;
          cur.end = inner.end;
        }
        ip.ip_len = len + total_advance;
        cur.length = len;
        return decode_ip_payload(nh, cur, ip, out);
      }
    }
    Layer& ext = push_layer(out, LayerKind::ipv6_ext, cur, ext_len, nh);
    ext.pdu_len = len;
    found_ext = true;
    first = false;
    nh = cur.u8(0);
    advance = ext_len;
  }
  set_malformed(out, LayerKind::ipv6_ext, "too many extension headers");
}

}  // namespace tcpscope::decode::detail
