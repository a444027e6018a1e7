// The memory a tracked connection costs, part by part (issue 3: <= 512 bytes per
// connection measured on 1,000,000 concurrent connections; bench/conns.sh measures
// it). These are the budgets of today's layout: a field added without thought, a
// bool where a bit would do or padding between members makes one of them fail.
#include <gtest/gtest.h>

#include "track/close_kind.hpp"
#include "track/compact_times.hpp"
#include "track/connection.hpp"
#include "track/half.hpp"
#include "track/inference.hpp"
#include "track/tracker.hpp"
#include "track/zeek_history.hpp"
#include "track/zeek_tcp.hpp"

namespace tcpscope::track {
namespace {

TEST(MemoryBudget, PartsOfAConnection) {
  EXPECT_LE(sizeof(ZeekScaledCounter), 4u);
  EXPECT_LE(sizeof(ZeekHistory), 42u);
  EXPECT_LE(sizeof(ZeekReassembly), 32u);  // the blocks above a hole are allocated only when one appears
  EXPECT_LE(sizeof(ZeekEndpoint), 112u);
  EXPECT_LE(sizeof(ZeekSession), 344u);  // holds all 12 of the connection's times (compact_times.hpp)
  EXPECT_LE(sizeof(Half), 80u);
  EXPECT_LE(sizeof(CloseFacts), 8u);
  EXPECT_LE(sizeof(ConnectionInference), 72u);
  EXPECT_LE(sizeof(SeqUnwrapper), 16u);
}

TEST(MemoryBudget, ConnectionAndSlot) {
  EXPECT_LE(sizeof(Connection), 632u);
  // The tracker adds a timer time, a hash tag and a serial; no per-slot heap node.
  EXPECT_LE(Tracker::bytes_per_slot(), sizeof(Connection) + 16);
}

TEST(MemoryBudget, CompactTimesAreExact) {
  const std::int64_t base = 1'700'000'000'123'456'000;  // a microsecond capture time
  CompactTimes<3> t;
  EXPECT_EQ(sizeof(CompactTimes<12>), 12 * 4 + 8u);
  t.set(0, -1, base);
  t.set(1, 0, base);
  t.set(2, base + 4'000'000'000'000, base);  // ~67 minutes later: still an offset
  EXPECT_FALSE(t.wide());
  EXPECT_EQ(t.get(0, base), -1);
  EXPECT_EQ(t.get(1, base), 0);
  EXPECT_EQ(t.get(2, base), base + 4'000'000'000'000);
  const CompactTimes<3> narrow = t;
  // A nanosecond time switches to 64-bit times, keeping the others.
  t.set(1, base + 1, base);
  EXPECT_TRUE(t.wide());
  EXPECT_EQ(t.get(0, base), -1);
  EXPECT_EQ(t.get(1, base), base + 1);
  EXPECT_EQ(t.get(2, base), base + 4'000'000'000'000);
  const CompactTimes<3> copy = t;  // a copy owns its own block
  t.set(2, 5, base);
  EXPECT_EQ(copy.get(2, base), base + 4'000'000'000'000);
  EXPECT_EQ(narrow.get(1, base), 0);
  // Too far after the base (~72 minutes), or before it.
  CompactTimes<3> late;
  late.set(0, base + 4'400'000'000'000, base);
  EXPECT_TRUE(late.wide());
  EXPECT_EQ(late.get(0, base), base + 4'400'000'000'000);
  CompactTimes<3> early;
  early.set(0, base - 1000, base);
  EXPECT_TRUE(early.wide());
  EXPECT_EQ(early.get(0, base), base - 1000);
  EXPECT_EQ(early.get(2, base), 0);
}

TEST(MemoryBudget, HoleBlocksAreAllocatedOnlyForAHole) {
  ZeekReassembly r;
  EXPECT_FALSE(r.has_undelivered());
  r.blocks_for_insert()[0] = {10, 20};
  r.block_count = 1;
  const ZeekReassembly copy = r;  // a copy owns its own blocks
  r.blocks()[0].second = 30;
  EXPECT_EQ(copy.blocks()[0].second, 20u);
  EXPECT_EQ(copy.undelivered_bytes(), 20u - copy.last_reassem);
}

TEST(MemoryBudget, ScaledCounterKeepsZeeksThresholds) {
  // Letters at 1, 10, 100, ... exactly as with a stored threshold.
  ZeekScaledCounter c;
  std::uint32_t threshold = 1;
  for (std::uint32_t i = 1; i <= 2'000'000; ++i) {
    const bool want = i == threshold;
    if (want) threshold *= 10;
    ASSERT_EQ(c.tick(), want) << i;
  }
  // Zeek's uint32 overflow: after 10^9 the next letter is at 10^10 mod 2^32, and from
  // there on every 1,410,065,408 occurrences.
  ZeekScaledCounter late;
  late.state = 1'000'000'000u - 1;
  EXPECT_TRUE(late.tick());  // 10^9
  late.state = ZeekScaledCounter::kWrappedThreshold - 2;
  EXPECT_FALSE(late.tick());
  EXPECT_TRUE(late.tick());  // 1,410,065,408: the count restarts
  EXPECT_EQ(late.count(), 0u);
  EXPECT_TRUE(late.tick() == false && late.count() == 1u);  // no letter at 1 once wrapped
  late.state = ZeekScaledCounter::kWrappedBit | 9u;
  EXPECT_FALSE(late.tick());  // nor at 10
  late.state = ZeekScaledCounter::kWrappedBit | (ZeekScaledCounter::kWrappedThreshold - 1);
  EXPECT_TRUE(late.tick());
}

}  // namespace
}  // namespace tcpscope::track
