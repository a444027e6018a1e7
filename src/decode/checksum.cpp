#include "decode/checksum.hpp"

#include <bit>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace tcpscope::decode {

std::uint32_t checksum_add(std::uint32_t sum, ByteView data) {
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  if constexpr (std::endian::native == std::endian::little) {
    // RFC 1071's byte-order independence: sum 32-bit words in host order, fold to
    // 16 bits, swap the two bytes; the folded value is the big-endian sum's (both are
    // 0 only for all-zero data, otherwise the same residue in [1, 0xffff]).
    std::uint64_t acc = 0;
#if defined(__SSE2__)
    // 64 bytes a step: each 16-byte load is split into the low and high 32-bit
    // halves of its two 64-bit lanes, added into 64-bit lanes (two accumulators for
    // independent chains). The lanes stay far below 2^64 for any frame. Same total
    // as adding the 32-bit words one by one.
    if (n >= 64) {
      const __m128i low_halves = _mm_set1_epi64x(0xffffffff);
      __m128i low_sum = _mm_setzero_si128();
      __m128i high_sum = _mm_setzero_si128();
      for (; n >= 64; p += 64, n -= 64) {
        const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
        const __m128i c = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 32));
        const __m128i d = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 48));
        low_sum =
            _mm_add_epi64(low_sum, _mm_add_epi64(_mm_and_si128(a, low_halves), _mm_and_si128(b, low_halves)));
        high_sum = _mm_add_epi64(high_sum, _mm_add_epi64(_mm_srli_epi64(a, 32), _mm_srli_epi64(b, 32)));
        low_sum =
            _mm_add_epi64(low_sum, _mm_add_epi64(_mm_and_si128(c, low_halves), _mm_and_si128(d, low_halves)));
        high_sum = _mm_add_epi64(high_sum, _mm_add_epi64(_mm_srli_epi64(c, 32), _mm_srli_epi64(d, 32)));
      }
      std::uint64_t lanes[4];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes), low_sum);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(lanes + 2), high_sum);
      acc = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    }
#endif
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
