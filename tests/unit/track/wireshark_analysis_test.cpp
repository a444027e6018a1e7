// Wireshark 4.0.17 TCP analysis flags, one behaviour per test, on hand-built
// segments. The flag scenarios are crafted again as captures by
// tests/golden/wireshark_flags.py (crafted_scenarios), where golden.wireshark_flags
// checks that tshark 4.0.17 raises the same flags.
#include "track/wireshark_analysis.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

namespace tf = tcp_flag;
using F = AnalysisFlag;

constexpr std::uint32_t kClientIsn = 1000;
constexpr std::uint32_t kServerIsn = 5000;

// One segment of a client/server exchange. Times are gaps since the previous segment.
struct Seg {
  bool from_client = true;
  std::uint16_t flags = tf::ack;
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
  std::uint32_t len = 0;
  std::uint16_t win = 1000;
  std::int16_t wscale = -1;
  std::int64_t gap_us = 1000;  // 1 ms
};

std::string ids(AnalysisFlags flags) {
  std::string s;
  flags.for_each([&](AnalysisFlag f) {
    if (!s.empty()) s += ',';
    s += to_id(f);
  });
  return s;
}

class WiresharkAnalysisTest : public ::testing::Test {
 protected:
  explicit WiresharkAnalysisTest(WiresharkLimits limits = {}) : analyzer_(limits) {}

  static Endpoint endpoint(std::uint8_t last_octet, std::uint16_t port) {
    const std::uint8_t a[4] = {10, 0, 0, last_octet};
    return Endpoint{IpAddr::v4(a), port};
  }

  WiresharkSegment send(const Seg& s) {
    const decode::TcpFacts t = facts(s);
    return analyzer_.analyze(frame_, Timestamp{now_ns_ / 1'000'000'000, now_ns_ % 1'000'000'000}, t);
  }

  // The same through analyze(Frame, Packet, slot hint), as ExplainSession calls it.
  WiresharkSegment send_hinted(const Seg& s, std::uint32_t& slot) {
    decode::Packet packet;
    Frame frame;
    const decode::TcpFacts t = facts(s);
    frame.number = frame_;
    frame.ts = Timestamp{now_ns_ / 1'000'000'000, now_ns_ % 1'000'000'000};
    frame.wire_len = 54 + s.len;
    packet.reset(frame);
    packet.has_tcp = true;
    packet.tcp = t;
    return analyzer_.analyze(frame, packet, slot);
  }

  // The TCP facts of `s`, advancing the frame number and the clock.
  decode::TcpFacts facts(const Seg& s) {
    decode::TcpFacts t;
    const Endpoint client = endpoint(1, client_port_);
    const Endpoint server = endpoint(2, 80);
    t.src = s.from_client ? client : server;
    t.dst = s.from_client ? server : client;
    t.seq = SeqNum(s.seq);
    t.ack = SeqNum(s.ack);
    t.flags = s.flags;
    t.window = s.win;
    t.header_len = 20;
    t.payload_len = s.len;
    t.options.wscale = s.wscale;
    now_ns_ += s.gap_us * 1000;
    ++frame_;
    return t;
  }

  // SYN, SYN-ACK, ACK with a 10 ms iRTT; afterwards both sides are at relative seq 1.
  void handshake(std::int16_t client_ws = -1, std::int16_t server_ws = -1) {
    send({.flags = tf::syn, .seq = kClientIsn, .wscale = client_ws, .gap_us = 0});
    send({.from_client = false,
          .flags = tf::syn | tf::ack,
          .seq = kServerIsn,
          .ack = kClientIsn + 1,
          .wscale = server_ws,
          .gap_us = 5000});
    send({.seq = kClientIsn + 1, .ack = kServerIsn + 1, .gap_us = 5000});
  }

  // Client data of `len` bytes at relative offset `rel` (1 = first byte).
  WiresharkSegment client_data(std::uint32_t rel, std::uint32_t len, std::int64_t gap_us = 1000) {
    return send({.flags = tf::ack | tf::psh,
                 .seq = kClientIsn + rel,
                 .ack = kServerIsn + 1,
                 .len = len,
                 .gap_us = gap_us});
  }
  // Server pure ACK acknowledging relative client offset `rel`.
  WiresharkSegment server_ack(std::uint32_t rel, std::uint16_t win = 1000, std::int64_t gap_us = 1000) {
    return send(
        {.from_client = false, .seq = kServerIsn + 1, .ack = kClientIsn + rel, .win = win, .gap_us = gap_us});
  }

