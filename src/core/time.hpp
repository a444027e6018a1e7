// Capture timestamps. The sub-second part is kept as the file gave it (scaled to
// nanoseconds), even when invalid (>= 1e9), because tcpdump prints it as is.
#pragma once
#include <cstdint>

namespace tcpscope {

struct Timestamp {
  std::int64_t sec = 0;
  std::int64_t nsec = 0;  // normally [0, 1e9); may be larger in damaged files

  // Wraps modulo 2^64 (no undefined overflow) for the times past year 2262 that damaged
  // or hostile pcapng files can hold; real captures are far from that.
  constexpr std::int64_t ns() const {
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(sec) * 1'000'000'000u +
                                     static_cast<std::uint64_t>(nsec));
  }
  constexpr double seconds() const { return static_cast<double>(sec) + static_cast<double>(nsec) * 1e-9; }
  constexpr bool operator==(const Timestamp&) const = default;
};

// Durations are plain nanoseconds.
using DurationNs = std::int64_t;
// later - earlier in nanoseconds, wrapping modulo 2^64 instead of overflowing when
// a damaged file puts two timestamps further apart than 292 years.
constexpr DurationNs ns_between(std::int64_t later_ns, std::int64_t earlier_ns) {
  return static_cast<DurationNs>(static_cast<std::uint64_t>(later_ns) - static_cast<std::uint64_t>(earlier_ns));
}
constexpr DurationNs operator-(const Timestamp& a, const Timestamp& b) { return ns_between(a.ns(), b.ns()); }

}  // namespace tcpscope
