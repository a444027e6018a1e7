// The IP payload dispatch (tcpdump's ip_demux_print): TCP, UDP and its tunnels,
// ICMP, GRE and IP-in-IP. TCP itself is decoded by decode_tcp() (decode/tcp.hpp).
#include "decode/layer_decoders.hpp"
#include "decode/tcp.hpp"

namespace tcpscope::decode::detail {

namespace {

void decode_tcp_layer(const Cursor& c, const IpContext& ip, Packet& out) {
  const std::uint32_t captured = c.captured();
  std::uint32_t header_len = captured;
  if (captured >= 13) {
    const std::uint32_t data_offset = (c.u8(12) >> 4) * 4u;
    if (data_offset <= captured) header_len = data_offset;
  }
  const std::uint8_t first = out.layer_count;
  push_layer(out, LayerKind::tcp, c, header_len);
  TcpIpContext ctx;
  ctx.src = ip.src;
  ctx.dst = ip.dst;
  ctx.segment_len = c.length;
  ctx.ip_len = ip.ip_len;
  ctx.ip_fragment = ip.fragmented;
  const DecodeStatus st = decode_tcp(ByteView(c.at(), captured), ctx, out);
  if (!st.ok()) out.status = st;
  // Keep exactly one tcp layer even if decode_tcp() records its own.
  for (std::uint8_t i = first + 1; i < out.layer_count; ++i) {
    if (out.layers[i].kind == LayerKind::tcp) {
      for (std::uint8_t j = i; j + 1 < out.layer_count; ++j) out.layers[j] = out.layers[j + 1];
      --out.layer_count;
      break;
    }
  }
}

}  // namespace

void decode_ip_payload(std::uint8_t proto, const Cursor& c, const IpContext& ip, Packet& out) {
  switch (proto) {
    case 6:
      return decode_tcp_layer(c, ip, out);
    case 17:
      return decode_udp(c, ip, out);
    case 1:
      push_layer(out, LayerKind::icmp, c, c.captured() < 8 ? c.captured() : 8);
      if (!c.has(4)) set_truncated(out, LayerKind::icmp, 4, c.captured());
      return;
    case 58:
      push_layer(out, LayerKind::icmp6, c, c.captured() < 8 ? c.captured() : 8);
      if (!c.has(4)) set_truncated(out, LayerKind::icmp6, 4, c.captured());
      return;
    case 47:
      return decode_gre(c, out);
    case 4:
      return decode_ipv4(c, out);
    case 41:
      return decode_ipv6(c, out);
    default:
      // The bytes of a protocol tcpscope does not decode, with its length for the summary.
      push_layer(out, LayerKind::payload, c, 0, proto);
      return set_unsupported(out, ip.version == 4 ? LayerKind::ipv4 : LayerKind::ipv6,
                             "IP protocol not decoded");
  }
}

}  // namespace tcpscope::decode::detail
