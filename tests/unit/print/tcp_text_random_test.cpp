// Property test: random and randomly cut segments never make the TCP printer or
// decoder read outside the captured bytes (run under -DTCPSCOPE_SANITIZE=ON to
// have ASan check it) and always end in one of tcpdump's shapes.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "decode/tcp.hpp"
#include "print/tcp_text.hpp"

namespace tcpscope::print {
namespace {

bool ends_like_tcpdump(std::string_view text) {
  // ", length N" (optionally with RST data), or one of the markers that stop the line.
  if (text.ends_with("]") || text.ends_with(">")) return true;
  const std::size_t at = text.rfind(", length ");
  if (at == std::string_view::npos) return text.find(": tcp ") != std::string_view::npos;
  for (char c : text.substr(at + 9))
    if (c < '0' || c > '9') return false;
  return true;
}

TEST(TcpPrinterProperty, RandomSegmentsStayInBoundsAndEndLikeTcpdump) {
  std::mt19937 rng(20261125);  // fixed seed: reproducible
  const std::uint8_t kOptionKinds[] = {0, 1, 2, 3, 4, 5, 8, 19, 28, 29, 30, 34, 254, 99};
  constexpr std::uint8_t kAddr[4] = {192, 0, 2, 1};
  TcpPrinter printer;
  decode::Packet packet;
  fmt::memory_buffer out;
  for (int round = 0; round < 20000; ++round) {
    const std::size_t hlen = 20 + 4 * (rng() % 11);
    const std::size_t payload = rng() % 3 == 0 ? rng() % 50 : 0;
    std::vector<std::uint8_t> seg(hlen + payload);
    for (auto& b : seg) b = static_cast<std::uint8_t>(rng());
    seg[12] = static_cast<std::uint8_t>((rng() % 8 == 0 ? rng() % 16 : hlen / 4) << 4);
    // Mostly plausible option lists: a known kind followed by a small length.
    for (std::size_t i = 20; i + 1 < hlen; i += 2 + rng() % 10) {
      seg[i] = kOptionKinds[rng() % std::size(kOptionKinds)];
      seg[i + 1] = static_cast<std::uint8_t>(rng() % 12);
    }
    if (hlen > 22 && rng() % 4 == 0)
      seg[22] = static_cast<std::uint8_t>(rng() % 256);  // MPTCP subtype and friends
    const std::size_t captured = rng() % 3 == 0 ? rng() % (seg.size() + 1) : seg.size();
    const std::vector<std::uint8_t> bytes(seg.begin(), seg.begin() + static_cast<std::ptrdiff_t>(captured));
    PrintOptions options;
    options.numeric = 2;
    options.verbose = static_cast<int>(rng() % 4);
    options.absolute_seq = rng() % 2 == 0;
    options.quiet = rng() % 10 == 0;
    TcpPrintContext ctx;
    ctx.src = IpAddr::v4(kAddr);
    ctx.dst = IpAddr::v4(kAddr);
    ctx.segment_len = static_cast<std::uint32_t>(seg.size());
    out.clear();
    printer.print(out, options, ByteView(bytes.data(), bytes.size()), ctx);
    const std::string_view text(out.data(), out.size());
    ASSERT_TRUE(ends_like_tcpdump(text)) << text;

    decode::TcpIpContext ip;
    ip.src = ctx.src;
    ip.dst = ctx.dst;
    ip.segment_len = ctx.segment_len;
    packet.layer_count = 0;
    const decode::DecodeStatus st = decode::decode_tcp(ByteView(bytes.data(), bytes.size()), ip, packet);
    ASSERT_EQ(packet.has_tcp, st.ok());
  }
}

}  // namespace
}  // namespace tcpscope::print
