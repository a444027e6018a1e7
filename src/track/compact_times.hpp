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
#include <optional>

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

template <std::size_t N>
class CompactTimes {
 public:
  using Wide = std::array<std::int64_t, N>;  // the 64-bit times, once they are needed

  CompactTimes() { codes_.fill(kZero); }

  // Every time back to 0 (the owner also drops its 64-bit times).
  void reset() { codes_.fill(kZero); }

  // Time i; `wide` is the owner's 64-bit times once it has switched to them, else null.
  std::int64_t get(std::size_t i, std::int64_t base_ns, const Wide* wide) const {
    return wide ? (*wide)[i] : decode(codes_[i], base_ns);
  }
  // Stores time i as an offset; false when it does not fit (the owner then switches
  // to 64-bit times with widen() and stores it there).
  bool set_narrow(std::size_t i, std::int64_t ns, std::int64_t base_ns) {
    const std::uint32_t code = encode(ns, base_ns);
    if (code == kNoFit) return false;
    codes_[i] = code;
    return true;
  }
  // All the times in 64 bits.
  void widen(std::int64_t base_ns, Wide& wide) const {
    for (std::size_t i = 0; i < N; ++i) wide[i] = decode(codes_[i], base_ns);
  }

 private:
  static constexpr std::uint32_t kMinusOne = 0xFFFF'FFFFu;
  static constexpr std::uint32_t kZero = 0xFFFF'FFFEu;
  static constexpr std::uint32_t kNoFit = 0xFFFF'FFFDu;  // never stored
  static constexpr std::uint32_t kMaxOffsetUs = kNoFit - 1;

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
  std::array<std::uint32_t, N> codes_;
};

}  // namespace tcpscope::track
