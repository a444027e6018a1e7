// The tracker's fast path (Packet::tcp_facts_only): an Ethernet II frame carrying
// an IPv4 datagram with a 20-byte header that is not a later fragment, carrying a
// TCP segment whose whole header was captured. One pass over the three headers
// fills exactly the TcpFacts the full decoder (ethernet.cpp, ipv4.cpp,
// ip_demux.cpp, tcp.cpp) gives such a frame, and sets has_tcp; no layer is
// recorded. Anything else (IPv4 options, VLAN tags, IPv6, a cut or malformed
// header, another link type) returns false and goes through the full decoder.
#include "decode/layer_decoders.hpp"
#include "decode/link_types.hpp"
#include "decode/tcp.hpp"
#include "decode/tcp_options.hpp"

namespace tcpscope::decode::detail {

bool decode_tcp_facts_fast(const Frame& frame, Packet& out) {
  if (frame.link_type != dlt::en10mb) return false;
  const std::uint8_t* f = frame.data.data();
  const auto caplen = static_cast<std::uint32_t>(frame.data.size());
  if (caplen < kEthernetHeaderLen + kIpv4MinHeaderLen + kTcpMinHeaderLen) return false;
  if (load_be16(f + 12) != 0x0800) return false;  // IPv4 without a VLAN tag
  const std::uint8_t* ip = f + kEthernetHeaderLen;
  if (ip[0] != 0x45 || ip[9] != 6) return false;  // version 4, 20-byte header, TCP
  // decode_ipv4's checks in its order: the wire length left after Ethernet holds an
  // IPv4 header, the total length holds the header, not a later fragment.
  if (frame.wire_len < kEthernetHeaderLen + kIpv4MinHeaderLen) return false;
  const std::uint32_t total = load_be16(ip + 2);
  if (total < kIpv4MinHeaderLen) return false;
  const std::uint16_t frag = load_be16(ip + 6);
  if ((frag & 0x1fff) != 0) return false;
  // The captured end, cut at the datagram's end (Ethernet padding dropped).
  std::uint32_t end = caplen;
  if (kEthernetHeaderLen + total < end) end = kEthernetHeaderLen + total;
  const std::uint32_t segment_len = total - kIpv4MinHeaderLen;  // decode_tcp's ip.segment_len
  const std::uint32_t captured = end - (kEthernetHeaderLen + kIpv4MinHeaderLen);
  if (captured < kTcpMinHeaderLen) return false;  // truncated TCP: the full decoder says how
  const TcpHeaderView h(ip + kIpv4MinHeaderLen);
  const std::uint32_t header_len = h.header_len();
  if (header_len < kTcpMinHeaderLen || header_len > segment_len || captured < header_len) return false;

  out.frame = &frame;
  out.layer_count = 0;
  out.status = DecodeStatus{};
  TcpFacts& tcp = out.tcp;
  tcp.src.addr = IpAddr::v4(ip + 12);
  tcp.dst.addr = IpAddr::v4(ip + 16);
  tcp.src.port = h.src_port();
  tcp.dst.port = h.dst_port();
  read_tcp_fixed_fields(h, tcp);
  tcp.payload_len = segment_len - header_len;
  tcp.ip_len = total;
  tcp.ip_fragment = (frag & 0x2000) != 0;
  const std::uint8_t* options = ip + kIpv4MinHeaderLen + kTcpMinHeaderLen;
  summarize_tcp_options(ByteView(options, header_len - kTcpMinHeaderLen), header_len - kTcpMinHeaderLen,
                        tcp.options);
  tcp.checksum = ChecksumStatus::unverifiable;  // tcp_facts_only implies skip_tcp_checksum
  tcp.checksum_expected = 0;
  tcp.payload = ByteView(ip + kIpv4MinHeaderLen + header_len, captured - header_len);
  out.has_tcp = true;
  return true;
}

}  // namespace tcpscope::decode::detail
