// The Internet checksum (RFC 1071) against a word-by-word reference: odd and even
// lengths, any starting sum, data whose sum folds to 0xffff, all-zero data.
#include "decode/checksum.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace tcpscope::decode {
namespace {

// RFC 1071 section 4.1, 16-bit big-endian words, an odd last byte padded with zero.
std::uint16_t reference_checksum(std::uint32_t start, const std::vector<std::uint8_t>& data) {
  std::uint64_t sum = start;
  for (std::size_t i = 0; i < data.size(); i += 2) {
    const std::uint32_t high = data[i];
    const std::uint32_t low = i + 1 < data.size() ? data[i + 1] : 0;
    sum += (high << 8) | low;
  }
  while (sum >> 16) sum = (sum & 0xffffu) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffffu);
}

TEST(Checksum, MatchesTheWordByWordSumForEveryLengthAndStart) {
  std::mt19937 random(20261125);
  for (std::size_t length = 0; length <= 160; ++length) {
    for (int round = 0; round < 20; ++round) {
      std::vector<std::uint8_t> data(length);
      for (auto& b : data) b = static_cast<std::uint8_t>(random());
      const std::uint32_t start = round == 0 ? 0 : static_cast<std::uint32_t>(random() >> (round % 17));
      const ByteView view(data.data(), data.size());
      EXPECT_EQ(checksum_finish(checksum_add(start, view)), reference_checksum(start, data))
          << "length " << length << " start " << start;
    }
  }
}

// The 32-byte steps (four sums at once) on long, unaligned data, up to the largest
// IP payload, all 0xff bytes included (the largest carries).
TEST(Checksum, MatchesTheReferenceOnLongUnalignedData) {
  std::mt19937 random(20261126);
  for (const std::size_t length : {95u, 96u, 97u, 127u, 128u, 1460u, 1461u, 9001u, 65535u, 262144u}) {
    for (const std::size_t start_offset : {0u, 1u, 3u}) {
      for (const bool all_ones : {false, true}) {
        std::vector<std::uint8_t> buffer(length + start_offset);
        for (auto& b : buffer) b = all_ones ? 0xff : static_cast<std::uint8_t>(random());
        const std::vector<std::uint8_t> data(buffer.begin() + static_cast<std::ptrdiff_t>(start_offset),
                                             buffer.end());
        const ByteView view(buffer.data() + start_offset, length);
        EXPECT_EQ(checksum_finish(checksum_add(0x1234, view)), reference_checksum(0x1234, data))
            << "length " << length << " offset " << start_offset << " all ones " << all_ones;
      }
    }
  }
}

TEST(Checksum, EdgeSums) {
  const std::vector<std::uint8_t> zeros(21, 0);
  EXPECT_EQ(internet_checksum(ByteView(zeros.data(), zeros.size())), 0xffff);
  EXPECT_EQ(internet_checksum(ByteView()), 0xffff);
  const std::vector<std::uint8_t> ones(20, 0xff);  // sums to 0xffff: "correct"
  EXPECT_EQ(internet_checksum(ByteView(ones.data(), ones.size())), 0);
  // An IPv4 header with a right checksum (0xb861) and the same header with it zeroed.
  std::vector<std::uint8_t> header = {0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11,
                                      0xb8, 0x61, 0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};
  EXPECT_EQ(internet_checksum(ByteView(header.data(), header.size())), 0);
  header[10] = header[11] = 0;
  EXPECT_EQ(internet_checksum(ByteView(header.data(), header.size())), 0xb861);
  EXPECT_EQ(reference_checksum(0, header), 0xb861);
}

}  // namespace
}  // namespace tcpscope::decode
