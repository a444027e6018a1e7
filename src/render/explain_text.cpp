#include "render/explain_text.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <vector>

#include "core/tcp_flags.hpp"
#include "render/ladder_layout.hpp"
#include "render/ladder_text.hpp"
#include "render/text_util.hpp"

namespace tcpscope::render {
namespace {

using track::AnalysisFlag;
using track::ConnectionTimeline;
using track::InferenceNote;
using track::Phase;
using track::TimelineSegment;

template <class... Args>
std::string msg(const Messages& m, Msg key, const Args&... args) {
  return fmt::format(fmt::runtime(m[key]), args...);
}

Msg close_msg(track::CloseKind k) {
  return static_cast<Msg>(static_cast<std::size_t>(Msg::close_four_way_client_first) +
                          static_cast<std::size_t>(k));
}
Msg analysis_msg(AnalysisFlag f) {
  return static_cast<Msg>(static_cast<std::size_t>(Msg::af_retransmission) + static_cast<std::size_t>(f));
}
Msg note_msg(InferenceNote n) {
  return static_cast<Msg>(static_cast<std::size_t>(Msg::note_started_mid_stream) +
                          static_cast<std::size_t>(n));
}

std::string escape_preview(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else if (c == '\t')
      out += "\\t";
    else if (c == '"')
      out += "\\\"";
    else
      out += c;
  }
  return out;
}

std::string hex_preview(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 16; ++i) {
    if (i) out += ' ';
    out += fmt::format("{:02x}", static_cast<unsigned char>(s[i]));
  }
  return out;
}

