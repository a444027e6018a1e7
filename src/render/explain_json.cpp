#include "render/explain_json.hpp"

#include "render/ladder_layout.hpp"

namespace tcpscope::render {
namespace {

using track::ConnectionTimeline;
using track::TimelineSegment;

void endpoint(fmt::memory_buffer& out, const Endpoint& e) {
  out.append(std::string_view("{\"addr\":"));
  json_string(out, e.addr.to_string());
  fmt::format_to(fmt::appender(out), ",\"port\":{}}}", e.port);
}

void view(fmt::memory_buffer& out, const track::EndpointView& v) {
  fmt::format_to(fmt::appender(out), "{{\"state\":\"{}\",\"confidence\":\"{}\"}}", to_string(v.state),
                 track::confidence_name(v.confidence));
}

void notes(fmt::memory_buffer& out, track::NoteSet set) {
  out.push_back('[');
  bool first = true;
  for (std::size_t n = 0; n < track::kInferenceNoteCount; ++n) {
    const auto id = static_cast<track::InferenceNote>(n);
    if (!set.has(id)) continue;
    if (!first) out.push_back(',');
    first = false;
    fmt::format_to(fmt::appender(out), "\"{}\"", track::note_name(id));
  }
  out.push_back(']');
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

void segment(fmt::memory_buffer& out, const ConnectionTimeline& tl, const TimelineSegment& s) {
  fmt::format_to(
      fmt::appender(out),
      "{{\"n\":{},\"frame\":{},\"ts\":{}.{:09},\"dir\":\"{}\",\"flags\":\"{}\",\"flag_names\":\"{}\","
      "\"seq\":{},\"ack\":{},\"rel_seq\":{},\"rel_ack\":{},\"len\":{},\"win\":{},",
      s.index, s.frame, s.ts.sec, s.ts.nsec,
      s.dir == track::Direction::from_client ? "client_to_server" : "server_to_client", flags_token(s.flags),
      flags_label(s.flags), s.seq.raw(), s.ack.raw(), s.rel_seq, s.rel_ack, s.payload_len, s.window);
  out.append(std::string_view("\"preview\":"));
  if (s.preview_len == 0)
    out.append(std::string_view("null"));
  else if (s.preview_printable)
    json_string(out, s.preview_view());
  else {
    std::string hex;
    for (char c : s.preview_view()) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
    json_string(out, "hex:" + hex);
  }
  fmt::format_to(fmt::appender(out), ",\"checksum\":\"{}\",\"loopback\":{},\"analysis\":[",
                 checksum_name(s.checksum), s.loopback);
  bool first = true;
  s.analysis.for_each([&](track::AnalysisFlag f) {
    if (!first) out.push_back(',');
    first = false;
    fmt::format_to(fmt::appender(out), "\"{}\"", track::to_id(f));
  });
  out.push_back(']');
  if (s.retransmits_frame)
    fmt::format_to(fmt::appender(out), ",\"retransmits\":{{\"n\":{},\"frame\":{},\"after_ns\":{}}}",
                   s.retransmits_index, s.retransmits_frame, s.retransmit_delay_ns);
  fmt::format_to(fmt::appender(out),
                 ",\"phase\":\"{}\",\"carries_data\":{},\"client\":", track::phase_name(s.phase.phase),
                 s.phase.carries_data);
  view(out, s.inference.client);
  out.append(std::string_view(",\"server\":"));
  view(out, s.inference.server);
  fmt::format_to(fmt::appender(out), ",\"client_revised\":{},\"server_revised\":{},\"rules\":[",
                 s.inference.client_revised, s.inference.server_revised);
  for (std::size_t r = 0; r < s.inference.rule_count; ++r) {
    const track::AppliedRule& a = s.inference.rules[r];
    if (r) out.push_back(',');
    fmt::format_to(fmt::appender(out),
                   "{{\"side\":\"{}\",\"from\":\"{}\",\"to\":\"{}\",\"rule\":\"{}\",\"rfc9293\":\"{}\"}}",
                   track::side_name(a.side), to_string(a.from), to_string(a.to), track::rule_name(a.rule),
                   track::rule_section(a.rule));
  }
  out.append(std::string_view("],\"notes\":"));
  notes(out, s.inference.notes);
  out.append(std::string_view(",\"tcpdump\":"));
  json_string(out, tl.tcpdump_text(s));
  out.push_back('}');
}

}  // namespace

void json_string(fmt::memory_buffer& out, std::string_view s) {
  out.push_back('"');
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto u = static_cast<unsigned char>(s[i]);
    if (u >= 0x20 && u != '"' && u != '\\' && u != 0x7f) continue;  // bytes >= 0x80 pass: the texts are UTF-8
    out.append(s.substr(run, i - run));
    run = i + 1;
    switch (s[i]) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      default:
        fmt::format_to(fmt::appender(out), "\\u{:04x}", u);
    }
  }
  out.append(s.substr(run));
  out.push_back('"');
}

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
  for (std::size_t i = 0; i < tl.segments.size(); ++i) {
    if (i) out.push_back(',');
    out.append(std::string_view("\n  "));
    segment(out, tl, tl.segments[i]);
  }
  out.append(std::string_view("]}"));
}

}  // namespace tcpscope::render
