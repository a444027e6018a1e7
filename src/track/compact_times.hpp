// The capture times one connection keeps (its last segment, the handshake times,
// the RTT timing, Zeek's timer deadlines), stored as 32-bit microsecond offsets
// from the connection's first segment: 4 bytes each instead of 8. Exact: a time
// that is not a whole number of microseconds after the first segment, earlier than
// it, or more than ~71 minutes after it switches the connection to 64-bit times
// kept in one heap block (ns-precision captures and long connections pay 8 bytes a
// time plus the block; the usual microsecond capture of short connections never
// does). The values 0 and -1 (the "none" markers of the fields) are stored as such.
// The owner keeps the 64-bit times (ZeekSession: in its rare block, compact_wide.hpp)
// and passes them in once it has switched to them.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <type_traits>

namespace tcpscope::track {

// `ns` as whole microseconds after `base_ns`, when it is that and at most `max_us`
// (else nullopt): the offset the compact times store.
inline std::optional<std::uint32_t> microseconds_after(std::int64_t ns, std::int64_t base_ns,
                                                       std::uint32_t max_us) {
  // Differences of two int64 times: as unsigned, then checked (no overflow).
  const std::uint64_t diff = static_cast<std::uint64_t>(ns) - static_cast<std::uint64_t>(base_ns);
  if (ns < base_ns || diff % 1000 != 0 || diff / 1000 > max_us) return std::nullopt;
  return static_cast<std::uint32_t>(diff / 1000);
}

// N times; the last `Packed` of them (0 or up to 3: a connection's handshake times, which are
// -1 or a few milliseconds after the first segment) take 21 bits each in one 64-bit word,
// with offsets up to ~2.1 s (a later one switches to 64-bit times like any other misfit).
template <std::size_t N, std::size_t Packed = 0>
class CompactTimes {
 public:
  using Wide = std::array<std::int64_t, N>;  // the 64-bit times, once they are needed
  static_assert(Packed <= 3 && Packed <= N);

  CompactTimes() { reset(); }

  // Every time back to 0 (the owner also drops its 64-bit times).
  void reset() {
    codes_.fill(kZero);
    std::uint64_t w = 0;
    for (std::size_t j = 0; j < Packed; ++j) w |= std::uint64_t{kPackedZero} << (kPackedBits * j);
    set_packed_word(w);
  }

  // Time i; `wide` is the owner's 64-bit times once it has switched to them, else null.
  std::int64_t get(std::size_t i, std::int64_t base_ns, const Wide* wide) const {
    return wide ? (*wide)[i] : narrow(i, base_ns);
  }
  // Time i as stored here (not the 64-bit times), for an owner that keeps those itself.
  std::int64_t narrow(std::size_t i, std::int64_t base_ns) const {
    if (i < kWords) return decode(codes_[i], base_ns);
    return decode_packed(packed_code(i - kWords), base_ns);
  }
  // The same for a time that is not one of the packed ones (i < N - Packed): no test for them.
  std::int64_t narrow_word(std::size_t i, std::int64_t base_ns) const { return decode(codes_[i], base_ns); }
  bool set_narrow_word(std::size_t i, std::int64_t ns, std::int64_t base_ns) {
    const std::uint32_t code = encode(ns, base_ns);
    if (code == kNoFit) return false;
    codes_[i] = code;
    return true;
  }
  static constexpr bool is_word(std::size_t i) { return i < kWords; }
  // Stores time i as an offset; false when it does not fit (the owner then switches
  // to 64-bit times with widen() and stores it there).
  bool set_narrow(std::size_t i, std::int64_t ns, std::int64_t base_ns) {
    if (i >= kWords) {
      const std::uint32_t code = encode_packed(ns, base_ns);
      if (code == kNoFit) return false;
      const unsigned shift = static_cast<unsigned>(kPackedBits * (i - kWords));
      set_packed_word((packed_word() & ~(std::uint64_t{kPackedMask} << shift)) |
                      (std::uint64_t{code} << shift));
      return true;
    }
    const std::uint32_t code = encode(ns, base_ns);
    if (code == kNoFit) return false;
    codes_[i] = code;
    return true;
  }
  // The packed word's 64th bit, which three 21-bit times leave free, for the owner's use
  // (reset() clears it; storing a packed time keeps it).
  bool spare_bit() const {
    static_assert(Packed == 3);
    return (packed_word() >> 63) != 0;
  }
  void set_spare_bit(bool b) {
    static_assert(Packed == 3);
    set_packed_word((packed_word() & ~(std::uint64_t{1} << 63)) | (std::uint64_t{b} << 63));
  }
  // All the times in 64 bits.
  void widen(std::int64_t base_ns, Wide& wide) const {
    for (std::size_t i = 0; i < N; ++i) wide[i] = get(i, base_ns, nullptr);
  }

 private:
  static constexpr std::size_t kWords = N - Packed;
  static constexpr std::uint32_t kMinusOne = 0xFFFF'FFFFu;
  static constexpr std::uint32_t kZero = 0xFFFF'FFFEu;
  static constexpr std::uint32_t kNoFit = 0xFFFF'FFFDu;  // never stored
  static constexpr std::uint32_t kMaxOffsetUs = kNoFit - 1;
  static constexpr unsigned kPackedBits = 21;
  static constexpr std::uint32_t kPackedMask = (1u << kPackedBits) - 1;
  static constexpr std::uint32_t kPackedMinusOne = kPackedMask;
  static constexpr std::uint32_t kPackedZero = kPackedMask - 1;
  static constexpr std::uint32_t kPackedMaxOffsetUs = kPackedMask - 2;  // ~2.1 s

  static std::uint32_t encode(std::int64_t ns, std::int64_t base_ns) {
    if (ns == -1) return kMinusOne;
    if (ns == 0) return kZero;
    const std::optional<std::uint32_t> us = microseconds_after(ns, base_ns, kMaxOffsetUs);
    return us ? *us : kNoFit;
  }
  static std::int64_t decode(std::uint32_t code, std::int64_t base_ns) {
    if (code == kMinusOne) return -1;
    if (code == kZero) return 0;
    return base_ns + std::int64_t{code} * 1000;
  }
  static std::uint32_t encode_packed(std::int64_t ns, std::int64_t base_ns) {
    if (ns == -1) return kPackedMinusOne;
    if (ns == 0) return kPackedZero;
    const std::optional<std::uint32_t> us = microseconds_after(ns, base_ns, kPackedMaxOffsetUs);
    return us ? *us : kNoFit;
  }
  static std::int64_t decode_packed(std::uint32_t code, std::int64_t base_ns) {
    if (code == kPackedMinusOne) return -1;
    if (code == kPackedZero) return 0;
    return base_ns + std::int64_t{code} * 1000;
  }
  std::uint32_t packed_code(std::size_t j) const {
    return static_cast<std::uint32_t>(packed_word() >> (kPackedBits * j)) & kPackedMask;
  }
  std::uint64_t packed_word() const {
    std::uint64_t w = 0;
    if constexpr (Packed > 0) std::memcpy(&w, packed_.data(), sizeof w);
    return w;
  }
  void set_packed_word(std::uint64_t w) {
    if constexpr (Packed > 0) std::memcpy(packed_.data(), &w, sizeof w);
  }
  std::array<std::uint32_t, kWords> codes_;
  // The packed times' word, as bytes (4-byte alignment, no padding); none when Packed is 0.
  struct NoPackedTimes {};
  [[no_unique_address]] std::conditional_t<Packed == 0, NoPackedTimes, std::array<std::uint8_t, 8>> packed_{};
};

}  // namespace tcpscope::track
