// The source options shared by the CLI11 subcommands parse like tcpdump's.
#include "cli/source_options.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace tcpscope::cli {
namespace {

// Parses `words` as the arguments of a subcommand "sub" that has the source options.
void parse_sub(std::vector<std::string> words, SourceArgs& args, std::string& error) {
  CLI::App app{"test"};
  auto* sub = app.add_subcommand("sub");
  add_source_options(*sub, args);
  words.insert(words.begin(), "sub");
  std::reverse(words.begin(), words.end());  // CLI11 takes a reversed vector
  try {
    app.parse(words);
    error = finish_source_options(args);
  } catch (const CLI::ParseError& e) {
    error = e.what();
  }
}

TEST(SourceOptions, FileFilterAndLimits) {
  SourceArgs args;
  std::string error;
  parse_sub({"-r", "x.pcap", "-c", "5", "--skip", "2", "tcp", "port", "80"}, args, error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(args.options.read_file, "x.pcap");
  EXPECT_EQ(args.options.count, 5u);
  EXPECT_EQ(args.options.skip, 2u);
  EXPECT_EQ(args.options.filter, "tcp port 80");
}

TEST(SourceOptions, LiveSettings) {
  SourceArgs args;
  std::string error;
  parse_sub({"-i", "lo", "-s", "0", "-B", "1024", "-p", "--immediate-mode", "-Z", "nobody"}, args, error);
  ASSERT_EQ(error, "");
  EXPECT_EQ(args.options.interface, "lo");
  EXPECT_EQ(args.options.live.snaplen, 262144);
  EXPECT_EQ(args.options.live.buffer_size_kib, 1024);
  EXPECT_FALSE(args.options.live.promiscuous);
  EXPECT_TRUE(args.options.live.immediate);
  EXPECT_EQ(args.options.drop_user, "nobody");
}

TEST(SourceOptions, UsageErrors) {
  for (const auto& words : std::vector<std::vector<std::string>>{
           {"-r", "x", "-i", "lo"}, {"-c", "0", "-r", "x"}, {"-s", "300000", "-i", "lo"}, {"-c", "many"}}) {
    SourceArgs args;
    std::string error;
    parse_sub(words, args, error);
    EXPECT_NE(error, "") << words[0] << " " << words[1];
  }
}

}  // namespace
}  // namespace tcpscope::cli
