// libpcap DLT_* values the decoder understands (kept here so decode/ does not
// depend on libpcap's headers).
#pragma once
#include <cstdint>

namespace tcpscope::decode::dlt {
inline constexpr int null = 0;
inline constexpr int en10mb = 1;
inline constexpr int ppp = 9;
inline constexpr int raw = 12;
inline constexpr int raw_openbsd = 14;
inline constexpr int ppp_serial = 50;
inline constexpr int raw_linktype = 101;
inline constexpr int loop = 108;
inline constexpr int linux_sll = 113;
inline constexpr int arcnet_linux = 129;
inline constexpr int juniper_ether = 178;
inline constexpr int ipv4 = 228;
inline constexpr int ipv6 = 229;
inline constexpr int ipoib = 242;
inline constexpr int linux_sll2 = 276;
}  // namespace tcpscope::decode::dlt

namespace tcpscope::decode {
// The address family in a DLT_NULL (host byte order of the capturing machine)
// or DLT_LOOP (network byte order) header.
std::uint32_t null_loop_family(const std::uint8_t* header, bool loop);
}  // namespace tcpscope::decode
