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
  // 5 bits a letter, 10 inline with the seen-mask in one word (the rest in the rare block)
  EXPECT_LE(sizeof(ZeekHistory), 9u);
  // The blocks above a hole are the rare block's (compact_wide.hpp), allocated only when one appears;
  // the 64-bit positions keep their low halves here.
  EXPECT_LE(sizeof(ZeekReassembly), 12u);
  // Its small members in the reassembly's tail padding; 4-bit counters of retransmissions and zero
  // windows (the rest, and counts past 14, in the rare block); the last SYN's, FIN's and RST's
  // positions not kept inline, nor the FIN's end while it is the last sequence's.
  EXPECT_LE(sizeof(ZeekEndpoint), 32u);
  // All 12 of the connection's times (compact_times.hpp), and the rare block's pointer.
  // (and the missed bytes only in the rare block: a gap allocates it anyway)
  // 130 bytes of data (the handshake times in 21 bits each, the close timer and the second
  // expire check in one word; 4-byte aligned)
  EXPECT_LE(sizeof(ZeekSession), 132u);
  // 32-bit low halves; 16-bit ones for the unwrapping distance and retransmitted bytes; no
  // segment count (the Zeek session's packets and the rare block's unanalyzed segments) and no
  // payload bytes (the sequence space covered, plus the rare block's correction)
  // (and the ACK RTT sample count is the connection's: 16 bits inline, the rest in the rare block)
  EXPECT_LE(sizeof(Half), 32u);
  EXPECT_LE(sizeof(CloseFacts), 8u);
  // 24-byte halves (the state as its bit's number, 4 bits), the facts (2 bytes without the final
  // states, with `started`), the notes and which FINs were acknowledged in one word: 54 bytes of
  // data, and 2 of tail padding that Connection fills (ConnectionAndSlot)
  EXPECT_LE(sizeof(ConnectionInference), 56u);
  EXPECT_LE(sizeof(SeqUnwrapper), 16u);
}

TEST(MemoryBudget, ConnectionAndSlot) {
  // No padding: the generation's low 16 bits in the Zeek session's tail padding, the tuple
  // (2-byte aligned) in the inference's, the roles in the tuple's; a 32-bit id and 16-bit RTT
  // sample counts inline; 4-byte aligned
  EXPECT_LE(sizeof(Connection), 272u);
  EXPECT_LE(alignof(Connection), 4u);  // the rare block's pointer and the start time as bytes
  // The tracker adds its timer time (32 bits: microseconds after the first segment) and
  // nothing else: its 8-bit serial and heap entry count are two bytes outside it, no hash tag
  // (recomputed from the tuple when the connection ends), no per-slot heap node.
  EXPECT_LE(Tracker::bytes_per_slot(), 276u);
  // The timer heap's entries: a 32-bit time (microseconds after a base), the slot in 24 bits
  // and its connection's serial in 8.
  EXPECT_LE(TimerHeap::narrow_entry_bytes(), 8u);
}

