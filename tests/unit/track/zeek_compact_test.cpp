// The Zeek model keeps some of its state compactly (zeek_tcp.hpp): 4-bit counters of
// retransmissions and zero windows that move to the rare block past 14, the gap and
// checksum counters there from the first one, the history's letters past the 12th
// there, and the last plain FIN's position read from the FIN's end until a FIN+RST
// moves that end. The history letters must come out exactly as with whole counters
// (tcp-semantics.md §1.6: a scaled letter at 1, 10, 100, 1000, ...; a repeated FIN at
// the same position adds no letter).
#include <gtest/gtest.h>

#include <string>

#include "core/tcp_flags.hpp"
#include "track/zeek_tcp.hpp"

namespace tcpscope::track {
namespace {

namespace f = tcp_flag;

struct Session {
  ZeekSession z;
  std::int64_t t_us = 1'700'000'000'000'000;

  static decode::TcpFacts segment(int sender, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack,
                                  std::uint32_t len, std::uint16_t window) {
    decode::TcpFacts t;
    t.src.port = sender == 0 ? 40000 : 7000;
    t.dst.port = sender == 0 ? 7000 : 40000;
    t.seq = SeqNum(seq);
    t.ack = SeqNum(ack);
    t.flags = flags;
    t.window = window;
    t.header_len = 20;
    t.payload_len = len;
    t.ip_len = static_cast<std::uint16_t>(40 + len);
    return t;
  }
  void send(int sender, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len = 0,
            std::uint16_t window = 65535) {
    t_us += 10;
    const Timestamp ts{t_us / 1'000'000, (t_us % 1'000'000) * 1000};
    const decode::TcpFacts t = segment(sender, flags, seq, ack, len, window);
    if (!started) {
      z.start(sender, t, ts);
      started = true;
    }
    z.deliver(sender, t, len, ts, ZeekOptions{});
  }
  void handshake() {
    send(0, f::syn, 100, 0);
    send(1, f::syn | f::ack, 500, 101);
    send(0, f::ack, 101, 501);
  }
  std::string history() const { return std::string(z.history().view()); }
  bool started = false;
};

TEST(ZeekCompact, ScaledLettersPastTheInlineCounters) {
  Session s;
  s.handshake();
  s.send(0, f::ack | f::psh, 101, 501, 10);  // D
  EXPECT_FALSE(s.z.high_words().allocated());
  for (int i = 0; i < 14; ++i) s.send(0, f::ack | f::psh, 101, 501, 10);  // T at 1 and 10: still inline
  EXPECT_EQ(s.history(), "ShADTT");
  EXPECT_FALSE(s.z.high_words().allocated());
  for (int i = 14; i < 10'000; ++i) s.send(0, f::ack | f::psh, 101, 501, 10);  // 100, 1000, 10000
  EXPECT_EQ(s.history(), "ShADTTTTT");
  EXPECT_TRUE(s.z.high_words().allocated());
  // The responder's zero windows: 'a' once, then 'w' at 1, 10, 100, 1000.
  for (int i = 0; i < 1000; ++i) s.send(1, f::ack, 501, 111, 0, 0);
  EXPECT_EQ(s.history(), "ShADTTTTTawwww");
  EXPECT_EQ(s.z.packets(0), 10'003u);
  EXPECT_EQ(s.z.packets(1), 1001u);
}

TEST(ZeekCompact, HistoryLongerThanItsInlineLetters) {
  Session s;
  s.handshake();
  s.send(0, f::ack | f::psh, 101, 501, 10);
  s.send(1, f::ack | f::psh, 501, 111, 10);
  // Retransmissions both ways, zero windows both ways: 4 scaled letters each at 1..1000.
  for (int i = 0; i < 1000; ++i) {
    s.send(0, f::ack | f::psh, 101, 511, 10);
    s.send(1, f::ack | f::psh, 501, 111, 10);
  }
  for (int i = 0; i < 1000; ++i) {
    s.send(0, f::ack, 111, 511, 0, 0);
    s.send(1, f::ack, 511, 111, 0, 0);
  }
  const std::string want = "ShADdTtTtTtTtWawWwWwWw";  // 22 letters: 12 inline, 10 in the tail
  EXPECT_EQ(s.history(), want);
  for (int i = 0; i < 9000; ++i) s.send(0, f::ack | f::psh, 101, 511, 10);  // T at 10000
  for (int i = 0; i < 9000; ++i) s.send(1, f::ack, 511, 111, 0, 0);         // w at 10000
  EXPECT_EQ(s.history(), want + "Tw");
  for (int i = 0; i < 90'000; ++i) s.send(0, f::ack | f::psh, 101, 511, 10);  // T at 100000
  EXPECT_EQ(s.history(), want + "TwT");
  const ZeekSession copy = s.z;                                        // the copy has its own tail
  for (int i = 0; i < 90'000; ++i) s.send(1, f::ack, 511, 111, 0, 0);  // w at 100000
  EXPECT_EQ(s.history(), want + "TwTw");
  EXPECT_EQ(std::string(copy.history().view()), want + "TwT");
}

TEST(ZeekCompact, RepeatedFinAfterAFinRstMovedTheFinEnd) {
  Session s;
  s.handshake();
  s.send(0, f::fin | f::ack, 101, 501);  // F; its end is 1 past relative 1
  s.send(0, f::fin | f::rst, 200, 501);  // I: moves the FIN end, not the history's position
  s.send(0, f::fin | f::ack, 101, 501);  // the same position as the first FIN: no letter
  EXPECT_EQ(s.history(), "ShAFI");
  s.send(0, f::fin | f::ack, 150, 501);  // another position: F again
  EXPECT_EQ(s.history(), "ShAFIF");
}

TEST(ZeekCompact, RepeatedFinAtAnotherPosition) {
  Session s;
  s.handshake();
  s.send(0, f::fin | f::ack, 101, 501);
  s.send(0, f::fin | f::ack, 101, 501);              // retransmitted FIN: no letter
  s.send(0, f::fin | f::ack | f::psh, 101, 501, 5);  // a FIN 5 bytes later: F
  EXPECT_EQ(s.history(), "ShAFF");
  EXPECT_FALSE(s.z.high_words().allocated());
}

TEST(ZeekCompact, FinEndFollowsTheLastSequenceUntilDataPassesIt) {
  Session s;
  s.handshake();
  s.send(0, f::fin | f::ack, 101, 501, 10);  // F: 10 bytes and the FIN, its end is relative 12
  s.send(1, f::fin | f::ack, 501, 112);
  s.send(0, f::ack, 112, 502);
  EXPECT_EQ(s.history(), "ShAFf");             // (A once per direction: the handshake's)
  EXPECT_FALSE(s.z.high_words().allocated());  // the FIN's end is read from the last sequence
  s.send(0, f::ack, 112, 502, 5);              // data past the FIN: the FIN's end is stored first
  EXPECT_TRUE(s.z.high_words().allocated());
  s.send(0, f::fin | f::ack, 101, 502, 10);  // the first FIN again, at its old end: no F (a T)
  EXPECT_EQ(s.history(), "ShAFfDT");
}

TEST(ZeekCompact, RepeatedRstAtRelativeOneNeedsNoBlock) {
  Session s;
  s.handshake();
  s.send(0, f::rst, 101, 0);  // relative 1: one bit says so
  s.send(0, f::rst, 101, 0);  // the same position: no letter
  EXPECT_EQ(s.history(), "ShAR");
  EXPECT_FALSE(s.z.high_words().allocated());
  s.send(0, f::rst, 5000, 0);  // another position: R again, kept in the rare block
  EXPECT_EQ(s.history(), "ShARR");
  EXPECT_TRUE(s.z.high_words().allocated());
  s.send(0, f::rst, 5000, 0);
  EXPECT_EQ(s.history(), "ShARR");
  s.send(0, f::rst, 101, 0);  // back to relative 1: a new position again
  s.send(0, f::rst, 101, 0);
  EXPECT_EQ(s.history(), "ShARRR");
}

// The close timer and the second expire check share one word: a connection that closes
// within the first expire check's 5 seconds arms the second one at its first FIN and the
// close timer at its second, each alone in the word, so none needs the rare block's 64-bit
// times; the close timer then fires at its own deadline.
TEST(ZeekCompact, CloseTimerSharesTheSecondExpireChecksWord) {
  Session s;
  s.handshake();
  const std::int64_t start_ns = s.z.start_ns();
  s.send(0, f::fin | f::ack, 101, 501);
  // The first expire check (start + 5 s) fires first; the second is armed at FIN + 6 s.
  EXPECT_EQ(s.z.next_timer_ns(), start_ns + 5'000'000'000);
  EXPECT_EQ(s.z.run_timers(start_ns + 5'000'000'000), ZeekRemoval::none);
  const std::int64_t first_fin_ns = s.z.last_ns();
  EXPECT_EQ(s.z.next_timer_ns(), first_fin_ns + 6'000'000'000);
  s.send(1, f::fin | f::ack, 501, 102);
  const std::int64_t close_ns = s.z.last_ns() + 5'000'000'000;
  EXPECT_EQ(s.z.next_timer_ns(), close_ns);  // the expire checks cancelled, the close timer armed
  EXPECT_FALSE(s.z.high_words().allocated());
  EXPECT_EQ(s.z.run_timers(close_ns - 1), ZeekRemoval::none);
  EXPECT_EQ(s.z.run_timers(close_ns), ZeekRemoval::close_delay);
}

}  // namespace
}  // namespace tcpscope::track
