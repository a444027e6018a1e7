// TcpPrinter against the text tcpdump 4.99.3 printed for the same bytes. The
// fixtures (tcp_text_fixtures.inc) are produced by tests/tools/gen_tcp_text_fixtures.py,
// which wraps hand-built segments in raw-IP pcap records and runs the installed
// tcpdump on them; the corpus comparison (compare.py) covers real captures.
#include "print/tcp_text.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "decode/tcp.hpp"

namespace tcpscope::print {
namespace {

struct TcpTextFixture {
  const char* name;
  const char* options;  // tcpdump options besides -t
  bool v6;
  const char* segment_hex;  // the whole segment as built (header, options, payload)
  std::uint32_t captured;   // how much of it the pcap record held
  const char* expected;     // tcpdump's text from the ports on
};

struct TcpTextStep {
  bool v6;
  bool from_second;  // sent by 10.0.0.2 / 2001:db8::2
  const char* segment_hex;
  const char* expected;
};

struct TcpTextSequence {
  const char* name;
  const char* options;
  std::vector<TcpTextStep> steps;
};

#include "unit/print/tcp_text_fixtures.inc"

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  return bytes;
}

PrintOptions parse_options(std::string_view text) {
  PrintOptions o;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view word = text.substr(pos, end - pos);
    if (word == "-S")
      o.absolute_seq = true;
    else if (word == "-q")
      o.quiet = true;
    else if (word == "-K")
      o.no_checksum = true;
    else if (word.starts_with("-v"))
      o.verbose = static_cast<int>(word.size() - 1);
    else if (word.starts_with("-n"))
      o.numeric = static_cast<int>(word.size() - 1);
    pos = end + 1;
  }
  return o;
}

TcpPrintContext context(bool v6, bool from_second, std::uint32_t segment_len) {
  static constexpr std::uint8_t kV4a[4] = {10, 0, 0, 1}, kV4b[4] = {10, 0, 0, 2};
  static constexpr std::uint8_t kV6a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  static constexpr std::uint8_t kV6b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
  TcpPrintContext ctx;
  const IpAddr a = v6 ? IpAddr::v6(kV6a) : IpAddr::v4(kV4a);
  const IpAddr b = v6 ? IpAddr::v6(kV6b) : IpAddr::v4(kV4b);
  ctx.src = from_second ? b : a;
  ctx.dst = from_second ? a : b;
  ctx.segment_len = segment_len;
  return ctx;
}

std::string to_string(const fmt::memory_buffer& out) { return std::string(out.data(), out.size()); }

// tcpdump's comparable TCP part ends at ", length N" unless the TCP printer itself
// continues (RST data, remaining caplen); application decoders are not ours.
std::string tcp_part(std::string text) {
  const std::size_t at = text.find(", length ");
  if (at == std::string::npos) return text;
  std::size_t end = at + 9;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  const std::string_view rest = std::string_view(text).substr(end);
  if (rest.starts_with(" [RST") || rest.starts_with(" [!RST") || rest.starts_with(" [remaining caplen("))
    return text;
  return text.substr(0, end);
}

class TcpTextFixtureTest : public ::testing::TestWithParam<TcpTextFixture> {};

TEST_P(TcpTextFixtureTest, PrintsWhatTcpdumpPrinted) {
  const TcpTextFixture& f = GetParam();
  const std::vector<std::uint8_t> segment = from_hex(f.segment_hex);
  ASSERT_LE(f.captured, segment.size());
  TcpPrinter printer;
  fmt::memory_buffer out;
  printer.print(out, parse_options(f.options), ByteView(segment.data(), f.captured),
                context(f.v6, false, static_cast<std::uint32_t>(segment.size())));
  EXPECT_EQ(to_string(out), tcp_part(f.expected));

  // The same text when the printer reuses decode_tcp()'s checksum verdict.
  TcpPrintContext ctx = context(f.v6, false, static_cast<std::uint32_t>(segment.size()));
  decode::TcpIpContext ip;
  ip.src = ctx.src;
  ip.dst = ctx.dst;
  ip.segment_len = ctx.segment_len;
  decode::Packet packet;
  decode::decode_tcp(ByteView(segment.data(), f.captured), ip, packet);
  ctx.decoded = &packet.tcp;
  TcpPrinter reusing;
  fmt::memory_buffer again;
  reusing.print(again, parse_options(f.options), ByteView(segment.data(), f.captured), ctx);
  EXPECT_EQ(to_string(again), tcp_part(f.expected));
}

