// The wiring shared by `explain` and `diagram`: packets -> Wireshark analyzer +
// tracker -> timeline builder (with each segment's tcpdump text from the
// printer) -> a sink called with each connection's timeline when it ends (live:
// as soon as it ends; the rest at the end of input or on Ctrl-C).
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_set>

#include "cli/pipeline.hpp"
#include "print/tcpdump_printer.hpp"
#include "track/timeline.hpp"
#include "track/tracker.hpp"
#include "track/wireshark_analysis.hpp"

namespace tcpscope::cli {

class ExplainSession : public PacketConsumer {
 public:
  using Sink = std::function<void(const track::ConnectionTimeline&)>;

  // only_conn: 0 for every connection. compact: one-line tcpdump text (no -v).
  ExplainSession(std::uint64_t only_conn, bool compact, bool live, Sink sink);

  void on_packet(const Frame& frame, const decode::Packet& packet) override;
  void flush() override;

  // Ends every remaining connection (hands them to the sink). Call once, after the pipeline.
  void finish();
  std::uint64_t connections() const { return tracker_.stats().connections; }
  std::uint64_t explained() const { return explained_; }

 private:
  void on_segment(const track::Connection& conn, int side, const Frame& frame, const decode::Packet& packet);
  void on_ended(const track::Connection& conn);

  track::TimelineBuilder builder_;
  track::WiresharkAnalyzer wireshark_;
  track::WiresharkSegment current_;
  print::TcpdumpPrinter printer_;
  fmt::memory_buffer text_;
  track::Tracker tracker_;
  track::ConnectionTimeline finished_;
  bool live_;
  Sink sink_;
  std::unordered_set<std::uint64_t>
      done_early_;  // live: explained at their close, before the tracker ended them
  std::uint64_t explained_ = 0;
};

// "--conn N is out of range ..." when only_conn was given and not found, else "".
std::string conn_range_error(std::uint64_t only_conn, const ExplainSession& session);

// --color auto|always|never -> whether to colour standard output.
bool use_color(const std::string& mode);

}  // namespace tcpscope::cli
