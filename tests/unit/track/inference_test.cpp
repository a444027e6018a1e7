// Both endpoints' states inferred from hand-built segment lists, one scenario per
// behaviour of tcp-semantics.md §5.2/§5.3, then property tests over random streams.
#include "track/inference.hpp"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <vector>

#include "core/tcp_flags.hpp"
#include "track/phases.hpp"
#include "unit/track/rfc_edges.hpp"

namespace tcpscope::track {
namespace {

using S = TcpState;
namespace f = tcp_flag;

constexpr std::uint32_t kC = 2099912037u;  // client ISN (the article's)
constexpr std::uint32_t kS = 2547375254u;  // server ISN

constexpr std::uint16_t SYN = f::syn, ACK = f::ack, FIN = f::fin, RST = f::rst, PSH = f::psh;

SegmentEvent c(std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0) {
  return SegmentEvent{.dir = Direction::from_client,
                      .flags = flags,
                      .seq = SeqNum(seq),
                      .ack = SeqNum(ack),
                      .payload_len = len,
                      .window = 502};
}
SegmentEvent s(std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0) {
  return SegmentEvent{.dir = Direction::from_server,
                      .flags = flags,
                      .seq = SeqNum(seq),
                      .ack = SeqNum(ack),
                      .payload_len = len,
                      .window = 509};
}

struct Pair {
  TcpState client;
  TcpState server;
};

std::string show(const Pair& p) {
  return std::string(to_string(p.client)) + " / " + std::string(to_string(p.server));
}

struct Replay {
  std::vector<SegmentInference> per_segment;
  std::vector<SegmentPhase> phases;
  InferenceEnd end;
  PhaseTracker phase_tracker;
  NoteSet notes() const {
    NoteSet n = end.notes;
    return n;
  }
};

Replay run(std::vector<SegmentEvent> segs) {
  Replay r;
  ConnectionInference inf;
  std::uint64_t frame = 0;
  for (SegmentEvent& e : segs) {
    e.frame = ++frame;
    r.per_segment.push_back(inf.on_segment(e));
    r.phases.push_back(
        r.phase_tracker.on_segment(e, r.per_segment.back().notes.has(InferenceNote::rst_out_of_window)));
  }
  r.end = inf.finish();
  return r;
}

void expect_states(const Replay& r, const std::vector<Pair>& want) {
  ASSERT_EQ(r.per_segment.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    const Pair got{r.per_segment[i].client.state, r.per_segment[i].server.state};
    EXPECT_EQ(show(got), show(want[i])) << "after segment " << i + 1;
  }
}

void expect_phases(const Replay& r, const std::vector<Phase>& want) {
  ASSERT_EQ(r.phases.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(phase_name(r.phases[i].phase), phase_name(want[i])) << "segment " << i + 1;
  }
}

std::vector<SegmentEvent> handshake() {
  return {c(SYN, kC, 0), s(SYN | ACK, kS, kC + 1), c(ACK, kC + 1, kS + 1)};
}
std::vector<SegmentEvent> operator+(std::vector<SegmentEvent> a, const std::vector<SegmentEvent>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

const Pair kOpen[] = {
    {S::SynSent, S::Listen}, {S::Established, S::SynReceived}, {S::Established, S::Established}};
std::vector<Pair> open_then(std::vector<Pair> rest) {
  std::vector<Pair> v(std::begin(kOpen), std::end(kOpen));
  v.insert(v.end(), rest.begin(), rest.end());
  return v;
}

// ==== opening ==============================================================================

TEST(Inference, ArticleConnectionFourWayClientFirst) {
  const Replay r = run(handshake() + std::vector{
                                         c(PSH | ACK, kC + 1, kS + 1, 4),
                                         s(ACK, kS + 1, kC + 5),
                                         s(PSH | ACK, kS + 1, kC + 5, 4),
                                         c(ACK, kC + 5, kS + 5),
                                         c(FIN | ACK, kC + 5, kS + 5),
                                         s(ACK, kS + 5, kC + 6),
                                         s(FIN | ACK, kS + 5, kC + 6),
                                         c(ACK, kC + 6, kS + 6),
                                     });
  expect_states(r, open_then({{S::Established, S::Established},
                              {S::Established, S::Established},
                              {S::Established, S::Established},
                              {S::Established, S::Established},
                              {S::FinWait1, S::CloseWait},
                              {S::FinWait2, S::CloseWait},
                              {S::TimeWait, S::LastAck},
                              {S::TimeWait, S::Closed}}));
  // Who knows what: the client's SYN and FIN are its own (observed); the server's LISTEN is a guess.
  EXPECT_EQ(r.per_segment[0].client.confidence, Confidence::observed);
  EXPECT_EQ(r.per_segment[0].server.confidence, Confidence::inferred);
  EXPECT_EQ(r.per_segment[1].server.confidence, Confidence::observed);
  EXPECT_EQ(r.per_segment[7].server.confidence, Confidence::inferred);  // CLOSE-WAIT on arrival of the FIN
  EXPECT_EQ(r.per_segment[8].server.confidence, Confidence::observed);  // its ACK of the FIN shows it
  EXPECT_EQ(r.end.kind, CloseKind::four_way_client_first);
  EXPECT_TRUE(r.end.notes.empty()) << r.end.notes.bits();
  // TIME-WAIT holds at least until the capture ended; its 2*MSL timer is invisible.
  EXPECT_TRUE(r.end.client_timer_pending);
  EXPECT_FALSE(r.end.server_timer_pending);
  const Phase H = Phase::handshake, D = Phase::data_transfer, T = Phase::teardown;
  expect_phases(r, {H, H, H, D, D, D, D, T, T, T, T});
  // The rules name the RFC clauses.
  EXPECT_EQ(r.per_segment[1].rules[0].rule, Rule::listen_rcv_syn);
  EXPECT_EQ(r.per_segment[1].rules[1].rule, Rule::syn_sent_rcv_syn_ack);
  EXPECT_EQ(r.per_segment[8].rules[0].rule, Rule::fin_wait_1_rcv_ack_of_fin);
}

TEST(Inference, SimultaneousOpen) {
  const Replay r = run({c(SYN, kC, 0), s(SYN, kS, 0), c(SYN | ACK, kC, kS + 1), s(SYN | ACK, kS, kC + 1),
                        c(ACK, kC + 1, kS + 1)});
  expect_states(r, {{S::SynSent, S::Listen},
                    {S::SynReceived, S::SynReceived},
                    {S::SynReceived, S::Established},
                    {S::Established, S::Established},
                    {S::Established, S::Established}});
  EXPECT_TRUE(r.per_segment[1].notes.has(InferenceNote::simultaneous_open));
  EXPECT_TRUE(r.per_segment[1].server_revised);  // it was not listening after all
  EXPECT_EQ(r.end.kind, CloseKind::still_open);
}

TEST(Inference, LostFirstSynIsRetransmittedWithoutNewTransition) {
  const Replay r = run({c(SYN, kC, 0), c(SYN, kC, 0), s(SYN | ACK, kS, kC + 1), c(ACK, kC + 1, kS + 1)});
  expect_states(r, {{S::SynSent, S::Listen},
                    {S::SynSent, S::Listen},
                    {S::Established, S::SynReceived},
                    {S::Established, S::Established}});
  EXPECT_TRUE(r.per_segment[1].notes.has(InferenceNote::retransmitted_syn));
  EXPECT_EQ(r.per_segment[1].rule_count, 0);
  expect_phases(r, {Phase::handshake, Phase::handshake, Phase::handshake, Phase::handshake});
}

TEST(Inference, LostSynAckShowsInTheRepeatedSyn) {
  const Replay r = run({c(SYN, kC, 0), s(SYN | ACK, kS, kC + 1), c(SYN, kC, 0), s(SYN | ACK, kS, kC + 1),
                        c(ACK, kC + 1, kS + 1)});
  expect_states(r, {{S::SynSent, S::Listen},
                    {S::Established, S::SynReceived},
                    {S::SynSent, S::SynReceived},
                    {S::Established, S::SynReceived},
                    {S::Established, S::Established}});
  EXPECT_TRUE(r.per_segment[2].notes.has(InferenceNote::syn_ack_not_received));
  EXPECT_TRUE(r.per_segment[2].client_revised);
  EXPECT_TRUE(r.per_segment[3].notes.has(InferenceNote::retransmitted_syn_ack));
}

TEST(Inference, LostFinalAckShowsInTheRepeatedSynAck) {
  const Replay r = run(handshake() + std::vector{s(SYN | ACK, kS, kC + 1), c(ACK, kC + 1, kS + 1)});
  expect_states(r, open_then({{S::Established, S::SynReceived}, {S::Established, S::Established}}));
  EXPECT_TRUE(r.per_segment[3].notes.has(InferenceNote::final_ack_not_received));
  EXPECT_TRUE(r.per_segment[3].server_revised);
}

TEST(Inference, SynAckFirstMeansTheSynWasNotCaptured) {
  const Replay r = run({s(SYN | ACK, kS, kC + 1), c(ACK, kC + 1, kS + 1)});
  expect_states(r, {{S::Established, S::SynReceived}, {S::Established, S::Established}});
  EXPECT_TRUE(r.per_segment[0].notes.has(InferenceNote::syn_not_captured));
  EXPECT_EQ(r.per_segment[0].client_before.state, S::Closed);
}

TEST(Inference, RefusedConnection) {
  const Replay r = run({c(SYN, kC, 0), s(RST | ACK, 0, kC + 1)});
  expect_states(r, {{S::SynSent, S::Listen}, {S::Closed, S::Closed}});
  EXPECT_TRUE(r.per_segment[1].notes.has(InferenceNote::refused));
  EXPECT_TRUE(r.per_segment[1].server_revised);  // nobody was listening
  EXPECT_EQ(r.end.kind, CloseKind::refused);
  expect_phases(r, {Phase::handshake, Phase::reset});
}

TEST(Inference, SynUnanswered) {
  const Replay r = run({c(SYN, kC, 0), c(SYN, kC, 0), c(SYN, kC, 0)});
  expect_states(r, {{S::SynSent, S::Listen}, {S::SynSent, S::Listen}, {S::SynSent, S::Listen}});
  EXPECT_EQ(r.end.kind, CloseKind::syn_unanswered);
  EXPECT_TRUE(r.end.notes.has(InferenceNote::syn_unanswered));
}

// ==== closing ==============================================================================

TEST(Inference, FourWayServerFirst) {
  const Replay r = run(handshake() + std::vector{s(FIN | ACK, kS + 1, kC + 1), c(ACK, kC + 1, kS + 2),
                                                 c(FIN | ACK, kC + 1, kS + 2), s(ACK, kS + 2, kC + 2)});
  expect_states(r, open_then({{S::CloseWait, S::FinWait1},
                              {S::CloseWait, S::FinWait2},
                              {S::LastAck, S::TimeWait},
                              {S::Closed, S::TimeWait}}));
  EXPECT_EQ(r.end.kind, CloseKind::four_way_server_first);
}

TEST(Inference, ThreeSegmentTeardown) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), s(FIN | ACK, kS + 1, kC + 2),
                                                 c(ACK, kC + 2, kS + 2)});
  expect_states(
      r, open_then({{S::FinWait1, S::CloseWait}, {S::TimeWait, S::LastAck}, {S::TimeWait, S::Closed}}));
  EXPECT_EQ(r.per_segment[4].rules[1].rule, Rule::fin_wait_1_rcv_fin_ack_of_fin);
  EXPECT_EQ(r.end.kind, CloseKind::three_segment);
}

