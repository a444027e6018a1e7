// The memory a tracked connection costs, part by part (issue 3: <= 512 bytes per
// connection measured on 1,000,000 concurrent connections; bench/conns.sh measures
// it). These are the budgets of today's layout: a field added without thought, a
// bool where a bit would do or padding between members makes one of them fail.
#include <gtest/gtest.h>

#include "track/close_kind.hpp"
#include "track/compact_times.hpp"
#include "track/compact_tuple.hpp"
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
  EXPECT_LE(sizeof(ZeekHistory), 27u);     // 5 bits a letter
  EXPECT_LE(sizeof(ZeekReassembly), 32u);  // the blocks above a hole are allocated only when one appears
  EXPECT_LE(sizeof(ZeekEndpoint), 104u);   // its small members in the reassembly's tail padding
  EXPECT_LE(sizeof(ZeekSession), 312u);    // holds all 12 of the connection's times (compact_times.hpp)
  EXPECT_LE(sizeof(Half), 72u);
  EXPECT_LE(sizeof(CloseFacts), 8u);
  EXPECT_LE(sizeof(ConnectionInference), 72u);
  EXPECT_LE(sizeof(SeqUnwrapper), 16u);
}

TEST(MemoryBudget, ConnectionAndSlot) {
  EXPECT_LE(sizeof(Connection), 560u);
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

TEST(MemoryBudget, CompactTupleGivesBackTheTuple) {
  EXPECT_LE(sizeof(CompactTuple), 16u);
  const std::uint8_t a4[4] = {10, 0, 0, 1}, b4[4] = {192, 168, 1, 2};
  std::uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8}, b6[16] = {0xfe, 0x80};
  a6[15] = 1;
  b6[15] = 2;
  const FourTuple v4{{IpAddr::v4(a4), 40000}, {IpAddr::v4(b4), 80}};
  const FourTuple v6{{IpAddr::v6(a6), 40000}, {IpAddr::v6(b6), 443}};
  FourTuple odd = v4;
  odd.b.addr.bytes[9] = 7;  // not a plain IPv4 address: kept whole
  for (const FourTuple& t : {v4, v6, odd}) {
    const CompactTuple c(t);
    EXPECT_EQ(c.get(), t);
    EXPECT_TRUE(c.equals(t));
    EXPECT_EQ(c.endpoint(0), t.a);
    EXPECT_EQ(c.endpoint(1), t.b);
    const CompactTuple copy = c;
    EXPECT_EQ(copy.get(), t);
  }
  EXPECT_FALSE(CompactTuple(v4).is_wide());
  EXPECT_TRUE(CompactTuple(v6).is_wide());
  EXPECT_FALSE(CompactTuple(v4).equals(odd));
  EXPECT_FALSE(CompactTuple(odd).equals(v4));
  FourTuple other_port = v4;
  other_port.b.port = 81;
  EXPECT_FALSE(CompactTuple(v4).equals(other_port));
  CompactTuple moved(v6);
  CompactTuple target(v4);
  target = std::move(moved);
  EXPECT_EQ(target.get(), v6);
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
