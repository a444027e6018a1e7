// Flat open-addressing hash table from a full 4-tuple to a connection slot.
// It stores (hash, slot) pairs only; the key lives in the connection and is
// compared in full (never a hash-only match). Linear probing with
// backward-shift deletion; no allocation except when it grows.
#pragma once
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
inline std::uint64_t flow_hash(const FourTuple& key) {
  if (key.a.addr.family != 4 || key.b.addr.family != 4) return FourTupleHash{}(key);
  std::uint32_t a, b;
  std::memcpy(&a, key.a.addr.bytes.data(), 4);
  std::memcpy(&b, key.b.addr.bytes.data(), 4);
  std::uint64_t h =
      (std::uint64_t{a} << 32 | b) ^ ((std::uint64_t{key.a.port} << 16 | key.b.port) * 0x9E3779B97F4A7C15ull);
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
  return h ^ (h >> 31);
}

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

  // Slot whose stored key satisfies matches(slot), among those stored under `hash`, or kNone.
  template <class Matches>
  std::uint32_t find_if(std::uint64_t hash, Matches&& matches) const {
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t i = hash & mask_;; i = (i + 1) & mask_) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.tag == tag && matches(e.slot)) return e.slot;
    }
  }

  // Prefetch hints (no effect on results): the bucket `hash` starts probing at,
  // and the first slot stored there under the same tag (kNone when none).
  [[gnu::always_inline]] void prefetch(std::uint64_t hash) const {
    __builtin_prefetch(&entries_[hash & mask_]);
  }
  std::uint32_t first_candidate(std::uint64_t hash) const {
    const std::uint32_t tag = tag_of(hash);
    for (std::size_t i = hash & mask_, probes = 0; probes < 4; i = (i + 1) & mask_, ++probes) {
      const Entry& e = entries_[i];
      if (e.slot == kNone) return kNone;
      if (e.tag == tag) return e.slot;
    }
    return kNone;
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