TEST(Inference, SimultaneousCloseGoesThroughClosing) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), s(FIN | ACK, kS + 1, kC + 1),
                                                 c(ACK, kC + 2, kS + 2), s(ACK, kS + 2, kC + 2)});
  expect_states(r, open_then({{S::FinWait1, S::CloseWait},
                              {S::Closing, S::Closing},
                              {S::Closing, S::TimeWait},
                              {S::TimeWait, S::TimeWait}}));
  EXPECT_TRUE(r.per_segment[4].server_revised);
  EXPECT_EQ(r.per_segment[4].server_before.state, S::Established);
  EXPECT_TRUE(r.per_segment[4].notes.has(InferenceNote::simultaneous_close));
  EXPECT_EQ(r.end.kind, CloseKind::simultaneous_close);
}

TEST(Inference, HalfCloseWithDataAfterTheFin) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), s(ACK, kS + 1, kC + 2),
                                                 s(PSH | ACK, kS + 1, kC + 2, 100), c(ACK, kC + 2, kS + 101),
                                                 s(FIN | ACK, kS + 101, kC + 2), c(ACK, kC + 2, kS + 102)});
  expect_states(r, open_then({{S::FinWait1, S::CloseWait},
                              {S::FinWait2, S::CloseWait},
                              {S::FinWait2, S::CloseWait},
                              {S::FinWait2, S::CloseWait},
                              {S::TimeWait, S::LastAck},
                              {S::TimeWait, S::Closed}}));
  EXPECT_TRUE(r.per_segment[5].notes.has(InferenceNote::data_in_half_close));
  EXPECT_EQ(r.end.kind, CloseKind::half_close_then_close);
  const Phase H = Phase::handshake, T = Phase::teardown;
  expect_phases(r, {H, H, H, T, T, T, T, T, T});
  EXPECT_TRUE(r.phases[5].counts_as(Phase::data_transfer));
}

