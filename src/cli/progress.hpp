// The progress line shown on stderr while a long capture file is read:
//   tcpscope: 512.3 MB of 1.20 GB (42%), 3.58 M packets, 90.6 k connections, 410 MB/s, ETA 0:02
// Shown only when the input is a regular file of more than kMinimumFileBytes,
// stderr is a terminal and --quiet was not given; never on stdout. The clock is
// read once every kPacketsPerCheck packets, so the packet path costs a counter.
#pragma once
#include <cstdint>
#include <string>

#include "capture/source.hpp"

namespace tcpscope::cli {

class ProgressMeter {
 public:
  static constexpr std::uint64_t kMinimumFileBytes = 100'000'000;
  static constexpr std::uint64_t kPacketsPerCheck = 8192;
  static constexpr std::int64_t kRedrawIntervalNs = 250'000'000;

  // `read_file` is the -r argument ("" for a live capture, "-" for standard input).
  ProgressMeter(const std::string& read_file, bool quiet);
  ~ProgressMeter() { clear(); }
  ProgressMeter(const ProgressMeter&) = delete;
  ProgressMeter& operator=(const ProgressMeter&) = delete;

  bool enabled() const { return enabled_; }

  // Call once per packet read. `connections()` returns the number of TCP
  // connections seen so far (0 when the caller does not track them); it is called
  // only when the line may be redrawn.
  template <typename ConnectionCount>
  void on_packet(const capture::FrameSource& source, ConnectionCount&& connections) {
    if (!enabled_) return;
    if (++packets_ % kPacketsPerCheck == 0) maybe_redraw(source, connections());
  }

  // Erases the line (before an error message, and at the end).
  void clear();

  // The line's text for these figures (without "\r" and the erase sequence); a pure
  // function, so it can be tested.
  static std::string format_line(std::uint64_t bytes, std::uint64_t total_bytes, std::uint64_t packets,
                                 std::uint64_t connections, double elapsed_seconds);

 private:
  void maybe_redraw(const capture::FrameSource& source, std::uint64_t connections);

  bool enabled_ = false;
  bool shown_ = false;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t packets_ = 0;
  std::int64_t start_ns_ = 0;
  std::int64_t last_draw_ns_ = 0;
};

}  // namespace tcpscope::cli
