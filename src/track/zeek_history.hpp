// Zeek's connection history string (tcp-semantics.md §1.6): one letter per
// event, uppercase for the originator, with Zeek's repeat rules: A D I Q once
// per direction (a seen-mask), S H F R again only on a new sequence number (the
// caller checks), and C G T W on a logarithmic scale (1, 10, 100, ...).
// Fixed capacity, no allocation.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
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
// R I Q C G T W in both cases and '^'): the first 10 letters and the seen-mask's 14
// bits in one 64-bit word, and the length: 9 bytes.
class ZeekHistory {
 public:
  static constexpr std::size_t kCapacity = ZeekHistoryText::kCapacity;
  // Letters kept inline; the rest (long histories are rare) in the owner's Tail,
  // which it passes in (ZeekSession: its rare block, allocated when a history gets that long).
  // (10: with the seen-mask, one 64-bit word; the histories of bench/out/run's big and many
  // captures have at most 10 letters)
  static constexpr std::size_t kInline = 10;
  using Tail = std::array<std::uint8_t, kCapacity - kInline>;  // one letter code a byte

  // `tail`: needed (non-null) once length() > kInline.
  ZeekHistoryText text(const Tail* tail = nullptr) const {
    ZeekHistoryText t;
    const std::size_t n = length();
    const std::uint64_t w = word();
    for (std::size_t i = 0; i < n && i < kInline; ++i) t.chars[i] = kAlphabet[(w >> (5 * i)) & 0x1F];
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
  bool is(char c) const { return length() == 1 && kAlphabet[word() & 0x1F] == c; }
  std::uint32_t seen() const {
    const std::uint32_t packed = seen_packed(word());
    return (packed & 0x7Fu) | ((packed & 0x3F80u) << 9);
  }

  // `tail`: needed (non-null) when next_in_tail().
  void add(char c, Tail* tail = nullptr) {
    const std::size_t n = length();
    if (n < kCapacity) {
      if (n < kInline) {
        const unsigned shift = static_cast<unsigned>(5 * n);
        set_word((word() & ~(std::uint64_t{0x1F} << shift)) | (std::uint64_t{code_of(c)} << shift));
      } else {
        (*tail)[n - kInline] = code_of(c);
      }
      len_and_truncated_ = static_cast<std::uint8_t>((len_and_truncated_ & kTruncatedBit) | (n + 1));
    } else {
      len_and_truncated_ |= kTruncatedBit;
    }
  }
  bool check(std::uint32_t mask, char c, Tail* tail = nullptr) {
    const std::uint64_t packed = std::uint64_t{pack(mask)} << kSeenShift;
    const std::uint64_t w = word();
    if ((w & packed) == 0) {
      set_word(w | packed);
      add(c, tail);
      return false;
    }
    return true;
  }
  void rewrite_as_flipped_syn_ack() {
    len_and_truncated_ = 0;
    add('^');
    add('h');
    set_word((word() & kLettersMask) | (std::uint64_t{pack(zeek_hist::syn << 16)} << kSeenShift));
  }

 private:
  static constexpr char kAlphabet[] = "SHADFRIQCGTWshadfriqcgtw^";
  static constexpr std::uint8_t kLenMask = 0x3F;
  static constexpr std::uint8_t kTruncatedBit = 0x80;
  static_assert(kCapacity <= kLenMask);
  static constexpr unsigned kSeenShift = 5 * kInline;  // the seen-mask's 14 bits above the letters
  static_assert(kSeenShift + 14 <= 64);
  static constexpr std::uint64_t kLettersMask = (std::uint64_t{1} << kSeenShift) - 1;

  static constexpr std::uint8_t code_of(char c) {
    for (std::size_t i = 0; i + 1 < sizeof(kAlphabet); ++i)
      if (kAlphabet[i] == c) return static_cast<std::uint8_t>(i);
    return sizeof(kAlphabet) - 2;  // not a history letter (never added): '^'
  }
  // The seen-mask's 7 bits of each direction side by side (bits 0-6 and 16-22 of the mask).
  static constexpr std::uint32_t pack(std::uint32_t mask) { return (mask & 0x7Fu) | ((mask >> 9) & 0x3F80u); }
  static constexpr std::uint32_t seen_packed(std::uint64_t w) {
    return static_cast<std::uint32_t>(w >> kSeenShift) & 0x3FFFu;
  }
  std::uint64_t word() const {
    std::uint64_t w;
    std::memcpy(&w, word_.data(), sizeof w);
    return w;
  }
  void set_word(std::uint64_t w) { std::memcpy(word_.data(), &w, sizeof w); }
  // Byte-aligned (ZeekSession packs it after its 8-byte members without padding).
  std::array<std::uint8_t, 8> word_{};
  std::uint8_t len_and_truncated_ = 0;  // the length in bits 0-5; bit 7: letters were dropped
};

}  // namespace tcpscope::track
