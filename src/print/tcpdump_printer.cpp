// The tcpdump-compatible printer: number, time stamp, link/IP/tunnel text from
// the decoded layers, the TCP part through TcpPrinter, then the hex dumps.
#include "print/tcpdump_printer.hpp"

#include "print/hexdump.hpp"
#include "print/packet_walk.hpp"
#include "print/timestamps.hpp"

namespace tcpscope::print {

struct TcpdumpPrinter::State {
  explicit State(const PrintOptions& options) : timestamps(options), hosts(options.strip_domain) {}
  TimestampFormatter timestamps;
  TcpPrinter tcp;
  detail::InterfaceNames interfaces;
  detail::UdpPortNames udp_ports;
  HostNames hosts;
};

TcpdumpPrinter::TcpdumpPrinter(const PrintOptions& options)
    : options_(options), state_(std::make_unique<State>(options)) {}
TcpdumpPrinter::~TcpdumpPrinter() = default;

namespace {
constexpr std::uint32_t kMaximumSnaplen = 262144;
}

void TcpdumpPrinter::print(const Frame& frame, const decode::Packet& packet, fmt::memory_buffer& out) {
  if (options_.number) {
    // "%5u  " without the formatter: digits right-aligned in five columns.
    char buf[24];
    char* e = buf + sizeof buf;
    char* p = e;
    *--p = ' ';
    *--p = ' ';
    std::uint64_t v = frame.number;
    do {
      *--p = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v);
    while (e - p < 7) *--p = ' ';
    out.append(p, e);
  }
  // Capture-header sanity checks come before the time stamp, as in tcpdump's
  // pretty_print_packet(); all failed checks go into one bracket.
  const std::uint32_t caplen = static_cast<std::uint32_t>(frame.data.size());
  bool invalid = false;
  auto problem = [&](std::string_view text) {
    out.append(invalid ? std::string_view(",") : std::string_view("[Invalid header:"));
    invalid = true;
    out.append(text);
  };
  if (caplen == 0) problem(" caplen==0");
  if (frame.wire_len == 0) {
    problem(" len==0");
  } else if (frame.wire_len < caplen) {
    problem(fmt::format(" len({}) < caplen({})", frame.wire_len, caplen));
  }
  if (caplen > kMaximumSnaplen) problem(fmt::format(" caplen({}) > {}", caplen, kMaximumSnaplen));
  if (invalid) {
    out.append(std::string_view("]\n"));
    return;
  }
  state_->timestamps.append(out, frame.ts);
  detail::PacketWalk walk{options_,          frame,        packet, out, state_->tcp, state_->interfaces,
                          state_->udp_ports, state_->hosts};
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
