// The timeline builder's bookkeeping: many connections open at once, ending in
// another order than they began, long ones beside short ones, finished timelines
// given back (recycle) to serve later connections, and connection ids that do not
// come in the tracker's order. A recycling builder must hand out exactly the
// timelines of a builder that allocates every timeline afresh.
#include "track/timeline.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/tcp_flags.hpp"
#include "track/tracker.hpp"

namespace {

using namespace tcpscope;
namespace f = tcpscope::tcp_flag;

IpAddr v4(const char* s) {
  std::uint8_t b[4];
  inet_pton(AF_INET, s, b);
  return IpAddr::v4(b);
}

// Every field a renderer reads from a segment, and the connection-wide ones.
void expect_same(const track::ConnectionTimeline& a, const track::ConnectionTimeline& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.client, b.client);
  EXPECT_EQ(a.server, b.server);
  EXPECT_EQ(a.first_ts, b.first_ts);
  EXPECT_EQ(a.last_ts, b.last_ts);
  EXPECT_EQ(a.client_bytes, b.client_bytes);
  EXPECT_EQ(a.server_bytes, b.server_bytes);
  EXPECT_EQ(a.zeek_conn_state, b.zeek_conn_state);
  EXPECT_EQ(a.zeek_history, b.zeek_history);
  EXPECT_EQ(a.client_syn.seen, b.client_syn.seen);
  EXPECT_EQ(a.server_syn.seen, b.server_syn.seen);
  EXPECT_EQ(a.client_initial.state, b.client_initial.state);
  EXPECT_EQ(a.server_initial.state, b.server_initial.state);
  ASSERT_EQ(a.segments.size(), b.segments.size());
  for (std::size_t i = 0; i < a.segments.size(); ++i) {
    const track::TimelineSegment& x = a.segments[i];
    const track::TimelineSegment& y = b.segments[i];
    EXPECT_EQ(x.frame, y.frame);
    EXPECT_EQ(x.index, y.index);
    EXPECT_EQ(x.dir, y.dir);
    EXPECT_EQ(x.flags, y.flags);
    EXPECT_EQ(x.rel_seq, y.rel_seq);
    EXPECT_EQ(x.rel_ack, y.rel_ack);
    EXPECT_EQ(x.retransmits_frame, y.retransmits_frame);
    EXPECT_EQ(x.phase.phase, y.phase.phase);
    EXPECT_EQ(x.inference.client.state, y.inference.client.state);
    EXPECT_EQ(x.inference.server.state, y.inference.server.state);
    EXPECT_EQ(a.tcpdump_text(x), b.tcpdump_text(y));
  }
  ASSERT_EQ(a.phases.size(), b.phases.size());
  for (std::size_t i = 0; i < a.phases.size(); ++i) {
    EXPECT_EQ(a.phases[i].phase, b.phases[i].phase);
    EXPECT_EQ(a.phases[i].first_frame, b.phases[i].first_frame);
    EXPECT_EQ(a.phases[i].last_frame, b.phases[i].last_frame);
  }
}

// Overlapping connections from 40 clients to one server: each one a handshake, `rounds`
// request/response pairs (connection 0 many more, so it stays open throughout), and a
// teardown, the segments of all of them interleaved at random.
struct Scenario {
  struct Conn {
    Endpoint client;
    std::uint32_t c_isn;
    std::uint32_t s_isn;
    int rounds;
    int step = 0;
  };
  Endpoint server{v4("10.0.0.2"), 80};
  std::vector<Conn> conns;
  std::mt19937 rng{42};

  Scenario() {
    for (std::uint16_t i = 0; i < 40; ++i)
      conns.push_back({Endpoint{v4("10.0.0.1"), static_cast<std::uint16_t>(40000 + i)}, 1000u * (i + 1),
                       7000000u + i, i == 0 ? 200 : 1 + i % 7});
  }
};

class TimelineBuilderTest : public ::testing::Test {
 protected:
  std::map<std::uint64_t, track::TimelineBuilder> fresh_;  // one builder per connection: nothing reused
  track::TimelineBuilder recycling_;                       // given back each timeline once compared
  std::vector<std::uint64_t> finished_ids_;
  std::size_t compared_ = 0;
  std::uint64_t frames_ = 0;
  double t_ = 1700000000;
  track::WiresharkSegment wireshark_;
  std::array<std::uint8_t, 512> payload_{};

