#include "core/addr.hpp"

#include <arpa/inet.h>

namespace tcpscope {

std::string IpAddr::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == 4) inet_ntop(AF_INET, bytes.data(), buf, sizeof buf);
  else if (family == 6) inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::size_t FourTupleHash::operator()(const FourTuple& t) const noexcept {
  // FNV-1a over the full tuple, then a final mix; the key itself is compared in full.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::uint8_t* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  const std::size_t n = (t.a.addr.family == 6) ? 16 : 4;
  mix(t.a.addr.bytes.data(), n);
  mix(t.b.addr.bytes.data(), n);
  std::uint8_t ports[4] = {static_cast<std::uint8_t>(t.a.port >> 8), static_cast<std::uint8_t>(t.a.port),
                           static_cast<std::uint8_t>(t.b.port >> 8), static_cast<std::uint8_t>(t.b.port)};
  mix(ports, 4);
  h ^= h >> 33;
  return static_cast<std::size_t>(h);
}

}  // namespace tcpscope
