// TcpdumpPrinter: everything around the TCP part, against what tcpdump 4.99.3
// prints for the same bytes (each expectation below was produced by
// `TZ=UTC tcpdump -# -n [-v|-e|-x] -r` on a capture holding exactly the frame the
// test builds: 10.0.0.1.1234 > 10.0.0.2.80 SYN seq 1000 "hello", time stamp
// 1700000000.123456). Where a TCP segment is involved only the text before the
// TCP part is compared: that part belongs to TcpPrinter.
#include "print/tcpdump_printer.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netdb.h>

#include <cstdlib>
#include <string>

#include "unit/frame_builder.hpp"

namespace tcpscope::print {
namespace {

using namespace tcpscope::testing;

class PrinterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    setenv("TZ", "UTC", 1);
    tzset();
  }
};

std::string print_one(const Bytes& bytes, PrintOptions options = {}, int link = 1,
                      std::size_t caplen = SIZE_MAX, std::uint32_t wire = 0) {
  options.numeric = options.numeric ? options.numeric : 1;
  const Frame f = frame_of(bytes, link, caplen, wire);
  decode::Packet p;
  decode::decode(f, p);
  TcpdumpPrinter printer(options);
  fmt::memory_buffer out;
  printer.print(f, p, out);
  return fmt::to_string(out);
}

Bytes syn() { return tcp(1234, 80, 1000, 0x02, {'h', 'e', 'l', 'l', 'o'}); }

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

TEST_F(PrinterTest, NumberAndLocalTimeThenIpPrefix) {
  PrintOptions o;
  o.number = true;
  const std::string s = print_one(ethernet(ipv4(syn())), o);
  EXPECT_TRUE(starts_with(s, "    1  22:13:20.123456 IP ")) << s;
  EXPECT_EQ(s.back(), '\n');
}

TEST_F(PrinterTest, Ipv4VerboseHeaderWithOptions) {
  PrintOptions o;
  o.verbose = 1;
  EXPECT_TRUE(starts_with(
      print_one(ethernet(ipv4(syn(), {.options = {1, 1, 1, 0}})), o),
      "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 49, "
      "options (NOP,NOP,NOP,EOL))\n    "));
  EXPECT_TRUE(starts_with(
      print_one(ethernet(ipv4(syn(), {.options = {7, 7, 4, 10, 0, 0, 9, 0}})), o),
      "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 53, "
      "options (RR 10.0.0.9,EOL))\n    "));
  EXPECT_TRUE(starts_with(
      print_one(ethernet(ipv4(syn(), {.options = {0x44, 0x0c, 0x05, 0x01, 10, 0, 0, 1, 0, 0, 0, 1}})), o),
      "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto TCP (6), length 57, "
      "options (timestamp TS{TS+ADDR ^ 1@10.0.0.1}))\n    "));
}

TEST_F(PrinterTest, Ipv4BadHeaderChecksumIsReported) {
  Bytes ip = ipv4(syn());
  ip[10] ^= 0x01;
  PrintOptions o;
  o.verbose = 1;
  const std::string s = print_one(ethernet(ip), o);
  EXPECT_NE(s.find(", length 45, bad cksum "), std::string::npos) << s;
  o.no_checksum = true;  // -K
  EXPECT_EQ(print_one(ethernet(ip), o).find("bad cksum"), std::string::npos);
}

TEST_F(PrinterTest, Ipv4LengthProblems) {
  EXPECT_TRUE(starts_with(print_one(ethernet(ipv4(syn(), {.total = 200}))),
                          "22:13:20.123456 IP truncated-ip - 155 bytes missing! "));
  EXPECT_EQ(print_one(ethernet(ipv4(syn(), {.total = 10}))), "22:13:20.123456 IP bad-len 10\n");
}

TEST_F(PrinterTest, TruncationMarkers) {
  const Bytes b = ethernet(ipv4(syn()));
  EXPECT_EQ(print_one(b, {}, 1, 30), "22:13:20.123456 IP  [|ip]\n");
  EXPECT_EQ(print_one(b, {}, 1, 14), "22:13:20.123456  [|ip]\n");
  EXPECT_EQ(print_one(b, {}, 1, 10), "22:13:20.123456  [|ether]\n");
  EXPECT_EQ(print_one(ethernet(ipv6(syn()), 0x86dd), {}, 1, 40), "22:13:20.123456  [|ip6]\n");
}

TEST_F(PrinterTest, NonFirstFragment) {
  PrintOptions o;
  o.verbose = 1;
  EXPECT_EQ(print_one(ethernet(ipv4(syn(), {.frag = 0x0003}))),
            "22:13:20.123456 IP 10.0.0.1 > 10.0.0.2: ip-proto-6\n");
  EXPECT_EQ(print_one(ethernet(ipv4(syn(), {.frag = 0x0003})), o),
            "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 24, flags [none], proto TCP (6), length 45)\n"
            "    10.0.0.1 > 10.0.0.2: ip-proto-6\n");
}

