// RowText must write exactly what the formats it replaced wrote: fmt's "{}" for
// integers and bools, "{}{}.{:06}" of microseconds rounded half up for seconds,
// inet_ntop for addresses; and keep the text when the buffer grows mid-row.
#include "render/row_text.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace {

using tcpscope::IpAddr;
using tcpscope::render::RowCursor;
using tcpscope::render::RowText;

std::string fmt_seconds(std::int64_t ns) {  // the renderers' former formatting
  const bool negative = ns < 0;
  const std::uint64_t v = negative ? 0 - static_cast<std::uint64_t>(ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = (v + 500) / 1000;
  return fmt::format("{}{}.{:06}", negative ? "-" : "", us / 1'000'000, us % 1'000'000);
}

TEST(RowText, IntegersAsFmtPrintsThem) {
  const std::int64_t signed_values[] = {0,
                                        1,
                                        -1,
                                        9,
                                        10,
                                        -10,
                                        99,
                                        1'000'000,
                                        std::numeric_limits<std::int64_t>::max(),
                                        std::numeric_limits<std::int64_t>::min()};
  const std::uint64_t unsigned_values[] = {0, 7, 10, 4'294'967'295u,
                                           std::numeric_limits<std::uint64_t>::max()};
  for (std::int64_t v : signed_values) {
    fmt::memory_buffer out;
    RowText(out).num(v);
    EXPECT_EQ(fmt::to_string(out), fmt::format("{}", v));
  }
  for (std::uint64_t v : unsigned_values) {
    fmt::memory_buffer out;
    RowText(out).num(v);
    EXPECT_EQ(fmt::to_string(out), fmt::format("{}", v));
  }
  fmt::memory_buffer out;
  RowText(out)
      .num(std::uint16_t{65535})
      .ch(' ')
      .num(std::int8_t{-1})
      .ch(' ')
      .boolean(true)
      .ch(' ')
      .boolean(false);
  EXPECT_EQ(fmt::to_string(out), "65535 -1 true false");
}

TEST(RowText, SecondsRoundToTheMicrosecond) {
  const std::int64_t values[] = {0,
                                 499,
                                 500,
                                 999'999'499,
                                 999'999'500,
                                 -1,
                                 -500,
                                 -1'500'000'000,
                                 1'764'100'000'123'456'789,
                                 1'000'000'000,
                                 std::numeric_limits<std::int64_t>::max()};
  for (std::int64_t ns : values) {
    fmt::memory_buffer out;
    RowText(out).seconds(ns);
    EXPECT_EQ(fmt::to_string(out), fmt_seconds(ns)) << ns;
  }
}

TEST(RowText, AddressesAsInetNtopWritesThem) {
  const char* texts4[] = {"0.0.0.0", "127.0.0.1", "10.20.30.40", "255.255.255.255", "192.168.1.100"};
  for (const char* text : texts4) {
    std::uint8_t bytes[4];
    ASSERT_EQ(inet_pton(AF_INET, text, bytes), 1);
    fmt::memory_buffer out;
    RowText(out).ip(IpAddr::v4(bytes));
    EXPECT_EQ(fmt::to_string(out), text);
  }
  const char* texts6[] = {"::1", "2001:db8::1", "fe80::1:2:3:4", "::ffff:1.2.3.4"};
  for (const char* text : texts6) {
    std::uint8_t bytes[16];
    ASSERT_EQ(inet_pton(AF_INET6, text, bytes), 1);
    fmt::memory_buffer out;
    RowText(out).ip(IpAddr::v6(bytes));
    EXPECT_EQ(fmt::to_string(out), text);
  }
}

TEST(RowText, PadsAsFmtWidthsDo) {
  for (std::string_view text : {"", "a", "abcde", "abcdefghij"}) {
    fmt::memory_buffer out;
    RowText(out).left(text, 5).ch('|').right(text, 5);
    EXPECT_EQ(fmt::to_string(out), fmt::format("{:<5}|{:>5}", text, text));
  }
}

TEST(RowText, AppendsAfterExistingTextAndSurvivesGrowth) {
  fmt::memory_buffer out;
  out.append(std::string_view("head:"));
  std::string expected = "head:";
  {
    RowText t(out);
    for (int i = 0; i < 5000; ++i) {  // far beyond the buffer's inline 500 bytes
      t.num(i).ch(',');
      expected += std::to_string(i) + ",";
    }
    t.text("end");
    expected += "end";
  }
  EXPECT_EQ(fmt::to_string(out), expected);
  out.push_back('\n');  // the buffer is usable as usual once the RowText is gone
  EXPECT_EQ(fmt::to_string(out), expected + "\n");
}

// RowCursor (conn_json's writer) must write the bytes RowText wrote, for every value.
TEST(RowCursor, WritesWhatRowTextWrote) {
  std::vector<std::uint64_t> unsigned_values = {0, std::numeric_limits<std::uint64_t>::max(),
                                                std::numeric_limits<std::uint32_t>::max()};
  for (std::uint64_t p = 1; p != 0 && p <= std::numeric_limits<std::uint64_t>::max() / 10; p *= 10) {
    for (std::uint64_t d : {p - 1, p, p + 1, 2 * p - 1, 5 * p, 9 * p, 10 * p - 1})
      unsigned_values.push_back(d);
  }
  unsigned_values.push_back(10'000'000'000'000'000'000u);
  unsigned_values.push_back(18'446'744'073'709'551'614u);
  for (std::uint64_t v : unsigned_values) {
    fmt::memory_buffer old_path, new_path;
    RowText(old_path).num(v);
    RowCursor(new_path, RowCursor::kMaxNumText).num(v);
    EXPECT_EQ(fmt::to_string(new_path), fmt::to_string(old_path)) << v;
    EXPECT_EQ(fmt::to_string(new_path), fmt::format("{}", v));
    const auto s = static_cast<std::int64_t>(v);  // wraps past INT64_MAX: negatives too
    const std::int64_t negated = s == std::numeric_limits<std::int64_t>::min() ? s : -s;
    fmt::memory_buffer old_signed, new_signed;
    RowText(old_signed).num(s).ch(' ').seconds(s).ch(' ').seconds(negated);
    RowCursor(new_signed, 3 * 32).num(s).ch(' ').seconds(s).ch(' ').seconds(negated);
    EXPECT_EQ(fmt::to_string(new_signed), fmt::to_string(old_signed)) << s;
  }
  for (std::int64_t ns :
       {std::int64_t{0}, std::int64_t{-1}, std::int64_t{499}, std::int64_t{500}, std::int64_t{-500},
        std::int64_t{999'999'500}, std::numeric_limits<std::int64_t>::min(),
        std::numeric_limits<std::int64_t>::max()}) {
    fmt::memory_buffer out;
    RowCursor(out, 32).seconds(ns);
    EXPECT_EQ(fmt::to_string(out), fmt_seconds(ns)) << ns;
  }
  fmt::memory_buffer small;
  RowCursor(small, 64)
      .num(std::uint16_t{65535})
      .ch(' ')
      .num(std::int8_t{-128})
      .ch(' ')
      .num(std::uint8_t{0})
      .lit(" ")
      .boolean(true)
      .ch(' ')
      .boolean(false);
  EXPECT_EQ(fmt::to_string(small), "65535 -128 0 true false");
}

TEST(RowCursor, CopiesTextsOfEveryLengthExactly) {
  const std::string source = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?";
  for (std::size_t n = 0; n <= source.size(); ++n) {
    fmt::memory_buffer out;
    out.append(std::string_view("<"));
    {
      RowCursor t(out, n + 2);
      t.text(std::string_view(source).substr(0, n)).lit(">");
    }
    const std::string expected = "<" + source.substr(0, n) + ">";
    EXPECT_EQ(fmt::to_string(out), expected) << n;
  }
}

TEST(RowCursor, AddressesAsRowTextWritesThem) {
  const char* texts4[] = {"0.0.0.0", "127.0.0.1", "10.20.30.40", "255.255.255.255", "9.99.100.0"};
  for (const char* text : texts4) {
    std::uint8_t bytes[4];
    ASSERT_EQ(inet_pton(AF_INET, text, bytes), 1);
    fmt::memory_buffer out;
    RowCursor(out, RowCursor::kMaxIpText).ip(IpAddr::v4(bytes));
    EXPECT_EQ(fmt::to_string(out), text);
  }
  const char* texts6[] = {"::",
                          "::1",
                          "2001:db8::1",
                          "fe80::1:2:3:4",
                          "::ffff:1.2.3.4",
                          "::ffff:255.255.255.255",
                          "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
                          "1:0:0:1::1"};
  for (const char* text : texts6) {
    std::uint8_t bytes[16];
    ASSERT_EQ(inet_pton(AF_INET6, text, bytes), 1);
    fmt::memory_buffer old_path, new_path;
    RowText(old_path).ip(IpAddr::v6(bytes));
    RowCursor(new_path, RowCursor::kMaxIpText).ip(IpAddr::v6(bytes));
    EXPECT_EQ(fmt::to_string(new_path), fmt::to_string(old_path));
  }
  const IpAddr unset;  // family 0: RowText's text for it
  fmt::memory_buffer old_path, new_path;
  RowText(old_path).ip(unset);
  RowCursor(new_path, RowCursor::kMaxIpText).ip(unset);
  EXPECT_EQ(fmt::to_string(new_path), fmt::to_string(old_path));
}

TEST(RowCursor, AppendsAfterExistingTextAndGrowsTheBufferOnce) {
  fmt::memory_buffer out;
  out.append(std::string_view("head:"));
  std::string expected = "head:";
  {
    RowCursor t(out, 5000 * 6 + 3);  // far beyond the buffer's inline 500 bytes
    for (int i = 0; i < 5000; ++i) {
      t.num(i).ch(',');
      expected += std::to_string(i) + ",";
    }
    t.lit("end");
    expected += "end";
  }
  EXPECT_EQ(fmt::to_string(out), expected);
  out.push_back('\n');
  EXPECT_EQ(fmt::to_string(out), expected + "\n");
}

}  // namespace
