// The text helpers explain writes with: FastAppender (raw-pointer writes into a
// fmt::memory_buffer grown ahead and cut back), padding by display width, arrows.
#include "render/text_util.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tcpscope::render {
namespace {

std::string str(const fmt::memory_buffer& b) { return std::string(b.data(), b.size()); }

TEST(FastAppender, AppendsAfterWhatTheBufferHeldAndCutsBackOnFinish) {
  fmt::memory_buffer out;
  out.append(std::string_view("head|"));
  {
    FastAppender w(out);
    w.put("abc");
    w.put('-');
    w.integer(-42);
    w.spaces(2);
    w.integer(std::uint64_t{18446744073709551615u});
    EXPECT_EQ(w.since(5), "abc--42  18446744073709551615");
  }
  EXPECT_EQ(str(out), "head|abc--42  18446744073709551615");
}

TEST(FastAppender, GrowsPastItsStepAndKeepsEveryByte) {
  fmt::memory_buffer out;
  std::string expected;
  {
    FastAppender w(out);
    for (int i = 0; i < 50000; ++i) {
      w.put("0123456789");
      expected += "0123456789";
      w.put(static_cast<char>('a' + i % 26));
      expected += static_cast<char>('a' + i % 26);
    }
    w.put(std::string(200000, 'x'));  // larger than one step at once
    expected += std::string(200000, 'x');
  }
  EXPECT_EQ(str(out), expected);
}

TEST(FastAppender, WritesAfterFinishAreKeptByTheDestructor) {
  fmt::memory_buffer out;
  {
    FastAppender w(out);
    w.put("one");
    w.finish();
    out.append(std::string_view(" two"));  // the caller writes directly after finish()
  }
  EXPECT_EQ(str(out), "one two");
}

TEST(FastAppender, CapitalizeAt) {
  fmt::memory_buffer out;
  FastAppender w(out);
  const std::size_t at = w.size();
  w.put("four-way teardown");
  w.capitalize_at(at);
  w.capitalize_at(at + 100);  // past the end: ignored
  w.finish();
  EXPECT_EQ(str(out), "Four-way teardown");
}

TEST(TextUtil, PaddingCountsDisplayColumns) {
  fmt::memory_buffer out;
  append_padded(out, "客户端", 8);  // three CJK characters: six columns
  append_text(out, "|");
  append_padded(out, "Client", 8);
  append_text(out, "|");
  EXPECT_EQ(str(out), "客户端  |Client  |");
}

TEST(TextUtil, Horizontal) {
  fmt::memory_buffer out;
  append_horizontal(out, 3);
  EXPECT_EQ(str(out), "───");
  out.clear();
  append_horizontal(out, 70);  // more than the prebuilt run
  std::string expected;
  for (int i = 0; i < 70; ++i) expected += "─";
  EXPECT_EQ(str(out), expected);
}

}  // namespace
}  // namespace tcpscope::render
