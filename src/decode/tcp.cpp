// TCP header decoding (RFC 9293 §3.1) into the caller's Packet: facts only, no
// judgement (illegal flag combinations and bad checksums are kept as they are).
#include "decode/tcp.hpp"

#include <algorithm>

#include "decode/checksum.hpp"
#include "decode/tcp_options.hpp"

namespace tcpscope::decode {

namespace {

constexpr std::uint8_t kIpProtoTcp = 6;

void append_tcp_layer(Packet& out, ByteView captured, std::uint32_t header_len) {
  if (out.layer_count >= kMaxLayers) return;
  std::uint32_t offset = 0;
  if (out.frame != nullptr && !out.frame->data.empty() && captured.data() >= out.frame->data.data() &&
      captured.data() <= out.frame->data.data() + out.frame->data.size()) {
    offset = static_cast<std::uint32_t>(captured.data() - out.frame->data.data());
  }
  const auto captured_len = static_cast<std::uint32_t>(std::min<std::size_t>(captured.size(), header_len));
  Layer& layer = out.layers[out.layer_count++];
  layer = Layer{};
  layer.kind = LayerKind::tcp;
  layer.offset = offset;
  layer.length = captured_len;
}

DecodeStatus truncated(std::uint32_t need, std::size_t have) {
  return DecodeStatus{DecodeCode::truncated, LayerKind::tcp, need, static_cast<std::uint32_t>(have), ""};
}

DecodeStatus malformed(const char* reason) {
  return DecodeStatus{DecodeCode::malformed, LayerKind::tcp, 0, 0, reason};
}

}  // namespace

std::uint16_t tcp_checksum_residue(const IpAddr& src, const IpAddr& dst, ByteView segment) {
  const std::uint32_t sum =
      pseudo_header_sum(src, dst, kIpProtoTcp, static_cast<std::uint32_t>(segment.size()));
  return checksum_finish(checksum_add(sum, segment));
}

std::uint16_t tcp_checksum_should_be(std::uint16_t stored, std::uint16_t residue) {
  // Adding the residue to the stored field in one's-complement arithmetic gives the
  // value whose residue would have been zero (RFC 1624 incremental update).
  std::uint32_t v = std::uint32_t{stored} + residue;
  v = (v & 0xffffu) + (v >> 16);
  v = (v & 0xffffu) + (v >> 16);
  return static_cast<std::uint16_t>(v);
}

DecodeStatus decode_tcp(ByteView captured, const TcpIpContext& ip, Packet& out) {
  out.has_tcp = false;
  TcpFacts& tcp = out.tcp;
  tcp = TcpFacts{};
  tcp.src.addr = ip.src;
  tcp.dst.addr = ip.dst;
  tcp.ip_len = ip.ip_len;
  tcp.ip_fragment = ip.ip_fragment;

  // Never look at padding beyond what the IP header says the segment holds.
  if (captured.size() > ip.segment_len) captured = captured.first(ip.segment_len);

  if (captured.size() >= 4) {
    tcp.src.port = load_be16(captured.data());
    tcp.dst.port = load_be16(captured.data() + 2);
  }
  if (!TcpHeaderView::fits(captured)) {
    append_tcp_layer(out, captured, kTcpMinHeaderLen);
    return truncated(kTcpMinHeaderLen, captured.size());
  }

  const TcpHeaderView h(captured.data());
  const std::uint32_t header_len = h.header_len();
  read_tcp_fixed_fields(h, tcp);
  append_tcp_layer(out, captured, std::max(header_len, kTcpMinHeaderLen));

  if (header_len < kTcpMinHeaderLen) return malformed("tcp header length below 20 bytes");
  if (header_len > ip.segment_len) return malformed("tcp header length beyond the IP payload");
  tcp.payload_len = ip.segment_len - header_len;
  if (captured.size() < header_len) return truncated(header_len, captured.size());

  summarize_tcp_options(captured.subspan(kTcpMinHeaderLen, header_len - kTcpMinHeaderLen),
                        header_len - kTcpMinHeaderLen, tcp.options);
  tcp.payload = captured.subspan(header_len);
  if (!ip.ip_fragment && captured.size() >= ip.segment_len && !out.skip_tcp_checksum) {
    const std::uint16_t residue = tcp_checksum_residue(ip.src, ip.dst, captured);
    tcp.checksum = residue == 0 ? ChecksumStatus::good : ChecksumStatus::bad;
    tcp.checksum_expected = residue == 0 ? h.checksum() : tcp_checksum_should_be(h.checksum(), residue);
  }
  out.has_tcp = true;
  return DecodeStatus{};
}

}  // namespace tcpscope::decode
