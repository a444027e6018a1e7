// One layout of a connection's ladder (arrows between a Client and a Server
// column, each endpoint's state on its side where it changes, phases as bands,
// anomalies marked), shared by the text ladder, the SVG, the HTML report and
// Mermaid. Pure function of the timeline.
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tcp_state.hpp"
#include "track/timeline.hpp"

namespace tcpscope::render {

// A row's arrow label, held in the row (a layout allocates nothing per row). ASCII only, so
// its size is its display width.
class LadderLabel {
 public:
  static constexpr std::size_t kMax =
      120;  // "SYN+FIN+RST+PSH+ACK+URG+ECE+CWR+AE seq=<i64> ack=<i64> len <u32>"
  void assign(std::string_view s) {
    len_ = static_cast<std::uint8_t>(std::min(s.size(), kMax));
    s.copy(chars_, len_);
  }
  std::string_view view() const { return {chars_, len_}; }
  operator std::string_view() const { return view(); }
  std::size_t size() const { return len_; }
  friend bool operator==(const LadderLabel& a, std::string_view b) { return a.view() == b; }

 private:
  char chars_[kMax];
  std::uint8_t len_ = 0;
};

struct LadderRow {
  // Provided (not defaulted): rows.emplace_back() sets the members' defaults below without
  // first zeroing the whole row (the label's characters are written only up to its length).
  LadderRow() {}
  std::size_t segment = 0;   // index into timeline.segments
  std::uint32_t number = 0;  // 1-based segment number
  std::uint64_t frame = 0;
  bool from_client = true;
  LadderLabel label;                     // "SYN+ACK seq=2547375254 ack=2099912038", "PSH+ACK ... len 4"
  bool anomaly = false;                  // Wireshark analysis flags or notes worth a distinct colour
  std::optional<TcpState> client_state;  // set where the client's state changed at this segment
  std::optional<TcpState> server_state;
  track::Phase phase = track::Phase::data_transfer;
  double t_ms = 0;  // since the connection's first segment
};

struct LadderBand {
  track::Phase phase = track::Phase::data_transfer;
  std::size_t first_row = 0;  // rows [first_row, end_row)
  std::size_t end_row = 0;
};

struct LadderLayout {
  TcpState client_initial = TcpState::Closed;
  TcpState server_initial = TcpState::Closed;
  bool client_assumed = false;
  bool server_assumed = false;
  std::vector<LadderRow> rows;
  std::vector<LadderBand> bands;
};

LadderLayout layout_ladder(const track::ConnectionTimeline& tl, bool relative);

// "SYN", "SYN+ACK", "PSH+ACK", "FIN+ACK", "RST", "RST+ACK", "ECE+SYN", ...
std::string flags_label(std::uint16_t flags);
// tcpdump's token inside "Flags [...]": "S", "S.", "P.", "F.", "R.", "SEW", ...
std::string flags_token(std::uint16_t flags);
// The same two written into the caller's buffer (no allocation): the views point into it.
inline constexpr std::size_t kFlagsLabelMax = 40;  // "SYN+FIN+RST+PSH+ACK+URG+ECE+CWR+AE"
inline constexpr std::size_t kFlagsTokenMax = 10;  // "FSRP.UEWe"
std::string_view flags_label(std::uint16_t flags, char (&buffer)[kFlagsLabelMax]);
std::string_view flags_token(std::uint16_t flags, char (&buffer)[kFlagsTokenMax]);
// Whether the segment deserves the anomaly colour.
bool is_anomaly(const track::TimelineSegment& s);

}  // namespace tcpscope::render
