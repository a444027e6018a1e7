#include "render/explain_text.hpp"

#include <algorithm>
#include <array>
#include <bitset>
#include <optional>

#include "core/prefetch.hpp"
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

// The preview as the catalogue quotes it: \n, \r, \t and " escaped.
void append_escaped_preview(fmt::memory_buffer& out, std::string_view s) {
  std::size_t plain = 0;  // the start of the run of characters copied as they are
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    std::string_view escaped;
    if (c == '\n')
      escaped = "\\n";
    else if (c == '\r')
      escaped = "\\r";
    else if (c == '\t')
      escaped = "\\t";
    else if (c == '"')
      escaped = "\\\"";
    else
      continue;
    out.append(s.substr(plain, i - plain));
    out.append(escaped);
    plain = i + 1;
  }
  out.append(s.substr(plain));
}

void append_hex_preview(fmt::memory_buffer& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < s.size() && i < 16; ++i) {
    if (i) out.push_back(' ');
    const auto u = static_cast<unsigned char>(s[i]);
    out.push_back(kHex[u >> 4]);
    out.push_back(kHex[u & 0xf]);
  }
}

std::string lower_first(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'A' && out[0] <= 'Z') out[0] = static_cast<char>(out[0] - 'A' + 'a');
  return out;
}

std::string_view view(const fmt::memory_buffer& b) { return {b.data(), b.size()}; }

// The flag bits tcpdump's token names ([S.], [FP.], ...): two combinations that differ
// only outside them read the same, so they are explained once.
constexpr std::uint16_t kTokenBits = tcp_flag::fin | tcp_flag::syn | tcp_flag::rst | tcp_flag::psh |
                                     tcp_flag::ack | tcp_flag::urg | tcp_flag::ece | tcp_flag::cwr |
                                     tcp_flag::ae;

class Explainer {
 public:
  Explainer(fmt::memory_buffer& out, const ConnectionTimeline& tl, const ExplainTextOptions& o)
      : w_(out),
        tl_(tl),
        o_(o),
        m_(o.messages != nullptr ? *o.messages : own_messages_.emplace(o.lang)),
        p_{o.color},
        layout_(layout_ladder(tl, o.relative)) {}

  void run() {
    header();
    std::size_t number = 0;
    if (!tl_.phases.empty() && tl_.phases.front().phase == Phase::before_capture) {
      nl();
      put(p_.bold());
      put_int(++number);
      put(". ");
      put(m_[Msg::phase_before_capture]);
      put(p_.reset());
      nl();
    }
    for (const LadderBand& band : layout_.bands) phase(++number, band);
    summary();
  }

 private:
  [[gnu::always_inline]] void put(std::string_view s) { w_.put(s); }
  [[gnu::always_inline]] void nl() { w_.put('\n'); }
  void line(std::string_view s) {
    put(s);
    nl();
  }
  template <class T>
  void put_int(T v) {
    const fmt::format_int f(v);
    w_.put(std::string_view(f.data(), f.size()));
  }
  // A catalogue text with its arguments, appended as is.
  template <class... Args>
  void say(Msg key, const Args&... args) {
    append_message(w_, m_.pieces(key), args...);
  }
  // "  " + a catalogue text + newline.
  template <class... Args>
  void say_line(std::string_view indent, Msg key, const Args&... args) {
    put(indent);
    say(key, args...);
    nl();
  }

