#include "track/flow_table.hpp"

namespace tcpscope::track {

void FlowTable::place(std::uint64_t hash, std::uint32_t slot) {
  for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
    if (entries_[i].slot == kNone) {
      entries_[i] = Entry{tag_of(hash), slot};
      return;
    }
  }
}

void FlowTable::rehash(std::size_t new_capacity) {
  std::vector<Entry> old;
  old.swap(entries_);
  entries_.assign(new_capacity, Entry{});
  mask_ = new_capacity - 1;
  for (const Entry& e : old)
    if (e.slot != kNone) place(e.tag, e.slot);  // the tag holds the hash bits the home bucket uses
}

void FlowTable::erase(std::uint64_t hash, std::uint32_t slot) {
  std::size_t i = hash & mask_;
  while (entries_[i].slot != slot) {
    if (entries_[i].slot == kNone) return;  // not present
    i = (i + 1) & mask_;
  }
  // Backward-shift deletion keeps every probe chain unbroken.
  std::size_t hole = i;
  for (std::size_t j = (i + 1) & mask_; entries_[j].slot != kNone; j = (j + 1) & mask_) {
    const std::size_t home = entries_[j].tag & mask_;
    const bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
    if (movable) {
      entries_[hole] = entries_[j];
      hole = j;
    }
  }
  entries_[hole] = Entry{};
  --count_;
}

}  // namespace tcpscope::track
