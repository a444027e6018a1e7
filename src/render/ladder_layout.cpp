#include "render/ladder_layout.hpp"

#include <fmt/format.h>

#include "core/tcp_flags.hpp"

namespace tcpscope::render {

std::string flags_label(std::uint16_t flags) {
  struct Name {
    std::uint16_t bit;
    std::string_view name;
  };
  static constexpr Name kNames[] = {
      {tcp_flag::syn, "SYN"}, {tcp_flag::fin, "FIN"}, {tcp_flag::rst, "RST"},
      {tcp_flag::psh, "PSH"}, {tcp_flag::ack, "ACK"}, {tcp_flag::urg, "URG"},
      {tcp_flag::ece, "ECE"}, {tcp_flag::cwr, "CWR"}, {tcp_flag::ae, "AE"},
  };
  std::string out;
  for (const Name& n : kNames) {
    if ((flags & n.bit) == 0) continue;
    if (!out.empty()) out += '+';
    out += n.name;
  }
  return out.empty() ? std::string("none") : out;
}

std::string flags_token(std::uint16_t flags) {
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
  std::string out;
  for (const Tok& t : kTokens)
    if (flags & t.bit) out += t.c;
  return out.empty() ? std::string("none") : out;
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
  for (std::size_t i = 0; i < tl.segments.size(); ++i) {
    const track::TimelineSegment& s = tl.segments[i];
    LadderRow& r = out.rows.emplace_back();
    r.segment = i;
    r.number = s.index;
    r.frame = s.frame;
    r.from_client = s.dir == track::Direction::from_client;
    r.flags = flags_label(s.flags);
    const bool has_ack = (s.flags & tcp_flag::ack) != 0;
    if (relative)
      r.numbers =
          has_ack ? fmt::format("seq={} ack={}", s.rel_seq, s.rel_ack) : fmt::format("seq={}", s.rel_seq);
    else
      r.numbers = has_ack ? fmt::format("seq={} ack={}", s.seq.raw(), s.ack.raw())
                          : fmt::format("seq={}", s.seq.raw());
    if (s.payload_len > 0) r.numbers += fmt::format(" len {}", s.payload_len);
    r.label = r.flags + " " + r.numbers;
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
