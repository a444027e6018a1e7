#include "decode/checksum.hpp"

namespace tcpscope::decode {

std::uint32_t checksum_add(std::uint32_t sum, ByteView data) {
  std::uint64_t s = sum;
  std::size_t i = 0;
  const std::size_t n = data.size();
  for (; i + 1 < n; i += 2) s += load_be16(data.data() + i);
  if (i < n) s += static_cast<std::uint32_t>(data[i]) << 8;
  while (s >> 32) s = (s & 0xffffffffu) + (s >> 32);
  return static_cast<std::uint32_t>(s);
}

std::uint16_t checksum_finish(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffu);
}

std::uint16_t internet_checksum(ByteView data) { return checksum_finish(checksum_add(0, data)); }

std::uint32_t pseudo_header_sum(const IpAddr& src, const IpAddr& dst, std::uint8_t proto, std::uint32_t length) {
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