TEST(Inference, FinPiggybackedOnDataCountsInBothPhases) {
  const Replay r = run(handshake() + std::vector{c(FIN | PSH | ACK, kC + 1, kS + 1, 4),
                                                 s(FIN | ACK, kS + 1, kC + 6), c(ACK, kC + 6, kS + 2)});
  expect_states(
      r, open_then({{S::FinWait1, S::CloseWait}, {S::TimeWait, S::LastAck}, {S::TimeWait, S::Closed}}));
  EXPECT_EQ(r.phases[3].phase, Phase::teardown);
  EXPECT_TRUE(r.phases[3].carries_data);
  EXPECT_TRUE(r.phases[3].counts_as(Phase::data_transfer));
}

TEST(Inference, DataOnTheThirdHandshakeSegmentCountsInBothPhases) {
  const Replay r = run({c(SYN, kC, 0), s(SYN | ACK, kS, kC + 1), c(PSH | ACK, kC + 1, kS + 1, 10)});
  EXPECT_EQ(r.phases[2].phase, Phase::handshake);
  EXPECT_TRUE(r.phases[2].counts_as(Phase::data_transfer));
  EXPECT_FALSE(r.phases[1].counts_as(Phase::data_transfer));
}

TEST(Inference, ResetByClient) {
  const Replay r = run(handshake() + std::vector{c(RST | ACK, kC + 1, kS + 1)});
  expect_states(r, open_then({{S::Closed, S::Closed}}));
  EXPECT_EQ(r.end.kind, CloseKind::reset_by_client);
  EXPECT_EQ(r.per_segment[3].rules[0].rule, Rule::abort);
  EXPECT_EQ(r.per_segment[3].rules[1].rule, Rule::rcv_rst);
}

