#include "core/seq.hpp"

#include <gtest/gtest.h>

using tcpscope::SeqNum;
using tcpscope::SeqUnwrapper;

TEST(SeqNum, ComparesAcrossWrap) {
  EXPECT_LT(SeqNum(0xFFFFFFF0u), SeqNum(0x10u));
  EXPECT_GT(SeqNum(0x10u), SeqNum(0xFFFFFFF0u));
  EXPECT_EQ(SeqNum(5u).since(SeqNum(0xFFFFFFFFu)), 6);
  EXPECT_EQ((SeqNum(0xFFFFFFFFu) + 2).raw(), 1u);
}

TEST(SeqUnwrapper, SurvivesWrapAndRetransmission) {
  SeqUnwrapper u(SeqNum(0xFFFFFF00u));
  EXPECT_EQ(u.unwrap(SeqNum(0xFFFFFF00u)), 0);
  EXPECT_EQ(u.unwrap(SeqNum(0x00000100u)), 0x200);
  EXPECT_EQ(u.unwrap(SeqNum(0xFFFFFFF0u)), 0xF0);  // retransmission from before the wrap
  // Walk four full wraps forward in 1 GiB steps.
  std::int64_t expect = 0x200;
  std::uint32_t s = 0x100;
  for (int i = 0; i < 16; ++i) {
    s += 0x40000000u;
    expect += 0x40000000;
    EXPECT_EQ(u.unwrap(SeqNum(s)), expect);
  }
}
