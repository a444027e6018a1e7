// Capture timestamps. The sub-second part is kept as the file gave it (scaled to
// nanoseconds), even when invalid (>= 1e9), because tcpdump prints it as is.
#pragma once
#include <cstdint>

namespace tcpscope {

struct Timestamp {
  std::int64_t sec = 0;
  std::int64_t nsec = 0;  // normally [0, 1e9); may be larger in damaged files

  constexpr std::int64_t ns() const { return sec * 1'000'000'000 + nsec; }
  constexpr double seconds() const { return static_cast<double>(sec) + static_cast<double>(nsec) * 1e-9; }
  constexpr bool operator==(const Timestamp&) const = default;
};

// Durations are plain nanoseconds.
using DurationNs = std::int64_t;
constexpr DurationNs operator-(const Timestamp& a, const Timestamp& b) { return a.ns() - b.ns(); }

}  // namespace tcpscope
