// Flat open-addressing hash table from a full 4-tuple to a connection slot.
// It stores slots only, each in 4 bytes with a few bits of its hash (a tag and its
// distance from its home bucket); the key lives in the connection and is compared
// in full (never a hash-only match), and the owner gives a stored slot's hash back
// when the table needs it whole (growing, or an entry moved back from far away).
// Linear probing with backward-shift deletion, at most half full; no allocation
// except when it grows.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "core/addr.hpp"

namespace tcpscope::track {

namespace flow_key_detail {
inline std::uint64_t load_be64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return __builtin_bswap64(v);
}
inline std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
}  // namespace flow_key_detail

// FourTuple's order (its defaulted <=>: address bytes, family, port) with two word
// compares per address instead of a memcmp call; the canonical side order is the same.
inline bool endpoint_less(const Endpoint& x, const Endpoint& y) {
  using flow_key_detail::load_be64;
  const std::uint8_t* xb = x.addr.bytes.data();
  const std::uint8_t* yb = y.addr.bytes.data();
  if (const std::uint64_t x0 = load_be64(xb), y0 = load_be64(yb); x0 != y0) return x0 < y0;
  if (const std::uint64_t x1 = load_be64(xb + 8), y1 = load_be64(yb + 8); x1 != y1) return x1 < y1;
  if (x.addr.family != y.addr.family) return x.addr.family < y.addr.family;
  return x.port < y.port;
}

// FourTuple's == the same way.
inline bool same_tuple(const FourTuple& x, const FourTuple& y) {
  using flow_key_detail::load64;
  const auto same = [](const Endpoint& p, const Endpoint& q) {
    return load64(p.addr.bytes.data()) == load64(q.addr.bytes.data()) &&
           load64(p.addr.bytes.data() + 8) == load64(q.addr.bytes.data() + 8) && p.port == q.port &&
           p.addr.family == q.addr.family;
  };
  return same(x.a, y.a) && same(x.b, y.b);
}

// The flow table's hash: an IPv4 tuple is three words through splitmix64's
// finalizer (a few multiplies instead of a byte-wise loop); IPv6 uses FourTupleHash.
// Given the canonical tuple's two endpoints, so that a caller holding them elsewhere (a
// decoded segment) need not copy them into a FourTuple first.
inline std::uint64_t flow_hash(const Endpoint& ea, const Endpoint& eb) {
  if (ea.addr.family != 4 || eb.addr.family != 4) return FourTupleHash{}(FourTuple{ea, eb});
  std::uint32_t a, b;
  std::memcpy(&a, ea.addr.bytes.data(), 4);
  std::memcpy(&b, eb.addr.bytes.data(), 4);
  std::uint64_t h =
      (std::uint64_t{a} << 32 | b) ^ ((std::uint64_t{ea.port} << 16 | eb.port) * 0x9E3779B97F4A7C15ull);
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}
inline std::uint64_t flow_hash(const FourTuple& key) { return flow_hash(key.a, key.b); }

class FlowTable {
 public:
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;

  FlowTable() { narrow_.assign(kInitialCapacity, 0); }

  std::size_t size() const { return count_; }
  std::size_t capacity() const { return mask_ + 1; }
  // Whether the entries are 8-byte ones (a slot past Narrow::kMaxSlot was inserted).
  bool wide() const { return wide_; }

  // Slot of `key`, or kNone. key_of(slot) returns the FourTuple stored in a slot.
  template <class KeyOf>
  std::uint32_t find(const FourTuple& key, std::uint64_t hash, KeyOf&& key_of) const {
    return find_if(hash, [&](std::uint32_t slot) { return key_of(slot) == key; });
  }

  // Slot whose stored key satisfies matches(slot), among those stored under `hash`, or kNone.
  template <class Matches>
  std::uint32_t find_if(std::uint64_t hash, Matches&& matches) const {
    return wide_ ? find_in<Wide>(wide_entries_, hash, matches) : find_in<Narrow>(narrow_, hash, matches);
  }

  // Prefetch hints (no effect on results): the bucket `hash` starts probing at,
  // and the first slot stored there under the same tag (kNone when none).
  [[gnu::always_inline]] void prefetch(std::uint64_t hash) const {
    if (wide_)
      __builtin_prefetch(&wide_entries_[hash & mask_]);
    else
      __builtin_prefetch(&narrow_[hash & mask_]);
  }
  std::uint32_t first_candidate(std::uint64_t hash) const {
    return wide_ ? first_candidate_in<Wide>(wide_entries_, hash) : first_candidate_in<Narrow>(narrow_, hash);
  }

  // Inserts a slot whose key is not in the table yet. hash_of(slot) gives the hash of a
  // stored slot's key (the entries keep only a few of its bits: growing needs it whole).
  template <class HashOf>
  void insert(std::uint64_t hash, std::uint32_t slot, HashOf&& hash_of) {
    if (!wide_ && slot > Narrow::kMaxSlot) widen(hash_of);
    if ((count_ + 1) * 2 > capacity()) {
      if (wide_)
        rehash<Wide>(wide_entries_, capacity() * 2, hash_of);
      else
        rehash<Narrow>(narrow_, capacity() * 2, hash_of);
    }
    if (wide_)
      place<Wide>(wide_entries_, hash, slot);
    else
      place<Narrow>(narrow_, hash, slot);
    ++count_;
  }

