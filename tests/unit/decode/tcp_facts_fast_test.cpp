// Packet::tcp_facts_only: the fast path for Ethernet/IPv4/TCP frames must give the
// tracker exactly what the full decoder gives (has_tcp, the TcpFacts), and leave
// every other frame to the full decoder. Checked on hand-made edge cases and on
// every frame of the corpus's classic pcap files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "decode/packet.hpp"
#include "unit/frame_builder.hpp"

namespace tcpscope::decode {
namespace {

using namespace tcpscope::testing;

struct Both {
  Packet full;
  Packet fast;
};

Both decode_both(const Frame& f) {
  Both b;
  b.full.skip_tcp_checksum = true;
  b.fast.skip_tcp_checksum = true;
  b.fast.tcp_facts_only = true;
  decode(f, b.full);
  decode(f, b.fast);
  return b;
}

// Whether the fast path took the frame (it records no layer; the full decoder
// records at least the link layer of an Ethernet frame it can read).
bool took_fast_path(const Packet& p) { return p.has_tcp && p.layer_count == 0; }

void expect_same_facts(const Packet& full, const Packet& fast, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_EQ(full.has_tcp, fast.has_tcp);
  EXPECT_EQ(full.status.code, fast.status.code);
  EXPECT_EQ(full.status.layer, fast.status.layer);
  EXPECT_EQ(full.status.need, fast.status.need);
  EXPECT_EQ(full.status.have, fast.status.have);
  if (!full.has_tcp && full.status.layer != LayerKind::tcp) return;
  const TcpFacts& a = full.tcp;
  const TcpFacts& b = fast.tcp;
  EXPECT_EQ(a.src, b.src);
  EXPECT_EQ(a.dst, b.dst);
  EXPECT_EQ(a.seq.raw(), b.seq.raw());
  EXPECT_EQ(a.ack.raw(), b.ack.raw());
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.window, b.window);
  EXPECT_EQ(a.urgent, b.urgent);
  EXPECT_EQ(a.header_len, b.header_len);
  EXPECT_EQ(a.payload_len, b.payload_len);
  EXPECT_EQ(a.ip_len, b.ip_len);
  EXPECT_EQ(a.ip_fragment, b.ip_fragment);
  EXPECT_EQ(a.options.mss, b.options.mss);
  EXPECT_EQ(a.options.wscale, b.options.wscale);
  EXPECT_EQ(a.options.sack_permitted, b.options.sack_permitted);
  EXPECT_EQ(a.options.has_timestamps, b.options.has_timestamps);
  EXPECT_EQ(a.options.ts_val, b.options.ts_val);
  EXPECT_EQ(a.options.ts_ecr, b.options.ts_ecr);
  EXPECT_EQ(a.options.sack_count, b.options.sack_count);
  for (std::size_t i = 0; i < a.options.sack_count && i < a.options.sack.size(); ++i) {
    EXPECT_EQ(a.options.sack[i].first.raw(), b.options.sack[i].first.raw());
    EXPECT_EQ(a.options.sack[i].second.raw(), b.options.sack[i].second.raw());
  }
  EXPECT_EQ(a.options.malformed, b.options.malformed);
  EXPECT_EQ(a.checksum, b.checksum);
  EXPECT_EQ(a.checksum_expected, b.checksum_expected);
  EXPECT_EQ(a.payload.data(), b.payload.data());
  EXPECT_EQ(a.payload.size(), b.payload.size());
}

TEST(TcpFactsFast, PlainSegmentTakesTheFastPathWithTheSameFacts) {
  const Bytes ts_options = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
  const Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x18, {'h', 'i'}, ts_options)));
  const Frame f = frame_of(b);
  const Both p = decode_both(f);
  EXPECT_TRUE(took_fast_path(p.fast));
  expect_same_facts(p.full, p.fast, "plain");
  EXPECT_EQ(p.fast.tcp.payload.size(), 2u);
  EXPECT_TRUE(p.fast.tcp.options.has_timestamps);
}

