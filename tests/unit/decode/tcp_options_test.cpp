// TcpOptionIter and summarize_tcp_options over hand-built and captured option lists.
#include "decode/tcp_options.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace tcpscope::decode {
namespace {

namespace kind = tcp_option_kind;

// The option area of print-flags.pcap packet 1 (tcpscope corpus; tcpdump -X:
// "0204 400c 0402 080a 4ddc 9216 0000 0000 0103 0302" = mss 16396,sackOK,TS val
// 1306300950 ecr 0,nop,wscale 2).
const std::vector<std::uint8_t> kSynOptions = {0x02, 0x04, 0x40, 0x0c, 0x04, 0x02, 0x08, 0x0a, 0x4d, 0xdc,
                                               0x92, 0x16, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x02};

struct Seen {
  std::uint8_t kind;
  std::uint8_t len;
  std::size_t data_size;
  std::uint32_t offset;
};

std::vector<Seen> walk(const std::vector<std::uint8_t>& bytes, std::size_t captured, std::uint32_t declared,
                       TcpOptionStatus& status) {
  TcpOptionIter it(ByteView(bytes.data(), captured), declared);
  std::vector<Seen> seen;
  TcpOption opt;
  while (it.next(opt)) seen.push_back({opt.kind, opt.len, opt.data.size(), opt.offset});
  status = it.status();
  return seen;
}

TEST(TcpOptionIter, WalksACapturedSynOptionList) {
  TcpOptionStatus status;
  const auto seen = walk(kSynOptions, kSynOptions.size(), 20, status);
  ASSERT_EQ(seen.size(), 5u);
  EXPECT_EQ(status, TcpOptionStatus::ok);
  EXPECT_EQ(seen[0].kind, kind::mss);
  EXPECT_EQ(seen[0].len, 4);
  EXPECT_EQ(seen[0].data_size, 2u);
  EXPECT_EQ(seen[1].kind, kind::sack_permitted);
  EXPECT_EQ(seen[2].kind, kind::timestamps);
  EXPECT_EQ(seen[2].data_size, 8u);
  EXPECT_EQ(seen[2].offset, 6u);
  EXPECT_EQ(seen[3].kind, kind::nop);
  EXPECT_EQ(seen[3].len, 1);
  EXPECT_EQ(seen[4].kind, kind::wscale);
  EXPECT_EQ(seen[4].offset, 17u);
}

TEST(TcpOptionIter, YieldsEveryKindWithItsDataSpan) {
  // One option of each kind tcpdump names, plus two unknown kinds.
  const std::uint8_t kinds[] = {2, 3, 4, 5, 6, 7, 8, 11, 12, 13, 19, 20, 28, 29, 30, 34, 253, 254, 99};
  for (std::uint8_t k : kinds) {
    const std::vector<std::uint8_t> bytes = {k, 6, 0xa, 0xb, 0xc, 0xd, 1, 1};
    TcpOptionStatus status;
    const auto seen = walk(bytes, bytes.size(), 8, status);
    ASSERT_EQ(seen.size(), 3u) << int(k);
    EXPECT_EQ(seen[0].kind, k);
    EXPECT_EQ(seen[0].len, 6);
    EXPECT_EQ(seen[0].data_size, 4u);
    EXPECT_EQ(seen[1].kind, kind::nop);
    EXPECT_EQ(status, TcpOptionStatus::ok);
  }
}

TEST(TcpOptionIter, StopsAfterEndOfList) {
  const std::vector<std::uint8_t> bytes = {1, 0, 2, 4, 5, 0xb4, 0, 0};
  TcpOptionStatus status;
  const auto seen = walk(bytes, bytes.size(), 8, status);
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1].kind, kind::eol);
  EXPECT_EQ(status, TcpOptionStatus::ok);
}

