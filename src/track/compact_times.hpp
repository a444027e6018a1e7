// The capture times one connection keeps (its last segment, the handshake times,
// the RTT timing, Zeek's timer deadlines), stored as 32-bit microsecond offsets
// from the connection's first segment: 4 bytes each instead of 8. Exact: a time
// that is not a whole number of microseconds after the first segment, earlier than
// it, or more than ~71 minutes after it switches the connection to 64-bit times
// kept in one heap block (ns-precision captures and long connections pay 8 bytes a
// time plus the block; the usual microsecond capture of short connections never
// does). The values 0 and -1 (the "none" markers of the fields) are stored as such.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tcpscope::track {

template <std::size_t N>
class CompactTimes {
 public:
  CompactTimes() { codes_.fill(kZero); }
  CompactTimes(const CompactTimes& o) : codes_(o.codes_) {
    if (o.wide_) {
      wide_ = std::make_unique<std::int64_t[]>(N);
      for (std::size_t i = 0; i < N; ++i) wide_[i] = o.wide_[i];
    }
  }
  CompactTimes(CompactTimes&&) noexcept = default;
  CompactTimes& operator=(const CompactTimes& o) {
    if (this != &o) *this = CompactTimes(o);
    return *this;
  }
  CompactTimes& operator=(CompactTimes&&) noexcept = default;

  // Every time back to 0, 32-bit offsets again.
  void reset() {
    wide_.reset();
    codes_.fill(kZero);
  }
  bool wide() const { return wide_ != nullptr; }

  std::int64_t get(std::size_t i, std::int64_t base_ns) const {
    if (wide_) return wide_[i];
    return decode(codes_[i], base_ns);
  }
  void set(std::size_t i, std::int64_t ns, std::int64_t base_ns) {
    if (!wide_) {
      if (const std::uint32_t code = encode(ns, base_ns); code != kNoFit) {
        codes_[i] = code;
        return;
      }
      widen(base_ns);
    }
    wide_[i] = ns;
  }

 private:
  static constexpr std::uint32_t kMinusOne = 0xFFFF'FFFFu;
  static constexpr std::uint32_t kZero = 0xFFFF'FFFEu;
  static constexpr std::uint32_t kNoFit = 0xFFFF'FFFDu;  // never stored
  static constexpr std::int64_t kMaxOffsetUs = kNoFit - 1;

  static std::uint32_t encode(std::int64_t ns, std::int64_t base_ns) {
    if (ns == -1) return kMinusOne;
    if (ns == 0) return kZero;
    // Differences of two int64 times: as unsigned, then checked (no overflow).
    const std::uint64_t diff = static_cast<std::uint64_t>(ns) - static_cast<std::uint64_t>(base_ns);
    if (ns < base_ns || diff % 1000 != 0 || diff / 1000 > static_cast<std::uint64_t>(kMaxOffsetUs))
      return kNoFit;
    return static_cast<std::uint32_t>(diff / 1000);
  }
  static std::int64_t decode(std::uint32_t code, std::int64_t base_ns) {
    if (code == kMinusOne) return -1;
    if (code == kZero) return 0;
    return base_ns + std::int64_t{code} * 1000;
  }
  void widen(std::int64_t base_ns) {
    wide_ = std::make_unique<std::int64_t[]>(N);
    for (std::size_t i = 0; i < N; ++i) wide_[i] = decode(codes_[i], base_ns);
  }

  std::unique_ptr<std::int64_t[]> wide_;  // null while every time fits in codes_
  std::array<std::uint32_t, N> codes_;
};

}  // namespace tcpscope::track
