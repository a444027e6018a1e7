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

// A letter that Zeek adds at 1, 10, 100, ... occurrences (C, G, T, W).
struct ZeekScaledCounter {
  std::uint32_t count = 0;
  std::uint32_t threshold = 1;
  // Counts one occurrence; true when the letter must be appended now.
  bool tick() {
    if (++count != threshold) return false;
    const std::uint32_t next = threshold * 10;
    if (next <= threshold)
      count = 0;  // wrapped: keep the threshold, restart the count
    else
      threshold = next;
    return true;
  }
};

class ZeekHistory {
 public:
  static constexpr std::size_t kCapacity = 38;

  std::string_view view() const { return {chars_.data(), len_}; }
  bool truncated() const { return truncated_; }
  std::uint32_t seen() const { return seen_; }

  void add(char c) {
    if (len_ < kCapacity)
      chars_[len_++] = c;
    else
      truncated_ = true;
  }
  // Zeek's CheckHistory: appends `c` the first time `mask` is seen and returns
  // false; returns true when the mask was seen before (nothing appended).
  bool check(std::uint32_t mask, char c) {
    if ((seen_ & mask) == 0) {
      seen_ |= mask;
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
    seen_ = zeek_hist::syn << 16;
  }

 private:
  std::array<char, kCapacity> chars_{};
  std::uint8_t len_ = 0;
  bool truncated_ = false;
  std::uint32_t seen_ = 0;
};

}  // namespace tcpscope::track