  WiresharkAnalyzer analyzer_;
  std::uint64_t frame_ = 0;
  std::int64_t now_ns_ = 1'700'000'000LL * 1'000'000'000;
  std::uint16_t client_port_ = 40000;
};

// ---------------------------------------------------------------- handshake, iRTT, relative numbers

TEST_F(WiresharkAnalysisTest, CleanHandshakeHasNoFlagsAndAnIrtt) {
  const auto syn = send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 0});
  EXPECT_EQ(ids(syn.flags), "");
  EXPECT_EQ(syn.stream, 0u);
  EXPECT_EQ(syn.rel_seq, 0u);
  EXPECT_FALSE(syn.has_irtt);
  const auto syn_ack = send({.from_client = false,
                             .flags = tf::syn | tf::ack,
                             .seq = kServerIsn,
                             .ack = kClientIsn + 1,
                             .gap_us = 5000});
  EXPECT_EQ(ids(syn_ack.flags), "");
  EXPECT_EQ(syn_ack.rel_seq, 0u);
  EXPECT_EQ(syn_ack.rel_ack, 1u);
  EXPECT_EQ(syn_ack.acks_frame, 1u);
  const auto ack = send({.seq = kClientIsn + 1, .ack = kServerIsn + 1, .gap_us = 5000});
  EXPECT_EQ(ids(ack.flags), "");
  EXPECT_EQ(ack.rel_seq, 1u);
  EXPECT_EQ(ack.rel_ack, 1u);
  ASSERT_TRUE(ack.has_irtt);
  EXPECT_EQ(ack.irtt_ns, 10'000'000);
  EXPECT_EQ(ack.completeness, completeness::syn_sent | completeness::syn_ack);
}

TEST_F(WiresharkAnalysisTest, MidStreamStartCountsFromOne) {
  const auto first = client_data(100, 10);
  EXPECT_EQ(first.rel_seq, 1u);  // base = seq - 1
  EXPECT_EQ(first.rel_ack, 1u);  // peer's base = ack - 1
  EXPECT_EQ(ids(first.flags), "");
  EXPECT_FALSE(first.has_irtt);
}

// ---------------------------------------------------------------- retransmission family

TEST_F(WiresharkAnalysisTest, RetransmissionAfterTheIrtt) {
  handshake();
  EXPECT_EQ(ids(client_data(1, 100).flags), "");
  EXPECT_EQ(ids(client_data(1, 100, 200'000).flags), "retransmission");
}

TEST_F(WiresharkAnalysisTest, OutOfOrderWithinTheIrttAfterAGap) {
  handshake();
  EXPECT_EQ(ids(client_data(101, 100).flags), "lost_segment");
  EXPECT_EQ(ids(client_data(1, 100, 2000).flags), "out_of_order");  // 2 ms < 10 ms iRTT
}

TEST_F(WiresharkAnalysisTest, ExactResendWithinTheIrttIsARetransmission) {
  handshake();
  client_data(1, 100);
  send({.seq = kClientIsn + 201, .ack = kServerIsn + 1});  // a pure ACK past a gap moves nextseq
  // Ends exactly at nextseq: tshark 4.0.17 calls it a retransmission even within the iRTT.
  EXPECT_EQ(ids(client_data(101, 100, 2000).flags), "retransmission");
}

TEST_F(WiresharkAnalysisTest, SynResentWithinThreeMillisecondsIsARetransmission) {
  send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 0});
  EXPECT_EQ(ids(send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 100}).flags), "retransmission");
}

TEST_F(WiresharkAnalysisTest, ClockJumpsDoNotEvictSmallTables) {
  handshake();
  client_data(1, 100);
  server_ack(101, 1000, 30LL * 24 * 3600 * 1'000'000);  // a month later
  EXPECT_EQ(analyzer_.stats().evicted_idle, 0u);
  EXPECT_EQ(ids(server_ack(101).flags), "duplicate_ack");
}

