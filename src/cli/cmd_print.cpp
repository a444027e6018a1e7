// `tcpscope [print] ...`: tcpdump-compatible printing. Options are parsed
// tcpdump's way (tcpdump_args.cpp), packets flow through the shared pipeline,
// and the printer's text is collected in a large buffer written out in big chunks.
#include <fmt/format.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "capture/interfaces.hpp"
#include "cli/commands.hpp"
#include "cli/pipeline.hpp"
#include "cli/tcpdump_args.hpp"
#include "print/tcpdump_printer.hpp"

#ifndef TCPSCOPE_VERSION
#define TCPSCOPE_VERSION "unknown"
#endif

namespace tcpscope::cli {
namespace {

// Reading a file, output leaves in big chunks; a live capture flushes about as
// often as tcpdump's stdio buffer would, so a pipe reader sees packets promptly.
constexpr std::size_t kFileOutputChunkBytes = 256 * 1024;
constexpr std::size_t kLiveOutputChunkBytes = 8 * 1024;

class PrintConsumer final : public PacketConsumer {
 public:
  PrintConsumer(const print::PrintOptions& options, std::size_t chunk_bytes, bool flush_every_packet)
      : printer_(options),
        verify_checksums_(options.verbose > 0 && !options.no_checksum),
        chunk_bytes_(chunk_bytes),
        flush_every_packet_(flush_every_packet) {
    out_.reserve(chunk_bytes + 64 * 1024);
  }
  ~PrintConsumer() override { flush(); }
  PrintConsumer(const PrintConsumer&) = delete;
  PrintConsumer& operator=(const PrintConsumer&) = delete;

  void on_packet(const Frame& frame, const decode::Packet& packet) override {
    printer_.print(frame, packet, out_);
    if (flush_every_packet_ || out_.size() >= chunk_bytes_) flush();
  }

  // tcpdump ends the output with a newline when a signal stops a live capture
  // (so that the statistics start on a fresh line after the terminal's "^C").
  void on_interrupted() override { out_.push_back('\n'); }

  void flush() override {
    if (out_.size() != 0) {
      if (!write_failed_ && std::fwrite(out_.data(), 1, out_.size(), stdout) != out_.size())
        write_failed_ = true;
      out_.clear();
    }
    if (!write_failed_ && (std::fflush(stdout) != 0 || std::ferror(stdout) != 0)) write_failed_ = true;
    if (write_failed_ && write_errno_ == 0) write_errno_ = errno;
  }

  bool failed() const override { return write_failed_; }
  // With -v the decoder's checksum verdict is reused (on the reading thread when
  // there is one); without, nobody looks at it.
  bool needs_tcp_checksum() const override { return verify_checksums_; }
  bool allows_read_ahead() const override { return true; }
  int write_errno() const { return write_errno_; }

 private:
  print::TcpdumpPrinter printer_;
  bool verify_checksums_;
  fmt::memory_buffer out_;
  std::size_t chunk_bytes_;
  bool flush_every_packet_;
  bool write_failed_ = false;
  int write_errno_ = 0;
};

int list_interfaces() {
  Error error;
  const auto interfaces = capture::list_interfaces(error);
  if (error) {
    report_error(error.message);
    return 1;
  }
  if (interfaces.empty()) {
    report_error("no interfaces available for capture");
    return 1;
  }
  int index = 0;
  for (const auto& iface : interfaces) {
    std::printf("%d.%s", ++index, iface.name.c_str());
    if (!iface.description.empty()) std::printf(" (%s)", iface.description.c_str());
    if (!iface.flags_text.empty()) std::printf(" [%s]", iface.flags_text.c_str());
    std::putchar('\n');
  }
  return 0;
}

// Reads a -F filter file as tcpdump does: '#' starts a comment up to the end of the line.
bool read_filter_file(const std::string& path, std::string& filter) {
  std::ifstream in(path);
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    if (!filter.empty()) filter += ' ';
    filter += line;
  }
  return true;
}

}  // namespace

int run_print_argv(int argc, char** argv, const std::string& subcommand_usage) {
  std::vector<std::string_view> args;
  args.reserve(argc > 0 ? static_cast<std::size_t>(argc) : 0);
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  ParsedArgs parsed = parse_tcpdump_args(args);
  if (!parsed.ok()) {
    report_error(parsed.error);
    return 2;
  }
  PrintCommand& command = parsed.command;
  if (command.show_help) {
    std::fputs(tcpdump_usage(subcommand_usage).c_str(), stdout);
    return 0;
  }
  if (command.show_version) {
    std::printf("tcpscope version %s\n%s\n", TCPSCOPE_VERSION, pcap_lib_version());
    return 0;
  }
  if (command.list_interfaces) return list_interfaces();
  if (!command.filter_file.empty() && !read_filter_file(command.filter_file, command.source.filter)) {
    report_error(command.filter_file + ": cannot read the filter file");
    return 1;
  }

  if (command.dump_filter_program > 0) return run_filter_dump(command.source, command.dump_filter_program);

  const bool printing = command.source.write_file.empty() || command.print_when_writing;
  if (!printing) return run_pipeline(command.source, nullptr);
  const bool flush_every_packet = command.line_buffered || isatty(STDOUT_FILENO) != 0;
  const bool live = command.source.read_file.empty();
  PrintConsumer consumer(command.print, live ? kLiveOutputChunkBytes : kFileOutputChunkBytes,
                         flush_every_packet);
  const int status = run_pipeline(command.source, &consumer);
  consumer.flush();
  if (consumer.failed()) {
    std::fprintf(stderr, "tcpscope: cannot write to standard output: %s\n",
                 std::strerror(consumer.write_errno()));
    return 1;
  }
  return status;
}

}  // namespace tcpscope::cli