std::string lower_first(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

std::string state_chain(const std::vector<TcpState>& states) {
  std::string out;
  for (std::size_t i = 0; i < states.size(); ++i) {
    if (i) out += " → ";
    out += to_string(states[i]);
  }
  return out;
}

// Distinct successive states of one side over segments [first, end), starting from its state before
// `first`; a segment that moved a side through two states (a SYN,ACK proving an uncaptured SYN) shows both.
std::vector<TcpState> states_over(const ConnectionTimeline& tl, std::size_t first, std::size_t end,
                                  bool client) {
  std::vector<TcpState> out;
  if (first >= tl.segments.size()) return out;
  const auto& before = tl.segments[first].inference;
  out.push_back(client ? before.client_before.state : before.server_before.state);
  const track::Side side = client ? track::Side::client : track::Side::server;
  for (std::size_t i = first; i < end && i < tl.segments.size(); ++i) {
    const auto& inf = tl.segments[i].inference;
    for (std::size_t r = 0; r < inf.rule_count; ++r) {
      const track::AppliedRule& a = inf.rules[r];
      if (a.side != side || a.from == a.to) continue;
      if (a.from != out.back()) out.push_back(a.from);
      out.push_back(a.to);
    }
    const TcpState s = client ? inf.client.state : inf.server.state;
    if (s != out.back()) out.push_back(s);
  }
  return out;
}

class Explainer {
 public:
  Explainer(fmt::memory_buffer& out, const ConnectionTimeline& tl, const ExplainTextOptions& o)
      : out_(out), tl_(tl), o_(o), m_(o.lang), p_{o.color}, layout_(layout_ladder(tl, o.relative)) {}

  void run() {
    header();
    std::size_t number = 0;
    if (!tl_.phases.empty() && tl_.phases.front().phase == Phase::before_capture) {
      line("");
      line(fmt::format("{}{}. {}{}", p_.bold(), ++number, m_[Msg::phase_before_capture], p_.reset()));
    }
    for (const LadderBand& band : layout_.bands) phase(++number, band);
    summary();
  }

 private:
  void line(std::string_view s) {
    out_.append(s);
    out_.push_back('\n');
  }

  void header() {
    const auto endpoint = [](const Endpoint& e) {
      return e.addr.is_v6() ? fmt::format("[{}]:{}", e.addr.to_string(), e.port)
                            : fmt::format("{}:{}", e.addr.to_string(), e.port);
    };
    line(fmt::format("{}{}{}", p_.bold(),
                     msg(m_, Msg::conn_header, tl_.id, endpoint(tl_.client), endpoint(tl_.server)),
                     p_.reset()));
    line("  " + msg(m_, Msg::conn_summary, tl_.segments.size(), duration_text(tl_.duration()),
                    tl_.client_bytes, tl_.server_bytes));
    line("  " + msg(m_, Msg::conn_closed, m_[close_msg(tl_.end.kind)], track::close_kind_name(tl_.end.kind)));
    line("  " +
         msg(m_, Msg::conn_zeek, tl_.zeek_conn_state, tl_.zeek_history.empty() ? "-" : tl_.zeek_history));
    if (tl_.irtt_ns >= 0)
      line("  " + msg(m_, Msg::conn_rtt, duration_text(tl_.irtt_ns), duration_text(tl_.irtt_server_ns),
                      duration_text(tl_.irtt_client_ns)));
    else
      line("  " + std::string(m_[Msg::conn_rtt_unknown]));
    switch (tl_.role_reason) {
      case track::RoleReason::syn:
        line("  " + std::string(m_[Msg::role_syn]));
        break;
      case track::RoleReason::syn_ack:
        line("  " + std::string(m_[Msg::role_syn_ack]));
        break;
      case track::RoleReason::port_heuristic:
        line("  " + std::string(m_[Msg::role_port]));
        break;
    }
    if (tl_.role_contradicted) line("  " + std::string(m_[Msg::role_contradicted]));
  }

  std::string phase_title(const LadderBand& band) const {
    const TimelineSegment& last = tl_.segments[band.end_row - 1];
    bool simultaneous = false;
    std::uint64_t client_bytes = 0, server_bytes = 0;
    bool server_spoke = false;
    for (std::size_t i = band.first_row; i < band.end_row; ++i) {
      const TimelineSegment& s = tl_.segments[i];
      simultaneous = simultaneous || s.inference.notes.has(InferenceNote::simultaneous_open);
      (s.dir == track::Direction::from_client ? client_bytes : server_bytes) += s.payload_len;
      server_spoke = server_spoke || s.dir == track::Direction::from_server;
    }
    switch (band.phase) {
      case Phase::handshake:
        if (simultaneous) return std::string(m_[Msg::phase_handshake_simultaneous]);
        if (last.inference.client.state == TcpState::Established)
          return std::string(m_[Msg::phase_handshake_done]);
        if (!server_spoke && tl_.server_segments == 0)
          return std::string(m_[Msg::phase_handshake_unanswered]);
        return std::string(m_[Msg::phase_handshake_open]);
      case Phase::data_transfer:
        if (client_bytes + server_bytes == 0) return std::string(m_[Msg::phase_data_none]);
        return msg(m_, Msg::phase_data, client_bytes, server_bytes);
      case Phase::teardown:
        if (tl_.end.facts.first_rst != track::Who::none) return std::string(m_[Msg::phase_teardown_aborted]);
        return capitalize(msg(m_, Msg::phase_teardown, m_[close_msg(tl_.end.kind)]));
      case Phase::reset:
        if (tl_.end.kind == track::CloseKind::refused) return std::string(m_[Msg::phase_refused]);
        return msg(m_, Msg::phase_reset, m_[close_msg(tl_.end.kind)]);
      case Phase::before_capture:
        return std::string(m_[Msg::phase_before_capture]);
    }
    return {};
  }

  void phase(std::size_t number, const LadderBand& band) {
    const TimelineSegment& first = tl_.segments[band.first_row];
    const TimelineSegment& last = tl_.segments[band.end_row - 1];
    line("");
    line(
        fmt::format("{}{}{}", p_.bold(),
                    msg(m_, Msg::phase_header, number, phase_title(band),
                        msg(m_, Msg::phase_segments, band.end_row - band.first_row, first.frame, last.frame)),
                    p_.reset()));
    line("");
    for (std::size_t i = band.first_row; i < band.end_row; ++i) segment(tl_.segments[i]);
    if (band.phase == Phase::handshake) negotiated();
    seq_table(band);
    line("");
    line("  " + std::string(m_[Msg::ladder_title]));
    ladder_text(out_, layout_, band.first_row, band.end_row, m_, o_.color, 4);
    line("");
    line("  " +
         msg(m_, Msg::summary_client, state_chain(states_over(tl_, band.first_row, band.end_row, true))));
    line("  " +
         msg(m_, Msg::summary_server, state_chain(states_over(tl_, band.first_row, band.end_row, false))));
  }

  void note(std::string_view text, bool anomaly = false) {
    line(fmt::format("      {}↳ {}{}", anomaly ? p_.red() : p_.dim(), text, p_.reset()));
  }

  void segment(const TimelineSegment& s) {
    const bool from_client = s.dir == track::Direction::from_client;
    const int d = from_client ? 0 : 1;
    // The tcpdump lines, the first one numbered.
    std::string_view text = s.tcpdump_text;
    bool first_line = true;
    while (!text.empty() || first_line) {
      const std::size_t nl = text.find('\n');
      const std::string_view l = text.substr(0, nl);
      if (first_line)
        line(fmt::format("  {}{}{}{}", from_client ? p_.cyan() : p_.yellow(),
                         pad_right(fmt::format("#{}", s.index), 5), p_.reset(), l));
      else
        line(fmt::format("       {}", l));
      first_line = false;
      if (nl == std::string_view::npos) break;
      text.remove_prefix(nl + 1);
    }
    // Flags the first time each combination and each bit appears.
    const std::string token = flags_token(s.flags);
    if (seen_tokens_.insert(token).second) note(msg(m_, Msg::flag_combo, token, flags_label(s.flags)));
    static constexpr std::array<std::pair<std::uint16_t, Msg>, 9> kBits = {{
        {tcp_flag::syn, Msg::flag_syn},
        {tcp_flag::ack, Msg::flag_ack},
        {tcp_flag::psh, Msg::flag_psh},
        {tcp_flag::fin, Msg::flag_fin},
        {tcp_flag::rst, Msg::flag_rst},
        {tcp_flag::urg, Msg::flag_urg},
        {tcp_flag::ece, Msg::flag_ece},
        {tcp_flag::cwr, Msg::flag_cwr},
        {tcp_flag::ae, Msg::flag_ae},
    }};
    for (const auto& [bit, key] : kBits) {
      if ((s.flags & bit) && !(seen_bits_ & bit)) note(m_[key]);
    }
    seen_bits_ |= s.flags;
    // ack = seq + 1 for the peer's SYN and FIN.
    if (s.flags & tcp_flag::ack) {
      const int peer = 1 - d;
      if (syn_seen_[peer] && !syn_ack_explained_ && s.ack == syn_seq_[peer] + 1) {
        note(msg(m_, Msg::ack_syn_plus_one, s.ack.raw(), syn_seq_[peer].raw()));
        syn_ack_explained_ = true;
      }
      if (fin_seen_[peer] && !fin_ack_explained_ && s.ack == fin_seq_[peer] + 1) {
        note(msg(m_, Msg::ack_fin_plus_one, s.ack.raw(), fin_seq_[peer].raw()));
        fin_ack_explained_ = true;
      }
    }
    if ((s.flags & tcp_flag::syn) && !syn_seen_[d]) syn_seen_[d] = true, syn_seq_[d] = s.seq;
    if (s.flags & tcp_flag::fin) fin_seen_[d] = true, fin_seq_[d] = s.seq + s.payload_len;
    // Payload preview.
    if (s.payload_len > 0 && s.preview_len > 0) {
      const std::string more =
          s.payload_len > s.preview_len ? std::string(m_[Msg::payload_more]) : std::string();
      if (s.preview_printable)
        note(msg(m_, Msg::payload_text, s.payload_len, escape_preview(s.preview_view()) + more));
      else
        note(msg(m_, Msg::payload_binary, s.payload_len, hex_preview(s.preview_view()) + more));
    }
    // Anomalies, at their segment.
    if (s.retransmits_index != 0)
      note(msg(m_, Msg::retransmits, s.index, s.retransmits_index, duration_text(s.retransmit_delay_ns)),
           true);
    s.analysis.for_each([&](AnalysisFlag f) {
      note(fmt::format("{} ({})", m_[analysis_msg(f)], track::to_id(f)), is_anomaly_flag(f));
    });
    for (std::size_t n = 0; n < track::kInferenceNoteCount; ++n) {
      const auto id = static_cast<InferenceNote>(n);
      if (s.inference.notes.has(id))
        note(fmt::format("{} ({})", m_[note_msg(id)], track::note_name(id)), true);
    }
    if (s.checksum == decode::ChecksumStatus::bad)
      note(m_[s.loopback ? Msg::cksum_loopback : Msg::cksum_bad], !s.loopback);
    if ((s.flags & tcp_flag::rst) && received_[d] > 0) {
      const TcpState before = from_client ? s.inference.client_before.state : s.inference.server_before.state;
      if (in(before, TcpState::Established | TcpState::CloseWait | TcpState::SynReceived))
        note(msg(m_, Msg::rst_unread,
                 o_.lang == Lang::en ? lower_first(m_[from_client ? Msg::client : Msg::server])
                                     : std::string(m_[from_client ? Msg::client : Msg::server])),
             true);
    }
    received_[1 - d] += s.payload_len;
    // State changes, with the RFC 9293 rule that moved them.
    for (std::size_t r = 0; r < s.inference.rule_count; ++r) {
      const track::AppliedRule& a = s.inference.rules[r];
      if (a.from == a.to) continue;
      note(fmt::format(
          "{}  [{} §{}]",
          msg(m_, Msg::state_change, m_[a.side == track::Side::client ? Msg::client : Msg::server],
              to_string(a.from), to_string(a.to)),
          track::rule_name(a.rule), track::rule_section(a.rule)));
    }
  }

  static bool is_anomaly_flag(AnalysisFlag f) {
    return f != AnalysisFlag::window_update && f != AnalysisFlag::keep_alive &&
           f != AnalysisFlag::keep_alive_ack;
  }

  void negotiated() {
    const track::SynOptions& c = tl_.client_syn;
    const track::SynOptions& s = tl_.server_syn;
    if (!c.seen || !s.seen || negotiated_done_) return;
    negotiated_done_ = true;
    line("");
    line("  " + std::string(m_[Msg::negotiated_title]));
    if (c.mss >= 0 && s.mss >= 0)
      line("    " + msg(m_, Msg::opt_mss, c.mss, s.mss));
    else
      line("    " + std::string(m_[Msg::opt_mss_missing]));
    if (c.wscale >= 0 && s.wscale >= 0)
      line("    " + msg(m_, Msg::opt_wscale_on, c.wscale, 1u << std::min<int>(c.wscale, 14), s.wscale,
                        1u << std::min<int>(s.wscale, 14)));
    else
      line("    " + std::string(m_[Msg::opt_wscale_off]));
    line("    " +
         std::string(m_[c.sack_permitted && s.sack_permitted ? Msg::opt_sack_on : Msg::opt_sack_off]));
    line("    " + std::string(m_[c.timestamps && s.timestamps ? Msg::opt_ts_on : Msg::opt_ts_off]));
  }

  // The article's "过程简化如下" table: client lines on the left, server lines at column 38.
  void seq_table(const LadderBand& band) {
    line("");
    line("  " + std::string(m_[o_.relative ? Msg::table_title_relative : Msg::table_title_absolute]));
    line("    Client                                Server");
    for (std::size_t i = band.first_row; i < band.end_row; ++i) {
      const TimelineSegment& s = tl_.segments[i];
      const bool has_ack = (s.flags & tcp_flag::ack) != 0;
      std::string cell =
          o_.relative ? fmt::format("seq = {}", s.rel_seq) : fmt::format("seq = {}", s.seq.raw());
      if (has_ack)
        cell += o_.relative ? fmt::format(" ack = {}", s.rel_ack) : fmt::format(" ack = {}", s.ack.raw());
      if (s.dir == track::Direction::from_client)
        line("    " + cell);
      else
        line("    " + std::string(38, ' ') + cell);
    }
  }

  void summary() {
    line("");
    line(fmt::format("{}{}{}", p_.bold(), m_[Msg::summary_title], p_.reset()));
    line("  " + msg(m_, Msg::summary_client, state_chain(states_over(tl_, 0, tl_.segments.size(), true))));
    line("  " + msg(m_, Msg::summary_server, state_chain(states_over(tl_, 0, tl_.segments.size(), false))));
    if (tl_.end.client_timer_pending)
      line("  " + msg(m_, Msg::timer_pending,
                      fmt::format("{} {}", m_[Msg::client], to_string(tl_.end.client.state))));
    if (tl_.end.server_timer_pending)
      line("  " + msg(m_, Msg::timer_pending,
                      fmt::format("{} {}", m_[Msg::server], to_string(tl_.end.server.state))));
    std::string notes;
    for (InferenceNote n : {InferenceNote::fin_not_acked, InferenceNote::syn_unanswered}) {
      if (!tl_.end.notes.has(n)) continue;
      if (!notes.empty()) notes += o_.lang == Lang::zh ? "；" : "; ";
      notes += fmt::format("{} ({})", m_[note_msg(n)], track::note_name(n));
    }
    if (!notes.empty()) line("  " + msg(m_, Msg::conn_notes, notes));
  }

  fmt::memory_buffer& out_;
  const ConnectionTimeline& tl_;
  const ExplainTextOptions& o_;
  Messages m_;
  Palette p_;
  LadderLayout layout_;
  std::set<std::string> seen_tokens_;
  std::uint16_t seen_bits_ = 0;
  std::array<bool, 2> syn_seen_{};
  std::array<SeqNum, 2> syn_seq_{};
  std::array<bool, 2> fin_seen_{};
  std::array<SeqNum, 2> fin_seq_{};
  std::array<std::uint64_t, 2> received_{};
  bool syn_ack_explained_ = false;
  bool fin_ack_explained_ = false;
  bool negotiated_done_ = false;
};

}  // namespace

std::string duration_text(std::int64_t ns) {
  if (ns < 0) return "?";
  if (ns < 1'000'000'000) return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
  return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
}

void explain_text(fmt::memory_buffer& out, const ConnectionTimeline& tl, const ExplainTextOptions& options) {
  if (tl.segments.empty()) return;
  Explainer(out, tl, options).run();
}

}  // namespace tcpscope::render