TEST(MemoryBudget, IdAndGenerationPastTheirInlineBitsAreExact) {
  Connection c;
  c.set_id(7);
  c.set_generation(3);
  EXPECT_FALSE(c.zeek.high_words().allocated());  // the usual connection: no rare block
  EXPECT_EQ(c.id(), 7u);
  EXPECT_EQ(c.generation(), 3u);
  c.set_id((std::uint64_t{1} << 32) + 5);  // past 4 billion connections: the high half in the rare block
  EXPECT_EQ(c.id(), (std::uint64_t{1} << 32) + 5);
  c.set_generation(70'000);  // past 65,535 reuses in a row
  EXPECT_EQ(c.generation(), 70'000u);
  c.set_id(8);  // (the rare block, once there, keeps the high halves: 0 now)
  c.set_generation(0xFFFF'FFFFu);
  EXPECT_EQ(c.id(), 8u);
  EXPECT_EQ(c.generation(), 0xFFFF'FFFFu);
}

TEST(MemoryBudget, PackedHandshakeTimesAreExact) {
  const std::int64_t base = 1'700'000'000'123'456'000;
  CompactTimes<4, 3> t;  // time 0 in 32 bits, times 1-3 in 21 bits each
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(t.get(i, base, nullptr), 0);
  EXPECT_TRUE(t.set_narrow(1, -1, base));
  EXPECT_TRUE(t.set_narrow(2, base, base));
  EXPECT_TRUE(t.set_narrow(3, base + 2'097'149'000, base));  // the largest offset: ~2.1 s
  EXPECT_TRUE(t.set_narrow(0, base + 4'000'000'000'000, base));
  EXPECT_EQ(t.get(0, base, nullptr), base + 4'000'000'000'000);
  EXPECT_EQ(t.get(1, base, nullptr), -1);
  EXPECT_EQ(t.get(2, base, nullptr), base);
  EXPECT_EQ(t.get(3, base, nullptr), base + 2'097'149'000);
  // Setting one field leaves its neighbours alone.
  EXPECT_TRUE(t.set_narrow(2, base + 1000, base));
  EXPECT_EQ(t.get(1, base, nullptr), -1);
  EXPECT_EQ(t.get(2, base, nullptr), base + 1000);
  EXPECT_EQ(t.get(3, base, nullptr), base + 2'097'149'000);
  // Past ~2.1 s, a nanosecond, or before the base: no fit (the owner goes 64-bit).
  EXPECT_FALSE(t.set_narrow(3, base + 2'097'150'000, base));
  EXPECT_FALSE(t.set_narrow(2, base + 1, base));
  EXPECT_FALSE(t.set_narrow(1, base - 1000, base));
  CompactTimes<4, 3>::Wide wide{};
  t.widen(base, wide);
  EXPECT_EQ(wide[1], -1);
  EXPECT_EQ(wide[2], base + 1000);
  EXPECT_EQ(wide[3], base + 2'097'149'000);
  t.reset();
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(t.get(i, base, nullptr), 0);
}

TEST(MemoryBudget, CompactTimesAreExact) {
  const std::int64_t base = 1'700'000'000'123'456'000;  // a microsecond capture time
  CompactTimes<3> t;
  EXPECT_EQ(sizeof(CompactTimes<12>), 12 * 4u);
  EXPECT_EQ(sizeof(ConnectionTimes),
            8 * 4u + 8);  // the 3 handshake times in 21 bits each, two timers in one word
  EXPECT_TRUE(t.set_narrow(0, -1, base));
  EXPECT_TRUE(t.set_narrow(1, 0, base));
  EXPECT_TRUE(t.set_narrow(2, base + 4'000'000'000'000, base));  // ~67 minutes later: still an offset
  EXPECT_EQ(t.get(0, base, nullptr), -1);
  EXPECT_EQ(t.get(1, base, nullptr), 0);
  EXPECT_EQ(t.get(2, base, nullptr), base + 4'000'000'000'000);
  // A nanosecond time does not fit; 64-bit times keep the others.
  EXPECT_FALSE(t.set_narrow(1, base + 1, base));
  CompactTimes<3>::Wide wide{};
  t.widen(base, wide);
  EXPECT_EQ(t.get(0, base, &wide), -1);
  EXPECT_EQ(t.get(1, base, &wide), 0);
  EXPECT_EQ(t.get(2, base, &wide), base + 4'000'000'000'000);
  // Too far after the base (~72 minutes), or before it.
  EXPECT_FALSE(t.set_narrow(0, base + 4'400'000'000'000, base));
  EXPECT_FALSE(t.set_narrow(0, base - 1000, base));
  EXPECT_EQ(t.get(0, base, nullptr), -1);
}

TEST(MemoryBudget, SessionTimesSwitchTo64BitsExactly) {
  const std::int64_t base = 1'700'000'000'123'456'000;
  decode::TcpFacts syn;
  syn.flags = 0x02;
  ZeekSession z;
  z.start(0, syn, Timestamp{base / 1'000'000'000, base % 1'000'000'000});
  EXPECT_FALSE(z.high_words().allocated());
  z.set_time(conn_time::last_syn, -1);
  z.set_time(conn_time::timed1, base + 4'000'000'000'000);
  z.set_time(conn_time::syn_ack, base + 2'000'000'000);  // (a handshake time: 21 bits, up to ~2.1 s)
  EXPECT_FALSE(z.high_words().allocated());
  const ZeekSession narrow = z;
  z.set_time(conn_time::irtt_ack, base + 1);  // nanoseconds: 64-bit times from now on
  EXPECT_TRUE(z.high_words().allocated());
  EXPECT_EQ(z.time(conn_time::last_syn), -1);
  EXPECT_EQ(z.time(conn_time::timed1), base + 4'000'000'000'000);
  EXPECT_EQ(z.time(conn_time::syn_ack), base + 2'000'000'000);
  EXPECT_EQ(z.time(conn_time::irtt_ack), base + 1);
  EXPECT_EQ(z.start_ns(), base);
  const ZeekSession copy = z;  // a copy owns its own block
  z.set_time(conn_time::timed1, 5);
  EXPECT_EQ(copy.time(conn_time::timed1), base + 4'000'000'000'000);
  EXPECT_EQ(narrow.time(conn_time::irtt_ack), 0);
  z.set_time(conn_time::timed0, base - 1000);  // before the start
  EXPECT_EQ(z.time(conn_time::timed0), base - 1000);
}

TEST(MemoryBudget, CompactTupleGivesBackTheTuple) {
  EXPECT_LE(sizeof(CompactTuple), 14u);
  EXPECT_LE(alignof(CompactTuple), 2u);
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
