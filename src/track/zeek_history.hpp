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

// The history letters as text (what ZeekHistory::text() decodes).
struct ZeekHistoryText {
  static constexpr std::size_t kCapacity = 38;
  std::array<char, kCapacity> chars{};
  std::uint8_t len = 0;

  std::string_view view() const { return {chars.data(), len}; }
  std::size_t size() const { return len; }
  bool empty() const { return len == 0; }
  friend bool operator==(const ZeekHistoryText& t, std::string_view s) { return t.view() == s; }
};

// Zeek's history letters packed 5 bits each (the 25 letters it can hold: S H A D F
// R I Q C G T W in both cases and '^'): 38 letters in 24 bytes instead of 38.
class ZeekHistory {
 public:
  static constexpr std::size_t kCapacity = ZeekHistoryText::kCapacity;
  // Letters kept inline; the rest (long histories are rare) in the owner's Tail,
  // which it passes in (ZeekSession: its rare block, allocated when a history gets that long).
  // (12: 8 bytes and 3, ZeekSession's 140 bytes, the 4 left in its tail padding are Connection's;
  // the histories of bench/out/run's big and many captures have at most 10 letters)
  static constexpr std::size_t kInline = 12;
  using Tail = std::array<std::uint8_t, kCapacity - kInline>;  // one letter code a byte

  // `tail`: needed (non-null) once length() > kInline.
  ZeekHistoryText text(const Tail* tail = nullptr) const {
    ZeekHistoryText t;
    const std::size_t n = length();
    for (std::size_t i = 0; i < n && i < kInline; ++i) t.chars[i] = kAlphabet[code_at(i)];
    for (std::size_t i = kInline; i < n; ++i) t.chars[i] = kAlphabet[(*tail)[i - kInline]];
    t.len = static_cast<std::uint8_t>(n);
    return t;
  }
  // Whether the next add() needs the tail.
  bool next_in_tail() const { return length() >= kInline && length() < kCapacity; }
  std::size_t length() const { return len_and_truncated_ & kLenMask; }
  bool empty() const { return length() == 0; }
  bool truncated() const { return (len_and_truncated_ & kTruncatedBit) != 0; }
  // A one-letter history equal to c.
  bool is(char c) const { return length() == 1 && kAlphabet[code_at(0)] == c; }
  std::uint32_t seen() const {
    const std::uint32_t packed = seen_packed();
    return (packed & 0x7Fu) | ((packed & 0x7F00u) << 8);
  }

  // `tail`: needed (non-null) when next_in_tail().
  void add(char c, Tail* tail = nullptr) {
    const std::size_t n = length();
    if (n < kCapacity) {
      if (n < kInline)
        set_code(n, code_of(c));
      else
        (*tail)[n - kInline] = code_of(c);
      len_and_truncated_ = static_cast<std::uint8_t>((len_and_truncated_ & kTruncatedBit) | (n + 1));
    } else {
      len_and_truncated_ |= kTruncatedBit;
    }
  }
  bool check(std::uint32_t mask, char c, Tail* tail = nullptr) {
    const std::uint16_t packed = pack(mask);
    if ((seen_packed() & packed) == 0) {
      set_seen_packed(static_cast<std::uint16_t>(seen_packed() | packed));
      add(c, tail);
      return false;
    }
    return true;
  }
  void rewrite_as_flipped_syn_ack() {
    len_and_truncated_ = 0;
    add('^');
    add('h');
    set_seen_packed(pack(zeek_hist::syn << 16));
  }

 private:
  static constexpr char kAlphabet[] = "SHADFRIQCGTWshadfriqcgtw^";
  static constexpr std::uint8_t kLenMask = 0x3F;
  static constexpr std::uint8_t kTruncatedBit = 0x80;
  static_assert(kCapacity <= kLenMask);

  static constexpr std::uint8_t code_of(char c) {
    for (std::size_t i = 0; i + 1 < sizeof(kAlphabet); ++i)
      if (kAlphabet[i] == c) return static_cast<std::uint8_t>(i);
    return sizeof(kAlphabet) - 2;  // not a history letter (never added): '^'
  }
  std::uint8_t code_at(std::size_t i) const {
    const std::size_t bit = i * 5;
    unsigned v = bits_[bit / 8];
    if (bit / 8 + 1 < bits_.size()) v |= unsigned{bits_[bit / 8 + 1]} << 8;
    return static_cast<std::uint8_t>((v >> (bit % 8)) & 0x1F);
  }
  void set_code(std::size_t i, std::uint8_t code) {
    const std::size_t bit = i * 5;
    const unsigned shifted = unsigned{code} << (bit % 8);
    const unsigned clear = ~(0x1Fu << (bit % 8));
    bits_[bit / 8] = static_cast<std::uint8_t>((bits_[bit / 8] & clear) | shifted);
    if (bit / 8 + 1 < bits_.size())
      bits_[bit / 8 + 1] = static_cast<std::uint8_t>((bits_[bit / 8 + 1] & (clear >> 8)) | (shifted >> 8));
  }
  static constexpr std::uint16_t pack(std::uint32_t mask) {
    return static_cast<std::uint16_t>((mask & 0x7Fu) | ((mask >> 8) & 0x7F00u));
  }
  std::array<std::uint8_t, (kInline * 5 + 7) / 8> bits_{};
  std::uint8_t len_and_truncated_ = 0;  // the length in bits 0-5; bit 7: letters were dropped
  // The seen-mask in two bytes (byte-aligned: the whole history is 27 bytes).
  std::uint8_t seen_lo_ = 0;
  std::uint8_t seen_hi_ = 0;
  std::uint16_t seen_packed() const { return static_cast<std::uint16_t>(seen_lo_ | (seen_hi_ << 8)); }
  void set_seen_packed(std::uint16_t v) {
    seen_lo_ = static_cast<std::uint8_t>(v);
    seen_hi_ = static_cast<std::uint8_t>(v >> 8);
  }
};

}  // namespace tcpscope::track