TEST(TcpOptionIter, RejectsImpossibleLengths) {
  TcpOptionStatus status;
  EXPECT_TRUE(walk({2, 1, 0, 0}, 4, 4, status).empty());  // length below 2
  EXPECT_EQ(status, TcpOptionStatus::bad_length);
  EXPECT_EQ(walk({1, 8, 10, 0}, 4, 4, status).size(), 1u);  // longer than the space left
  EXPECT_EQ(status, TcpOptionStatus::bad_length);
  EXPECT_EQ(walk({1, 1, 1, 2}, 4, 4, status).size(), 3u);  // kind byte with no room for a length
  EXPECT_EQ(status, TcpOptionStatus::bad_length);
}

TEST(TcpOptionIter, TruncatedAtEveryByteOffsetNeverReadsPastTheCapture) {
  for (std::size_t cut = 0; cut <= kSynOptions.size(); ++cut) {
    // A copy of exactly `cut` bytes: anything read past it would be outside the vector.
    const std::vector<std::uint8_t> captured(kSynOptions.begin(), kSynOptions.begin() + cut);
    TcpOptionStatus status;
    const auto seen = walk(captured, captured.size(), 20, status);
    std::size_t complete = 0;  // options wholly inside the first `cut` bytes
    for (std::size_t end : {4u, 6u, 16u, 17u, 20u})
      if (end <= cut) ++complete;
    EXPECT_EQ(seen.size(), complete) << "cut " << cut;
    EXPECT_EQ(status, cut == kSynOptions.size() ? TcpOptionStatus::ok : TcpOptionStatus::truncated)
        << "cut " << cut;
  }
}

TEST(TcpOptionSummary, FillsTheFixedCapacitySummary) {
  TcpOptionSummary s;
  EXPECT_EQ(summarize_tcp_options(ByteView(kSynOptions.data(), kSynOptions.size()), 20, s),
            TcpOptionStatus::ok);
  EXPECT_EQ(s.mss, 16396);
  EXPECT_EQ(s.wscale, 2);
  EXPECT_TRUE(s.sack_permitted);
  EXPECT_TRUE(s.has_timestamps);
  EXPECT_EQ(s.ts_val, 1306300950u);
  EXPECT_EQ(s.ts_ecr, 0u);
  EXPECT_EQ(s.sack_count, 0);
  EXPECT_FALSE(s.malformed);
}

TEST(TcpOptionSummary, KeepsUpToFourSackBlocks) {
  std::vector<std::uint8_t> bytes = {1, 1, 5, 34};
  for (std::uint32_t i = 0; i < 8; ++i) {
    const std::uint32_t v = 1000 * (i + 1);
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  bytes.insert(bytes.end(), {1, 1, 1, 1});
  ASSERT_EQ(bytes.size(), 40u);
  TcpOptionSummary s;
  EXPECT_EQ(summarize_tcp_options(ByteView(bytes.data(), bytes.size()), 40, s), TcpOptionStatus::ok);
  ASSERT_EQ(s.sack_count, 4);
  EXPECT_EQ(s.sack[0].first, SeqNum(1000));
  EXPECT_EQ(s.sack[0].second, SeqNum(2000));
  EXPECT_EQ(s.sack[3].first, SeqNum(7000));
  EXPECT_EQ(s.sack[3].second, SeqNum(8000));
  EXPECT_EQ(s.mss, -1);
  EXPECT_EQ(s.wscale, -1);
}

TEST(TcpOptionSummary, IgnoresWrongLengthsAndFlagsMalformedLists) {
  const std::vector<std::uint8_t> bytes = {2, 5, 5, 0xb4, 0, 4, 4, 3, 1};  // mss with length 5, sackOK with 4
  TcpOptionSummary s;
  EXPECT_EQ(summarize_tcp_options(ByteView(bytes.data(), bytes.size()), 12, s), TcpOptionStatus::truncated);
  EXPECT_EQ(s.mss, -1);
  EXPECT_FALSE(s.sack_permitted);
  EXPECT_TRUE(s.malformed);
}

}  // namespace
}  // namespace tcpscope::decode
