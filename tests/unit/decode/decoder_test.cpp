// decode(): the layer stack each link type and tunnel produces, the lengths it
// records (captured vs announced), and how truncated or malformed frames stop.
#include <gtest/gtest.h>

#include <random>

#include "decode/packet.hpp"
#include "unit/frame_builder.hpp"

namespace tcpscope::decode {
namespace {

using namespace tcpscope::testing;

std::vector<LayerKind> kinds(const Packet& p) {
  std::vector<LayerKind> k;
  for (std::size_t i = 0; i < p.layer_count; ++i) k.push_back(p.layers[i].kind);
  return k;
}

const Layer* find(const Packet& p, LayerKind kind) {
  for (std::size_t i = 0; i < p.layer_count; ++i)
    if (p.layers[i].kind == kind) return &p.layers[i];
  return nullptr;
}

Packet decoded(const Bytes& b, int link = 1, std::size_t caplen = SIZE_MAX, std::uint32_t wire = 0) {
  static thread_local Frame f;
  f = frame_of(b, link, caplen, wire);
  Packet p;
  decode(f, p);
  return p;
}

// ---- Ethernet, VLAN, padding -------------------------------------------------

TEST(Decoder, EthernetIpv4Tcp) {
  const Bytes b = ethernet(ipv4(tcp(1234, 80, 1000, 0x02, {'h', 'i'})));
  const Packet p = decoded(b);
  EXPECT_TRUE(p.status.ok());
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::ipv4, LayerKind::tcp}));
  const Layer* t = find(p, LayerKind::tcp);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->offset, 34u);
  EXPECT_EQ(t->length, 20u);
  EXPECT_EQ(t->pdu_len, 22u);  // segment length from the IP total length
  EXPECT_EQ(t->cap_len, 22u);
}

TEST(Decoder, QinQTagsAreLayers) {
  const Bytes b = ethernet(ipv4(tcp(1, 2, 3, 0x10)), 0x0800, {{0x88a8, 0x0010}, {0x8100, 0x1020}});
  const Packet p = decoded(b);
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::vlan, LayerKind::vlan, LayerKind::ipv4,
                                   LayerKind::tcp}));
  EXPECT_EQ(find(p, LayerKind::ipv4)->offset, 22u);
}

TEST(Decoder, EthernetPaddingIsNotPayload) {
  Bytes b = ethernet(ipv4(tcp(1, 2, 3, 0x10)));  // 54 bytes
  b.resize(60, 0);                               // minimum frame size padding
  const Packet p = decoded(b);
  const Layer* t = find(p, LayerKind::tcp);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->cap_len, 20u);  // cut at the IP total length, as tcpdump's snapend
  EXPECT_EQ(t->pdu_len, 20u);
}

TEST(Decoder, ShortEthernetIsTruncatedWithNoLayer) {
  const Bytes b = ethernet(ipv4(tcp(1, 2, 3, 0x10)));
  const Packet p = decoded(b, 1, 10);
  EXPECT_EQ(p.layer_count, 0u);
  EXPECT_EQ(p.status.code, DecodeCode::truncated);
  EXPECT_EQ(p.status.layer, LayerKind::ethernet);
  EXPECT_FALSE(p.has_tcp);
}

TEST(Decoder, UnknownEthertypeIsUnsupported) {
  const Packet p = decoded(ethernet({1, 2, 3, 4}, 0x3030));
  EXPECT_EQ(kinds(p), std::vector{LayerKind::ethernet});
  EXPECT_EQ(p.status.code, DecodeCode::unsupported);
}

// ---- IPv4 ---------------------------------------------------------------------

TEST(Decoder, Ipv4HeaderCutByCaptureStopsBeforeTcp) {
  const Bytes b = ethernet(ipv4(tcp(1, 2, 3, 0x10)));
  const Packet p = decoded(b, 1, 30);
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::ipv4}));
  EXPECT_EQ(p.status.code, DecodeCode::truncated);
  EXPECT_EQ(p.status.layer, LayerKind::ipv4);
}

TEST(Decoder, Ipv4TotalLengthBelowHeaderIsMalformed) {
  const Packet p = decoded(ethernet(ipv4(tcp(1, 2, 3, 0x10), {.total = 10})));
  EXPECT_EQ(p.status.code, DecodeCode::malformed);
  EXPECT_EQ(p.status.layer, LayerKind::ipv4);
  EXPECT_EQ(find(p, LayerKind::tcp), nullptr);
}