  void header() {
    const auto endpoint = [](fmt::memory_buffer& b, const Endpoint& e) {
      if (e.addr.is_v6()) {
        fmt::format_to(fmt::appender(b), "[{}]:{}", e.addr.to_string(), e.port);
      } else if (e.addr.is_v4()) {  // dotted quad, as inet_ntop writes it
        for (std::size_t i = 0; i < 4; ++i) {
          if (i) b.push_back('.');
          const fmt::format_int octet(e.addr.bytes[i]);
          b.append(octet.data(), octet.data() + octet.size());
        }
        b.push_back(':');
        const fmt::format_int port(e.port);
        b.append(port.data(), port.data() + port.size());
      } else {
        fmt::format_to(fmt::appender(b), "{}:{}", e.addr.to_string(), e.port);
      }
      return view(b);
    };
    fmt::memory_buffer client, server;
    put(p_.bold());
    say(Msg::conn_header, tl_.id, endpoint(client, tl_.client), endpoint(server, tl_.server));
    put(p_.reset());
    nl();
    say_line("  ", Msg::conn_summary, tl_.segments.size(), duration_text(tl_.duration()), tl_.client_bytes,
             tl_.server_bytes);
    say_line("  ", Msg::conn_closed, m_[close_msg(tl_.end.kind)], track::close_kind_name(tl_.end.kind));
    say_line("  ", Msg::conn_zeek, tl_.zeek_conn_state,
             tl_.zeek_history.empty() ? std::string_view("-") : std::string_view(tl_.zeek_history));
    if (tl_.irtt_ns >= 0)
      say_line("  ", Msg::conn_rtt, duration_text(tl_.irtt_ns), duration_text(tl_.irtt_server_ns),
               duration_text(tl_.irtt_client_ns));
    else
      say_line("  ", Msg::conn_rtt_unknown);
    switch (tl_.role_reason) {
      case track::RoleReason::syn:
        say_line("  ", Msg::role_syn);
        break;
      case track::RoleReason::syn_ack:
        say_line("  ", Msg::role_syn_ack);
        break;
      case track::RoleReason::port_heuristic:
        say_line("  ", Msg::role_port);
        break;
    }
    if (tl_.role_contradicted) say_line("  ", Msg::role_contradicted);
  }

