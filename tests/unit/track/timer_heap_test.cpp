// The tracker's timer heap pops its entries in exactly the order a heap of 64-bit
// times under std::push_heap/std::pop_heap (std::greater<> on the time) pops them,
// equal times included (the order of the rows of connections ending at the same time
// is part of the output), before and after its entries turn 64-bit.
#include "track/timer_heap.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <random>
#include <utility>
#include <vector>

namespace tcpscope::track {
namespace {

// The heap TimerHeap replaces: 16-byte entries, ordered on the time only.
struct ReferenceEntry {
  std::int64_t at;
  std::uint32_t slot;
  bool operator>(const ReferenceEntry& o) const { return at > o.at; }
};

// Runs the same random pushes and pops on both; `time_of(i, rng)` gives the i-th pushed time.
template <class TimeOf>
void expect_same_pops(TimeOf time_of, std::uint32_t seed, bool expect_wide) {
  std::mt19937 rng(seed);
  TimerHeap heap;
  std::vector<ReferenceEntry> reference;
  std::vector<std::pair<std::int64_t, std::uint32_t>> got, want;
  std::uint32_t pushed = 0;
  // Pops the earliest entry of each heap and records both.
  const auto pop_both = [&] {
    const TimerHeap::Entry e = heap.pop();
    std::pop_heap(reference.begin(), reference.end(), std::greater<>{});
    EXPECT_EQ(e.serial, static_cast<std::uint8_t>(e.slot * 7));
    got.emplace_back(e.at, e.slot);
    want.emplace_back(reference.back().at, reference.back().slot);
    reference.pop_back();
  };
  for (std::uint32_t i = 0; i < 20'000; ++i) {
    if (rng() % 3 != 0 || reference.empty()) {
      const std::int64_t at = time_of(pushed, rng);
      heap.push(at, pushed, static_cast<std::uint8_t>(pushed * 7));
      reference.push_back(ReferenceEntry{at, pushed});
      ++pushed;
      std::push_heap(reference.begin(), reference.end(), std::greater<>{});
    } else {
      ASSERT_FALSE(heap.empty());
      EXPECT_EQ(heap.front_at(), reference.front().at);
      EXPECT_EQ(heap.front_slot(), reference.front().slot);
      pop_both();
    }
  }
  while (!reference.empty()) pop_both();
  EXPECT_TRUE(heap.empty());
  EXPECT_EQ(heap.wide(), expect_wide);
  EXPECT_EQ(got, want);
}

constexpr std::int64_t kCaptureUs = 1'700'000'000'000'000;  // a capture time in microseconds

TEST(TimerHeap, PopsEqualTimesInTheOrderOfA64BitHeap) {
  // Few distinct times (many ties), whole microseconds: the entries stay 32-bit.
  expect_same_pops([](std::uint32_t, std::mt19937& rng) { return (kCaptureUs + rng() % 50) * 1000; }, 1,
                   false);
  // Times spread over ~30 minutes after the first one, and up to ~30 minutes before it.
  expect_same_pops(
      [](std::uint32_t i, std::mt19937& rng) {
        const std::int64_t spread =
            i == 0 ? 0 : static_cast<std::int64_t>(rng() % 3'600'000'000u) - 1'800'000'000;
        return (kCaptureUs + spread) * 1000;
      },
      2, false);
}

TEST(TimerHeap, TurnsWideInPlaceAtTheFirstTimeThatDoesNotFit) {
  // A nanosecond time after 5,000 pushes: the heap turns 64-bit where it stands.
  expect_same_pops(
      [](std::uint32_t i, std::mt19937& rng) {
        const std::int64_t at = (kCaptureUs + rng() % 40) * 1000;
        return i == 5'000 ? at + 1 : at;
      },
      3, true);
  // A time more than ~36 minutes after the first one.
  expect_same_pops(
      [](std::uint32_t i, std::mt19937& rng) {
        const std::int64_t at = (kCaptureUs + rng() % 40) * 1000;
        return i == 7'000 ? at + std::int64_t{3'000} * 1'000'000'000 : at;
      },
      4, true);
  // And one before the base (more than ~36 minutes before the first time).
  expect_same_pops(
      [](std::uint32_t i, std::mt19937& rng) {
        const std::int64_t at = (kCaptureUs + rng() % 40) * 1000;
        return i == 9'000 ? at - std::int64_t{3'000} * 1'000'000'000 : at;
      },
      5, true);
}

TEST(TimerHeap, EntriesTake8Bytes) { EXPECT_EQ(TimerHeap::narrow_entry_bytes(), 8u); }

TEST(TimerHeap, ASlotPast24BitsTurnsItWide) {
  TimerHeap heap;
  const std::int64_t t = kCaptureUs * 1000;
  heap.push(t + 2000, 5, 200);
  heap.push(t + 1000, (1u << 24) - 1, 255);
  EXPECT_FALSE(heap.wide());
  heap.push(t + 3000, 1u << 24, 7);
  EXPECT_TRUE(heap.wide());
  const TimerHeap::Entry a = heap.pop(), b = heap.pop(), c = heap.pop();
  EXPECT_EQ(a.at, t + 1000);
  EXPECT_EQ(a.slot, (1u << 24) - 1);
  EXPECT_EQ(a.serial, 255);
  EXPECT_EQ(b.slot, 5u);
  EXPECT_EQ(b.serial, 200);
  EXPECT_EQ(c.slot, 1u << 24);
  EXPECT_EQ(c.serial, 7);
}

}  // namespace
}  // namespace tcpscope::track
