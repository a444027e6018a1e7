// Flat open-addressing hash table from a full 4-tuple to a connection slot.
// It stores (hash, slot) pairs only; the key lives in the connection and is
// compared in full (never a hash-only match). Linear probing with
// backward-shift deletion; no allocation except when it grows.
#pragma once
#include <cstdint>
#include <vector>

#include "core/addr.hpp"

namespace tcpscope::track {

class FlowTable {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  FlowTable() { rehash(64); }

  std::size_t size() const { return count_; }
  std::size_t capacity() const { return entries_.size(); }

  // Slot of `key`, or kNone. key_of(slot) returns the FourTuple stored in a slot.
  template <class KeyOf>
  std::uint32_t find(const FourTuple& key, std::uint64_t hash, KeyOf&& key_of) const {
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.tag == tag && key_of(e.slot) == key) return e.slot;
    }
  }

  // Inserts a slot whose key is not in the table yet.
  void insert(std::uint64_t hash, std::uint32_t slot) {
    if ((count_ + 1) * 2 > entries_.size()) rehash(entries_.size() * 2);
    place(hash, slot);
    ++count_;
  }

  // Removes `slot` (stored under `hash`).
  void erase(std::uint64_t hash, std::uint32_t slot);
  // Removes everything (keeps the capacity).
  void clear() {
    entries_.assign(entries_.size(), Entry{});
    count_ = 0;
  }

 private:
  struct Entry {
    std::uint32_t tag = 0;  // the hash's low 32 bits: home bucket and quick reject
    std::uint32_t slot = kNone;
  };
  static std::uint32_t tag_of(std::uint64_t hash) { return static_cast<std::uint32_t>(hash); }
  void place(std::uint64_t hash, std::uint32_t slot);
  void rehash(std::size_t new_capacity);

  std::vector<Entry> entries_;
  std::size_t mask_ = 0;
  std::size_t count_ = 0;
};

}  // namespace tcpscope::track
