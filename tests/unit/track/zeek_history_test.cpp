// The history string's repeat rules (tcp-semantics.md §1.6).
#include "track/zeek_history.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using tcpscope::track::ZeekHistory;
using tcpscope::track::ZeekScaledCounter;
namespace hist = tcpscope::track::zeek_hist;

TEST(ZeekHistory, OncePerDirectionLettersUseTheSeenMask) {
  ZeekHistory h;
  EXPECT_FALSE(h.check(hist::ack, 'A'));
  EXPECT_TRUE(h.check(hist::ack, 'A'));         // second pure ACK: nothing
  EXPECT_FALSE(h.check(hist::ack << 16, 'a'));  // the other direction has its own bit
  EXPECT_FALSE(h.check(hist::data, 'D'));
  EXPECT_TRUE(h.check(hist::data, 'D'));
  EXPECT_EQ(h.text(), "AaD");
}

TEST(ZeekHistory, ScaledLettersAtOneTenHundred) {
  ZeekScaledCounter c;
  int letters = 0;
  int at[4] = {};
  for (int i = 1; i <= 1000; ++i) {
    if (c.tick()) at[letters++] = i;
  }
  ASSERT_EQ(letters, 4);
  EXPECT_EQ(at[0], 1);
  EXPECT_EQ(at[1], 10);
  EXPECT_EQ(at[2], 100);
  EXPECT_EQ(at[3], 1000);
}

TEST(ZeekHistory, SynAckFirstFlipRewritesToCaretH) {
  ZeekHistory h;
  h.check(hist::syn, 'H');
  h.rewrite_as_flipped_syn_ack();
  EXPECT_EQ(h.text(), "^h");
  EXPECT_FALSE(h.check(hist::syn, 'S'));  // the new originator's SYN is still new
  EXPECT_TRUE(h.check(hist::syn << 16, 'h'));
  EXPECT_EQ(h.text(), "^hS");
}

TEST(ZeekHistory, BoundedCapacity) {
  ZeekHistory h;
  ZeekHistory::Tail tail{};  // the letters past kInline (ZeekSession: in its rare block)
  for (std::size_t i = 0; i < ZeekHistory::kCapacity + 5; ++i) {
    EXPECT_EQ(h.next_in_tail(), i >= ZeekHistory::kInline && i < ZeekHistory::kCapacity) << i;
    h.add('R', &tail);
  }
  EXPECT_EQ(h.text(&tail).size(), ZeekHistory::kCapacity);
  EXPECT_TRUE(h.truncated());
}

TEST(ZeekHistory, PackedLettersComeBackInOrder) {
  // Every letter Zeek's TCP analyzer writes, at every position (5-bit codes cross
  // byte boundaries at most positions), and the full capacity.
  const std::string_view letters = "SHADFRIQCGTWshadfriqcgtw^";
  std::string expected;
  ZeekHistory h;
  ZeekHistory::Tail tail{};
  for (std::size_t i = 0; i < ZeekHistory::kCapacity; ++i) {
    const char c = letters[(i * 7) % letters.size()];
    h.add(c, &tail);
    expected += c;
    ASSERT_EQ(h.text(&tail).view(), expected) << i;
  }
  EXPECT_FALSE(h.truncated());
  h.add('S', &tail);
  EXPECT_TRUE(h.truncated());
  EXPECT_EQ(h.text(&tail).view(), expected);
  EXPECT_LE(sizeof(ZeekHistory), 15u);
}

}  // namespace