TEST_F(WiresharkAnalysisTest, FastRetransmissionAfterTwoDuplicateAcks) {
  handshake();
  client_data(1, 100);
  client_data(101, 100);
  client_data(201, 100);
  EXPECT_EQ(ids(server_ack(101).flags), "");
  const auto dup1 = server_ack(101);
  EXPECT_EQ(ids(dup1.flags), "duplicate_ack");
  EXPECT_EQ(dup1.dupack_num, 1u);
  EXPECT_EQ(dup1.dupack_frame, 7u);
  const auto dup2 = server_ack(101);
  EXPECT_EQ(dup2.dupack_num, 2u);
  EXPECT_EQ(dup2.dupack_frame, 7u);
  // Within 20 ms of the last duplicate ACK and beyond the iRTT since the highest segment.
  EXPECT_EQ(ids(client_data(101, 100, 15'000).flags), "fast_retransmission");
}

TEST_F(WiresharkAnalysisTest, SpuriousRetransmissionOfAcknowledgedData) {
  handshake();
  client_data(1, 100);
  server_ack(101);
  EXPECT_EQ(ids(client_data(1, 100, 300'000).flags), "spurious_retransmission");
}

TEST_F(WiresharkAnalysisTest, SynRetransmissionKeepsTheStream) {
  const auto first = send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 0});
  const auto again = send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 1'000'000});
  EXPECT_EQ(ids(again.flags), "retransmission");
  EXPECT_EQ(again.stream, first.stream);
  const auto syn_ack =
      send({.from_client = false, .flags = tf::syn | tf::ack, .seq = kServerIsn, .ack = kClientIsn + 1});
  const auto syn_ack_again = send({.from_client = false,
                                   .flags = tf::syn | tf::ack,
                                   .seq = kServerIsn,
                                   .ack = kClientIsn + 1,
                                   .gap_us = 1'000'000});
  EXPECT_EQ(ids(syn_ack.flags), "");
  EXPECT_EQ(ids(syn_ack_again.flags), "retransmission");
}

TEST_F(WiresharkAnalysisTest, FinRetransmission) {
  handshake();
  send({.flags = tf::fin | tf::ack, .seq = kClientIsn + 1, .ack = kServerIsn + 1});
  EXPECT_EQ(
      ids(send({.flags = tf::fin | tf::ack, .seq = kClientIsn + 1, .ack = kServerIsn + 1, .gap_us = 300'000})
              .flags),
      "retransmission");
}

// ---------------------------------------------------------------- lost / unseen

TEST_F(WiresharkAnalysisTest, LostSegmentNotForRst) {
  handshake();
  EXPECT_EQ(ids(client_data(501, 10).flags), "lost_segment");
  EXPECT_EQ(ids(send({.flags = tf::rst | tf::ack, .seq = kClientIsn + 9000, .ack = kServerIsn + 1}).flags),
            "");
}

TEST_F(WiresharkAnalysisTest, AckedUnseenSegmentReportedOnce) {
  handshake();
  client_data(1, 100);
  EXPECT_EQ(ids(server_ack(301).flags), "ack_lost_segment");  // bytes 101..300 never seen
  // Reported once: the client has not acknowledged anything new since.
  EXPECT_EQ(ids(server_ack(401).flags), "");
}

TEST_F(WiresharkAnalysisTest, AckedUnseenAfterAGapRaisesTheContiguousEdge) {
  handshake();
  client_data(1, 100);
  EXPECT_EQ(ids(client_data(201, 100).flags), "lost_segment");
  // Acks past the hole's end: the contiguous edge jumps to nextseq (301).
  EXPECT_EQ(ids(server_ack(301).flags), "ack_lost_segment");
  // Beyond everything sent: flagged once more, then silenced.
  EXPECT_EQ(ids(server_ack(401).flags), "ack_lost_segment");
  EXPECT_EQ(ids(server_ack(501).flags), "");
}

TEST_F(WiresharkAnalysisTest, SilencedDupAckCounterCountsAsManyDuplicates) {
  handshake();
  send({.from_client = false, .flags = tf::fin | tf::ack, .seq = kServerIsn + 1, .ack = kClientIsn + 1});
  client_data(1, 100);
  // Acks bytes never seen: reported, and the client's duplicate counter is set to -1,
  // which tshark keeps unsigned; the resent FIN then passes the ">= 2 duplicates" test.
  const auto fin = send({.from_client = false,
                         .flags = tf::fin | tf::ack,
                         .seq = kServerIsn + 1,
                         .ack = kClientIsn + 301,
                         .gap_us = 200});
  EXPECT_EQ(ids(fin.flags), "fast_retransmission,ack_lost_segment");
}

// ---------------------------------------------------------------- duplicate ACKs

TEST_F(WiresharkAnalysisTest, DuplicateAckCountContinuesAcrossDataWithTheSameAck) {
  handshake();
  send({.from_client = false,
        .flags = tf::ack | tf::psh,
        .seq = kServerIsn + 1,
        .ack = kClientIsn + 1,
        .len = 50});
  const std::uint64_t first_ack_frame = frame_ + 1;
  // Acks the server's 50 bytes: the ack number changes, this frame becomes lastnondupack.
  send({.flags = tf::ack | tf::psh, .seq = kClientIsn + 1, .ack = kServerIsn + 51, .len = 10});
  const auto dup1 = send({.seq = kClientIsn + 11, .ack = kServerIsn + 51});
  EXPECT_EQ(ids(dup1.flags), "duplicate_ack");
  EXPECT_EQ(dup1.dupack_num, 1u);
  EXPECT_EQ(dup1.dupack_frame, first_ack_frame);
  // Data with an unchanged ack number does not reset the count.
  send({.flags = tf::ack | tf::psh, .seq = kClientIsn + 11, .ack = kServerIsn + 51, .len = 10});
  const auto dup2 = send({.seq = kClientIsn + 21, .ack = kServerIsn + 51});
  EXPECT_EQ(ids(dup2.flags), "duplicate_ack");
  EXPECT_EQ(dup2.dupack_num, 2u);
  EXPECT_EQ(dup2.dupack_frame, first_ack_frame);
  // A window change is a window update, not a duplicate, and does not reset either.
  EXPECT_EQ(ids(send({.seq = kClientIsn + 21, .ack = kServerIsn + 51, .win = 2000}).flags), "window_update");
  EXPECT_EQ(send({.seq = kClientIsn + 21, .ack = kServerIsn + 51, .win = 2000}).dupack_num, 3u);
}

// ---------------------------------------------------------------- windows

TEST_F(WiresharkAnalysisTest, ZeroWindowProbeAndItsAck) {
  handshake();
  client_data(1, 100);
  EXPECT_EQ(ids(server_ack(101, 0).flags), "zero_window");
  const auto probe = client_data(101, 1, 200'000);
  EXPECT_EQ(ids(probe.flags), "zero_window_probe");
  EXPECT_EQ(ids(server_ack(101, 0).flags), "zero_window,zero_window_probe_ack");
  // The probe does not advance nextseq: the same byte again is a probe again.
  EXPECT_EQ(ids(client_data(101, 1, 400'000).flags), "zero_window_probe");
  // The window opens; the data after the probe is not a retransmission.
  EXPECT_EQ(ids(server_ack(101, 1000).flags), "window_update");
  EXPECT_EQ(ids(client_data(101, 100).flags), "");
}

TEST_F(WiresharkAnalysisTest, ZeroWindowProbeSkipsTheOtherChecks) {
  handshake();
  client_data(1, 100);
  server_ack(101, 0);
  // The probe carries a zero window itself, yet is only a probe (step 1 skips 2-9).
  const auto probe =
      send({.flags = tf::ack, .seq = kClientIsn + 101, .ack = kServerIsn + 1, .len = 1, .win = 0});
  EXPECT_EQ(ids(probe.flags), "zero_window_probe");
}

TEST_F(WiresharkAnalysisTest, WindowFullWithScaling) {
  handshake(/*client_ws=*/2, /*server_ws=*/1);
  // The server's window 100 << 1 = 200 bytes from its last ack (client offset 1).
  server_ack(1, 100);
  EXPECT_EQ(ids(client_data(1, 150).flags), "");
  EXPECT_EQ(ids(client_data(151, 50).flags), "window_full");
}

TEST_F(WiresharkAnalysisTest, WindowFullUnscaledBeforeTheFirstAck) {
  handshake(2, 1);
  // The server has sent only its SYN-ACK (window 1000, is_first_ack): no shift applies.
  EXPECT_EQ(ids(client_data(1, 1000).flags), "window_full");
}

TEST_F(WiresharkAnalysisTest, WindowScaleOffWhenOneSynLacksIt) {
  handshake(/*client_ws=*/7, /*server_ws=*/-1);
  const auto ack = server_ack(1, 100);
  EXPECT_EQ(ack.window_scale, -2);
  EXPECT_EQ(ack.window_size, 100u);
  EXPECT_EQ(ids(client_data(1, 100).flags), "window_full");
}

TEST_F(WiresharkAnalysisTest, WindowUpdate) {
  handshake();
  client_data(1, 100);
  server_ack(101, 1000);
  EXPECT_EQ(ids(server_ack(101, 3000).flags), "window_update");
  EXPECT_EQ(ids(server_ack(101, 3000).flags), "duplicate_ack");
}

// ---------------------------------------------------------------- keep-alive

TEST_F(WiresharkAnalysisTest, KeepAliveAndItsAck) {
  handshake();
  client_data(1, 100);
  server_ack(101);
  const auto ka = send({.seq = kClientIsn + 100, .ack = kServerIsn + 1, .gap_us = 1'000'000});
  EXPECT_EQ(ids(ka.flags), "keep_alive");
  EXPECT_EQ(ids(server_ack(101).flags), "keep_alive_ack");
  // One garbage byte at nextseq - 1 (the BSD form) is a keep-alive, not a retransmission.
  const auto ka1 = send({.seq = kClientIsn + 100, .ack = kServerIsn + 1, .len = 1, .gap_us = 1'000'000});
  EXPECT_EQ(ids(ka1.flags), "keep_alive");
  EXPECT_EQ(ids(server_ack(101).flags), "keep_alive_ack");
}

TEST_F(WiresharkAnalysisTest, TwoBytesAtNextSeqMinusOneAreNotAKeepAlive) {
  handshake();
  client_data(1, 100);
  server_ack(101);
  const auto seg = client_data(100, 2, 1'000'000);
  EXPECT_FALSE(seg.flags.has(F::keep_alive));
  EXPECT_FALSE(seg.flags.has(F::retransmission));
}

// ---------------------------------------------------------------- segment length

TEST_F(WiresharkAnalysisTest, SegmentLengthIsCutToTheFrameOnTheWire) {
  handshake();
  // IPv4 says 100 bytes of payload, but the frame held only 50 of them on the wire.
  decode::Packet packet;
  Frame frame;
  frame.number = ++frame_;
  now_ns_ += 1'000'000;
  frame.ts = Timestamp{now_ns_ / 1'000'000'000, now_ns_ % 1'000'000'000};
  frame.wire_len = 34 + 20 + 50;
  packet.reset(frame);
  packet.layers[0] = decode::Layer{.kind = decode::LayerKind::ethernet, .offset = 0, .length = 14};
  packet.layers[1] = decode::Layer{.kind = decode::LayerKind::ipv4, .offset = 14, .length = 20};
  packet.layers[2] = decode::Layer{.kind = decode::LayerKind::tcp, .offset = 34, .length = 20};
  packet.layer_count = 3;
  packet.has_tcp = true;
  const std::uint8_t c[4] = {10, 0, 0, 1};
  const std::uint8_t s[4] = {10, 0, 0, 2};
  packet.tcp.src = Endpoint{IpAddr::v4(c), client_port_};
  packet.tcp.dst = Endpoint{IpAddr::v4(s), 80};
  packet.tcp.seq = SeqNum(kClientIsn + 1);
  packet.tcp.ack = SeqNum(kServerIsn + 1);
  packet.tcp.flags = tf::ack;
  packet.tcp.window = 1000;
  packet.tcp.header_len = 20;
  packet.tcp.payload_len = 100;
  EXPECT_EQ(ids(analyzer_.analyze(frame, packet).flags), "");
  // So the next byte expected is 51, not 101.
  EXPECT_EQ(ids(client_data(51, 50).flags), "");
}

// ---------------------------------------------------------------- port reuse

TEST_F(WiresharkAnalysisTest, NewIsnOnTheSamePortsStartsANewStream) {
  handshake();
  send({.flags = tf::fin | tf::ack, .seq = kClientIsn + 1, .ack = kServerIsn + 1});
  send({.from_client = false, .flags = tf::fin | tf::ack, .seq = kServerIsn + 1, .ack = kClientIsn + 2});
  send({.seq = kClientIsn + 2, .ack = kServerIsn + 2});
  // Same ISN again, even after the FIN: stays in stream 0 as a retransmission.
  const auto same = send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 1'000'000});
  EXPECT_EQ(same.stream, 0u);
  EXPECT_EQ(ids(same.flags), "retransmission");
  // A new ISN: stream 1, reused ports.
  const auto fresh = send({.flags = tf::syn, .seq = 9000, .gap_us = 1'000'000});
  EXPECT_EQ(fresh.stream, 1u);
  EXPECT_EQ(ids(fresh.flags), "reused_ports");
  EXPECT_EQ(fresh.completeness, completeness::syn_sent);
  EXPECT_EQ(fresh.rel_seq, 0u);
  // A SYN-ACK whose ISN differs from the known base replaces it and is flagged.
  EXPECT_EQ(send({.from_client = false, .flags = tf::syn | tf::ack, .seq = 7000, .ack = 9001}).stream, 1u);
  const auto other = send({.from_client = false, .flags = tf::syn | tf::ack, .seq = 8000, .ack = 9001});
  EXPECT_EQ(other.stream, 1u);
  EXPECT_TRUE(other.flags.has(F::reused_ports));
  EXPECT_EQ(other.rel_seq, 0u);
  EXPECT_EQ(analyzer_.stats().conversations_created, 2u);
}

TEST_F(WiresharkAnalysisTest, SameIsnSynRestoresNextSeq) {
  handshake();
  client_data(1, 100);
  EXPECT_EQ(ids(client_data(201, 100).flags), "lost_segment");
  EXPECT_EQ(ids(send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 1'000'000}).flags), "retransmission");
  // nextseq went back to the highest contiguous byte (101), so this is new data.
  EXPECT_EQ(ids(client_data(101, 100, 1'000'000).flags), "");
}

TEST_F(WiresharkAnalysisTest, DifferentPortsAreDifferentStreams) {
  handshake();
  client_port_ = 40001;
  const auto other = send({.flags = tf::syn, .seq = kClientIsn});
  EXPECT_EQ(other.stream, 1u);
  EXPECT_EQ(ids(other.flags), "");
}

// ---------------------------------------------------------------- check order

TEST_F(WiresharkAnalysisTest, KeepAliveStopsTheRetransmissionChecks) {
  handshake();
  client_data(1, 100);
  // One byte at nextseq - 1, a second later: keep-alive, not retransmission.
  EXPECT_EQ(ids(client_data(100, 1, 1'000'000).flags), "keep_alive");
}

TEST_F(WiresharkAnalysisTest, LostSegmentAndZeroWindowTogether) {
  handshake();
  EXPECT_EQ(ids(send({.flags = tf::ack, .seq = kClientIsn + 501, .ack = kServerIsn + 1, .len = 10, .win = 0})
                    .flags),
            "lost_segment,zero_window");
}

// ---------------------------------------------------------------- memory bounds

class WiresharkAnalysisLimitsTest : public WiresharkAnalysisTest {
 protected:
  WiresharkAnalysisLimitsTest()
      : WiresharkAnalysisTest(WiresharkLimits{
            .max_conversations = 2, .idle_timeout_ns = 60'000'000'000, .idle_eviction_above = 0}) {}
};

TEST_F(WiresharkAnalysisLimitsTest, CapEvictsTheLeastRecentlyActive) {
  for (std::uint16_t port = 1; port <= 3; ++port) {
    client_port_ = port;
    send({.flags = tf::syn, .seq = kClientIsn});
  }
  EXPECT_EQ(analyzer_.stats().evicted_cap, 1u);
  EXPECT_EQ(analyzer_.stats().live_conversations, 2u);
  client_port_ = 1;  // evicted: comes back as a new stream
  EXPECT_EQ(send({.flags = tf::syn, .seq = kClientIsn}).stream, 3u);
}

// Until an eviction may happen the analyzer only numbers activity; the list it then builds must
// put a conversation active again after later ones behind them (here: port 2 goes, not port 1).
TEST_F(WiresharkAnalysisTest, FirstCapEvictionFollowsActivityNotCreation) {
  WiresharkAnalyzer analyzer(
      WiresharkLimits{.max_conversations = 3, .idle_timeout_ns = 0, .idle_eviction_above = 1u << 20});
  const auto syn = [&](std::uint16_t port, std::uint64_t frame) {
    decode::TcpFacts tcp;
    tcp.src = endpoint(1, port);
    tcp.dst = endpoint(2, 80);
    tcp.flags = tf::syn;
    tcp.seq = SeqNum(kClientIsn);
    tcp.window = 64240;
    return analyzer.analyze(frame, Timestamp{1, static_cast<std::int64_t>(frame)}, tcp);
  };
  EXPECT_EQ(syn(1, 1).stream, 0u);
  EXPECT_EQ(syn(2, 2).stream, 1u);
  EXPECT_EQ(syn(3, 3).stream, 2u);
  EXPECT_EQ(syn(1, 4).stream, 0u);  // port 1 active again: port 2 is now the least recent
  EXPECT_EQ(analyzer.stats().evicted_cap, 0u);
  EXPECT_EQ(syn(4, 5).stream, 3u);  // the cap: one eviction
  EXPECT_EQ(analyzer.stats().evicted_cap, 1u);
  EXPECT_EQ(syn(1, 6).stream, 0u);  // still live
  EXPECT_EQ(syn(3, 7).stream, 2u);  // still live
  EXPECT_EQ(analyzer.stats().evicted_cap, 1u);
  EXPECT_EQ(syn(2, 8).stream, 4u);  // evicted: a new stream (and port 4, least recent now, goes)
  EXPECT_EQ(analyzer.stats().evicted_cap, 2u);
  EXPECT_EQ(syn(3, 9).stream, 2u);
  EXPECT_EQ(syn(1, 10).stream, 0u);
  EXPECT_EQ(analyzer.stats().evicted_cap, 2u);
}

TEST_F(WiresharkAnalysisLimitsTest, IdleConversationsAreEvicted) {
  send({.flags = tf::syn, .seq = kClientIsn});
  client_port_ = 2;
  send({.flags = tf::syn, .seq = kClientIsn, .gap_us = 61'000'000});
  EXPECT_EQ(analyzer_.stats().evicted_idle, 1u);
  EXPECT_EQ(analyzer_.stats().live_conversations, 1u);
}

TEST_F(WiresharkAnalysisLimitsTest, AStaleSlotHintIsNotFollowed) {
  std::uint32_t hint1 = WiresharkAnalyzer::kNoSlot;
  std::uint32_t hint2 = WiresharkAnalyzer::kNoSlot;
  std::uint32_t hint3 = WiresharkAnalyzer::kNoSlot;
  client_port_ = 1;
  EXPECT_EQ(send_hinted({.flags = tf::syn, .seq = kClientIsn}, hint1).stream, 0u);
  EXPECT_EQ(send_hinted({.seq = kClientIsn + 1, .ack = kServerIsn + 1}, hint1).stream, 0u);
  client_port_ = 2;
  EXPECT_EQ(send_hinted({.flags = tf::syn, .seq = kClientIsn}, hint2).stream, 1u);
  client_port_ = 3;  // the cap evicts port 1: its slot now holds port 3
  EXPECT_EQ(send_hinted({.flags = tf::syn, .seq = kClientIsn}, hint3).stream, 2u);
  EXPECT_EQ(hint3, hint1);
  client_port_ = 1;  // port 1's hint names port 3's conversation: a new stream, not stream 2
  const auto again = send_hinted({.flags = tf::syn, .seq = kClientIsn}, hint1);
  EXPECT_EQ(again.stream, 3u);
  EXPECT_EQ(ids(again.flags), "");
  EXPECT_NE(hint1, hint3);
  client_port_ = 3;  // still live (port 2 was the least recently active): its hint holds
  const auto third = send_hinted({.flags = tf::syn, .seq = kClientIsn, .gap_us = 1'000'000}, hint3);
  EXPECT_EQ(third.stream, 2u);
  EXPECT_EQ(ids(third.flags), "retransmission");
  EXPECT_EQ(analyzer_.stats().evicted_cap, 2u);
}

TEST(AnalysisFlagsTable, IdsRoundTripAndFollowTheEnum) {
  for (std::size_t i = 0; i < kAnalysisFlagCount; ++i) {
    const auto& row = kAnalysisFlagTable[i];
    EXPECT_EQ(static_cast<std::size_t>(row.flag), i);
    EXPECT_EQ(analysis_flag_from_id(row.id), row.flag);
    EXPECT_EQ(row.tshark_field, "tcp.analysis." + std::string(row.id));
  }
  EXPECT_FALSE(analysis_flag_from_id("acked_unseen").has_value());
}

}  // namespace
}  // namespace tcpscope::track