TEST(Decoder, Ipv4TotalLengthBeyondFrameKeepsAnnouncedSegmentLength) {
  const Packet p = decoded(ethernet(ipv4(tcp(1, 2, 3, 0x10, {'x'}), {.total = 200})));
  const Layer* t = find(p, LayerKind::tcp);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->pdu_len, 180u);  // "truncated-ip": the length still follows the IP header
  EXPECT_EQ(t->cap_len, 21u);
}

TEST(Decoder, Ipv4FirstFragmentCarriesTcpLaterFragmentsDoNot) {
  const Packet first = decoded(ethernet(ipv4(tcp(1, 2, 3, 0x10), {.frag = 0x2000})));
  EXPECT_NE(find(first, LayerKind::tcp), nullptr);
  const Packet later = decoded(ethernet(ipv4(tcp(1, 2, 3, 0x10), {.frag = 0x0003})));
  EXPECT_EQ(find(later, LayerKind::tcp), nullptr);
  EXPECT_EQ(find(later, LayerKind::ipv4)->aux, 1);
  EXPECT_TRUE(later.status.ok());
}

TEST(Decoder, Ipv4OptionsShiftTheTcpHeader) {
  const Packet p = decoded(ethernet(ipv4(tcp(1, 2, 3, 0x10), {.options = {1, 1, 1, 0}})));
  EXPECT_EQ(find(p, LayerKind::ipv4)->length, 24u);
  EXPECT_EQ(find(p, LayerKind::tcp)->offset, 38u);
}

// ---- IPv6 and extension headers ------------------------------------------------

TEST(Decoder, Ipv6FragmentHeaderBeforeTcp) {
  Bytes frag = {6, 0, 0, 1, 0x12, 0x34, 0x56, 0x78};  // offset 0, M set
  const Packet p = decoded(ethernet(ipv6(cat({frag, tcp(1, 2, 3, 0x10)}), 44), 0x86dd));
  EXPECT_EQ(kinds(p),
            (std::vector{LayerKind::ethernet, LayerKind::ipv6, LayerKind::ipv6_ext, LayerKind::tcp}));
  EXPECT_EQ(find(p, LayerKind::ipv6_ext)->aux, 44);
  EXPECT_EQ(find(p, LayerKind::tcp)->pdu_len, 20u);
}

TEST(Decoder, Ipv6NonFirstFragmentStops) {
  Bytes frag = {6, 0, 0x01, 0x00, 0, 0, 0, 1};
  const Packet p = decoded(ethernet(ipv6(cat({frag, tcp(1, 2, 3, 0x10)}), 44), 0x86dd));
  EXPECT_EQ(find(p, LayerKind::tcp), nullptr);
  EXPECT_TRUE(p.status.ok());
}

TEST(Decoder, Ipv6HopByHopJumboGivesTheLength) {
  const Bytes seg = tcp(1, 2, 3, 0x18, Bytes(100, 'a'));
  Bytes hbh = {6, 0, 0xc2, 4};
  put32(hbh, 80040);  // announced jumbo payload (8 + 80032)
  const Packet p = decoded(ethernet(ipv6(cat({hbh, seg}), 0, 0), 0x86dd), 1, SIZE_MAX, 80094);
  const Layer* t = find(p, LayerKind::tcp);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->pdu_len, 80032u);
}

TEST(Decoder, Ipv6PayloadLengthZeroWithoutJumboLeavesNoTcpBytes) {
  const Packet p = decoded(ethernet(ipv6(tcp(1, 2, 3, 0x10), 6, 0), 0x86dd));
  const Layer* t = find(p, LayerKind::tcp);
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->pdu_len, 0u);
  EXPECT_EQ(t->cap_len, 0u);
}

TEST(Decoder, Ipv6RoutingHeaderFinalDestinationFeedsTcp) {
  Bytes rt = {6, 2, 0, 1, 0, 0, 0, 0};
  for (int i = 0; i < 15; ++i) rt.push_back(i == 0 ? 0x20 : 0);
  rt.push_back(3);
  const Packet p = decoded(ethernet(ipv6(cat({rt, tcp(1, 2, 3, 0x10)}), 43), 0x86dd));
  EXPECT_EQ(kinds(p),
            (std::vector{LayerKind::ethernet, LayerKind::ipv6, LayerKind::ipv6_ext, LayerKind::tcp}));
}