  track::Tracker tracker_{track::TrackerOptions{}, [this](const track::Connection& c) {
                            track::ConnectionTimeline a, b;
                            ASSERT_TRUE(fresh_[c.id()].finish(c, a));
                            EXPECT_EQ(fresh_[c.id()].open_timelines(), 0u);
                            ASSERT_TRUE(recycling_.finish(c, b));
                            expect_same(a, b);
                            finished_ids_.push_back(c.id());
                            ++compared_;
                            recycling_.recycle(b);
                            EXPECT_TRUE(b.segments.empty());
                          }};

  void SetUp() override {
    for (std::size_t i = 0; i < payload_.size(); ++i) payload_[i] = static_cast<std::uint8_t>('a' + i % 26);
    tracker_.set_segment_observer(
        [this](const track::Connection& c, int side, const Frame& fr, const decode::Packet& p) {
          // Texts of varied lengths, so that a reused buffer holding an older text shows.
          const std::string text = fmt::format("frame {} {}\n", fr.number, std::string(fr.number % 97, 'x'));
          fresh_[c.id()].on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), text);
          recycling_.on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), text);
        });
  }

  void feed(const Endpoint& from, const Endpoint& to, std::uint16_t flags, std::uint32_t seq,
            std::uint32_t ack, std::uint32_t len) {
    Frame frame;
    t_ += 0.05;  // 20 segments a second: the close delay ends connections while others run
    frame.ts.sec = static_cast<std::int64_t>(t_);
    frame.ts.nsec = static_cast<std::int64_t>((t_ - static_cast<double>(frame.ts.sec)) * 1e9);
    frame.number = ++frames_;
    decode::Packet p;
    p.reset(frame);
    p.has_tcp = true;
    decode::TcpFacts& t = p.tcp;
    t.src = from;
    t.dst = to;
    t.seq = SeqNum(seq);
    t.ack = SeqNum(ack);
    t.flags = flags;
    t.window = 65535;
    t.header_len = 20;
    t.payload_len = len;
    t.ip_len = 40 + len;
    t.payload = ByteView(payload_.data(), len);
    tracker_.feed(frame, p);
  }

  // The next segment of connection `c`; false when it has sent its last.
  bool step(Scenario::Conn& c, const Endpoint& server) {
    const std::uint32_t req = 100, resp = 400;
    const int s = c.step++;
    const std::uint32_t cs = c.c_isn + 1, ss = c.s_isn + 1;
    if (s == 0) {
      feed(c.client, server, f::syn, c.c_isn, 0, 0);
    } else if (s == 1) {
      feed(server, c.client, f::syn | f::ack, c.s_isn, cs, 0);
    } else if (s == 2) {
      feed(c.client, server, f::ack, cs, ss, 0);
    } else if (s < 3 + 2 * c.rounds) {
      const std::uint32_t r = static_cast<std::uint32_t>((s - 3) / 2);
      if ((s - 3) % 2 == 0)
        feed(c.client, server, f::ack | f::psh, cs + r * req, ss + r * resp, req);
      else
        feed(server, c.client, f::ack | f::psh, ss + r * resp, cs + (r + 1) * req, resp);
    } else {
      const std::uint32_t n = static_cast<std::uint32_t>(c.rounds);
      const std::uint32_t cf = cs + n * req, sf = ss + n * resp;
      switch (s - 3 - 2 * c.rounds) {
        case 0:
          feed(c.client, server, f::fin | f::ack, cf, sf, 0);
          break;
        case 1:
          feed(server, c.client, f::fin | f::ack, sf, cf + 1, 0);
          break;
        case 2:
          feed(c.client, server, f::ack, cf + 1, sf + 1, 0);
          break;
        default:
          return false;
      }
    }
    return true;
  }
};

TEST_F(TimelineBuilderTest, RecyclingHandsOutTheSameTimelinesAsFreshAllocation) {
  Scenario sc;
  std::vector<std::size_t> live;
  std::size_t next_start = 0;
  while (next_start < sc.conns.size() || !live.empty()) {
    // Start a new connection now and then (ids follow the start order), else step a random one.
    if (next_start < sc.conns.size() && (live.size() < 8 || sc.rng() % 4 == 0)) {
      live.push_back(next_start++);
    }
    const std::size_t pick = sc.rng() % live.size();
    if (!step(sc.conns[live[pick]], sc.server)) live.erase(live.begin() + static_cast<std::ptrdiff_t>(pick));
  }
  EXPECT_GT(recycling_.open_timelines(), 0u);  // still waiting for the tracker's close delay
  tracker_.flush();
  // Every connection the tracker made (a final ACK that comes after the close delay starts one
  // of its own), each compared.
  EXPECT_EQ(compared_, tracker_.stats().connections);
  EXPECT_GE(compared_, sc.conns.size());
  EXPECT_EQ(recycling_.open_timelines(), 0u);
  // Connections ended in another order than they began: the long first one (id 1) ended after
  // others had begun and ended while it stayed open.
  EXPECT_FALSE(std::is_sorted(finished_ids_.begin(), finished_ids_.end()));
  EXPECT_NE(finished_ids_.front(), 1u);
}

