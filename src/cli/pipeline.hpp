// The pipeline every subcommand shares: a frame source (file or live interface,
// with its filter) -> decode into one reused Packet -> a consumer, plus the
// tcpdump behaviours around it: banner, -c, --skip, -w, -Z, signals, statistics.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "capture/source.hpp"
#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "print/print_options.hpp"

namespace tcpscope::cli {

class ReadAhead;

struct SourceOptions {
  std::string read_file;          // -r FILE ("-" is standard input)
  std::string interface;          // -i IFACE; with neither -r nor -i, the first capture interface
  std::string filter;             // BPF expression, for files and live capture
  bool optimize_filter = true;    // cleared by -O: libpcap's filter optimizer off
  capture::LiveOptions live;      // -s, -B, -p, -Q, --immediate-mode (interface is filled from `interface`)
  std::uint64_t count = 0;        // -c N: stop after N packets (0: no limit)
  std::uint64_t skip = 0;         // --skip N: ignore the first N packets that pass the filter
  std::string write_file;         // -w FILE
  bool write_nano = false;        // -w writes nanosecond time stamps (--nano)
  bool write_flush_each = false;  // -U: flush the -w file after every packet
  std::string drop_user;          // -Z USER
  bool verbose = false;           // any -v: tcpdump then omits the "verbose output suppressed" hint
  bool quiet = false;             // --quiet: no progress line on stderr for large files
};

// Receives the decoded packets. The Frame and Packet are valid only during the call.
class PacketConsumer {
 public:
  virtual ~PacketConsumer() = default;
  virtual void on_packet(const Frame& frame, const decode::Packet& packet) = 0;
  // Called when a live capture is idle and before any message on stderr or exit:
  // push buffered output out.
  virtual void flush() {}
  // A signal (Ctrl-C, SIGTERM, SIGHUP) stopped a live capture.
  virtual void on_interrupted() {}
  // True once the consumer cannot go on (e.g. its output failed): the pipeline stops reading.
  virtual bool failed() const { return false; }
  // TCP connections seen so far, for the progress line (0: the consumer does not track them).
  virtual std::uint64_t connections_seen() const { return 0; }
  // False when the consumer never looks at decode's TCP checksum verdict.
  virtual bool needs_tcp_checksum() const { return true; }
  // True when frames may be read and decoded on a second thread ahead of on_packet()
  // (the consumer must not keep a Frame or Packet beyond the call).
  virtual bool allows_read_ahead() const { return false; }
  // With read-ahead: options with which the reading thread prints each TCP segment's tcpdump
  // text (ReadAhead's text_options), handed to on_packet_text() just before each on_packet();
  // null (the default) for none.
  virtual const print::PrintOptions* read_ahead_text_options() const { return nullptr; }
  // The text of the packet on_packet() gets next ("" when not a TCP segment); valid during that call.
  virtual void on_packet_text(std::string_view text) { (void)text; }
  // With read-ahead: true when the reading thread also computes each TCP segment's flow hash
  // (ReadAhead's flow_hashes), handed to on_flow_hashes() just before each on_packet().
  virtual bool wants_flow_hashes() const { return false; }
  // `ahead.hash_ahead(0)` is the packet's that on_packet() gets next, and the later packets'
  // are hints for prefetching (ReadAhead::hash_ahead()).
  virtual void on_flow_hashes(const ReadAhead& ahead) { (void)ahead; }
};

// Runs the pipeline to the end of the source, -c, or a stop signal. `consumer`
// may be null (e.g. -w only). Prints tcpdump's banner and, for live captures,
// its statistics on stderr; every error is one line prefixed "tcpscope: ".
// Reading a large file with stderr on a terminal, it shows a progress line
// there (progress.hpp) unless options.quiet.
// Returns the exit status: 0, 1 for runtime errors, 2 for usage errors.
int run_pipeline(const SourceOptions& options, PacketConsumer* consumer);

// tcpdump -d/-dd/-ddd: prints the program the filter compiles to on the source (`level`
// 1, 2, 3) and returns the exit status as run_pipeline(); without -r or -i, for Ethernet
// (tcpdump's default), with a warning.
int run_filter_dump(const SourceOptions& options, int level);

// Prints "tcpscope: <message>" on stderr (one line).
void report_error(const std::string& message);

}  // namespace tcpscope::cli