TEST(Inference, ResetByServerAfterAFin) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), s(RST, kS + 1, 0)});
  expect_states(r, open_then({{S::FinWait1, S::CloseWait}, {S::Closed, S::Closed}}));
  EXPECT_TRUE(r.per_segment[4].notes.has(InferenceNote::rst_after_fin));
  EXPECT_EQ(r.end.kind, CloseKind::reset_by_server_after_fin);
  expect_phases(r, {Phase::handshake, Phase::handshake, Phase::handshake, Phase::teardown, Phase::reset});
}

TEST(Inference, RstOutOfWindowChangesNothing) {
  const Replay r = run(handshake() + std::vector{c(RST, kC + 0x40000000u, 0)});
  expect_states(r, open_then({{S::Established, S::Established}}));
  EXPECT_TRUE(r.per_segment[3].notes.has(InferenceNote::rst_out_of_window));
  EXPECT_EQ(r.end.kind, CloseKind::still_open);
}

// zeek/traces/tcp/rst-inject-rae.pcap: a RST acking the ISN itself (not ISN + 1) reaches a
// SYN-SENT client; RFC 9293 §3.10.7.3 drops it, and the handshake goes on.
TEST(Inference, RstNotAckingTheSynIsIgnored) {
  const Replay r =
      run({c(SYN, kC, 0), s(RST | ACK, 0, kC), s(SYN | ACK, kS, kC + 1), c(ACK, kC + 1, kS + 1)});
  expect_states(r, {{S::SynSent, S::Listen},
                    {S::SynSent, S::Listen},
                    {S::Established, S::SynReceived},
                    {S::Established, S::Established}});
  EXPECT_TRUE(r.per_segment[1].notes.has(InferenceNote::rst_out_of_window));
  EXPECT_EQ(r.end.kind, CloseKind::still_open);
  expect_phases(r, {Phase::handshake, Phase::handshake, Phase::handshake, Phase::handshake});
}

