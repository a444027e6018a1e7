// What a connection needs only rarely, kept out of it: the high halves of its
// 64-bit values (byte and packet counters, relative sequence positions, sequence
// wrap counts), whose low halves the records keep inline, plus a `Rare` part of
// the owner's choosing (the reassembler's blocks above a hole, 64-bit times). All
// of it lives in one block allocated the first time any of it is needed: exact for
// any value, and a connection that never needs it (no value past 4 Gi, no hole,
// microsecond times) carries one null pointer.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace tcpscope::track {

template <std::size_t N, class Rare>
class RareBlock {
 public:
  RareBlock() = default;
  RareBlock(const RareBlock& o) { set_block(o.block() ? new Block(*o.block()) : nullptr); }
  RareBlock(RareBlock&& o) noexcept : ptr_(o.ptr_) { o.set_block(nullptr); }
  RareBlock& operator=(const RareBlock& o) {
    if (this != &o) {
      Block* copy = o.block() ? new Block(*o.block()) : nullptr;
      delete block();
      set_block(copy);
    }
    return *this;
  }
  RareBlock& operator=(RareBlock&& o) noexcept {
    if (this != &o) {
      delete block();
      ptr_ = o.ptr_;
      o.set_block(nullptr);
    }
    return *this;
  }
  ~RareBlock() { delete block(); }

  bool allocated() const { return block() != nullptr; }
  void reset() {
    delete block();
    set_block(nullptr);
  }

  // The 64-bit value whose low half is `low` and whose high half is slot i's.
  std::uint64_t get(std::uint32_t low, std::size_t i) const { return (std::uint64_t{word(i)} << 32) | low; }
  // Stores v: its low half in `low`, its high half in slot i.
  void set(std::uint32_t& low, std::size_t i, std::uint64_t v) {
    low = static_cast<std::uint32_t>(v);
    set_word(i, static_cast<std::uint32_t>(v >> 32));
  }
  // A 32-bit value kept only here (0 while the block is not allocated).
  std::uint32_t word(std::size_t i) const {
    const Block* b = block();
    return b ? b->high[i] : 0;
  }
  void set_word(std::size_t i, std::uint32_t w) {
    if (!allocated() && w == 0) return;  // 0 is what an absent block reads as
    rare_for_write();
    block()->high[i] = w;
  }

  // The rare part: null until allocated (it is then value-initialized).
  const Rare* rare() const {
    const Block* b = block();
    return b ? &b->rare : nullptr;
  }
  Rare& rare_for_write() {
    Block* b = block();
    if (!b) {
      b = new Block();  // zeroed: every high half was 0 until now
      set_block(b);
    }
    return b->rare;
  }

 private:
  struct Block {
    std::array<std::uint32_t, N> high{};
    Rare rare{};
  };
  Block* block() const {
    Block* b;
    std::memcpy(&b, ptr_.data(), sizeof b);
    return b;
  }
  void set_block(Block* b) { std::memcpy(ptr_.data(), &b, sizeof b); }
  // The owned block's pointer (all zero: none) as bytes, so that the owner keeps 4-byte
  // alignment: a tracked connection is then 4-aligned and its slot has no padding.
  std::array<std::uint8_t, sizeof(void*)> ptr_{};
};

}  // namespace tcpscope::track
