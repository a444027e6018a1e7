// The tracker's timer heap: a min-heap of (time, slot, serial) on the time, popped exactly
// as std::pop_heap with std::greater<> on a 64-bit time pops it (the same comparisons on
// the same positions: entries due at the same time come out in the same order).
//
// An entry takes 8 bytes instead of 16: its time as whole microseconds after a base
// fixed at the first push (2^31 microseconds, ~36 minutes, before it), in 32 bits, and the
// slot (below 2^24) with an 8-bit serial number of the slot's connection in the other 32.
// The time encoding keeps the order of the times it can hold, so the heap is the same
// heap. The first entry that does not fit (a time not a whole microsecond after the base,
// as in a nanosecond capture, or more than ~36 minutes before or after the first deadline;
// a slot past 2^24) turns every entry into a 16-byte one where it stands, so the heap's
// shape, and every later pop, is what it would have been; it then stays 16-byte.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace tcpscope::track {

class TimerHeap {
 public:
  struct Entry {
    std::int64_t at;
    std::uint32_t slot;
    std::uint8_t serial;
  };

  bool empty() const { return wide_ ? wide_heap_.empty() : narrow_heap_.empty(); }
  std::size_t size() const { return wide_ ? wide_heap_.size() : narrow_heap_.size(); }
  // The earliest entry's time and slot (not empty()).
  std::int64_t front_at() const { return wide_ ? wide_heap_.front().at : decode(narrow_heap_.front().code); }
  std::uint32_t front_slot() const {
    return wide_ ? wide_heap_.front().slot : narrow_heap_.front().slot_and_serial & kSlotMask;
  }
  // Whether an entry is due at `now` (not empty, front time <= now).
  bool due(std::int64_t now) const { return !empty() && front_at() <= now; }

  void push(std::int64_t at, std::uint32_t slot, std::uint8_t serial) {
    if (!wide_ && !based_) set_base(at);  // (may find the times must all be wide)
    if (!wide_) {
      if (const std::uint64_t code = encode(at); code <= kMaxCode && slot <= kSlotMask) {
        narrow_heap_.push_back(
            Narrow{static_cast<std::uint32_t>(code), slot | std::uint32_t{serial} << kSlotBits});
        std::push_heap(narrow_heap_.begin(), narrow_heap_.end(), later_narrow);
        return;
      }
      widen();
    }
    wide_heap_.push_back(Entry{at, slot, serial});
    std::push_heap(wide_heap_.begin(), wide_heap_.end(), later_wide);
  }
  // Removes and returns the earliest entry (not empty()).
  Entry pop() {
    if (wide_) {
      std::pop_heap(wide_heap_.begin(), wide_heap_.end(), later_wide);
      const Entry e = wide_heap_.back();
      wide_heap_.pop_back();
      return e;
    }
    std::pop_heap(narrow_heap_.begin(), narrow_heap_.end(), later_narrow);
    const Narrow n = narrow_heap_.back();
    narrow_heap_.pop_back();
    return unpack(n);
  }
  bool wide() const { return wide_; }
  // Bytes of an entry while the times fit in 32 bits (the memory budget test).
  static constexpr std::size_t narrow_entry_bytes();

  // Drops every entry and gives the memory back.
  void release() {
    std::vector<Narrow>().swap(narrow_heap_);
    std::vector<Entry>().swap(wide_heap_);
  }

 private:
  struct Narrow {
    std::uint32_t code;             // microseconds after base_ns_
    std::uint32_t slot_and_serial;  // the slot in the low kSlotBits, the serial above
  };
  static constexpr unsigned kSlotBits = 24;
  static constexpr std::uint32_t kSlotMask = (1u << kSlotBits) - 1;
  Entry unpack(const Narrow& n) const {
    return Entry{decode(n.code), n.slot_and_serial & kSlotMask,
                 static_cast<std::uint8_t>(n.slot_and_serial >> kSlotBits)};
  }
  static constexpr std::uint64_t kMaxCode = std::numeric_limits<std::uint32_t>::max();

  static bool later_narrow(const Narrow& a, const Narrow& b) { return a.code > b.code; }
  static bool later_wide(const Entry& a, const Entry& b) { return a.at > b.at; }

  void set_base(std::int64_t first_at) {
    based_ = true;
    // A base 2^31 microseconds (rounded to whole ones) before the first time; a first
    // time too close to INT64_MIN for that has no base: every time is then wide.
    const std::int64_t back = std::int64_t{1} << 31;
    if (first_at < std::numeric_limits<std::int64_t>::min() + back * 1000 + 1000) {
      wide_ = true;
      return;
    }
    base_ns_ = first_at - back * 1000;
  }
  // kMaxCode + 1 when `at` is not a whole number of microseconds after the base in 32 bits.
  std::uint64_t encode(std::int64_t at) const {
    if (at < base_ns_) return kMaxCode + 1;
    const std::uint64_t diff = static_cast<std::uint64_t>(at) - static_cast<std::uint64_t>(base_ns_);
    if (diff % 1000 != 0) return kMaxCode + 1;
    return diff / 1000;
  }
  std::int64_t decode(std::uint32_t code) const { return base_ns_ + std::int64_t{code} * 1000; }
  // Every entry as a 64-bit one in its place (the heap's shape is unchanged).
  void widen() {
    wide_heap_.reserve(narrow_heap_.size() + 1);
    for (const Narrow& n : narrow_heap_) wide_heap_.push_back(unpack(n));
    std::vector<Narrow>().swap(narrow_heap_);
    wide_ = true;
  }

  std::vector<Narrow> narrow_heap_;
  std::vector<Entry> wide_heap_;  // once wide_
  std::int64_t base_ns_ = 0;
  bool based_ = false;
  bool wide_ = false;
};

constexpr std::size_t TimerHeap::narrow_entry_bytes() { return sizeof(Narrow); }

}  // namespace tcpscope::track
