// Frame sources: where captured frames come from (a capture file or a live
// interface). The source owns the bytes; a Frame it hands out is valid until the
// next call to next().
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "core/frame.hpp"
#include "core/status.hpp"

namespace tcpscope::capture {

// libpcap's end-of-capture counters (struct pcap_stat), as tcpdump reports them.
struct CaptureStats {
  std::uint64_t received_by_filter = 0;    // ps_recv
  std::uint64_t dropped_by_kernel = 0;     // ps_drop
  std::uint64_t dropped_by_interface = 0;  // ps_ifdrop
};

enum class NextResult : std::uint8_t {
  frame,    // `frame` holds the next frame
  end,      // end of file, or a stop was requested
  timeout,  // live only: no frame within the buffer timeout; call again (a chance to flush output)
  error,    // error() tells what went wrong; frames read before it stay valid
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;

  // Reads the next frame that passes the filter into `frame` (all fields but `number`).
  virtual NextResult next(Frame& frame) = 0;
  // The error that made next() return NextResult::error.
  virtual const Error& error() const = 0;

  // Compiles a BPF filter expression (with libpcap's optimizer unless `optimize` is
  // false: tcpdump's -O) and applies it to the frames next() returns.
  virtual Error set_filter(const std::string& expression, bool optimize) = 0;
  // The program `expression` compiles to on this source, as tcpdump -d (`level` 1), -dd (2)
  // or -ddd (3) prints it.
  virtual Error filter_program_text(const std::string& expression, bool optimize, int level,
                                    std::string& text) = 0;

  virtual int link_type() const = 0;
  virtual int snaplen() const = 0;
  virtual bool is_live() const = 0;
  // Kernel counters, for live sources only.
  virtual std::optional<CaptureStats> stats() const = 0;
  // Makes a blocked next() return NextResult::end. Async-signal-safe.
  virtual void request_stop() = 0;
  // Capture files: how far reading has got, in bytes from the start of the file
  // (for a progress display; may cost a system call, so call it now and then).
  // 0 when unknown (live sources, standard input).
  virtual std::uint64_t bytes_read() const { return 0; }
  // For the frame next() returned last: its bytes stay valid (beyond the next call)
  // until this many more bytes of the file have been read. 0: only until the next call.
  virtual std::uint64_t frame_stays_valid_for_bytes() const { return 0; }
  // A hint, before the first next(): the frames' bytes will be read on this
  // source's thread only, and only until its next call of next() (the consumer on
  // another thread reads decoded facts, as conns' tracker does). A classic pcap
  // file is then read into a ring small enough to stay in the cache, reused at once,
  // instead of one that keeps records for a few MiB (capture/pcap_records.hpp); its
  // frames then stay valid until the next call only (frame_stays_valid_for_bytes() 0).
  // No effect on what next() returns.
  virtual void expect_frames_read_until_next_call() {}
};

struct OpenedSource {
  std::unique_ptr<FrameSource> source;  // null when opening failed
  Error error;
  std::string warning;  // a non-fatal problem found while opening (e.g. promiscuous mode unsupported)
};

// Opens a pcap or pcapng file ("-" is standard input). Timestamps are always
// delivered in nanoseconds, whatever the file's precision.
OpenedSource open_capture_file(const std::string& path);

// The kernel ring's default size. libpcap's own default (2 MiB, tcpdump's) overflows
// when a loopback burst meets a reader that is not scheduled on a busy 2-core machine;
// 8 MiB (what `lab` always asked for) costs little while capturing. -B sets any size.
inline constexpr int kDefaultLiveBufferKib = 8192;

// Which packets a live capture sees (tcpdump's -Q): both directions, received or sent.
enum class CaptureDirection : std::uint8_t { inout, in, out };

struct LiveOptions {
  std::string interface;                        // "any" captures on all interfaces (Linux)
  int snaplen = 262144;                         // -s
  int buffer_size_kib = kDefaultLiveBufferKib;  // -B; 0 keeps libpcap's default
  bool promiscuous = true;                      // cleared by -p
  bool immediate = false;                       // --immediate-mode: deliver each packet as it arrives
  int timeout_ms = 1000;                        // tcpdump's packet buffer timeout
  CaptureDirection direction = CaptureDirection::inout;  // -Q
};

// Opens a live capture. Errors name the interface and, when permission is
// missing, say that root or CAP_NET_RAW is needed.
OpenedSource open_live(const LiveOptions& options);

// tcpdump -d/-dd/-ddd without -r or -i: `expression` compiled for `link_type` and `snaplen` alone.
Error filter_program_text_for(int link_type, int snaplen, const std::string& expression, bool optimize,
                              int level, std::string& text);

// Name and description of a link type as tcpdump prints them in its banner
// ("EN10MB (Ethernet)"), or the bare number when libpcap does not know it.
std::string link_type_text(int link_type);

}  // namespace tcpscope::capture
