#include "cli/source_options.hpp"

namespace tcpscope::cli {

void add_source_options(CLI::App& command, SourceArgs& args) {
  SourceOptions& o = args.options;
  command.add_option("-r,--read", o.read_file,
                     "read packets from a pcap/pcapng file (\"-\": standard input)");
  command.add_option("-i,--interface", o.interface, "capture live on an interface (\"any\": all)");
  command.add_option("-c,--count", o.count, "stop after this many packets")->check(CLI::PositiveNumber);
  command.add_option("--skip", o.skip, "ignore the first N packets that pass the filter");
  command.add_option("-s,--snapshot-length", o.live.snaplen, "bytes captured per packet (0: 262144)")
      ->check(CLI::Range(0, 262144));
  command
      .add_option("-B,--buffer-size", o.live.buffer_size_kib,
                  "kernel capture buffer in KiB (default 8192; tcpdump's is libpcap's 2048)")
      ->check(CLI::Range(1, 1 << 21));
  command.add_flag_callback(
      "-p,--no-promiscuous-mode", [&o] { o.live.promiscuous = false; },
      "do not put the interface into promiscuous mode");
  command.add_flag("--immediate-mode", o.live.immediate, "deliver packets as they arrive");
  command.add_option(
      "-Z,--relinquish-privileges", o.drop_user,
      "as root, become this user once the capture is open (default: tcpdump; \"root\": stay root)");
  command.add_flag("--quiet", o.quiet, "no progress line on stderr while reading a large file");
  command.add_option("filter", args.filter_words, "BPF filter expression (pcap-filter(7))");
}

std::string finish_source_options(SourceArgs& args) {
  std::string& filter = args.options.filter;
  filter.clear();
  for (const auto& word : args.filter_words) {
    if (!filter.empty()) filter += ' ';
    filter += word;
  }
  if (args.options.live.snaplen == 0) args.options.live.snaplen = 262144;  // tcpdump's -s 0
  if (!args.options.read_file.empty() && !args.options.interface.empty())
    return "-r and -i cannot be used together";
  return {};
}

}  // namespace tcpscope::cli
