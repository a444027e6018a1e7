// The ladder layout shared by the text ladder, SVG, HTML and Mermaid: flag
// names and tcpdump tokens, state changes placed on the segment that caused
// them, phase bands, relative numbers.
#include "render/ladder_layout.hpp"

#include <gtest/gtest.h>

#include "core/tcp_flags.hpp"

namespace tcpscope::render {
namespace {

using namespace tcpscope::tcp_flag;

TEST(FlagsToken, MatchesTcpdumpsOrder) {
  // tcpdump 4.99 prints Flags [S], [S.], [.], [P.], [F.], [R], [R.], [FP.], [SEW], [S.E].
  EXPECT_EQ(flags_token(syn), "S");
  EXPECT_EQ(flags_token(syn | ack), "S.");
  EXPECT_EQ(flags_token(ack), ".");
  EXPECT_EQ(flags_token(psh | ack), "P.");
  EXPECT_EQ(flags_token(fin | ack), "F.");
  EXPECT_EQ(flags_token(rst), "R");
  EXPECT_EQ(flags_token(rst | ack), "R.");
  EXPECT_EQ(flags_token(fin | psh | ack), "FP.");
  EXPECT_EQ(flags_token(syn | ece | cwr), "SEW");
  EXPECT_EQ(flags_token(syn | ack | ece), "S.E");
  EXPECT_EQ(flags_token(0), "none");
}

TEST(FlagsLabel, NamesInTheArticlesOrder) {
  EXPECT_EQ(flags_label(syn | ack), "SYN+ACK");
  EXPECT_EQ(flags_label(psh | ack), "PSH+ACK");
  EXPECT_EQ(flags_label(fin | ack), "FIN+ACK");
  EXPECT_EQ(flags_label(rst), "RST");
  EXPECT_EQ(flags_label(syn | ece | cwr), "SYN+ECE+CWR");
}

track::TimelineSegment seg(std::uint32_t n, track::Direction dir, std::uint16_t flags, std::uint32_t seq,
                           std::uint32_t ack, TcpState client, TcpState server, track::Phase phase) {
  track::TimelineSegment s;
  s.index = n;
  s.frame = n;
  s.ts = Timestamp{100, static_cast<std::int64_t>(n) * 1'000'000};
  s.dir = dir;
  s.flags = flags;
  s.seq = SeqNum(seq);
  s.ack = SeqNum(ack);
  s.rel_seq = seq - (dir == track::Direction::from_client ? 1000 : 5000);
  s.rel_ack = (flags & tcp_flag::ack) ? ack - (dir == track::Direction::from_client ? 5000 : 1000) : 0;
  s.inference.client = {client, track::Confidence::observed};
  s.inference.server = {server, track::Confidence::inferred};
  s.phase.phase = phase;
  return s;
}

TEST(LadderLayout, StatesWhereTheyChangeAndPhaseBands) {
  using D = track::Direction;
  using P = track::Phase;
  track::ConnectionTimeline tl;
  tl.first_ts = Timestamp{100, 1'000'000};
  tl.client_initial = {TcpState::Closed, track::Confidence::inferred};
  tl.server_initial = {TcpState::Listen, track::Confidence::inferred};
  tl.segments = {
      seg(1, D::from_client, syn, 1000, 0, TcpState::SynSent, TcpState::Listen, P::handshake),
      seg(2, D::from_server, syn | ack, 5000, 1001, TcpState::Established, TcpState::SynReceived,
          P::handshake),
      seg(3, D::from_client, ack, 1001, 5001, TcpState::Established, TcpState::Established, P::handshake),
      seg(4, D::from_client, rst | ack, 1001, 5001, TcpState::Closed, TcpState::Closed, P::reset),
  };
  tl.segments[3].payload_len = 0;
  const LadderLayout abs = layout_ladder(tl, false);
  ASSERT_EQ(abs.rows.size(), 4u);
  EXPECT_EQ(abs.rows[0].label, "SYN seq=1000");
  EXPECT_EQ(abs.rows[1].label, "SYN+ACK seq=5000 ack=1001");
  EXPECT_TRUE(abs.rows[0].from_client);
  EXPECT_FALSE(abs.rows[1].from_client);
  EXPECT_EQ(abs.rows[0].client_state, TcpState::SynSent);
  EXPECT_FALSE(abs.rows[0].server_state.has_value());  // LISTEN until it answers
  EXPECT_EQ(abs.rows[1].server_state, TcpState::SynReceived);
  EXPECT_FALSE(abs.rows[2].client_state.has_value());
  EXPECT_EQ(abs.rows[2].server_state, TcpState::Established);
  EXPECT_TRUE(abs.rows[3].anomaly);  // a RST gets the anomaly colour
  EXPECT_FALSE(abs.rows[0].anomaly);
  ASSERT_EQ(abs.bands.size(), 2u);
  EXPECT_EQ(abs.bands[0].phase, P::handshake);
  EXPECT_EQ(abs.bands[0].end_row, 3u);
  EXPECT_EQ(abs.bands[1].phase, P::reset);
  EXPECT_DOUBLE_EQ(abs.rows[3].t_ms, 3.0);
  const LadderLayout rel = layout_ladder(tl, true);
  EXPECT_EQ(rel.rows[1].label, "SYN+ACK seq=0 ack=1");
}

}  // namespace
}  // namespace tcpscope::render
