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
#include <memory>

namespace tcpscope::track {

template <std::size_t N, class Rare>
class RareBlock {
 public:
  RareBlock() = default;
  RareBlock(const RareBlock& o) : block_(o.block_ ? std::make_unique<Block>(*o.block_) : nullptr) {}
  RareBlock(RareBlock&&) noexcept = default;
  RareBlock& operator=(const RareBlock& o) {
    if (this != &o) block_ = o.block_ ? std::make_unique<Block>(*o.block_) : nullptr;
    return *this;
  }
  RareBlock& operator=(RareBlock&&) noexcept = default;

  bool allocated() const { return block_ != nullptr; }
  void reset() { block_.reset(); }

  // The 64-bit value whose low half is `low` and whose high half is slot i's.
  std::uint64_t get(std::uint32_t low, std::size_t i) const { return (std::uint64_t{word(i)} << 32) | low; }
  // Stores v: its low half in `low`, its high half in slot i.
  void set(std::uint32_t& low, std::size_t i, std::uint64_t v) {
    low = static_cast<std::uint32_t>(v);
    set_word(i, static_cast<std::uint32_t>(v >> 32));
  }
  // A 32-bit value kept only here (0 while the block is not allocated).
  std::uint32_t word(std::size_t i) const { return block_ ? block_->high[i] : 0; }
  void set_word(std::size_t i, std::uint32_t w) {
    if (!block_ && w == 0) return;  // 0 is what an absent block reads as
    rare_for_write();
    block_->high[i] = w;
  }

  // The rare part: null until allocated (it is then value-initialized).
  const Rare* rare() const { return block_ ? &block_->rare : nullptr; }
  Rare& rare_for_write() {
    if (!block_) block_ = std::make_unique<Block>();  // zeroed: every high half was 0 until now
    return block_->rare;
  }

 private:
  struct Block {
    std::array<std::uint32_t, N> high{};
    Rare rare{};
  };
  std::unique_ptr<Block> block_;
};

}  // namespace tcpscope::track