TEST(Decoder, Ipv6HeaderCut) {
  const Packet p = decoded(ethernet(ipv6(tcp(1, 2, 3, 0x10)), 0x86dd), 1, 40);
  EXPECT_EQ(p.status.code, DecodeCode::truncated);
  EXPECT_EQ(p.status.layer, LayerKind::ipv6);
}

// ---- Other link types ----------------------------------------------------------

TEST(Decoder, LinuxCookedV1AndV2) {
  Bytes sll = {0, 4, 0, 1, 0, 6, 2, 0, 0, 0, 0, 1, 0, 0, 0x08, 0x00};
  EXPECT_EQ(kinds(decoded(cat({sll, ipv4(tcp(1, 2, 3, 0x10))}), 113)),
            (std::vector{LayerKind::linux_sll, LayerKind::ipv4, LayerKind::tcp}));
  Bytes sll2 = {0x86, 0xdd, 0, 0, 0, 0, 0, 3, 0, 1, 4, 6, 2, 0, 0, 0, 0, 1, 0, 0};
  EXPECT_EQ(kinds(decoded(cat({sll2, ipv6(tcp(1, 2, 3, 0x10))}), 276)),
            (std::vector{LayerKind::linux_sll2, LayerKind::ipv6, LayerKind::tcp}));
}

TEST(Decoder, NullInEitherByteOrderAndLoop) {
  const Bytes seg = ipv4(tcp(1, 2, 3, 0x10));
  EXPECT_NE(find(decoded(cat({{2, 0, 0, 0}, seg}), 0), LayerKind::tcp), nullptr);
  EXPECT_NE(find(decoded(cat({{0, 0, 0, 2}, seg}), 0), LayerKind::tcp), nullptr);
  EXPECT_NE(find(decoded(cat({{0, 0, 0, 30}, ipv6(tcp(1, 2, 3, 0x10))}), 108), LayerKind::tcp), nullptr);
  EXPECT_EQ(decoded(cat({{99, 0, 0, 0}, seg}), 0).status.code, DecodeCode::unsupported);
}

TEST(Decoder, PppWithAndWithoutAddressControl) {
  const Bytes seg = ipv4(tcp(1, 2, 3, 0x10));
  const Packet a = decoded(cat({{0xff, 0x03, 0x00, 0x21}, seg}), 9);
  EXPECT_EQ(kinds(a), (std::vector{LayerKind::ppp, LayerKind::ipv4, LayerKind::tcp}));
  EXPECT_EQ(a.layers[0].length, 4u);
  const Packet b = decoded(cat({{0x21}, seg}), 9);  // compressed protocol field
  EXPECT_EQ(b.layers[0].length, 1u);
  EXPECT_NE(find(b, LayerKind::tcp), nullptr);
}

TEST(Decoder, RawIpPicksTheVersionFromTheFirstNibble) {
  EXPECT_NE(find(decoded(ipv4(tcp(1, 2, 3, 0x10)), 101), LayerKind::ipv4), nullptr);
  EXPECT_NE(find(decoded(ipv6(tcp(1, 2, 3, 0x10)), 229), LayerKind::ipv6),
            nullptr);  // DLT_IPV6: by nibble too
  EXPECT_EQ(decoded(Bytes{0x30, 1, 2}, 12).status.code, DecodeCode::unsupported);
}

TEST(Decoder, UnknownLinkTypeIsUnsupported) {
  EXPECT_EQ(decoded(Bytes{1, 2, 3}, 9999).status.code, DecodeCode::unsupported);
}

// ---- Tunnels -------------------------------------------------------------------

TEST(Decoder, MplsStackToIpv4) {
  Bytes labels;
  put32(labels, (100u << 12) | 64u);
  put32(labels, (3u << 12) | 0x100u | 64u);  // bottom of stack, implicit NULL
  const Packet p = decoded(ethernet(cat({labels, ipv4(tcp(1, 2, 3, 0x10))}), 0x8847));
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::mpls, LayerKind::mpls, LayerKind::ipv4,
                                   LayerKind::tcp}));
}