  void phase_title(fmt::memory_buffer& b, const LadderBand& band) const {
    const auto text = [&b](std::string_view s) { append_text(b, s); };
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
        if (simultaneous) return text(m_[Msg::phase_handshake_simultaneous]);
        if (last.inference.client.state == TcpState::Established) return text(m_[Msg::phase_handshake_done]);
        if (!server_spoke && tl_.server_segments == 0) return text(m_[Msg::phase_handshake_unanswered]);
        return text(m_[Msg::phase_handshake_open]);
      case Phase::data_transfer:
        if (client_bytes + server_bytes == 0) return text(m_[Msg::phase_data_none]);
        append_numbered(b, m_[Msg::phase_data], client_bytes, server_bytes);
        return;
      case Phase::teardown: {
        if (tl_.end.facts.first_rst != track::Who::none) return text(m_[Msg::phase_teardown_aborted]);
        const std::size_t start = b.size();
        const std::string_view kind = m_[close_msg(tl_.end.kind)];
        append_numbered(b, m_[Msg::phase_teardown], kind);
        if (b.size() > start && b[start] >= 'a' && b[start] <= 'z')
          b[start] = static_cast<char>(b[start] - 'a' + 'A');
        return;
      }
      case Phase::reset: {
        if (tl_.end.kind == track::CloseKind::refused) return text(m_[Msg::phase_refused]);
        const std::string_view kind = m_[close_msg(tl_.end.kind)];
        append_numbered(b, m_[Msg::phase_reset], kind);
        return;
      }
      case Phase::before_capture:
        return text(m_[Msg::phase_before_capture]);
    }
  }

  void phase(std::size_t number, const LadderBand& band) {
    const TimelineSegment& first = tl_.segments[band.first_row];
    const TimelineSegment& last = tl_.segments[band.end_row - 1];
    fmt::memory_buffer title, count;
    phase_title(title, band);
    const std::size_t segments = band.end_row - band.first_row;
    append_numbered(count, m_[Msg::phase_segments], segments, first.frame, last.frame);
    nl();
    put(p_.bold());
    say(Msg::phase_header, number, view(title), view(count));
    put(p_.reset());
    nl();
    nl();
    for (std::size_t i = band.first_row; i < band.end_row; ++i) {
      // The next segment's record and text were last written on the tracking thread: asking
      // for them now overlaps the misses with this segment's notes.
      if (i + 1 < band.end_row) {
        const TimelineSegment& next = tl_.segments[i + 1];
        const std::string_view next_text = tl_.tcpdump_text(next);
        prefetch_bytes(next_text.data(), next_text.size());
        prefetch_bytes(&tl_.segments[i + 2 < tl_.segments.size() ? i + 2 : i + 1], sizeof(TimelineSegment));
      }
      segment(tl_.segments[i]);
    }
    if (band.phase == Phase::handshake) negotiated();
    seq_table(band);
    nl();
    put("  ");
    line(m_[Msg::ladder_title]);
    ladder_text(w_, layout_, band.first_row, band.end_row, m_, o_.color, 4);
    nl();
    put("  ");
    state_chain_line(Msg::summary_client, band.first_row, band.end_row, true);
    put("  ");
    state_chain_line(Msg::summary_server, band.first_row, band.end_row, false);
  }

  // "Client: A → B → C": the distinct successive states of one side over segments
  // [first, end), starting from its state before `first`; a segment that moved a side
  // through two states (a SYN,ACK proving an uncaptured SYN) shows both.
  void state_chain_line(Msg key, std::size_t first, std::size_t end, bool client) {
    fmt::memory_buffer chain;
    if (first < tl_.segments.size()) {
      const auto& before = tl_.segments[first].inference;
      TcpState last = client ? before.client_before.state : before.server_before.state;
      append_text(chain, to_string(last));
      const auto push = [&](TcpState s) {
        append_text(chain, std::string_view(" → "));
        append_text(chain, to_string(s));
        last = s;
      };
      const track::Side side = client ? track::Side::client : track::Side::server;
      for (std::size_t i = first; i < end && i < tl_.segments.size(); ++i) {
        const auto& inf = tl_.segments[i].inference;
        for (std::size_t r = 0; r < inf.rule_count; ++r) {
          const track::AppliedRule& a = inf.rules[r];
          if (a.side != side || a.from == a.to) continue;
          if (a.from != last) push(a.from);
          push(a.to);
        }
        const TcpState s = client ? inf.client.state : inf.server.state;
        if (s != last) push(s);
      }
    }
    say(key, view(chain));
    nl();
  }

  void note_begin(bool anomaly) {
    put("      ");
    put(anomaly ? p_.red() : p_.dim());
    put("↳ ");
  }
  void note_end() {
    put(p_.reset());
    nl();
  }
  void note(std::string_view text, bool anomaly = false) {
    note_begin(anomaly);
    put(text);
    note_end();
  }
  template <class... Args>
  void note_say(bool anomaly, Msg key, const Args&... args) {
    note_begin(anomaly);
    say(key, args...);
    note_end();
  }
  // "<text> (<id>)"
  void note_named(std::string_view text, std::string_view id, bool anomaly) {
    note_begin(anomaly);
    put(text);
    put(" (");
    put(id);
    put(")");
    note_end();
  }

  void segment(const TimelineSegment& s) {
    const bool from_client = s.dir == track::Direction::from_client;
    const int d = from_client ? 0 : 1;
    // The tcpdump lines, the first one numbered.
    std::string_view text = tl_.tcpdump_text(s);
    {
      const std::size_t nl_at = text.find('\n');
      put("  ");
      put(from_client ? p_.cyan() : p_.yellow());
      put("#");
      put_int(s.index);
      for (std::size_t w = 1 + fmt::format_int(s.index).size(); w < 5; ++w) w_.put(' ');
      put(p_.reset());
      line(text.substr(0, nl_at));
      text = nl_at == std::string_view::npos ? std::string_view() : text.substr(nl_at + 1);
      while (nl_at != std::string_view::npos) {
        const std::size_t next = text.find('\n');
        put("       ");
        line(text.substr(0, next));
        if (next == std::string_view::npos) break;
        text.remove_prefix(next + 1);
      }
    }
    // Flags the first time each combination and each bit appears.
    const std::uint16_t combo = s.flags & kTokenBits;
    if (!seen_combos_[combo]) {
      seen_combos_[combo] = true;
      note_say(false, Msg::flag_combo, flags_token(s.flags), flags_label(s.flags));
    }
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
    if ((s.flags & ~seen_bits_) != 0) {
      for (const auto& [bit, key] : kBits) {
        if ((s.flags & bit) && !(seen_bits_ & bit)) note(m_[key]);
      }
    }
    seen_bits_ |= s.flags;
    // ack = seq + 1 for the peer's SYN and FIN.
    if (s.flags & tcp_flag::ack) {
      const int peer = 1 - d;
      if (syn_seen_[peer] && !syn_ack_explained_ && s.ack == syn_seq_[peer] + 1) {
        note_say(false, Msg::ack_syn_plus_one, s.ack.raw(), syn_seq_[peer].raw());
        syn_ack_explained_ = true;
      }
      if (fin_seen_[peer] && !fin_ack_explained_ && s.ack == fin_seq_[peer] + 1) {
        note_say(false, Msg::ack_fin_plus_one, s.ack.raw(), fin_seq_[peer].raw());
        fin_ack_explained_ = true;
      }
    }
    if ((s.flags & tcp_flag::syn) && !syn_seen_[d]) syn_seen_[d] = true, syn_seq_[d] = s.seq;
    if (s.flags & tcp_flag::fin) fin_seen_[d] = true, fin_seq_[d] = s.seq + s.payload_len;
    // Payload preview.
    if (s.payload_len > 0 && s.preview_len > 0) {
      fmt::memory_buffer preview;
      if (s.preview_printable)
        append_escaped_preview(preview, s.preview_view());
      else
        append_hex_preview(preview, s.preview_view());
      if (s.payload_len > s.preview_len) preview.append(m_[Msg::payload_more]);
      note_say(false, s.preview_printable ? Msg::payload_text : Msg::payload_binary, s.payload_len,
               view(preview));
    }
    // Anomalies, at their segment.
    if (s.retransmits_index != 0)
      note_say(true, Msg::retransmits, s.index, s.retransmits_index, duration_text(s.retransmit_delay_ns));
    if (s.analysis.any())
      s.analysis.for_each(
          [&](AnalysisFlag f) { note_named(m_[analysis_msg(f)], track::to_id(f), is_anomaly_flag(f)); });
    if (!s.inference.notes.empty()) {
      for (std::size_t n = 0; n < track::kInferenceNoteCount; ++n) {
        const auto id = static_cast<InferenceNote>(n);
        if (s.inference.notes.has(id)) note_named(m_[note_msg(id)], track::note_name(id), true);
      }
    }
    // Incorrect checksums: on loopback (never computed) said once per connection; elsewhere
    // (damage, or offload on the capturing host) at every such segment, explained at the first.
    if (s.checksum == decode::ChecksumStatus::bad) {
      if (s.loopback) {
        if (!loopback_checksum_explained_) note(m_[Msg::cksum_loopback]);
        loopback_checksum_explained_ = true;
      } else if (first_bad_checksum_ == 0) {
        note(m_[Msg::cksum_bad], true);
        first_bad_checksum_ = s.index;
      } else {
        note_say(true, Msg::cksum_bad_again, first_bad_checksum_);
      }
    }
    if ((s.flags & tcp_flag::rst) && received_[d] > 0) {
      const TcpState before = from_client ? s.inference.client_before.state : s.inference.server_before.state;
      if (in(before, TcpState::Established | TcpState::CloseWait | TcpState::SynReceived))
        note_say(true, Msg::rst_unread,
                 o_.lang == Lang::en ? lower_first(m_[from_client ? Msg::client : Msg::server])
                                     : std::string(m_[from_client ? Msg::client : Msg::server]));
    }
    received_[1 - d] += s.payload_len;
    // State changes, with the RFC 9293 rule that moved them.
    for (std::size_t r = 0; r < s.inference.rule_count; ++r) {
      const track::AppliedRule& a = s.inference.rules[r];
      if (a.from == a.to) continue;
      note_begin(false);
      say(Msg::state_change, m_[a.side == track::Side::client ? Msg::client : Msg::server], to_string(a.from),
          to_string(a.to));
      put("  [");
      put(track::rule_name(a.rule));
      put(" §");
      put(track::rule_section(a.rule));
      put("]");
      note_end();
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
    nl();
    put("  ");
    line(m_[Msg::negotiated_title]);
    if (c.mss >= 0 && s.mss >= 0)
      say_line("    ", Msg::opt_mss, c.mss, s.mss);
    else
      say_line("    ", Msg::opt_mss_missing);
    if (c.wscale >= 0 && s.wscale >= 0)
      say_line("    ", Msg::opt_wscale_on, c.wscale, 1u << std::min<int>(c.wscale, 14), s.wscale,
               1u << std::min<int>(s.wscale, 14));
    else
      say_line("    ", Msg::opt_wscale_off);
    say_line("    ", c.sack_permitted && s.sack_permitted ? Msg::opt_sack_on : Msg::opt_sack_off);
    say_line("    ", c.timestamps && s.timestamps ? Msg::opt_ts_on : Msg::opt_ts_off);
  }

  // The article's "过程简化如下" table: client lines on the left, server lines at column 38.
  void seq_table(const LadderBand& band) {
    nl();
    put("  ");
    line(m_[o_.relative ? Msg::table_title_relative : Msg::table_title_absolute]);
    line("    Client                                Server");
    static constexpr std::string_view kServerIndent = "                                      ";  // 38
    for (std::size_t i = band.first_row; i < band.end_row; ++i) {
      const TimelineSegment& s = tl_.segments[i];
      put("    ");
      if (s.dir != track::Direction::from_client) put(kServerIndent);
      put("seq = ");
      if (o_.relative)
        put_int(s.rel_seq);
      else
        put_int(s.seq.raw());
      if ((s.flags & tcp_flag::ack) != 0) {
        put(" ack = ");
        if (o_.relative)
          put_int(s.rel_ack);
        else
          put_int(s.ack.raw());
      }
      nl();
    }
  }

  void summary() {
    nl();
    put(p_.bold());
    put(m_[Msg::summary_title]);
    put(p_.reset());
    nl();
    put("  ");
    state_chain_line(Msg::summary_client, 0, tl_.segments.size(), true);
    put("  ");
    state_chain_line(Msg::summary_server, 0, tl_.segments.size(), false);
    const auto pending = [&](Msg who, TcpState state) {
      fmt::memory_buffer b;
      fmt::format_to(fmt::appender(b), "{} {}", m_[who], to_string(state));
      say_line("  ", Msg::timer_pending, view(b));
    };
    if (tl_.end.client_timer_pending) pending(Msg::client, tl_.end.client.state);
    if (tl_.end.server_timer_pending) pending(Msg::server, tl_.end.server.state);
    fmt::memory_buffer notes;
    for (InferenceNote n : {InferenceNote::fin_not_acked, InferenceNote::syn_unanswered}) {
      if (!tl_.end.notes.has(n)) continue;
      if (notes.size() != 0) notes.append(std::string_view(o_.lang == Lang::zh ? "；" : "; "));
      fmt::format_to(fmt::appender(notes), "{} ({})", m_[note_msg(n)], track::note_name(n));
    }
    if (notes.size() != 0) say_line("  ", Msg::conn_notes, view(notes));
  }

  FastAppender w_;
  const ConnectionTimeline& tl_;
  const ExplainTextOptions& o_;
  std::optional<Messages> own_messages_;  // when the options bring none
  const Messages& m_;
  Palette p_;
  LadderLayout layout_;
  std::bitset<kTokenBits + 1> seen_combos_;
  std::uint16_t seen_bits_ = 0;
  std::array<bool, 2> syn_seen_{};
  std::array<SeqNum, 2> syn_seq_{};
  std::array<bool, 2> fin_seen_{};
  std::array<SeqNum, 2> fin_seq_{};
  std::array<std::uint64_t, 2> received_{};
  bool syn_ack_explained_ = false;
  bool fin_ack_explained_ = false;
  bool negotiated_done_ = false;
  bool loopback_checksum_explained_ = false;
  std::uint32_t first_bad_checksum_ = 0;  // the first segment explained as having a bad checksum
};

}  // namespace

