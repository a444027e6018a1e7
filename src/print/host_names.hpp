// Host names for printing without -n, as tcpdump's ipaddr_string()/ip6addr_string()
// find them: one reverse lookup per distinct address (hosts file, then the
// resolver), the numeric form when there is no name, cached for the whole run in
// a member map (no statics).
#pragma once
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/addr.hpp"

namespace tcpscope::print::detail {

class HostNames {
 public:
  // The name to print for `addr`; the view stays valid for the lifetime of this object.
  std::string_view name(const IpAddr& addr);

 private:
  struct Hash {
    std::size_t operator()(const IpAddr& a) const noexcept;
  };
  std::unordered_map<IpAddr, std::string, Hash> cache_;
};

}  // namespace tcpscope::print::detail