TEST_F(PrinterTest, Ipv6ExtensionHeadersPrintTheAddresses) {
  const Bytes frag = {6, 0, 0, 1, 0x12, 0x34, 0x56, 0x78};
  EXPECT_TRUE(starts_with(print_one(ethernet(ipv6(cat({frag, syn()}), 44), 0x86dd)),
                          "22:13:20.123456 IP6 2001:db8::1 > 2001:db8::2: frag (0|25) "));
  const Bytes later = {6, 0, 0x01, 0x00, 0x12, 0x34, 0x56, 0x78};
  EXPECT_EQ(print_one(ethernet(ipv6(cat({later, syn()}), 44), 0x86dd)),
            "22:13:20.123456 IP6 2001:db8::1 > 2001:db8::2: frag (256|25)\n");
  const Bytes dst = {6, 0, 1, 4, 0, 0, 0, 0};
  PrintOptions o;
  o.verbose = 1;
  EXPECT_TRUE(starts_with(print_one(ethernet(ipv6(cat({dst, syn()}), 60), 0x86dd), o),
                          "22:13:20.123456 IP6 (hlim 64, next-header unknown (60) payload length: 33) "
                          "2001:db8::1 > 2001:db8::2: DSTOPT (padn) "));
}

TEST_F(PrinterTest, UdpIcmpAndUnknownProtocolSummaries) {
  EXPECT_EQ(print_one(ethernet(ipv4(udp(5000, 6000, {'a', 'b', 'c', 'd'}), {.proto = 17}))),
            "22:13:20.123456 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4\n");
  const Bytes echo = {8, 0, 0, 0, 0, 1, 0, 2, 'a', 'b', 'c', 'd'};
  PrintOptions o;
  o.verbose = 1;
  EXPECT_EQ(
      print_one(ethernet(ipv4(echo, {.proto = 1})), o),
      "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto ICMP (1), length 32)\n"
      "    10.0.0.1 > 10.0.0.2: ICMP echo request, id 1, seq 2, length 12 (wrong icmp cksum 0 (->3336)!)\n");
  EXPECT_EQ(print_one(ethernet(ipv4({1, 2, 3}, {.proto = 240}))),
            "22:13:20.123456 IP 10.0.0.1 > 10.0.0.2:  ip-proto-240 3\n");
}

TEST_F(PrinterTest, UdpPortNamesWithoutNumericOption) {
  // Without -n tcpdump names UDP ports from the services database.
  const servent* sv = getservbyport(htons(53), "udp");
  if (sv == nullptr) GTEST_SKIP() << "no services database entry for 53/udp on this machine";
  PrintOptions o;
  o.numeric = 0;
  const Bytes bytes = ethernet(ipv4(udp(5000, 53, {'a', 'b', 'c', 'd'}), {.proto = 17}));
  const Frame f = frame_of(bytes);
  decode::Packet p;
  decode::decode(f, p);
  TcpdumpPrinter printer(o);
  fmt::memory_buffer out;
  printer.print(f, p, out);
  EXPECT_NE(fmt::to_string(out).find(std::string("10.0.0.2.") + sv->s_name + ": "), std::string::npos)
      << fmt::to_string(out);
}

TEST_F(PrinterTest, LinkHeaderWithVlanTags) {
  PrintOptions o;
  o.link_header = true;
  EXPECT_TRUE(starts_with(print_one(ethernet(ipv4(syn()), 0x0800, {{0x8100, 0x2064}}), o),
                          "22:13:20.123456 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q (0x8100), "
                          "length 63: vlan 100, p 1, ethertype IPv4 (0x0800), "));
  EXPECT_TRUE(
      starts_with(print_one(ethernet(ipv4(syn()), 0x0800, {{0x88a8, 0x0010}, {0x8100, 0x1020}}), o),
                  "22:13:20.123456 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype 802.1Q-QinQ (0x88a8), "
                  "length 67: vlan 16, p 0, ethertype 802.1Q (0x8100), vlan 32, p 0, DEI, "
                  "ethertype IPv4 (0x0800), "));
  o.quiet = true;
  EXPECT_EQ(print_one(ethernet(ipv4(udp(5000, 6000, {'a', 'b', 'c', 'd'}), {.proto = 17})), o),
            "22:13:20.123456 02:00:00:00:00:01 > 02:00:00:00:00:02, IPv4, length 46: "
            "10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4\n");
}

TEST_F(PrinterTest, UnknownEthertypeGetsTheDefaultDump) {
  EXPECT_EQ(print_one(ethernet({'x', 'y'}, 0x3030)),
            "22:13:20.123456 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x3030), length 16: "
            "\n\t0x0000:  7879                                     xy\n");
}

