// The flat 4-tuple table against std::map under random inserts and erases,
// with deliberately colliding hashes so probe chains and backward shifts are hit.
#include "track/flow_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <vector>

namespace {

using tcpscope::FourTuple;
using tcpscope::IpAddr;
using tcpscope::track::FlowTable;

FourTuple tuple(std::uint32_t n) {
  const std::uint8_t a[4] = {10, 0, static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
  const std::uint8_t b[4] = {192, 168, 0, 1};
  return FourTuple{{IpAddr::v4(a), static_cast<std::uint16_t>(n)}, {IpAddr::v4(b), 80}};
}

TEST(FlowTable, MatchesAReferenceMapUnderRandomOperations) {
  // The second hash makes nearly every key collide (long probe chains: entries too far from
  // their home bucket to say where it is, backward shifts over them); slots from 2^24 - 1,000
  // on switch the table to 8-byte entries part way through.
  for (const std::uint32_t first_slot : {0u, FlowTable::Narrow::kMaxSlot - 1000}) {
    for (std::uint64_t hash_mask : {~0ull, 0xFull, 0xFFFF'0000'0000'000Full}) {
      FlowTable table;
      std::vector<FourTuple> keys;                       // slot - first_slot -> key
      std::map<std::uint32_t, std::uint32_t> reference;  // key number -> slot
      auto key_of = [&](std::uint32_t slot) -> const FourTuple& { return keys.at(slot - first_slot); };
      auto hash_of = [hash_mask](const FourTuple& t) { return tcpscope::FourTupleHash{}(t)&hash_mask; };
      auto slot_hash = [&](std::uint32_t slot) { return hash_of(key_of(slot)); };
      std::mt19937 rng(7);
      for (int step = 0; step < 20000; ++step) {
        const std::uint32_t n = rng() % 2000;
        const FourTuple k = tuple(n);
        const std::uint32_t found = table.find(k, hash_of(k), key_of);
        auto it = reference.find(n);
        ASSERT_EQ(found != FlowTable::kNone, it != reference.end()) << step;
        if (it != reference.end()) {
          ASSERT_EQ(found, it->second);
          if (rng() % 2) {
            table.erase(hash_of(k), found, slot_hash);
            reference.erase(it);
          }
        } else {
          const auto slot = first_slot + static_cast<std::uint32_t>(keys.size());
          keys.push_back(k);
          table.insert(hash_of(k), slot, slot_hash);
          reference[n] = slot;
        }
        ASSERT_EQ(table.size(), reference.size());
        ASSERT_LE(table.size() * 2, table.capacity());
      }
      EXPECT_EQ(table.wide(), first_slot != 0);
      for (const auto& [n, slot] : reference)
        EXPECT_EQ(table.find(tuple(n), hash_of(tuple(n)), key_of), slot);
    }
  }
}

// The word-wise order and equality the tracker uses agree with FourTuple's own
// (the canonical side of every connection, hence every output, depends on it).
TEST(FlowKey, WordCompareAgreesWithTheDefaultedOrder) {
  std::mt19937 rng(7);
  const auto random_endpoint = [&rng]() {
    std::uint8_t b[16];
    // Few distinct values, so equal prefixes, equal addresses and equal ports all occur.
    for (auto& x : b) x = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() : 0);
    tcpscope::Endpoint e{rng() % 2 ? IpAddr::v4(b) : IpAddr::v6(b), static_cast<std::uint16_t>(rng() % 4)};
    return e;
  };
  for (int i = 0; i < 200000; ++i) {
    const tcpscope::Endpoint x = random_endpoint();
    const tcpscope::Endpoint y = (i % 5 == 0) ? x : random_endpoint();
    ASSERT_EQ(tcpscope::track::endpoint_less(x, y), x < y) << i;
    const FourTuple t{x, y};
    const FourTuple u = (i % 3 == 0) ? t : FourTuple{y, x};
    ASSERT_EQ(tcpscope::track::same_tuple(t, u), t == u) << i;
  }
}

}  // namespace
