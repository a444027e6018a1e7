// Host names for printing without -n (tcpdump's ipaddr_string/ip6addr_string):
// one reverse lookup per distinct address, cached for the whole run.
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include "print/addr_text.hpp"
#include "print/host_names.hpp"
#include "print/packet_walk.hpp"

namespace tcpscope::print::detail {

std::size_t HostNames::Hash::operator()(const IpAddr& a) const noexcept {
  std::uint64_t h = 1469598103934665603ull ^ a.family;
  for (std::uint8_t b : a.bytes) h = (h ^ b) * 1099511628211ull;
  return static_cast<std::size_t>(h);
}

std::string_view HostNames::name(const IpAddr& addr) {
  auto it = cache_.find(addr);
  if (it != cache_.end()) return it->second;
  char host[NI_MAXHOST] = {};
  int rc = EAI_NONAME;
  if (addr.is_v4()) {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    std::memcpy(&sa.sin_addr, addr.bytes.data(), 4);
    rc = getnameinfo(reinterpret_cast<const sockaddr*>(&sa), sizeof sa, host, sizeof host, nullptr, 0,
                     NI_NAMEREQD);
  } else if (addr.is_v6()) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    std::memcpy(&sa.sin6_addr, addr.bytes.data(), 16);
    rc = getnameinfo(reinterpret_cast<const sockaddr*>(&sa), sizeof sa, host, sizeof host, nullptr, 0,
                     NI_NAMEREQD);
  }
  // An empty entry means "no name": the caller prints the number.
  return cache_.emplace(addr, rc == 0 ? std::string(host) : std::string()).first->second;
}

void PacketWalk::address(const std::uint8_t* p, bool v6) {
  if (options.numeric == 0) {
    const std::string_view name = hosts.name(v6 ? IpAddr::v6(p) : IpAddr::v4(p));
    if (!name.empty()) return put(name);
  }
  if (v6)
    append_ipv6(out, p);
  else
    append_ipv4(out, p);
}

}  // namespace tcpscope::print::detail
