#include "render/explain_json.hpp"

#include <array>

#include "render/ladder_layout.hpp"
#include "render/text_util.hpp"

namespace tcpscope::render {
namespace {

using track::ConnectionTimeline;
using track::TimelineSegment;

// Appends `s` as a JSON string literal (quotes included).
template <class Out>
void json_string_to(Out& out, std::string_view s) {
  // Bytes that need an escape: controls, '"', '\\' and DEL (bytes >= 0x80 pass: the texts are UTF-8).
  static constexpr auto kEscape = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    t['"'] = t['\\'] = t[0x7f] = true;
    return t;
  }();
  append_char(out, '"');
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (!kEscape[u]) continue;
    append_text(out, s.substr(run, i - run));
    run = i + 1;
    switch (s[i]) {
      case '"':
        append_text(out, std::string_view("\\\""));
        break;
      case '\\':
        append_text(out, std::string_view("\\\\"));
        break;
      case '\n':
        append_text(out, std::string_view("\\n"));
        break;
      case '\r':
        append_text(out, std::string_view("\\r"));
        break;
      case '\t':
        append_text(out, std::string_view("\\t"));
        break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escape[6] = {'\\', 'u', '0', '0', kHex[u >> 4], kHex[u & 0xf]};
        append_text(out, std::string_view(escape, 6));
      }
    }
  }
  append_text(out, s.substr(run));
  append_char(out, '"');
}

void endpoint(fmt::memory_buffer& out, const Endpoint& e) {
  out.append(std::string_view("{\"addr\":"));
  json_string(out, e.addr.to_string());
  fmt::format_to(fmt::appender(out), ",\"port\":{}}}", e.port);
}

template <class Out>
void view(Out& out, const track::EndpointView& v) {
  append_text(out, std::string_view("{\"state\":\""));
  append_text(out, to_string(v.state));
  append_text(out, std::string_view("\",\"confidence\":\""));
  append_text(out, track::confidence_name(v.confidence));
  append_text(out, std::string_view("\"}"));
}

template <class Out>
void notes(Out& out, track::NoteSet set) {
  append_char(out, '[');
  bool first = true;
  for (std::size_t n = 0; !set.empty() && n < track::kInferenceNoteCount; ++n) {
    const auto id = static_cast<track::InferenceNote>(n);
    if (!set.has(id)) continue;
    if (!first) append_char(out, ',');
    first = false;
    append_char(out, '"');
    append_text(out, track::note_name(id));
    append_char(out, '"');
  }
  append_char(out, ']');
}

void syn_options(fmt::memory_buffer& out, const track::SynOptions& o) {
  if (!o.seen) {
    out.append(std::string_view("null"));
    return;
  }
  fmt::format_to(fmt::appender(out), "{{\"mss\":{},\"wscale\":{},\"sack_permitted\":{},\"timestamps\":{}}}",
                 o.mss, o.wscale, o.sack_permitted, o.timestamps);
}

std::string_view checksum_name(decode::ChecksumStatus c) {
  switch (c) {
    case decode::ChecksumStatus::good:
      return "good";
    case decode::ChecksumStatus::bad:
      return "bad";
    case decode::ChecksumStatus::unverifiable:
      return "unverifiable";
  }
  return "unverifiable";
}