TEST(TcpFactsFast, EthernetPaddingIsCutAtTheIpTotalLength) {
  Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x10)));
  b.insert(b.end(), 6, 0);  // padding to the Ethernet minimum
  const Both p = decode_both(frame_of(b));
  EXPECT_TRUE(took_fast_path(p.fast));
  expect_same_facts(p.full, p.fast, "padding");
  EXPECT_EQ(p.fast.tcp.payload.size(), 0u);
}

TEST(TcpFactsFast, CutPayloadKeepsTheAnnouncedLength) {
  const Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x18, Bytes(100, 'x'))));
  const Both p = decode_both(frame_of(b, 1, 14 + 20 + 20 + 10));
  EXPECT_TRUE(took_fast_path(p.fast));
  expect_same_facts(p.full, p.fast, "cut payload");
  EXPECT_EQ(p.fast.tcp.payload_len, 100u);
  EXPECT_EQ(p.fast.tcp.payload.size(), 10u);
}

TEST(TcpFactsFast, FirstFragmentIsFlagged) {
  Ipv4Spec spec;
  spec.frag = 0x2000;  // more fragments, offset 0
  const Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x18, Bytes(40, 'x')), spec));
  const Both p = decode_both(frame_of(b));
  EXPECT_TRUE(took_fast_path(p.fast));
  expect_same_facts(p.full, p.fast, "first fragment");
  EXPECT_TRUE(p.fast.tcp.ip_fragment);
}

// Everything unusual goes through the full decoder: same result, layers recorded.
TEST(TcpFactsFast, UnusualFramesFallBackToTheFullDecoder) {
  Ipv4Spec with_options;
  with_options.options = {1, 1, 1, 0};
  Ipv4Spec later_fragment;
  later_fragment.frag = 0x0010;
  Ipv4Spec udp_proto;
  udp_proto.proto = 17;
  Ipv4Spec total_too_small;
  total_too_small.total = 19;
  Ipv4Spec total_cuts_tcp;
  total_cuts_tcp.total = 30;
  Bytes bad_offset = tcp(1234, 80, 1000, 0x10);
  bad_offset[12] = 0x40;  // data offset 16 bytes
  Bytes long_offset = tcp(1234, 80, 1000, 0x10);
  long_offset[12] = 0xf0;  // 60 bytes, beyond the segment
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"ip options", ethernet(ipv4(tcp(1, 2, 3, 0x02), with_options))},
      {"later fragment", ethernet(ipv4(tcp(1, 2, 3, 0x02), later_fragment))},
      {"udp", ethernet(ipv4(udp(1, 2, {'x'}), udp_proto))},
      {"vlan", ethernet(ipv4(tcp(1, 2, 3, 0x02)), 0x0800, {{0x8100, 5}})},
      {"ipv6", ethernet(ipv6(tcp(1, 2, 3, 0x02)), 0x86dd)},
      {"total below header", ethernet(ipv4(tcp(1, 2, 3, 0x02), total_too_small))},
      {"total cuts tcp header", ethernet(ipv4(tcp(1, 2, 3, 0x02), total_cuts_tcp))},
      {"data offset below 20", ethernet(ipv4(bad_offset))},
      {"data offset beyond segment", ethernet(ipv4(long_offset))},
  };
  for (const auto& [name, bytes] : cases) {
    const Frame f = frame_of(bytes);
    const Both p = decode_both(f);
    EXPECT_FALSE(took_fast_path(p.fast)) << name;
    expect_same_facts(p.full, p.fast, name);
    EXPECT_EQ(p.full.layer_count, p.fast.layer_count) << name;
  }
  // Cut by the snapshot length inside the TCP header or its options; a wire length
  // shorter than an IPv4 header; another link type.
  const Bytes opts = ethernet(ipv4(tcp(1, 2, 3, 0x02, {}, {2, 4, 5, 180, 1, 3, 3, 7})));
  for (std::size_t caplen : {14u + 20u + 10u, 14u + 20u + 24u}) {
    const Frame f = frame_of(opts, 1, caplen);
    const Both p = decode_both(f);
    EXPECT_FALSE(took_fast_path(p.fast)) << caplen;
    expect_same_facts(p.full, p.fast, "caplen " + std::to_string(caplen));
  }
  {
    const Frame f = frame_of(opts, 1, SIZE_MAX, 30);
    const Both p = decode_both(f);
    EXPECT_FALSE(took_fast_path(p.fast));
    expect_same_facts(p.full, p.fast, "short wire length");
  }
  {
    const Bytes raw = ipv4(tcp(1, 2, 3, 0x02));
    const Frame f = frame_of(raw, 12);
    const Both p = decode_both(f);
    EXPECT_FALSE(took_fast_path(p.fast));
    expect_same_facts(p.full, p.fast, "raw ip");
  }
}

