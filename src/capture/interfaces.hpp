// -D: the interfaces libpcap can capture on.
#pragma once
#include <string>
#include <vector>

#include "core/status.hpp"

namespace tcpscope::capture {

struct InterfaceInfo {
  std::string name;
  std::string description;  // may be empty
  std::string flags_text;   // tcpdump's "Up, Running, Loopback" text, may be empty
};

std::vector<InterfaceInfo> list_interfaces(Error& error);

// tcpdump's -i N: a number that is not an interface name means the N-th
// interface of the -D list. Anything else is returned unchanged.
std::string resolve_interface(const std::string& name_or_number, Error& error);

}  // namespace tcpscope::capture
