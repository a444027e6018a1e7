// TextWriter's number primitives against the standard library's formatting: every
// digit count, the boundaries around each power of ten, the 32-bit extremes, and
// random values.
#include "print/text_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tcpscope::print {
namespace {

std::string written_dec32(std::uint32_t v, const std::string& after) {
  fmt::memory_buffer out;
  {
    TextWriter w(out, 10 + after.size());
    w.dec32(v);
    w.text(after);
  }
  return std::string(out.data(), out.size());
}

std::string written_dec(std::uint64_t v) {
  fmt::memory_buffer out;
  {
    TextWriter w(out, 20);
    w.dec(v);
  }
  return std::string(out.data(), out.size());
}

std::vector<std::uint64_t> boundary_values() {
  std::vector<std::uint64_t> values = {0, 1, 9, 4294967295u, 4294967296u, 18446744073709551615ull};
  for (std::uint64_t p = 10; p <= 10000000000000000000ull; p *= 10) {
    values.insert(values.end(), {p - 1, p, p + 1, 2 * p - 1, 5 * p + 7});
    if (p > 1844674407370955161ull) break;
  }
  return values;
}

TEST(TextWriter, Dec32MatchesToStringAtEveryDigitCount) {
  for (const std::uint64_t v : boundary_values()) {
    if (v > 0xffffffffu) continue;
    const auto v32 = static_cast<std::uint32_t>(v);
    EXPECT_EQ(written_dec32(v32, ""), std::to_string(v32)) << v32;
    // Text written after the number is not damaged by the number's wider store.
    EXPECT_EQ(written_dec32(v32, ", ack"), std::to_string(v32) + ", ack") << v32;
  }
}

TEST(TextWriter, Dec32MatchesToStringOnRandomValues) {
  std::mt19937 random(6);
  for (int i = 0; i < 200000; ++i) {
    // Uniform over the digit counts, not over the values.
    const std::uint32_t v = static_cast<std::uint32_t>(random()) >> (random() % 32);
    ASSERT_EQ(written_dec32(v, "x"), std::to_string(v) + "x") << v;
  }
}

TEST(TextWriter, DecMatchesToStringUpTo64Bits) {
  for (const std::uint64_t v : boundary_values()) EXPECT_EQ(written_dec(v), std::to_string(v)) << v;
}

TEST(TextWriter, TrimsToTheWrittenText) {
  fmt::memory_buffer out;
  out.append(std::string_view("seq "));
  {
    TextWriter w(out, 64);
    w.dec32(123456789);
    w.put(':');
    w.dec32(7);
  }
  EXPECT_EQ(std::string(out.data(), out.size()), "seq 123456789:7");
}

}  // namespace
}  // namespace tcpscope::print