TEST(TcpFactsFast, NeedsSkipTcpChecksum) {
  const Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x18, {'h', 'i'})));
  const Frame f = frame_of(b);
  Packet p;
  p.tcp_facts_only = true;  // checksums wanted: the full decoder verifies them
  decode(f, p);
  EXPECT_TRUE(p.has_tcp);
  EXPECT_NE(p.layer_count, 0);
  EXPECT_NE(p.tcp.checksum, ChecksumStatus::unverifiable);
}

// Every frame of every classic pcap file in the corpus (little or big endian,
// micro- or nanosecond), read with a minimal reader of its own.
TEST(TcpFactsFast, SameFactsOnEveryCorpusFrame) {
  const char* source_dir = std::getenv("TCPSCOPE_SOURCE_DIR");
  const std::filesystem::path corpus =
      std::filesystem::path(source_dir != nullptr ? source_dir : ".") / ".." / "shared" / "corpus";
  if (!std::filesystem::is_directory(corpus)) {
    const char* ci = std::getenv("CI");
    if (ci != nullptr && std::string(ci) == "true") FAIL() << "corpus missing: " << corpus;
    GTEST_SKIP() << "SKIP: corpus not found at " << corpus;
  }
  std::size_t files = 0, frames = 0, fast = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(corpus)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 24) continue;
    std::uint32_t magic;
    std::memcpy(&magic, bytes.data(), 4);
    bool swapped;
    if (magic == 0xa1b2c3d4u || magic == 0xa1b23c4du)
      swapped = false;
    else if (magic == 0xd4c3b2a1u || magic == 0x4d3cb2a1u)
      swapped = true;
    else
      continue;  // pcapng or something else
    const auto load32 = [&](std::size_t at) {
      std::uint32_t v;
      std::memcpy(&v, bytes.data() + at, 4);
      return swapped ? __builtin_bswap32(v) : v;
    };
    const int link_type = static_cast<int>(load32(20) & 0x0fffffffu);
    ++files;
    std::uint64_t number = 0;
    for (std::size_t at = 24; at + 16 <= bytes.size();) {
      const std::uint32_t caplen = load32(at + 8);
      if (caplen > bytes.size() - at - 16) break;
      Frame f;
      f.data = ByteView(bytes.data() + at + 16, caplen);
      f.caplen = caplen;
      f.wire_len = load32(at + 12);
      f.link_type = link_type;
      f.number = ++number;
      const Both p = decode_both(f);
      if (took_fast_path(p.fast)) ++fast;
      ++frames;
      expect_same_facts(p.full, p.fast, entry.path().string() + " frame " + std::to_string(number));
      if (::testing::Test::HasFailure()) return;
      at += 16 + caplen;
    }
  }
  EXPECT_GT(files, 20u);
  EXPECT_GT(fast, frames / 4) << frames << " frames";  // the fast path is the common case
  std::printf("%zu files, %zu frames, %zu on the fast path\n", files, frames, fast);
}

}  // namespace
}  // namespace tcpscope::decode