// zeek/traces/tcp/qi_internet_SYNACK_curl_jsonip.pcap: after its FIN the client resets with
// seq = its FIN's own number; the server, which got the FIN, is past that: out of window.
// The later RST at FIN + 1 is the one that counts.
TEST(Inference, RstBehindTheReceiversWindowIsIgnored) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), c(RST, kC + 1, 0),
                                                 s(FIN | ACK, kS + 1, kC + 2), c(RST, kC + 2, 0)});
  expect_states(r, open_then({{S::FinWait1, S::CloseWait},
                              {S::FinWait1, S::CloseWait},
                              {S::TimeWait, S::LastAck},
                              {S::Closed, S::Closed}}));
  EXPECT_TRUE(r.per_segment[4].notes.has(InferenceNote::rst_out_of_window));
  EXPECT_EQ(r.end.kind, CloseKind::reset_by_client_after_fin);
}

TEST(Inference, AckOfAFinNeverCaptured) {
  const Replay r = run(handshake() + std::vector{s(ACK, kS + 1, kC + 2), s(FIN | ACK, kS + 1, kC + 2),
                                                 c(ACK, kC + 2, kS + 2)});
  expect_states(
      r, open_then({{S::FinWait2, S::CloseWait}, {S::TimeWait, S::LastAck}, {S::TimeWait, S::Closed}}));
  EXPECT_TRUE(r.per_segment[3].notes.has(InferenceNote::ack_of_uncaptured_fin));
  EXPECT_EQ(r.end.kind, CloseKind::four_way_client_first);
}

TEST(Inference, DataAfterOwnFinIsAnAnomaly) {
  const Replay r =
      run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), c(PSH | ACK, kC + 2, kS + 1, 5)});
  EXPECT_TRUE(r.per_segment[4].notes.has(InferenceNote::data_after_fin));
}

TEST(Inference, FinNotAckedAtTheEnd) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1)});
  EXPECT_EQ(r.end.client.state, S::FinWait1);
  EXPECT_EQ(r.end.server.state, S::CloseWait);
  EXPECT_EQ(r.end.server.confidence, Confidence::inferred);
  EXPECT_TRUE(r.end.notes.has(InferenceNote::fin_not_acked));
  EXPECT_EQ(r.end.kind, CloseKind::teardown_incomplete);
}

TEST(Inference, RetransmittedFinChangesNothing) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), c(FIN | ACK, kC + 1, kS + 1),
                                                 s(ACK, kS + 1, kC + 2)});
  expect_states(
      r, open_then({{S::FinWait1, S::CloseWait}, {S::FinWait1, S::CloseWait}, {S::FinWait2, S::CloseWait}}));
  EXPECT_TRUE(r.per_segment[4].notes.has(InferenceNote::retransmitted_fin));
}

TEST(Inference, TimeWaitAnswersARetransmittedFin) {
  const Replay r = run(handshake() + std::vector{c(FIN | ACK, kC + 1, kS + 1), s(FIN | ACK, kS + 1, kC + 2),
                                                 c(ACK, kC + 2, kS + 2), s(FIN | ACK, kS + 1, kC + 2),
                                                 c(ACK, kC + 2, kS + 2)});
  EXPECT_EQ(r.per_segment[6].client.state, S::TimeWait);
  EXPECT_EQ(r.end.client.state, S::TimeWait);
  EXPECT_EQ(r.end.server.state, S::Closed);
}

// ==== mid-stream and keep-alive =============================================================

