// tcpdump-compatible option parsing: clusters, attached and detached arguments,
// long options and prefixes, filter words in any position, and usage errors.
#include "cli/tcpdump_args.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <vector>

namespace tcpscope::cli {
namespace {

ParsedArgs parse(std::initializer_list<std::string_view> words) {
  const std::vector<std::string_view> args(words);
  return parse_tcpdump_args(args);
}

// ---- option clusters --------------------------------------------------------

TEST(TcpdumpArgs, ClusterCountsRepeatedLetters) {
  const auto parsed = parse({"-nnvvvS#", "-r", "x.pcap"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.command.print.numeric, 2);
  EXPECT_EQ(parsed.command.print.verbose, 3);
  EXPECT_TRUE(parsed.command.print.absolute_seq);
  EXPECT_TRUE(parsed.command.print.number);
  EXPECT_TRUE(parsed.command.source.verbose);
  EXPECT_EQ(parsed.command.source.read_file, "x.pcap");
}

TEST(TcpdumpArgs, SeparateFlagsAddUp) {
  const auto parsed = parse({"-n", "-n", "-v", "-vv", "-r", "f"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.print.numeric, 2);
  EXPECT_EQ(parsed.command.print.verbose, 3);
}

TEST(TcpdumpArgs, ArgumentAttachedToCluster) {
  const auto parsed = parse({"-nr/tmp/a.pcap", "-c10"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_EQ(parsed.command.print.numeric, 1);
  EXPECT_EQ(parsed.command.source.read_file, "/tmp/a.pcap");
  EXPECT_EQ(parsed.command.source.count, 10u);
}

TEST(TcpdumpArgs, ArgumentInNextWordAfterCluster) {
  const auto parsed = parse({"-nnr", "a.pcap"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.read_file, "a.pcap");
}

// ---- time-stamp formats -----------------------------------------------------

TEST(TcpdumpArgs, TimeFormatFollowsTheNumberOfTs) {
  using print::TimeFormat;
  EXPECT_EQ(parse({"-r", "f"}).command.print.time, TimeFormat::local_time);
  EXPECT_EQ(parse({"-t", "-r", "f"}).command.print.time, TimeFormat::none);
  EXPECT_EQ(parse({"-tt", "-r", "f"}).command.print.time, TimeFormat::epoch);
  EXPECT_EQ(parse({"-ttt", "-r", "f"}).command.print.time, TimeFormat::delta_previous);
  EXPECT_EQ(parse({"-tttt", "-r", "f"}).command.print.time, TimeFormat::date_time);
  EXPECT_EQ(parse({"-t", "-tttt", "-r", "f"}).command.print.time, TimeFormat::delta_first);
  EXPECT_FALSE(parse({"-tttttt", "-r", "f"}).ok());
}

TEST(TcpdumpArgs, NanosecondPrecisionForPrintingAndWriting) {
  for (auto form : {"--nano", "--time-stamp-precision=nano"}) {
    const auto parsed = parse({form, "-r", "f", "-w", "out"});
    ASSERT_TRUE(parsed.ok()) << form;
    EXPECT_TRUE(parsed.command.print.nano) << form;
    EXPECT_TRUE(parsed.command.source.write_nano) << form;
  }
  const auto separate = parse({"--time-stamp-precision", "nano", "-r", "f"});
  ASSERT_TRUE(separate.ok());
  EXPECT_TRUE(separate.command.print.nano);
  const auto micro = parse({"--nano", "--time-stamp-precision=micro", "-r", "f"});
  ASSERT_TRUE(micro.ok());
  EXPECT_FALSE(micro.command.print.nano);
  EXPECT_FALSE(parse({"--time-stamp-precision=pico", "-r", "f"}).ok());
}

// ---- dumps, link header, quiet, checksums -----------------------------------

TEST(TcpdumpArgs, HexAndAsciiDumps) {
  const auto parsed = parse({"-xx", "-X", "-A", "-e", "-q", "-K", "-r", "f"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.print.hex, 2);
  EXPECT_EQ(parsed.command.print.hex_ascii, 1);
  EXPECT_TRUE(parsed.command.print.ascii);
  EXPECT_TRUE(parsed.command.print.link_header);
  EXPECT_TRUE(parsed.command.print.quiet);
  EXPECT_TRUE(parsed.command.print.no_checksum);
}

// ---- sources and capture settings -------------------------------------------

TEST(TcpdumpArgs, LiveCaptureSettings) {
  const auto parsed = parse(
      {"-i", "lo", "-s", "128", "-B", "4096", "-p", "--immediate-mode", "-c", "5", "-Z", "nobody", "-U"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  const SourceOptions& source = parsed.command.source;
  EXPECT_EQ(source.interface, "lo");
  EXPECT_EQ(source.live.snaplen, 128);
  EXPECT_EQ(source.live.buffer_size_kib, 4096);
  EXPECT_FALSE(source.live.promiscuous);
  EXPECT_TRUE(source.live.immediate);
  EXPECT_EQ(source.count, 5u);
  EXPECT_EQ(source.drop_user, "nobody");
  EXPECT_TRUE(source.write_flush_each);
}

TEST(TcpdumpArgs, SnaplenZeroMeansTheMaximum) {
  EXPECT_EQ(parse({"-s", "0", "-i", "lo"}).command.source.live.snaplen, 262144);
  EXPECT_EQ(parse({"-s0x100", "-i", "lo"}).command.source.live.snaplen, 256);
  EXPECT_FALSE(parse({"-s", "262145", "-i", "lo"}).ok());
  EXPECT_FALSE(parse({"-s", "-1", "-i", "lo"}).ok());
}

TEST(TcpdumpArgs, SkipAndCount) {
  const auto parsed = parse({"--skip", "3", "-c", "2", "-r", "f"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.skip, 3u);
  EXPECT_EQ(parsed.command.source.count, 2u);
  EXPECT_EQ(parse({"--skip=0", "-r", "f"}).command.source.skip, 0u);
}

TEST(TcpdumpArgs, BadNumbersAreUsageErrors) {
  EXPECT_EQ(parse({"-c", "0", "-r", "f"}).error, "invalid packet count 0");
  EXPECT_EQ(parse({"-c", "ten", "-r", "f"}).error, "invalid packet count ten");
  EXPECT_EQ(parse({"-B", "0", "-i", "lo"}).error, "invalid packet buffer size 0");
  EXPECT_FALSE(parse({"--skip", "-2", "-r", "f"}).ok());
}

// ---- long options -----------------------------------------------------------

TEST(TcpdumpArgs, LongOptionsAndUniquePrefixes) {
  const auto parsed = parse({"--number", "--interface=eth0", "--snapshot-length", "96", "--no-promisc",
                             "--dont-verify", "--relinquish-privileges=nobody", "--buffer-size=8"});
  ASSERT_TRUE(parsed.ok()) << parsed.error;
  EXPECT_TRUE(parsed.command.print.number);
  EXPECT_EQ(parsed.command.source.interface, "eth0");
  EXPECT_EQ(parsed.command.source.live.snaplen, 96);
  EXPECT_FALSE(parsed.command.source.live.promiscuous);
  EXPECT_TRUE(parsed.command.print.no_checksum);
  EXPECT_EQ(parsed.command.source.drop_user, "nobody");
  EXPECT_EQ(parsed.command.source.live.buffer_size_kib, 8);
}

TEST(TcpdumpArgs, AmbiguousAndUnknownLongOptions) {
  EXPECT_EQ(parse({"--n", "-r", "f"}).error,
            "ambiguous option --n (see tcpscope --help)");  // --nano, --number
  EXPECT_EQ(parse({"--frobnicate"}).error, "unknown option --frobnicate (see tcpscope --help)");
  EXPECT_EQ(parse({"--version=2"}).error, "option --version takes no argument");
  EXPECT_EQ(parse({"--interface"}).error, "option --interface needs an argument");
}

TEST(TcpdumpArgs, InformationalOptions) {
  EXPECT_TRUE(parse({"--version"}).command.show_version);
  EXPECT_TRUE(parse({"-h"}).command.show_help);
  EXPECT_TRUE(parse({"--help"}).command.show_help);
  EXPECT_TRUE(parse({"-D"}).command.list_interfaces);
  EXPECT_TRUE(parse({"--list-interfaces"}).command.list_interfaces);
}

// ---- filter expression ------------------------------------------------------

TEST(TcpdumpArgs, RemainingWordsFormTheFilterInAnyPosition) {
  const auto parsed = parse({"-r", "f", "tcp", "port", "80", "-n", "and", "host", "10.0.0.1"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.filter, "tcp port 80 and host 10.0.0.1");
  EXPECT_EQ(parsed.command.print.numeric, 1);
}

TEST(TcpdumpArgs, DoubleDashEndsOptions) {
  const auto parsed = parse({"-r", "f", "--", "-n", "x"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.filter, "-n x");
  EXPECT_EQ(parsed.command.print.numeric, 0);
}

TEST(TcpdumpArgs, FilterFileExcludesCommandLineFilter) {
  EXPECT_EQ(parse({"-F", "filter.txt", "-r", "f"}).command.filter_file, "filter.txt");
  EXPECT_FALSE(parse({"-F", "filter.txt", "-r", "f", "tcp"}).ok());
}

// ---- usage errors -----------------------------------------------------------

TEST(TcpdumpArgs, UnknownShortOption) {
  EXPECT_EQ(parse({"-nk", "-r", "f"}).error, "unknown option -k (see tcpscope --help)");
}

TEST(TcpdumpArgs, KnownButUnsupportedTcpdumpOption) {
  EXPECT_EQ(parse({"-C", "10", "-w", "f"}).error, "option -C is not supported by tcpscope");
}

TEST(TcpdumpArgs, FilterProgramDumpLevelsAndOptimizer) {
  EXPECT_EQ(parse({"-d", "tcp"}).command.dump_filter_program, 1);
  EXPECT_EQ(parse({"-ddd", "-r", "f"}).command.dump_filter_program, 3);
  EXPECT_EQ(parse({"-d", "-d", "-r", "f"}).command.dump_filter_program, 2);
  EXPECT_EQ(parse({"-r", "f"}).command.dump_filter_program, 0);
  EXPECT_TRUE(parse({"-r", "f"}).command.source.optimize_filter);
  EXPECT_FALSE(parse({"-Od", "-r", "f"}).command.source.optimize_filter);
  EXPECT_FALSE(parse({"--no-optimize", "-r", "f"}).command.source.optimize_filter);
}

TEST(TcpdumpArgs, CaptureDirection) {
  using capture::CaptureDirection;
  EXPECT_EQ(parse({"-i", "lo"}).command.source.live.direction, CaptureDirection::inout);
  EXPECT_EQ(parse({"-Q", "in", "-i", "lo"}).command.source.live.direction, CaptureDirection::in);
  EXPECT_EQ(parse({"-QOUT", "-i", "lo"}).command.source.live.direction, CaptureDirection::out);
  EXPECT_EQ(parse({"--direction=InOut", "-i", "lo"}).command.source.live.direction, CaptureDirection::inout);
  EXPECT_EQ(parse({"-Q", "sideways"}).error, "unknown capture direction 'sideways' (in, out or inout)");
  EXPECT_EQ(parse({"-Q"}).error, "option -Q needs an argument");
}

TEST(TcpdumpArgs, MissingArgument) {
  EXPECT_EQ(parse({"-n", "-r"}).error, "option -r needs an argument");
  EXPECT_EQ(parse({"-c"}).error, "option -c needs an argument");
}

TEST(TcpdumpArgs, ReadAndInterfaceTogether) {
  EXPECT_EQ(parse({"-r", "f", "-i", "lo"}).error, "-r and -i cannot be used together");
}

TEST(TcpdumpArgs, WriteAndPrint) {
  const auto parsed = parse({"-r", "in", "-w", "out", "--print"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.write_file, "out");
  EXPECT_TRUE(parsed.command.print_when_writing);
}

TEST(TcpdumpArgs, LoneDashIsAWordNotAnOption) {
  const auto parsed = parse({"-r", "-"});
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.command.source.read_file, "-");
}

}  // namespace
}  // namespace tcpscope::cli
