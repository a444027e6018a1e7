#include "print/host_names.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

namespace tcpscope::print {

std::size_t HostNames::KeyHash::operator()(const IpAddr& a) const noexcept {
  std::uint64_t w[2];
  std::memcpy(w, a.bytes.data(), 16);
  const std::uint64_t h = (w[0] * 0x9e3779b97f4a7c15ull) ^ (w[1] + a.family) * 0xff51afd7ed558ccdull;
  return static_cast<std::size_t>(h ^ (h >> 31));
}

std::string HostNames::system_lookup(const IpAddr& addr) {
  const bool v6 = addr.is_v6();
  const hostent* h = gethostbyaddr(addr.bytes.data(), v6 ? 16 : 4, v6 ? AF_INET6 : AF_INET);
  return h != nullptr && h->h_name != nullptr ? std::string(h->h_name) : std::string();
}

std::string_view HostNames::name(const IpAddr& addr) {
  if (auto it = names_.find(addr); it != names_.end()) return it->second;
  std::string text = lookup_(addr);
  if (!text.empty()) {
    if (strip_domain_)
      text.resize(std::min(text.size(), text.find('.')));  // as tcpdump -N: up to the first dot
  } else {
    const bool v6 = addr.is_v6();
    char buf[INET6_ADDRSTRLEN];
    if (inet_ntop(v6 ? AF_INET6 : AF_INET, addr.bytes.data(), buf, sizeof buf) != nullptr) text = buf;
  }
  if (text.size() > kMaxNameLen) text.resize(kMaxNameLen);
  return names_.emplace(addr, std::move(text)).first->second;
}

}  // namespace tcpscope::print
