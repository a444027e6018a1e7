// The message catalogues: English and Chinese have every key exactly once, the
// same numbered arguments in each text, and format without errors.
#include "render/messages.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <initializer_list>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "render/text_util.hpp"

namespace tcpscope::render {
namespace {

std::vector<int> key_counts(std::span<const MessageEntry> catalogue) {
  std::vector<int> counts(kMsgCount, 0);
  for (const MessageEntry& e : catalogue) ++counts.at(static_cast<std::size_t>(e.key));
  return counts;
}

std::set<std::string> arguments(std::string_view text) {
  std::set<std::string> out;
  const std::string s(text);
  const std::regex arg(R"(\{(\d+)\})");
  for (auto it = std::sregex_iterator(s.begin(), s.end(), arg); it != std::sregex_iterator(); ++it)
    out.insert((*it)[1]);
  return out;
}

TEST(Messages, EveryKeyExactlyOnceInEachCatalogue) {
  const auto en = key_counts(catalogue_en());
  const auto zh = key_counts(catalogue_zh());
  for (std::size_t i = 0; i < kMsgCount; ++i) {
    EXPECT_EQ(en[i], 1) << "en: " << msg_key(static_cast<Msg>(i));
    EXPECT_EQ(zh[i], 1) << "zh: " << msg_key(static_cast<Msg>(i));
  }
}

TEST(Messages, SameArgumentsInBothLanguages) {
  const Messages en(Lang::en);
  const Messages zh(Lang::zh);
  for (std::size_t i = 0; i < kMsgCount; ++i) {
    const auto m = static_cast<Msg>(i);
    EXPECT_FALSE(en[m].empty()) << msg_key(m);
    EXPECT_FALSE(zh[m].empty()) << msg_key(m);
    EXPECT_EQ(arguments(en[m]), arguments(zh[m])) << msg_key(m);
    // Unnumbered "{}" would let a translation reorder arguments silently.
    EXPECT_EQ(std::string(en[m]).find("{}"), std::string::npos) << msg_key(m);
    EXPECT_EQ(std::string(zh[m]).find("{}"), std::string::npos) << msg_key(m);
  }
}

TEST(Messages, FormatWithFourArguments) {
  for (Lang lang : {Lang::en, Lang::zh}) {
    const Messages msgs(lang);
    for (std::size_t i = 0; i < kMsgCount; ++i) {
      const auto m = static_cast<Msg>(i);
      EXPECT_NO_THROW((void)fmt::format(fmt::runtime(msgs[m]), "a", "b", "c", "d")) << msg_key(m);
    }
  }
}

TEST(Messages, ChineseUsesTheArticlesTerms) {
  const Messages zh(Lang::zh);
  EXPECT_NE(std::string(zh[Msg::phase_handshake_done]).find("三次握手"), std::string::npos);
  EXPECT_NE(std::string(zh[Msg::close_four_way_client_first]).find("四次挥手"), std::string::npos);
  EXPECT_NE(std::string(zh[Msg::phase_data]).find("数据传输"), std::string::npos);
  EXPECT_NE(std::string(zh[Msg::client]).find("客户端"), std::string::npos);
  EXPECT_NE(std::string(zh[Msg::server]).find("服务端"), std::string::npos);
  EXPECT_EQ(Messages(Lang::en)[Msg::client], "Client");
}

// explain substitutes "{N}" itself (append_numbered) instead of parsing each text with fmt:
// every brace of a catalogue text must open or close a plain numbered argument.
TEST(Messages, OnlyPlainNumberedArguments) {
  const std::regex plain(R"(\{\d+\})");
  for (Lang lang : {Lang::en, Lang::zh}) {
    const Messages msgs(lang);
    for (std::size_t i = 0; i < kMsgCount; ++i) {
      const auto m = static_cast<Msg>(i);
      const std::string rest = std::regex_replace(std::string(msgs[m]), plain, "");
      EXPECT_EQ(rest.find_first_of("{}"), std::string::npos) << msg_key(m) << ": " << msgs[m];
    }
  }
}

TEST(Messages, AppendNumberedAgreesWithFmt) {
  for (Lang lang : {Lang::en, Lang::zh}) {
    const Messages msgs(lang);
    for (std::size_t i = 0; i < kMsgCount; ++i) {
      const auto m = static_cast<Msg>(i);
      fmt::memory_buffer ours;
      append_numbered(ours, msgs[m], std::uint64_t{18446744073709551615u}, "b→", -42, std::string("dd"));
      EXPECT_EQ(fmt::to_string(ours), fmt::format(fmt::runtime(msgs[m]), std::uint64_t{18446744073709551615u},
                                                  "b→", -42, std::string("dd")))
          << msg_key(m);
    }
  }
  fmt::memory_buffer b;
  append_numbered(b, "{1}{0}{1} x{10}y", 7, std::string_view("ab"));
  EXPECT_EQ(fmt::to_string(b), "ab7ab xy");
}

// Where a text is cut, also when it ends inside an argument (a catalogue typo must not read
// past the text's end nor loop).
TEST(Messages, CutNumbered) {
  struct Case {
    std::string_view text;
    std::string_view literal;
    std::size_t index;
    bool has_arg;
    std::string_view rest;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"plain", "plain", 0, false, ""},
           {"{0}", "", 0, true, ""},
           {"a {12} b", "a ", 12, true, " b"},
           {"x{3", "x", 3, true, ""},
           {"x{", "x", 0, true, ""},
           {"{}y", "", 0, true, "y"},
       }) {
    std::string_view text = c.text;
    const NumberedCut cut = cut_numbered(text);
    EXPECT_EQ(cut.literal, c.literal) << c.text;
    EXPECT_EQ(cut.index, c.index) << c.text;
    EXPECT_EQ(cut.has_arg, c.has_arg) << c.text;
    EXPECT_EQ(text, c.rest) << c.text;
  }
}

