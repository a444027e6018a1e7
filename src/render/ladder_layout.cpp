#include "render/ladder_layout.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/tcp_flags.hpp"

namespace tcpscope::render {

namespace {

// A fixed-size output for the flag texts.
template <std::size_t N>
struct CharSink {
  char (&buffer)[N];
  std::size_t size = 0;
  void push_back(char c) {
    if (size < N) buffer[size++] = c;
  }
  void append(std::string_view s) {
    const std::size_t n = std::min(s.size(), N - size);
    s.copy(buffer + size, n);
    size += n;
  }
  // As fmt's "{}" of an integer.
  template <class T>
  void append_int(T v) {
    const fmt::format_int f(v);
    append(std::string_view(f.data(), f.size()));
  }
  std::string_view view() const { return {buffer, size}; }
};

template <class Buffer>
void append_flags_label(Buffer& out, std::uint16_t flags) {
  struct Name {
    std::uint16_t bit;
    std::string_view name;
  };
  static constexpr Name kNames[] = {
      {tcp_flag::syn, "SYN"}, {tcp_flag::fin, "FIN"}, {tcp_flag::rst, "RST"},
      {tcp_flag::psh, "PSH"}, {tcp_flag::ack, "ACK"}, {tcp_flag::urg, "URG"},
      {tcp_flag::ece, "ECE"}, {tcp_flag::cwr, "CWR"}, {tcp_flag::ae, "AE"},
  };
  bool first = true;
  for (const Name& n : kNames) {
    if ((flags & n.bit) == 0) continue;
    if (!first) out.push_back('+');
    first = false;
    out.append(n.name);
  }
  if (first) out.append(std::string_view("none"));
}

template <class Buffer>
void append_flags_token(Buffer& out, std::uint16_t flags) {
  // tcpdump 4.99's tcp_flag_values order.
  struct Tok {
    std::uint16_t bit;
    char c;
  };
  static constexpr Tok kTokens[] = {
      {tcp_flag::fin, 'F'}, {tcp_flag::syn, 'S'}, {tcp_flag::rst, 'R'},
      {tcp_flag::psh, 'P'}, {tcp_flag::ack, '.'}, {tcp_flag::urg, 'U'},
      {tcp_flag::ece, 'E'}, {tcp_flag::cwr, 'W'}, {tcp_flag::ae, 'e'},
  };
  bool any = false;
  for (const Tok& t : kTokens)
    if (flags & t.bit) out.push_back(t.c), any = true;
  if (!any) out.append(std::string_view("none"));
}

}  // namespace

std::string flags_label(std::uint16_t flags) {
  std::string out;
  append_flags_label(out, flags);
  return out;
}

std::string flags_token(std::uint16_t flags) {
  std::string out;
  append_flags_token(out, flags);
  return out;
}

std::string_view flags_label(std::uint16_t flags, char (&buffer)[kFlagsLabelMax]) {
  CharSink<kFlagsLabelMax> sink{buffer};
  append_flags_label(sink, flags);
  return sink.view();
}

std::string_view flags_token(std::uint16_t flags, char (&buffer)[kFlagsTokenMax]) {
  CharSink<kFlagsTokenMax> sink{buffer};
  append_flags_token(sink, flags);
  return sink.view();
}

bool is_anomaly(const track::TimelineSegment& s) {
  using track::AnalysisFlag;
  using track::InferenceNote;
  track::AnalysisFlags serious = s.analysis;
  serious.clear(AnalysisFlag::window_update);
  serious.clear(AnalysisFlag::keep_alive);
  serious.clear(AnalysisFlag::keep_alive_ack);
  if (serious.any()) return true;
  if (s.checksum == decode::ChecksumStatus::bad && !s.loopback) return true;
  const track::NoteSet& n = s.inference.notes;
  return n.has(InferenceNote::retransmitted_syn) || n.has(InferenceNote::retransmitted_syn_ack) ||
         n.has(InferenceNote::retransmitted_fin) || n.has(InferenceNote::syn_ack_not_received) ||
         n.has(InferenceNote::final_ack_not_received) || n.has(InferenceNote::rst_out_of_window) ||
         n.has(InferenceNote::ack_of_unseen_data) || n.has(InferenceNote::ack_of_uncaptured_fin) ||
         n.has(InferenceNote::segment_after_close) || n.has(InferenceNote::unexpected_flags) ||
         n.has(InferenceNote::syn_not_captured) || n.has(InferenceNote::syn_ack_not_captured) ||
         n.has(InferenceNote::refused) || (s.flags & tcp_flag::rst) != 0;
}

LadderLayout layout_ladder(const track::ConnectionTimeline& tl, bool relative) {
  LadderLayout out;
  out.client_initial = tl.client_initial.state;
  out.server_initial = tl.server_initial.state;
  out.client_assumed = tl.client_initial.confidence == track::Confidence::assumed;
  out.server_assumed = tl.server_initial.confidence == track::Confidence::assumed;
  out.rows.reserve(tl.segments.size());
  TcpState client = out.client_initial;
  TcpState server = out.server_initial;
  char label_chars[LadderLabel::kMax];
  for (std::size_t i = 0; i < tl.segments.size(); ++i) {
    const track::TimelineSegment& s = tl.segments[i];
    LadderRow& r = out.rows.emplace_back();
    r.segment = i;
    r.number = s.index;
    r.frame = s.frame;
    r.from_client = s.dir == track::Direction::from_client;
    // The label: flags, then seq (and ack) absolute or relative, then the payload length.
    CharSink<LadderLabel::kMax> label{label_chars};
    append_flags_label(label, s.flags);
    const bool has_ack = (s.flags & tcp_flag::ack) != 0;
    label.append(" seq=");
    if (relative)
      label.append_int(s.rel_seq);
    else
      label.append_int(s.seq.raw());
    if (has_ack) {
      label.append(" ack=");
      if (relative)
        label.append_int(s.rel_ack);
      else
        label.append_int(s.ack.raw());
    }
    if (s.payload_len > 0) {
      label.append(" len ");
      label.append_int(s.payload_len);
    }
    r.label.assign(label.view());
    r.anomaly = is_anomaly(s);
    // States where they changed (a revision before the segment counts as a change too).
    if (s.inference.client.state != client || s.inference.client_revised)
      r.client_state = s.inference.client.state;
    if (s.inference.server.state != server || s.inference.server_revised)
      r.server_state = s.inference.server.state;
    client = s.inference.client.state;
    server = s.inference.server.state;
    r.phase = s.phase.phase;
    r.t_ms = static_cast<double>(s.ts - tl.first_ts) / 1e6;
    if (out.bands.empty() || out.bands.back().phase != r.phase)
      out.bands.push_back(LadderBand{.phase = r.phase, .first_row = i, .end_row = i + 1});
    else
      out.bands.back().end_row = i + 1;
  }
  return out;
}

}  // namespace tcpscope::render
