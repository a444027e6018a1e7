// IP addresses, endpoints and 4-tuples as plain values.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace tcpscope {

struct IpAddr {
  std::array<std::uint8_t, 16> bytes{};  // IPv4 in the first 4 bytes
  std::uint8_t family = 0;               // 4 or 6; 0 = unset

  static IpAddr v4(const std::uint8_t* p) {
    IpAddr a;
    // Two whole 8-byte words (the address zero-extended, then zeros), not 4 bytes and
    // then the rest: a decoded address is read back at once (its words compared and
    // hashed, or the 16 bytes copied), and a load that spans several smaller stores
    // cannot be forwarded from them: it waits until they are written (millions a second).
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    const std::uint64_t first = std::endian::native == std::endian::little ? w : std::uint64_t{w} << 32;
    const std::uint64_t words[2] = {first, 0};
    std::memcpy(a.bytes.data(), words, sizeof words);
    a.family = 4;
    return a;
  }
  static IpAddr v6(const std::uint8_t* p) {
    IpAddr a;
    std::memcpy(a.bytes.data(), p, 16);
    a.family = 6;
    return a;
  }
  bool is_v4() const { return family == 4; }
  bool is_v6() const { return family == 6; }
  std::string to_string() const;  // inet_ntop form
  auto operator<=>(const IpAddr&) const = default;
};

struct Endpoint {
  IpAddr addr;
  std::uint16_t port = 0;
  auto operator<=>(const Endpoint&) const = default;
};

struct FourTuple {
  Endpoint a;  // canonical: a <= b
  Endpoint b;
  auto operator<=>(const FourTuple&) const = default;
  // Canonical tuple of a segment from src to dst; `reversed` tells whether src is `b`.
  static FourTuple canonical(const Endpoint& src, const Endpoint& dst, bool& reversed) {
    reversed = dst < src;
    return reversed ? FourTuple{dst, src} : FourTuple{src, dst};
  }
};

struct FourTupleHash {
  std::size_t operator()(const FourTuple& t) const noexcept;
};

}  // namespace tcpscope
