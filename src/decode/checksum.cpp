#include "decode/checksum.hpp"

#include <bit>
#include <cstring>

namespace tcpscope::decode {

std::uint32_t checksum_add(std::uint32_t sum, ByteView data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if constexpr (std::endian::native == std::endian::little) {
    // RFC 1071's byte-order independence: sum 32-bit words in host order, fold to
    // 16 bits, swap the two bytes; the folded value is the big-endian sum's (both are
    // 0 only for all-zero data, otherwise the same residue in [1, 0xffff]).
    // Four independent sums of 32-bit words, 32 bytes per step (each sum stays far
    // below 2^64 for any frame), then 8 bytes per step.
    std::uint64_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
    for (; n >= 32; p += 32, n -= 32) {
      std::uint64_t w[4];
      std::memcpy(w, p, 32);
      acc0 += (w[0] & 0xffffffffu) + (w[0] >> 32);
      acc1 += (w[1] & 0xffffffffu) + (w[1] >> 32);
      acc2 += (w[2] & 0xffffffffu) + (w[2] >> 32);
      acc3 += (w[3] & 0xffffffffu) + (w[3] >> 32);
    }
    std::uint64_t acc = (acc0 + acc1) + (acc2 + acc3);
    for (; n >= 8; p += 8, n -= 8) {  // two 32-bit words per 64-bit load
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      acc += (w & 0xffffffffu) + (w >> 32);
    }
    if (n >= 4) {
      std::uint32_t w;
      std::memcpy(&w, p, 4);
      acc += w;
      p += 4;
      n -= 4;
    }
    if (n >= 2) {
      acc += std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8);
      p += 2;
      n -= 2;
    }
    if (n == 1) acc += p[0];  // odd trailing byte: the high byte of a zero-padded word
    while (acc >> 16) acc = (acc & 0xffffu) + (acc >> 16);
    std::uint64_t s = std::uint64_t{sum} + (((acc & 0xffu) << 8) | (acc >> 8));
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
    return static_cast<std::uint32_t>(s);
  } else {
    std::uint64_t s = sum;
    std::size_t i = 0;
    for (; i + 1 < n; i += 2) s += load_be16(p + i);
    if (i < n) s += static_cast<std::uint32_t>(p[i]) << 8;
    while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
    return static_cast<std::uint32_t>(s);
  }
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffu);
}

std::uint16_t internet_checksum(ByteView data) { return checksum_finish(checksum_add(0, data)); }

std::uint32_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto,
                                std::uint32_t length) {
  const std::size_t n = src.is_v6() ? 16 : 4;
  std::uint32_t sum = checksum_add(0, ByteView(src.bytes.data(), n));
  sum = checksum_add(sum, ByteView(dst.bytes.data(), n));
  std::uint64_t s = sum;
  s += proto;
  s += length >> 16;
  s += length & 0xffffu;
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<std::uint32_t>(s);
}

}  // namespace tcpscope::decode