TEST_F(TimelineBuilderTest, IdsOutOfTrackerOrderStillFindTheirTimelines) {
  // Two connections from the tracker, then handed to a third builder under other ids: a later
  // one first, then a lower one (below the window's start), then one far above.
  Scenario sc;
  std::vector<track::Connection> seen;
  track::TimelineBuilder builder;
  std::vector<std::string> texts;
  tracker_.set_segment_observer(
      [&](const track::Connection& c, int side, const Frame& fr, const decode::Packet& p) {
        fresh_[c.id()].on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), "a");
        recycling_.on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), "a");
        for (std::uint64_t id : {std::uint64_t{7}, std::uint64_t{3}, std::uint64_t{1000}}) {
          track::Connection other = c;
          other.set_id(id + c.id());
          builder.on_segment(other, side, fr, p, wireshark_, tracker_.segment_inference(),
                             fmt::format("{} {}", other.id(), fr.number));
        }
      });
  while (step(sc.conns[1], sc.server)) {
  }
  tracker_.flush();
  EXPECT_EQ(builder.open_timelines(), 3u);
  track::Connection probe;
  for (std::uint64_t id : {std::uint64_t{4}, std::uint64_t{8}, std::uint64_t{1001}}) {
    probe.set_id(id);
    track::ConnectionTimeline tl;
    ASSERT_TRUE(builder.finish(probe, tl)) << id;
    EXPECT_EQ(tl.id, id);
    ASSERT_EQ(tl.segments.size(), static_cast<std::size_t>(3 + 2 * sc.conns[1].rounds + 3));
    EXPECT_EQ(tl.tcpdump_text(tl.segments.back()), fmt::format("{} {}", id, tl.segments.back().frame));
    EXPECT_FALSE(builder.finish(probe, tl));  // forgotten once handed out
  }
  EXPECT_EQ(builder.open_timelines(), 0u);
}

TEST_F(TimelineBuilderTest, LongConnectionKeepsEveryRecordAndTextPastItsFirstChunks) {
  // 3,206 segments (past the first 1,024-record chunk) with texts of 200-300 bytes (past the
  // first text chunk several times), one of them larger than a whole text chunk.
  Scenario sc;
  sc.conns[1].rounds = 1600;
  track::TimelineBuilder builder;
  auto text_of = [](std::uint64_t frame) {
    const std::size_t pad =
        frame == 2000 ? track::ConnectionTimeline::kTextChunkBytes + 10 : 200 + frame % 97;
    return fmt::format("frame {} {}\n", frame, std::string(pad, static_cast<char>('a' + frame % 26)));
  };
  tracker_.set_segment_observer(
      [&](const track::Connection& c, int side, const Frame& fr, const decode::Packet& p) {
        const std::string text = text_of(fr.number);
        // The fixture's builders too: the tracker's end compares their timelines.
        fresh_[c.id()].on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), text);
        recycling_.on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), text);
        builder.on_segment(c, side, fr, p, wireshark_, tracker_.segment_inference(), text);
      });
  while (step(sc.conns[1], sc.server)) {
  }
  tracker_.flush();
  EXPECT_EQ(compared_, 1u);
  track::Connection probe;
  probe.set_id(1);
  track::ConnectionTimeline tl;
  ASSERT_TRUE(builder.finish(probe, tl));
  ASSERT_EQ(tl.segments.size(), 3u + 2u * 1600u + 3u);
  for (std::size_t i = 0; i < tl.segments.size(); ++i) {
    const track::TimelineSegment& s = tl.segments[i];
    ASSERT_EQ(s.index, i + 1);
    ASSERT_EQ(s.frame, i + 1);
    std::string expected = text_of(s.frame);
    expected.pop_back();  // the final newline is not kept
    ASSERT_EQ(tl.tcpdump_text(s), expected) << i;
  }
  EXPECT_EQ(tl.segments.back().flags, f::ack);
  EXPECT_GT(tl.text_bytes(), 3 * track::ConnectionTimeline::kTextChunkBytes);
  builder.recycle(tl);  // too large to keep: freed
  EXPECT_TRUE(tl.segments.empty());
}

}  // namespace