TEST_F(PrinterTest, TunnelsBeforeTheInnerPacket) {
  Bytes labels;
  put32(labels, (100u << 12) | 0x100u | 64u);
  EXPECT_TRUE(starts_with(print_one(ethernet(cat({labels, ipv4(syn())}), 0x8847)),
                          "22:13:20.123456 MPLS (label 100, tc 0, [S], ttl 64) IP "));
  const Bytes vx = cat({{0x08, 0, 0, 0, 0, 0x13, 0x89, 0}, ethernet(ipv4(syn()))});
  EXPECT_TRUE(starts_with(
      print_one(ethernet(ipv4(udp(40000, 4789, vx), {.proto = 17}))),
      "22:13:20.123456 IP 10.0.0.1.40000 > 10.0.0.2.4789: VXLAN, flags [I] (0x08), vni 5001\nIP "));
  const Bytes gen =
      cat({{0x02, 0x40, 0x08, 0x00, 0, 0, 0x0a, 0}, {0, 0, 0x80, 1, 0, 0, 0, 0x0c}, ipv4(syn())});
  PrintOptions vvv;
  vvv.verbose = 3;
  EXPECT_TRUE(starts_with(
      print_one(ethernet(ipv4(udp(40000, 6081, gen), {.proto = 17})), vvv),
      "22:13:20.123456 IP (tos 0x0, ttl 64, id 1, offset 0, flags [DF], proto UDP (17), length 89)"
      "\n    10.0.0.1.40000 > 10.0.0.2.6081: [no cksum] Geneve, Flags [C], vni 0xa, options "
      "[class Standard (0x0) type 0x80(C) len 8 data 0000000c]\n\tIP (tos 0x0"));
  Bytes gre;
  put16(gre, 0x2000);
  put16(gre, 0x0800);
  put32(gre, 42);
  EXPECT_TRUE(starts_with(print_one(ethernet(ipv4(cat({gre, ipv4(syn())}), {.proto = 47}))),
                          "22:13:20.123456 IP 10.0.0.1 > 10.0.0.2: GREv0, key=0x2a, length 53: IP "));
}

TEST_F(PrinterTest, OtherLinkTypes) {
  PrintOptions e;
  e.link_header = true;
  EXPECT_TRUE(starts_with(print_one(cat({{2, 0, 0, 0}, ipv4(syn())}), e, 0),
                          "22:13:20.123456 AF IPv4 (2), length 49: "));
  EXPECT_TRUE(starts_with(print_one(ipv4(syn()), e, 101), "22:13:20.123456 ip: "));
  EXPECT_EQ(print_one(Bytes{0x30, 1, 2}, {}, 101), "22:13:20.123456 unknown ip 3\n");
  EXPECT_TRUE(starts_with(print_one(cat({{0xff, 0x03, 0x00, 0x21}, ipv4(syn())}), e, 9),
                          "22:13:20.123456 IP (0x0021), length 49: "));
  const Bytes sll = {0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
  EXPECT_TRUE(starts_with(print_one(cat({sll, ipv4(syn())}), e, 113),
                          "22:13:20.123456 Out 02:00:00:00:00:01 ethertype IPv4 (0x0800), length 61: "));
}

TEST_F(PrinterTest, HexDumpLeavesOutTheLinkHeaderUnlessAskedTwice) {
  const Bytes b = ethernet(ipv4(udp(5000, 6000, {'a', 'b', 'c', 'd'}), {.proto = 17}));
  PrintOptions x;
  x.hex = 1;
  EXPECT_EQ(print_one(b, x),
            "22:13:20.123456 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4\n"
            "\t0x0000:  4500 0020 0001 4000 4011 26ca 0a00 0001\n"
            "\t0x0010:  0a00 0002 1388 1770 000c 0000 6162 6364\n");
  x.hex = 2;
  const std::string s = print_one(b, x);
  EXPECT_NE(s.find("\n\t0x0000:  0200 0000 0002 0200 0000 0001 0800 4500\n"), std::string::npos) << s;
  PrintOptions xa;
  xa.hex_ascii = 1;
  EXPECT_NE(print_one(b, xa).find("\n\t0x0010:  0a00 0002 1388 1770 000c 0000 6162 6364  .......p....abcd\n"),
            std::string::npos);
  PrintOptions a;
  a.ascii = true;
  EXPECT_EQ(print_one(b, a),
            "22:13:20.123456 IP 10.0.0.1.5000 > 10.0.0.2.6000: UDP, length 4\nE.. "
            "..@.@.&.\n...\n......p....abcd\n");
}

TEST_F(PrinterTest, InvalidCaptureHeaders) {
  // As bgp_vpn_rt-oobr.pcap in the corpus shows: no time stamp, all failed checks in one bracket.
  const Bytes b = ethernet(ipv4(syn()));
  EXPECT_EQ(print_one(b, {}, 1, SIZE_MAX, 20), "[Invalid header: len(20) < caplen(59)]\n");
  Frame empty;
  empty.link_type = 1;
  decode::Packet p;
  decode::decode(empty, p);
  PrintOptions o;
  o.number = true;
  TcpdumpPrinter printer(o);
  fmt::memory_buffer out;
  printer.print(empty, p, out);
  EXPECT_EQ(fmt::to_string(out), "    0  [Invalid header: caplen==0, len==0]\n");
}

}  // namespace
}  // namespace tcpscope::print