// Small writers for the per-segment objects (the hot part: one object per segment).
template <class Out>
void lit(Out& out, std::string_view s) {
  append_text(out, s);
}
template <class Out, class T>
void num(Out& out, T v) {
  append_value(out, v);
}
template <class Out>
void boolean(Out& out, bool b) {
  append_text(out, b ? std::string_view("true") : "false");
}
// "name":"value" where value needs no escaping (ids, state names).
template <class Out>
void id(Out& out, std::string_view value) {
  append_char(out, '"');
  append_text(out, value);
  append_char(out, '"');
}
// seconds.nanoseconds, nine digits after the point.
template <class Out>
void timestamp(Out& out, const Timestamp& ts) {
  if (ts.nsec < 0 || ts.nsec >= 1'000'000'000) {
    fmt::memory_buffer text;
    fmt::format_to(fmt::appender(text), "{}.{:09}", ts.sec, ts.nsec);
    append_text(out, std::string_view(text.data(), text.size()));
    return;
  }
  num(out, ts.sec);
  char digits[10] = {'.', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
  auto n = static_cast<std::uint32_t>(ts.nsec);
  for (int i = 9; i > 0 && n != 0; --i, n /= 10) digits[i] = static_cast<char>('0' + n % 10);
  append_text(out, std::string_view(digits, 10));
}

template <class Out>
void segment(Out& out, const ConnectionTimeline& tl, const TimelineSegment& s) {
  char token[kFlagsTokenMax];
  char label[kFlagsLabelMax];
  lit(out, "{\"n\":");
  num(out, s.index);
  lit(out, ",\"frame\":");
  num(out, s.frame);
  lit(out, ",\"ts\":");
  timestamp(out, s.ts);
  lit(out, s.dir == track::Direction::from_client
               ? std::string_view(",\"dir\":\"client_to_server\",\"flags\":")
               : std::string_view(",\"dir\":\"server_to_client\",\"flags\":"));
  id(out, flags_token(s.flags, token));
  lit(out, ",\"flag_names\":");
  id(out, flags_label(s.flags, label));
  lit(out, ",\"seq\":");
  num(out, s.seq.raw());
  lit(out, ",\"ack\":");
  num(out, s.ack.raw());
  lit(out, ",\"rel_seq\":");
  num(out, s.rel_seq);
  lit(out, ",\"rel_ack\":");
  num(out, s.rel_ack);
  lit(out, ",\"len\":");
  num(out, s.payload_len);
  lit(out, ",\"win\":");
  num(out, s.window);
  lit(out, ",\"preview\":");
  if (s.preview_len == 0)
    lit(out, "null");
  else if (s.preview_printable)
    json_string_to(out, s.preview_view());
  else {
    static constexpr char kHex[] = "0123456789abcdef";
    lit(out, "\"hex:");
    for (char c : s.preview_view()) {
      const auto u = static_cast<unsigned char>(c);
      append_char(out, kHex[u >> 4]);
      append_char(out, kHex[u & 0xf]);
    }
    append_char(out, '"');
  }
  lit(out, ",\"checksum\":");
  id(out, checksum_name(s.checksum));
  lit(out, ",\"loopback\":");
  boolean(out, s.loopback);
  lit(out, ",\"analysis\":[");
  bool first = true;
  s.analysis.for_each([&](track::AnalysisFlag f) {
    if (!first) append_char(out, ',');
    first = false;
    id(out, track::to_id(f));
  });
  append_char(out, ']');
  if (s.retransmits_frame) {
    lit(out, ",\"retransmits\":{\"n\":");
    num(out, s.retransmits_index);
    lit(out, ",\"frame\":");
    num(out, s.retransmits_frame);
    lit(out, ",\"after_ns\":");
    num(out, s.retransmit_delay_ns);
    append_char(out, '}');
  }
  lit(out, ",\"phase\":");
  id(out, track::phase_name(s.phase.phase));
  lit(out, ",\"carries_data\":");
  boolean(out, s.phase.carries_data);
  lit(out, ",\"client\":");
  view(out, s.inference.client);
  lit(out, ",\"server\":");
  view(out, s.inference.server);
  lit(out, ",\"client_revised\":");
  boolean(out, s.inference.client_revised);
  lit(out, ",\"server_revised\":");
  boolean(out, s.inference.server_revised);
  lit(out, ",\"rules\":[");
  for (std::size_t r = 0; r < s.inference.rule_count; ++r) {
    const track::AppliedRule& a = s.inference.rules[r];
    if (r) append_char(out, ',');
    lit(out, "{\"side\":");
    id(out, track::side_name(a.side));
    lit(out, ",\"from\":");
    id(out, to_string(a.from));
    lit(out, ",\"to\":");
    id(out, to_string(a.to));
    lit(out, ",\"rule\":");
    id(out, track::rule_name(a.rule));
    lit(out, ",\"rfc9293\":");
    id(out, track::rule_section(a.rule));
    append_char(out, '}');
  }
  lit(out, "],\"notes\":");
  notes(out, s.inference.notes);
  lit(out, ",\"tcpdump\":");
  json_string_to(out, tl.tcpdump_text(s));
  append_char(out, '}');
}

}  // namespace

void json_string(fmt::memory_buffer& out, std::string_view s) { json_string_to(out, s); }

void explain_json(fmt::memory_buffer& out, const ConnectionTimeline& tl) {
  fmt::format_to(fmt::appender(out), "{{\"id\":{},\"client\":", tl.id);
  endpoint(out, tl.client);
  out.append(std::string_view(",\"server\":"));
  endpoint(out, tl.server);
  fmt::format_to(
      fmt::appender(out),
      ",\"role_reason\":\"{}\",\"role_contradicted\":{},\"first_ts\":{}.{:09},\"duration_ns\":{},"
      "\"segments_count\":{{\"client\":{},\"server\":{}}},\"bytes\":{{\"client\":{},\"server\":{}}},"
      "\"irtt_ns\":{},\"close_kind\":\"{}\",\"end_reason\":\"{}\",\"zeek\":{{\"conn_state\":\"{}\","
      "\"history\":",
      track::role_reason_name(tl.role_reason), tl.role_contradicted, tl.first_ts.sec, tl.first_ts.nsec,
      tl.duration(), tl.client_segments, tl.server_segments, tl.client_bytes, tl.server_bytes, tl.irtt_ns,
      track::close_kind_name(tl.end.kind), track::end_reason_name(tl.end_reason), tl.zeek_conn_state);
  json_string(out, tl.zeek_history);
  out.append(std::string_view("},\"syn_options\":{\"client\":"));
  syn_options(out, tl.client_syn);
  out.append(std::string_view(",\"server\":"));
  syn_options(out, tl.server_syn);
  out.append(std::string_view("},\"initial\":{\"client\":"));
  view(out, tl.client_initial);
  out.append(std::string_view(",\"server\":"));
  view(out, tl.server_initial);
  out.append(std::string_view("},\"final\":{\"client\":"));
  view(out, tl.end.client);
  out.append(std::string_view(",\"server\":"));
  view(out, tl.end.server);
  fmt::format_to(fmt::appender(out), ",\"client_timer_pending\":{},\"server_timer_pending\":{},\"notes\":",
                 tl.end.client_timer_pending, tl.end.server_timer_pending);
  notes(out, tl.end.notes);
  out.append(std::string_view("},\"phases\":["));
  for (std::size_t i = 0; i < tl.phases.size(); ++i) {
    const track::PhaseSpan& p = tl.phases[i];
    if (i) out.push_back(',');
    fmt::format_to(fmt::appender(out),
                   "{{\"phase\":\"{}\",\"first_frame\":{},\"last_frame\":{},\"segments\":{}}}",
                   track::phase_name(p.phase), p.first_frame, p.last_frame, p.segments);
  }
  out.append(std::string_view("],\"segments\":["));
  {  // the appender writes the segments, then hands the buffer back
    FastAppender w(out);
    for (std::size_t i = 0; i < tl.segments.size(); ++i) {
      if (i) w.put(',');
      w.put("\n  ");
      segment(w, tl, tl.segments[i]);
    }
  }
  out.append(std::string_view("]}"));
}

}  // namespace tcpscope::render