  // Removes `slot` (stored under `hash`); hash_of as for insert() (asked only for an entry
  // that moves back and is too far from its home bucket to say where that is).
  template <class HashOf>
  void erase(std::uint64_t hash, std::uint32_t slot, HashOf&& hash_of) {
    if (wide_)
      erase_in<Wide>(wide_entries_, hash, slot, hash_of);
    else
      erase_in<Narrow>(narrow_, hash, slot, hash_of);
  }
  // Removes everything (keeps the capacity).
  void clear() {
    if (wide_)
      wide_entries_.assign(wide_entries_.size(), 0);
    else
      narrow_.assign(narrow_.size(), 0);
    count_ = 0;
  }

  // One entry's layout: the slot + 1 (0: an empty bucket) in the low SlotBits, then its
  // distance from its home bucket (hash & mask) in DistBits (the largest value: that far or
  // farther, ask hash_of), then the hash's top bits as a tag that rejects most other keys
  // without reading them.
  template <class Word, unsigned SlotBits, unsigned DistBits>
  struct Layout {
    using W = Word;
    static constexpr unsigned kTagShift = SlotBits + DistBits;
    static constexpr unsigned kTagBits = sizeof(Word) * 8 - kTagShift;
    static constexpr Word kSlotField = static_cast<Word>((std::uint64_t{1} << SlotBits) - 1);
    static constexpr std::uint32_t kMaxSlot = static_cast<std::uint32_t>(kSlotField - 1);
    static constexpr std::size_t kFar = (std::size_t{1} << DistBits) - 1;
    static Word tag(std::uint64_t hash) { return static_cast<Word>(hash >> (64 - kTagBits)); }
    static Word make(std::uint32_t slot, std::size_t dist, Word tag) {
      return static_cast<Word>((Word{slot} + 1) | static_cast<Word>(dist < kFar ? dist : kFar) << SlotBits |
                               tag << kTagShift);
    }
    static std::uint32_t slot(Word w) { return static_cast<std::uint32_t>((w & kSlotField) - 1); }
    static std::size_t dist(Word w) { return static_cast<std::size_t>(w >> SlotBits) & kFar; }
    static Word tag_of(Word w) { return static_cast<Word>(w >> kTagShift); }
  };
  // 4 bytes an entry: slots below 2^24 - 1 (4.7 GB of connections), 3 distance bits, a
  // 5-bit tag (a key stored elsewhere in the probe chain is read once in 32 times).
  using Narrow = Layout<std::uint32_t, 24, 3>;
  // 8 bytes, once a slot does not fit: any slot, 8 distance bits, a 24-bit tag.
  using Wide = Layout<std::uint64_t, 32, 8>;

 private:
  static constexpr std::size_t kInitialCapacity = 64;

  template <class L, class Matches>
  std::uint32_t find_in(const std::vector<typename L::W>& entries, std::uint64_t hash,
                        Matches&& matches) const {
    const typename L::W tag = L::tag(hash);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const typename L::W e = entries[i];
      if (e == 0) return kNone;
      if (L::tag_of(e) == tag && matches(L::slot(e))) return L::slot(e);
    }
  }
  template <class L>
  std::uint32_t first_candidate_in(const std::vector<typename L::W>& entries, std::uint64_t hash) const {
    const typename L::W tag = L::tag(hash);
    for (std::size_t i = hash & mask_, probes = 0; probes < 4; i = (i + 1) & mask_, ++probes) {
      const typename L::W e = entries[i];
      if (e == 0) return kNone;
      if (L::tag_of(e) == tag) return L::slot(e);
    }
    return kNone;
  }
  template <class L>
  void place(std::vector<typename L::W>& entries, std::uint64_t hash, std::uint32_t slot) {
    std::size_t dist = 0;
    std::size_t i = hash & mask_;
    while (entries[i] != 0) {
      i = (i + 1) & mask_;
      ++dist;
    }
    entries[i] = L::make(slot, dist, L::tag(hash));
  }
  template <class L, class HashOf>
  void rehash(std::vector<typename L::W>& entries, std::size_t new_capacity, HashOf& hash_of) {
    std::vector<typename L::W> old(new_capacity, 0);
    old.swap(entries);
    mask_ = new_capacity - 1;
    for (const typename L::W e : old)
      if (e != 0) place<L>(entries, hash_of(L::slot(e)), L::slot(e));
  }
  // From 4-byte entries to 8-byte ones (same capacity), for good.
  template <class HashOf>
  void widen(HashOf& hash_of) {
    wide_entries_.assign(narrow_.size(), 0);
    for (const Narrow::W e : narrow_)
      if (e != 0) place<Wide>(wide_entries_, hash_of(Narrow::slot(e)), Narrow::slot(e));
    std::vector<Narrow::W>().swap(narrow_);
    wide_ = true;
  }
  template <class L, class HashOf>
  void erase_in(std::vector<typename L::W>& entries, std::uint64_t hash, std::uint32_t slot,
                HashOf& hash_of) {
    std::size_t i = hash & mask_;
    while (entries[i] == 0 || L::slot(entries[i]) != slot) {
      if (entries[i] == 0) return;  // not present
      i = (i + 1) & mask_;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask_; entries[j] != 0; j = (j + 1) & mask_) {
      const typename L::W e = entries[j];
      const std::size_t home = L::dist(e) < L::kFar ? (j - L::dist(e)) & mask_ : hash_of(L::slot(e)) & mask_;
      const bool movable = (hole <= j) ? (home <= hole || home > j) : (home <= hole && home > j);
      if (movable) {
        entries[hole] = L::make(L::slot(e), (hole - home) & mask_, L::tag_of(e));
        hole = j;
      }
    }
    entries[hole] = 0;
    --count_;
  }

  std::vector<Narrow::W> narrow_;
  std::vector<Wide::W> wide_entries_;  // (empty until widen())
  std::size_t mask_ = kInitialCapacity - 1;
  std::size_t count_ = 0;
  bool wide_ = false;
};

}  // namespace tcpscope::track