// The pieces each text is cut into give what append_numbered() gives from the whole text, with
// fewer arguments than a text uses (dropped), as many, and more (ignored), through both outputs.
TEST(Messages, AppendMessageAgreesWithAppendNumbered) {
  for (Lang lang : {Lang::en, Lang::zh}) {
    const Messages msgs(lang);
    for (std::size_t i = 0; i < kMsgCount; ++i) {
      const auto m = static_cast<Msg>(i);
      fmt::memory_buffer expected, ours, fast_buffer;
      append_numbered(expected, msgs[m], std::uint64_t{18446744073709551615u}, "b→", -42, std::string("dd"));
      append_message(ours, msgs.pieces(m), std::uint64_t{18446744073709551615u}, "b→", -42,
                     std::string("dd"));
      EXPECT_EQ(fmt::to_string(ours), fmt::to_string(expected)) << msg_key(m);
      {
        FastAppender fast(fast_buffer);
        append_message(fast, msgs.pieces(m), std::uint64_t{18446744073709551615u}, "b→", -42,
                       std::string("dd"));
      }
      EXPECT_EQ(fmt::to_string(fast_buffer), fmt::to_string(expected)) << msg_key(m);
      fmt::memory_buffer expected_one, ours_one;
      append_numbered(expected_one, msgs[m], 7);
      append_message(ours_one, msgs.pieces(m), 7);
      EXPECT_EQ(fmt::to_string(ours_one), fmt::to_string(expected_one)) << msg_key(m);
      fmt::memory_buffer expected_none, ours_none;
      append_numbered(expected_none, msgs[m]);
      append_message(ours_none, msgs.pieces(m));
      EXPECT_EQ(fmt::to_string(ours_none), fmt::to_string(expected_none)) << msg_key(m);
    }
  }
  // A text with arguments at its ends, repeated, and out of range, cut the same way.
  const Messages en(Lang::en);
  EXPECT_FALSE(en.pieces(Msg::flag_combo).empty());
  EXPECT_EQ(en.pieces(Msg::flag_combo)[0].literal, "[");
  EXPECT_EQ(en.pieces(Msg::flag_combo)[0].arg, 0);
}

TEST(Messages, KeyNames) {
  EXPECT_EQ(msg_key(Msg::conn_header), "conn_header");
  EXPECT_EQ(msg_key(Msg::close_started_before_capture), "close_started_before_capture");
}

}  // namespace
}  // namespace tcpscope::render
