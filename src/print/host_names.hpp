// Host names for printing without -n, as tcpdump's ipaddr_string()/ip6addr_string()
// find them: a reverse lookup through the system resolver (gethostbyaddr, so
// /etc/hosts first), the numeric form when there is no name, each address looked
// up once and remembered for the rest of the run (a member cache, no statics).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/addr.hpp"

namespace tcpscope::print {

class HostNames {
 public:
  // The reverse lookup: the host's name, or "" when it has none (the system resolver
  // by default; tests give their own).
  using Lookup = std::string (*)(const IpAddr& addr);
  static std::string system_lookup(const IpAddr& addr);

  // `strip_domain` (tcpdump's -N): a name is printed up to its first dot.
  explicit HostNames(bool strip_domain = false, Lookup lookup = &system_lookup)
      : strip_domain_(strip_domain), lookup_(lookup) {}

  // The name to print for `addr` (at most kMaxNameLen characters). The view stays
  // valid for the lifetime of this object.
  std::string_view name(const IpAddr& addr);

  static constexpr std::size_t kMaxNameLen = 255;

 private:
  bool strip_domain_;
  Lookup lookup_;
  struct KeyHash {
    std::size_t operator()(const IpAddr& a) const noexcept;
  };
  std::unordered_map<IpAddr, std::string, KeyHash> names_;
};

}  // namespace tcpscope::print