TEST(Inference, CaptureStartedMidStream) {
  const Replay r = run({c(PSH | ACK, 1000, 5000, 10), s(ACK, 5000, 1010), s(FIN | ACK, 5000, 1010),
                        c(FIN | ACK, 1010, 5001), s(ACK, 5001, 1011)});
  expect_states(r, {{S::Established, S::Established},
                    {S::Established, S::Established},
                    {S::CloseWait, S::FinWait1},
                    {S::LastAck, S::TimeWait},
                    {S::Closed, S::TimeWait}});
  EXPECT_EQ(r.per_segment[0].client.confidence, Confidence::assumed);
  EXPECT_EQ(r.per_segment[1].server.confidence, Confidence::assumed);
  EXPECT_TRUE(r.end.notes.has(InferenceNote::started_mid_stream));
  EXPECT_TRUE(r.end.facts.started_mid_stream);
  EXPECT_EQ(r.end.kind, CloseKind::three_segment);
  ASSERT_GE(r.phase_tracker.span_count(), 2u);
  EXPECT_EQ(r.phase_tracker.span(0).phase, Phase::before_capture);
  EXPECT_EQ(r.phase_tracker.span(0).segments, 0u);
  EXPECT_EQ(r.phase_tracker.span(1).phase, Phase::data_transfer);
}

TEST(Inference, MidStreamWithoutEndIsStartedBeforeCapture) {
  const Replay r = run({c(PSH | ACK, 1000, 5000, 10), s(ACK, 5000, 1010)});
  EXPECT_EQ(r.end.kind, CloseKind::started_before_capture);
}

TEST(Inference, KeepAliveIsNamedAndChangesNothing) {
  const Replay r = run(handshake() + std::vector{c(ACK, kC, kS + 1), s(ACK, kS + 1, kC + 1)});
  expect_states(r, open_then({{S::Established, S::Established}, {S::Established, S::Established}}));
  EXPECT_TRUE(r.per_segment[3].notes.has(InferenceNote::keep_alive));
  EXPECT_FALSE(r.per_segment[4].notes.has(InferenceNote::keep_alive));
}

// ==== sequence space ========================================================================

TEST(Inference, SequenceNumbersWrapAround) {
  constexpr std::uint32_t c0 = 0xFFFFFFFEu, s0 = 0xFFFFFFF0u;
  const Replay r =
      run({c(SYN, c0, 0), s(SYN | ACK, s0, c0 + 1), c(ACK, c0 + 1, s0 + 1), c(PSH | ACK, c0 + 1, s0 + 1, 100),
           s(PSH | ACK, s0 + 1, c0 + 101, 100), c(FIN | ACK, c0 + 101, s0 + 101),
           s(FIN | ACK, s0 + 101, c0 + 102), c(ACK, c0 + 102, s0 + 102)});
  expect_states(r, open_then({{S::Established, S::Established},
                              {S::Established, S::Established},
                              {S::FinWait1, S::CloseWait},
                              {S::TimeWait, S::LastAck},
                              {S::TimeWait, S::Closed}}));
  EXPECT_TRUE(r.end.notes.empty()) << r.end.notes.bits();
  EXPECT_EQ(r.end.kind, CloseKind::three_segment);
}

TEST(Inference, FastOpenDataOnTheSyn) {
  const Replay r = run({c(SYN, kC, 0, 20), s(SYN | ACK, kS, kC + 21), c(ACK, kC + 21, kS + 1)});
  expect_states(
      r, {{S::SynSent, S::Listen}, {S::Established, S::SynReceived}, {S::Established, S::Established}});
  EXPECT_TRUE(r.phases[0].counts_as(Phase::data_transfer));
}

// ==== names =================================================================================

TEST(InferenceNames, NotesAreUniqueSnakeCase) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kInferenceNoteCount; ++i) {
    const std::string_view n = note_name(static_cast<InferenceNote>(i));
    EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), kInferenceNoteCount);
  EXPECT_EQ(note_name(InferenceNote::ack_of_uncaptured_fin), "ack_of_uncaptured_fin");
  EXPECT_EQ(confidence_name(Confidence::assumed), "assumed");
}

// ==== properties over random streams ========================================================