std::string duration_text(std::int64_t ns) {
  if (ns < 0) return "?";
  // "{:.3f}" of ns / 1e6 (ms) or ns / 1e9 (s) in integers: the double's error is far below the
  // 1 ns between a value and a rounding boundary, except exactly on a half (ties go to the
  // double's binary value, as printf rounds it) or for durations past 10^6 s: fmt then.
  const bool ms = ns < 1'000'000'000;
  const std::int64_t unit = ms ? 1'000 : 1'000'000;  // ns per thousandth of the unit shown
  const std::int64_t rest = ns % unit;
  if (2 * rest == unit || ns >= 1'000'000'000'000'000) {
    if (ms) return fmt::format("{:.3f} ms", static_cast<double>(ns) / 1e6);
    return fmt::format("{:.3f} s", static_cast<double>(ns) / 1e9);
  }
  const std::int64_t thousandths = ns / unit + (2 * rest > unit ? 1 : 0);
  const fmt::format_int whole(thousandths / 1000);
  const auto fraction = static_cast<int>(thousandths % 1000);
  std::string out(whole.data(), whole.size());
  out.push_back('.');
  out.push_back(static_cast<char>('0' + fraction / 100));
  out.push_back(static_cast<char>('0' + fraction / 10 % 10));
  out.push_back(static_cast<char>('0' + fraction % 10));
  out.append(ms ? std::string_view(" ms") : std::string_view(" s"));
  return out;
}

void explain_text(fmt::memory_buffer& out, const ConnectionTimeline& tl, const ExplainTextOptions& options) {
  if (tl.segments.empty()) return;
  Explainer(out, tl, options).run();
}

}  // namespace tcpscope::render
