// Zeek's connection history string (tcp-semantics.md §1.6): one letter per
// event, uppercase for the originator, with Zeek's repeat rules: A D I Q once
// per direction (a seen-mask), S H F R again only on a new sequence number (the
// caller checks), and C G T W on a logarithmic scale (1, 10, 100, ...).
// Fixed capacity, no allocation.
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

namespace tcpscope::track {

// Bits of the seen-mask, per direction (the responder's are shifted by 16).
namespace zeek_hist {
inline constexpr std::uint32_t syn = 0x01;
inline constexpr std::uint32_t fin = 0x02;
inline constexpr std::uint32_t rst = 0x04;
inline constexpr std::uint32_t fin_rst = 0x08;
inline constexpr std::uint32_t data = 0x10;
inline constexpr std::uint32_t ack = 0x20;
inline constexpr std::uint32_t multi_flag = 0x40;
}  // namespace zeek_hist

// A letter that Zeek adds at 1, 10, 100, ... occurrences (C, G, T, W). Zeek keeps
// a uint32 count and a uint32 threshold that is multiplied by 10 at each letter;
// the threshold is always the next power of ten above the count, so only the count
// is stored (4 bytes, not 8). Zeek's overflow is kept exactly: after 10^9 the
// threshold becomes 10^10 mod 2^32 = 1,410,065,408; from then on each letter
// restarts the count (bit 31 remembers that state).
struct ZeekScaledCounter {
  static constexpr std::uint32_t kWrappedThreshold = 1'410'065'408u;  // 10^10 mod 2^32
  static constexpr std::uint32_t kWrappedBit = 0x8000'0000u;
  std::uint32_t state = 0;  // the count in bits 0-30; bit 31: the threshold has wrapped

  std::uint32_t count() const { return state & ~kWrappedBit; }
  // Counts one occurrence; true when the letter must be appended now.
  bool tick() {
    const std::uint32_t n = count() + 1;
    if (n == kWrappedThreshold) {  // Zeek: next threshold 10^11 mod 2^32 < this one: restart the count
      state = kWrappedBit;
      return true;
    }
    state = (state & kWrappedBit) | n;
    return (state & kWrappedBit) == 0 && is_power_of_ten(n);
  }

 private:
  static constexpr bool is_power_of_ten(std::uint32_t n) {
    for (std::uint32_t p = 1;; p *= 10) {
      if (p == n) return true;
      if (p > n || p == 1'000'000'000u) return false;
    }
  }
};

class ZeekHistory {
 public:
  static constexpr std::size_t kCapacity = 38;

  std::string_view view() const { return {chars_.data(), len_}; }
  bool truncated() const { return truncated_; }
  // The seen-mask (originator's bits 0-6, responder's 16-22).
  std::uint32_t seen() const { return (seen_ & 0x7Fu) | (std::uint32_t{seen_ & 0x7F00u} << 8); }

  void add(char c) {
    if (len_ < kCapacity)
      chars_[len_++] = c;
    else
      truncated_ = true;
  }
  // Zeek's CheckHistory: appends `c` the first time `mask` is seen and returns
  // false; returns true when the mask was seen before (nothing appended).
  bool check(std::uint32_t mask, char c) {
    const std::uint16_t packed = pack(mask);
    if ((seen_ & packed) == 0) {
      seen_ = static_cast<std::uint16_t>(seen_ | packed);
      add(c);
      return false;
    }
    return true;
  }
  // The SYN-ACK-first flip (§1.2 rule 2): history "H" becomes "^h"; the 'h' is
  // now the responder's SYN.
  void rewrite_as_flipped_syn_ack() {
    len_ = 0;
    add('^');
    add('h');
    seen_ = pack(zeek_hist::syn << 16);
  }

 private:
  // The mask in 16 bits: the responder's bits 16-22 move to 8-14 (42 bytes in all, not 44).
  static constexpr std::uint16_t pack(std::uint32_t mask) {
    return static_cast<std::uint16_t>((mask & 0x7Fu) | ((mask >> 8) & 0x7F00u));
  }
  std::array<char, kCapacity> chars_{};
  std::uint8_t len_ = 0;
  bool truncated_ = false;
  std::uint16_t seen_ = 0;
};

}  // namespace tcpscope::track
