// decode_tcp() over a captured segment, cut and damaged copies of it.
#include "decode/tcp.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "core/tcp_flags.hpp"
#include "decode/checksum.hpp"

namespace tcpscope::decode {
namespace {

// print-flags.pcap packet 1 (tcpscope corpus), IPv4 127.0.0.1 -> 127.0.0.1, the TCP
// part of tcpdump -X (bytes 0x14..0x3b):
//   da70 0050 3758 897e 0000 0000 a002 7fff 1421 0000 0204 400c 0402 080a
//   4ddc 9216 0000 0000 0103 0302
// tcpdump -vvv -S: "55920 > 80: Flags [S], cksum 0x1421 (correct), seq 928549246, win 32767,
// options [mss 16396,sackOK,TS val 1306300950 ecr 0,nop,wscale 2], length 0"
const std::vector<std::uint8_t> kSyn = {0xda, 0x70, 0x00, 0x50, 0x37, 0x58, 0x89, 0x7e, 0x00, 0x00,
                                        0x00, 0x00, 0xa0, 0x02, 0x7f, 0xff, 0x14, 0x21, 0x00, 0x00,
                                        0x02, 0x04, 0x40, 0x0c, 0x04, 0x02, 0x08, 0x0a, 0x4d, 0xdc,
                                        0x92, 0x16, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x02};
constexpr std::uint8_t kLoopback[4] = {127, 0, 0, 1};

TcpIpContext loopback(std::uint32_t segment_len) {
  TcpIpContext ip;
  ip.src = IpAddr::v4(kLoopback);
  ip.dst = IpAddr::v4(kLoopback);
  ip.segment_len = segment_len;
  ip.ip_len = segment_len + 20;
  return ip;
}

DecodeStatus decode(const std::vector<std::uint8_t>& bytes, std::size_t captured, const TcpIpContext& ip,
                    Packet& p) {
  p.layer_count = 0;
  p.has_tcp = false;
  return decode_tcp(ByteView(bytes.data(), captured), ip, p);
}

TEST(DecodeTcp, FillsTheFactsOfACapturedSyn) {
  Packet p;
  const DecodeStatus st = decode(kSyn, kSyn.size(), loopback(40), p);
  ASSERT_TRUE(st.ok());
  ASSERT_TRUE(p.has_tcp);
  const TcpFacts& t = p.tcp;
  EXPECT_EQ(t.src.port, 55920);
  EXPECT_EQ(t.dst.port, 80);
  EXPECT_EQ(t.src.addr, IpAddr::v4(kLoopback));
  EXPECT_EQ(t.seq, SeqNum(928549246));
  EXPECT_EQ(t.ack, SeqNum(0));
  EXPECT_EQ(t.flags, tcp_flag::syn);
  EXPECT_EQ(t.window, 32767);
  EXPECT_EQ(t.header_len, 40);
  EXPECT_EQ(t.payload_len, 0u);
  EXPECT_EQ(t.ip_len, 60u);
  EXPECT_EQ(t.options.mss, 16396);
  EXPECT_EQ(t.options.wscale, 2);
  EXPECT_TRUE(t.options.sack_permitted);
  EXPECT_EQ(t.options.ts_val, 1306300950u);
  EXPECT_EQ(t.checksum, ChecksumStatus::good);
  ASSERT_EQ(p.layer_count, 1);
  EXPECT_EQ(p.layers[0].kind, LayerKind::tcp);
  EXPECT_EQ(p.layers[0].length, 40u);
}

TEST(DecodeTcp, KeepsTheTwelveRawFlagBits) {
  std::vector<std::uint8_t> bytes = kSyn;
  bytes[12] = 0xa1;  // data offset 10, AE bit
  bytes[13] = 0xff;  // all eight classic flags, SYN+FIN+RST together
  Packet p;
  ASSERT_TRUE(decode(bytes, bytes.size(), loopback(40), p).ok());
  EXPECT_EQ(p.tcp.flags, 0x1ff);
  EXPECT_EQ(p.tcp.checksum, ChecksumStatus::bad);  // the flags changed, the checksum did not
}

TEST(DecodeTcp, ChecksumIsUnverifiableInFragmentsAndWhenNotAllCaptured) {
  std::vector<std::uint8_t> bytes = kSyn;
  bytes.insert(bytes.end(), {'p', 'i', 'n', 'g'});
  Packet p;
  TcpIpContext ip = loopback(44);
  ASSERT_TRUE(decode(bytes, 42, ip, p).ok());
  EXPECT_EQ(p.tcp.checksum, ChecksumStatus::unverifiable);
  EXPECT_EQ(p.tcp.payload_len, 4u);
  EXPECT_EQ(p.tcp.payload.size(), 2u);
  ip.ip_fragment = true;
  ASSERT_TRUE(decode(bytes, bytes.size(), ip, p).ok());
  EXPECT_EQ(p.tcp.checksum, ChecksumStatus::unverifiable);
  EXPECT_TRUE(p.tcp.ip_fragment);
}

TEST(DecodeTcp, IgnoresLinkPaddingBeyondTheIpLength) {
  std::vector<std::uint8_t> bytes = kSyn;
  bytes.insert(bytes.end(), 6, 0);  // Ethernet minimum-size padding
  Packet p;
  ASSERT_TRUE(decode(bytes, bytes.size(), loopback(40), p).ok());
  EXPECT_EQ(p.tcp.payload.size(), 0u);
  EXPECT_EQ(p.tcp.checksum, ChecksumStatus::good);
}

TEST(DecodeTcp, TruncatedAtEveryByteOffsetOfTheHeader) {
  for (std::size_t cut = 0; cut <= kSyn.size(); ++cut) {
    const std::vector<std::uint8_t> captured(kSyn.begin(),
                                             kSyn.begin() + cut);  // exact size: no slack to read
    Packet p;
    const DecodeStatus st = decode(captured, captured.size(), loopback(40), p);
    if (cut == kSyn.size()) {
      EXPECT_TRUE(st.ok());
      EXPECT_TRUE(p.has_tcp);
      continue;
    }
    EXPECT_EQ(st.code, DecodeCode::truncated) << "cut " << cut;
    EXPECT_EQ(st.layer, LayerKind::tcp);
    EXPECT_EQ(st.need, cut < 20 ? 20u : 40u) << "cut " << cut;
    EXPECT_EQ(st.have, cut);
    EXPECT_FALSE(p.has_tcp);
    EXPECT_EQ(p.tcp.src.port, cut >= 4 ? 55920 : 0) << "cut " << cut;
    EXPECT_EQ(p.layer_count, 1);
  }
}

TEST(DecodeTcp, MalformedHeaderLengths) {
  std::vector<std::uint8_t> bytes = kSyn;
  bytes[12] = 0x40;  // 16 bytes: below the minimum
  Packet p;
  DecodeStatus st = decode(bytes, bytes.size(), loopback(40), p);
  EXPECT_EQ(st.code, DecodeCode::malformed);
  EXPECT_FALSE(p.has_tcp);
  bytes[12] = 0xf0;  // 60 bytes announced, the IP payload holds 40
  st = decode(bytes, bytes.size(), loopback(40), p);
  EXPECT_EQ(st.code, DecodeCode::malformed);
  EXPECT_FALSE(p.has_tcp);
  EXPECT_EQ(p.tcp.header_len, 60);
}

TEST(DecodeTcp, BadOptionListIsAFindingNotAFailure) {
  std::vector<std::uint8_t> bytes = kSyn;
  bytes[21] = 0x01;  // mss length 1
  Packet p;
  ASSERT_TRUE(decode(bytes, bytes.size(), loopback(40), p).ok());
  EXPECT_TRUE(p.has_tcp);
  EXPECT_TRUE(p.tcp.options.malformed);
  EXPECT_EQ(p.tcp.options.mss, -1);
}

TEST(TcpChecksum, ShouldBeValueMatchesTcpdump) {
  // tcpdump 4.99.3 -v on print-flags.pcap packet 4: "cksum 0xfef2 (incorrect -> 0xc376)";
  // here: the captured SYN with its checksum field zeroed must say what it should be.
  std::vector<std::uint8_t> bytes = kSyn;
  bytes[16] = 0;
  bytes[17] = 0;
  const std::uint16_t residue = tcp_checksum_residue(IpAddr::v4(kLoopback), IpAddr::v4(kLoopback),
                                                     ByteView(bytes.data(), bytes.size()));
  EXPECT_NE(residue, 0);
  EXPECT_EQ(tcp_checksum_should_be(0, residue), 0x1421);
}

TEST(TcpChecksum, AgreesWithTheRfc1071SumForEveryLengthAndAddressFamily) {
  std::vector<std::uint8_t> data(300);
  std::uint32_t x = 12345;
  for (auto& b : data) b = static_cast<std::uint8_t>((x = x * 1103515245 + 12345) >> 16);
  const std::uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const std::uint8_t v6b[16] = {0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1};
  const IpAddr pairs[][2] = {{IpAddr::v4(kLoopback), IpAddr::v4(v6a)}, {IpAddr::v6(v6a), IpAddr::v6(v6b)}};
  for (const auto& pair : pairs) {
    for (std::size_t len = 0; len <= data.size(); ++len) {
      const ByteView seg(data.data(), len);
      const std::uint16_t reference = checksum_finish(
          checksum_add(pseudo_header_sum(pair[0], pair[1], 6, static_cast<std::uint32_t>(len)), seg));
      ASSERT_EQ(tcp_checksum_residue(pair[0], pair[1], seg), reference) << "length " << len;
    }
  }
}

}  // namespace
}  // namespace tcpscope::decode
