// The tcpdump-compatible printer: number, time stamp, link/IP/tunnel text from
// the decoded layers, the TCP part through TcpPrinter, then the hex dumps.
#include "print/tcpdump_printer.hpp"

#include "print/hexdump.hpp"
#include "print/packet_walk.hpp"
#include "print/timestamps.hpp"

namespace tcpscope::print {

struct TcpdumpPrinter::State {
  explicit State(const PrintOptions& options) : timestamps(options) {}
  TimestampFormatter timestamps;
  TcpPrinter tcp;
  detail::InterfaceNames interfaces;
  detail::UdpPortNames udp_ports;
};

TcpdumpPrinter::TcpdumpPrinter(const PrintOptions& options)
    : options_(options), state_(std::make_unique<State>(options)) {}
TcpdumpPrinter::~TcpdumpPrinter() = default;

namespace {
constexpr std::uint32_t kMaximumSnaplen = 262144;
}

void TcpdumpPrinter::print(const Frame& frame, const decode::Packet& packet, fmt::memory_buffer& out) {
  if (options_.number) {
    char buf[24];
    auto* end = fmt::format_to(buf, "{:5}  ", frame.number);
    out.append(buf, end);
  }
  state_->timestamps.append(out, frame.ts);
  const std::uint32_t caplen = static_cast<std::uint32_t>(frame.data.size());
  if (caplen == 0) {
    out.append(std::string_view("[Invalid header: caplen==0]\n"));
    return;
  }
  if (frame.wire_len == 0) {
    out.append(std::string_view("[Invalid header: len==0]\n"));
    return;
  }
  if (frame.wire_len < caplen) {
    fmt::format_to(std::back_inserter(out), "[Invalid header: len({}) < caplen({})]\n", frame.wire_len,
                   caplen);
    return;
  }
  if (caplen > kMaximumSnaplen) {
    fmt::format_to(std::back_inserter(out), "[Invalid header: caplen({}) > {}]\n", caplen, kMaximumSnaplen);
    return;
  }
  detail::PacketWalk walk{options_, frame, packet, out, state_->tcp, state_->interfaces, state_->udp_ports};
  std::uint32_t hdrlen = detail::print_link(walk);
  if (hdrlen > caplen) hdrlen = caplen;
  const ByteView all = frame.data;
  const ByteView network = all.subspan(hdrlen);
  if (options_.hex_ascii) {
    if (options_.hex_ascii > 1)
      append_hex_ascii(out, all);
    else if (!network.empty())
      append_hex_ascii(out, network);
  } else if (options_.hex) {
    if (options_.hex > 1)
      append_hex(out, all);
    else if (!network.empty())
      append_hex(out, network);
  } else if (options_.ascii) {
    if (!network.empty()) append_ascii(out, network);
  }
  out.push_back('\n');
}

}  // namespace tcpscope::print