// Plausible segments around two ISNs, plus garbage, from both sides in random order.
std::vector<SegmentEvent> random_stream(std::mt19937& rng, bool garbage) {
  static constexpr std::uint16_t kPlausible[] = {SYN,       SYN | ACK, ACK,       PSH | ACK,
                                                 FIN | ACK, RST,       RST | ACK, FIN | PSH | ACK};
  std::uniform_int_distribution<int> n_dist(1, 24), pick(0, 7), small(0, 3), coin(0, 1);
  std::uniform_int_distribution<std::uint32_t> any;
  const std::uint32_t base[2] = {any(rng), any(rng)};
  std::uint32_t next[2] = {base[0], base[1]};
  std::vector<SegmentEvent> out;
  const int n = n_dist(rng);
  for (int i = 0; i < n; ++i) {
    const int side = coin(rng);
    SegmentEvent e;
    e.dir = side == 0 ? Direction::from_client : Direction::from_server;
    if (garbage) {
      e.flags = static_cast<std::uint16_t>(any(rng) & 0x1ff);
      e.seq = SeqNum(coin(rng) ? any(rng) : next[side]);
      e.ack = SeqNum(coin(rng) ? any(rng) : next[1 - side] + small(rng));
      e.payload_len = coin(rng) ? any(rng) : small(rng);
    } else {
      e.flags = kPlausible[pick(rng)];
      e.seq = SeqNum(next[side] - (small(rng) == 0 ? 1 : 0));
      e.ack = SeqNum(next[1 - side] + small(rng) % 2);
      e.payload_len = small(rng) == 0 ? 10 : 0;
      next[side] += e.payload_len + ((e.flags & (SYN | FIN)) ? 1 : 0);
    }
    e.window = static_cast<std::uint16_t>(any(rng));
    e.frame = static_cast<std::uint64_t>(i + 1);
    out.push_back(e);
  }
  return out;
}

void check_properties(const std::vector<SegmentEvent>& segs) {
  ConnectionInference inf;
  PhaseTracker phases;
  EndpointView prev[2]{};
  int last_phase = -1;
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const SegmentInference r = inf.on_segment(segs[i]);
    for (Side side : {Side::client, Side::server}) {
      const int k = side == Side::client ? 0 : 1;
      const bool revised = side == Side::client ? r.client_revised : r.server_revised;
      // States only change between segments through a revision that says so.
      if (i > 0 && !revised) {
        ASSERT_EQ(r.before(side).state, prev[k].state) << "segment " << i + 1;
      }
      // Within a segment, the rules applied to a side form a chain of RFC edges from its
      // state before to its state after.
      TcpState at = r.before(side).state;
      for (std::size_t j = 0; j < r.rule_count; ++j) {
        const AppliedRule& a = r.rules[j];
        if (a.side != side) continue;
        ASSERT_EQ(a.from, at) << "segment " << i + 1 << " rule " << rule_name(a.rule);
        ASSERT_TRUE(test::is_rfc_edge(a.from, a.to))
            << to_string(a.from) << " -> " << to_string(a.to) << " by " << rule_name(a.rule);
        at = a.to;
      }
      ASSERT_EQ(at, r.after(side).state) << "segment " << i + 1;
      prev[k] = r.after(side);
    }
    const SegmentPhase p = phases.on_segment(segs[i]);
    // Exactly one phase per segment, never the pseudo-phase, and never backwards.
    ASSERT_NE(p.phase, Phase::before_capture);
    ASSERT_GE(static_cast<int>(p.phase), last_phase);
    last_phase = static_cast<int>(p.phase);
  }
  std::uint32_t counted = 0;
  for (std::size_t i = 0; i < phases.span_count(); ++i) counted += phases.span(i).segments;
  ASSERT_EQ(counted, segs.size());
  const InferenceEnd end = inf.finish();
  ASSERT_NE(close_kind_name(end.kind), "?");
}

TEST(InferenceProperties, PlausibleRandomStreamsStayOnRfcEdges) {
  std::mt19937 rng(9293);
  for (int i = 0; i < 20000; ++i) {
    check_properties(random_stream(rng, false));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

TEST(InferenceProperties, GarbageNeverCrashesAndStaysOnRfcEdges) {
  std::mt19937 rng(793);
  for (int i = 0; i < 20000; ++i) {
    check_properties(random_stream(rng, true));
    if (::testing::Test::HasFatalFailure()) return;
  }
}

}  // namespace
}  // namespace tcpscope::track