TEST(Decoder, VxlanCarriesAnInnerEthernetFrame) {
  const Bytes inner = ethernet(ipv4(tcp(1, 2, 3, 0x10)));
  const Bytes vx = cat({{0x08, 0, 0, 0, 0, 0x13, 0x89, 0}, inner});
  const Packet p = decoded(ethernet(ipv4(udp(40000, 4789, vx), {.proto = 17})));
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::ipv4, LayerKind::udp, LayerKind::vxlan,
                                   LayerKind::ethernet, LayerKind::ipv4, LayerKind::tcp}));
}

TEST(Decoder, GeneveOptionsAreSkipped) {
  const Bytes gen = cat(
      {{0x02, 0x40, 0x08, 0x00, 0, 0, 0x0a, 0}, {0, 0, 0x80, 1, 0, 0, 0, 0x0c}, ipv4(tcp(1, 2, 3, 0x10))});
  const Packet p = decoded(ethernet(ipv4(udp(40000, 6081, gen), {.proto = 17})));
  const Layer* g = find(p, LayerKind::geneve);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->length, 16u);
  EXPECT_NE(find(p, LayerKind::tcp), nullptr);
}

TEST(Decoder, GreWithKey) {
  Bytes gre;
  put16(gre, 0x2000);
  put16(gre, 0x0800);
  put32(gre, 42);
  const Packet p = decoded(ethernet(ipv4(cat({gre, ipv4(tcp(1, 2, 3, 0x10))}), {.proto = 47})));
  EXPECT_EQ(find(p, LayerKind::gre)->length, 8u);
  EXPECT_NE(find(p, LayerKind::tcp), nullptr);
}

TEST(Decoder, UdpOnAnotherPortIsNotATunnel) {
  const Packet p = decoded(ethernet(ipv4(udp(5000, 6000, {1, 2, 3}), {.proto = 17})));
  EXPECT_EQ(kinds(p), (std::vector{LayerKind::ethernet, LayerKind::ipv4, LayerKind::udp}));
}

// ---- Never past the capture ----------------------------------------------------

void expect_within_capture(const Frame& f, const Packet& p) {
  for (std::size_t i = 0; i < p.layer_count; ++i) {
    const Layer& l = p.layers[i];
    ASSERT_LE(l.offset, f.caplen);
    EXPECT_LE(l.cap_len, f.caplen - l.offset) << "layer " << i;
    EXPECT_LE(l.length, f.caplen - l.offset) << "layer " << i;
  }
}

TEST(Decoder, EveryPrefixOfATunnelledFrameStaysWithinTheCapture) {
  const Bytes inner =
      ethernet(ipv6(tcp(1, 2, 3, 0x18, {'p', 'i', 'n', 'g'}, {2, 4, 5, 0xb4, 1, 1, 1, 0})), 0x86dd);
  const Bytes b =
      ethernet(ipv4(udp(40000, 4789, cat({{0x08, 0, 0, 0, 0, 0x13, 0x89, 0}, inner})), {.proto = 17}), 0x0800,
               {{0x8100, 5}});
  for (std::size_t cap = 0; cap <= b.size(); ++cap) {
    const Frame f = frame_of(b, 1, cap);
    Packet p;
    decode(f, p);
    expect_within_capture(f, p);
    if (cap == b.size()) {
      EXPECT_NE(find(p, LayerKind::tcp), nullptr);
    } else {
      EXPECT_FALSE(p.status.ok() && find(p, LayerKind::tcp) == nullptr)
          << "a cut frame must say why it stopped";
    }
  }
}

TEST(Decoder, RandomBytesOnEveryLinkTypeStayWithinTheCapture) {
  std::mt19937 rng(12345);
  Bytes b(200);
  for (int link : {0, 1, 9, 12, 101, 108, 113, 129, 178, 228, 229, 242, 276}) {
    for (int round = 0; round < 400; ++round) {
      for (auto& x : b) x = static_cast<std::uint8_t>(rng());
      // Steer some rounds into the IP decoders.
      if (round % 2 == 0 && (link == 12 || link == 101 || link == 228)) b[0] = 0x45;
      if (round % 3 == 0 && link == 1) {
        b[12] = 0x86;
        b[13] = 0xdd;
        b[14] = 0x60;
      }
      const std::size_t cap = rng() % b.size();
      const Frame f = frame_of(b, link, cap, static_cast<std::uint32_t>(b.size()));
      Packet p;
      decode(f, p);
      expect_within_capture(f, p);
    }
  }
}

}  // namespace
}  // namespace tcpscope::decode