INSTANTIATE_TEST_SUITE_P(Tcpdump4993, TcpTextFixtureTest, ::testing::ValuesIn(kTcpTextFixtures),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

class TcpTextSequenceTest : public ::testing::TestWithParam<TcpTextSequence> {};

TEST_P(TcpTextSequenceTest, RelativeSequenceNumbersFollowTcpdump) {
  const TcpTextSequence& s = GetParam();
  TcpPrinter printer;  // one printer: its table carries state from segment to segment
  const PrintOptions options = parse_options(s.options);
  for (std::size_t i = 0; i < s.steps.size(); ++i) {
    const TcpTextStep& step = s.steps[i];
    const std::vector<std::uint8_t> segment = from_hex(step.segment_hex);
    fmt::memory_buffer out;
    printer.print(out, options, ByteView(segment.data(), segment.size()),
                  context(step.v6, step.from_second, static_cast<std::uint32_t>(segment.size())));
    EXPECT_EQ(to_string(out), tcp_part(step.expected)) << "segment " << i + 1;
  }
}

INSTANTIATE_TEST_SUITE_P(Tcpdump4993, TcpTextSequenceTest, ::testing::ValuesIn(kTcpTextSequences),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// Two printers do not share tables (no statics on the packet path).
TEST(TcpPrinterState, TablesBelongToThePrinter) {
  const TcpTextSequence& s = kTcpTextSequences[0];
  const PrintOptions options = parse_options(s.options);
  TcpPrinter first, second;
  for (std::size_t i = 0; i < 3; ++i) {
    const std::vector<std::uint8_t> segment = from_hex(s.steps[i].segment_hex);
    fmt::memory_buffer out;
    first.print(out, options, ByteView(segment.data(), segment.size()),
                context(false, s.steps[i].from_second, static_cast<std::uint32_t>(segment.size())));
  }
  // The third segment (the client's first ACK) is relative in `first` but is the
  // seeding segment, printed absolute, in a fresh printer.
  const std::vector<std::uint8_t> ack = from_hex(s.steps[2].segment_hex);
  fmt::memory_buffer out;
  second.print(out, options, ByteView(ack.data(), ack.size()),
               context(false, false, static_cast<std::uint32_t>(ack.size())));
  EXPECT_EQ(to_string(out), "10.0.0.1.40000 > 10.0.0.2.5001: Flags [.], ack 5001, win 512, length 0");
}

// Many conversations, IPv4 and IPv6 interleaved: every one keeps its own bases while the
// tables grow (several doublings each), and an IPv4 and an IPv6 pair with the same ports
// are different conversations.
TEST(TcpPrinterState, ThousandsOfConversationsKeepTheirBases) {
  TcpPrinter printer;
  PrintOptions options;
  options.numeric = 2;
  std::vector<std::uint8_t> seg = from_hex("0000138800000000000000075018020000000000616263");
  auto print_one = [&](bool v6, std::uint32_t conn, std::uint32_t seq) {
    seg[0] = static_cast<std::uint8_t>((10000 + conn) >> 8);
    seg[1] = static_cast<std::uint8_t>(10000 + conn);
    for (int i = 0; i < 4; ++i) seg[4 + i] = static_cast<std::uint8_t>(seq >> (24 - 8 * i));
    fmt::memory_buffer out;
    printer.print(out, options, ByteView(seg.data(), seg.size()), context(v6, false, 23));
    return to_string(out);
  };
  for (std::uint32_t c = 0; c < 5000; ++c) {
    for (bool v6 : {false, true}) {
      const std::uint32_t isn = c * 1000 + (v6 ? 500 : 0);
      const std::string first = print_one(v6, c, isn);
      ASSERT_NE(first.find(", seq " + std::to_string(isn) + ":"), std::string::npos) << first;
    }
  }
  for (std::uint32_t c = 0; c < 5000; ++c) {
    for (bool v6 : {false, true}) {
      const std::string later = print_one(v6, c, c * 1000 + (v6 ? 500 : 0) + 3);
      ASSERT_NE(later.find("Flags [P.], seq 3:6, ack 1, win 512"), std::string::npos) << later;
    }
  }
}

// Every address/port pair is a key, the all-zero one too (0.0.0.0.0 > 0.0.0.0.0: a damaged
// or crafted capture): its second segment is numbered from the first one's bases.
TEST(TcpPrinterState, AllZeroPairIsAConversation) {
  TcpPrinter printer;
  PrintOptions options;
  options.numeric = 2;
  std::vector<std::uint8_t> seg = from_hex("0000000000000064000000075018020000000000616263");
  static constexpr std::uint8_t kZero[4] = {0, 0, 0, 0};
  TcpPrintContext ctx;
  ctx.src = IpAddr::v4(kZero);
  ctx.dst = IpAddr::v4(kZero);
  ctx.segment_len = 23;
  fmt::memory_buffer first, second;
  printer.print(first, options, ByteView(seg.data(), seg.size()), ctx);
  EXPECT_EQ(to_string(first), "0.0.0.0.0 > 0.0.0.0.0: Flags [P.], seq 100:103, ack 7, win 512, length 3");
  seg[7] = 0x67;  // seq 103
  printer.print(second, options, ByteView(seg.data(), seg.size()), ctx);
  EXPECT_EQ(to_string(second), "0.0.0.0.0 > 0.0.0.0.0: Flags [P.], seq 3:6, ack 1, win 512, length 3");
}

// Without -n ports are named from the services database, as tcpdump's init_servarray does.
TEST(TcpPrinterPorts, NamesWithoutNumericOption) {
  if (getservbyport(htons(22), "tcp") == nullptr) GTEST_SKIP() << "no services database (/etc/services)";
  const std::vector<std::uint8_t> segment = from_hex("0016005000000000000000005002000000000000");
  PrintOptions options;
  options.absolute_seq = true;
  TcpPrinter printer;
  fmt::memory_buffer out;
  printer.print(out, options, ByteView(segment.data(), 20), context(false, false, 20));
  EXPECT_EQ(to_string(out), "10.0.0.1.ssh > 10.0.0.2.http: Flags [S], seq 0, win 0, length 0");
}

// Without -n addresses are printed by name, as tcpdump's ipaddr_string() does.
TEST(TcpPrinterHosts, NamesWithoutNumericOption) {
  static constexpr std::uint8_t kLoopback[4] = {127, 0, 0, 1};
  const hostent* h = gethostbyaddr(kLoopback, 4, AF_INET);
  if (h == nullptr || h->h_name == nullptr)
    GTEST_SKIP() << "127.0.0.1 has no name here (no /etc/hosts entry)";
  const std::string expected_name = h->h_name;
  const std::vector<std::uint8_t> segment = from_hex("9c40138900000000000000005002000000000000");
  TcpPrintContext ctx = context(false, false, 20);
  ctx.src = IpAddr::v4(kLoopback);
  ctx.dst = IpAddr::v4(kLoopback);
  PrintOptions options;
  options.absolute_seq = true;
  TcpPrinter printer;
  for (int numeric = 0; numeric <= 2; ++numeric) {
    options.numeric = numeric;
    fmt::memory_buffer out;
    printer.print(out, options, ByteView(segment.data(), 20), ctx);
    const std::string host = numeric == 0 ? expected_name : "127.0.0.1";
    EXPECT_EQ(to_string(out), host + ".40000 > " + host + ".5001: Flags [S], seq 0, win 0, length 0");
  }
}

}  // namespace
}  // namespace tcpscope::print
