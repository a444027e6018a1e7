// Internet checksum (RFC 1071) and the TCP/UDP pseudo-header sums for IPv4 and IPv6.
#pragma once
#include <cstdint>

#include "core/addr.hpp"
#include "core/bytes.hpp"

namespace tcpscope::decode {

// One's-complement sum of 16-bit big-endian words (odd trailing byte padded), not folded.
std::uint32_t checksum_add(std::uint32_t sum, ByteView data);
// Fold to 16 bits and complement: the value a checksum field must hold.
std::uint16_t checksum_finish(std::uint32_t sum);
// Checksum over `data` alone (e.g. an IPv4 header): 0 when the stored checksum is right.
std::uint16_t internet_checksum(ByteView data);
// Sum of the pseudo-header for an upper-layer segment of `length` bytes with protocol `proto`.
std::uint32_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto,
                                std::uint32_t length);

}  // namespace tcpscope::decode
