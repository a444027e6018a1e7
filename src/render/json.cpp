// Field names (stable; renaming one is a breaking change):
//   conn, generation, client{addr,port}, server{addr,port}, role_reason, role_contradicted,
//   start, duration, end_reason, close_kind,
//   final_states{client, client_confidence, client_timer_pending, server, server_confidence,
//     server_timer_pending} (RFC 9293 spelling), irtt, irtt_client, irtt_server,
//   client_to_server / server_to_client {segments, bytes, retransmitted_bytes, isn, isn_from_syn,
//     mss, wscale, ack_rtt{samples, min, avg, max}, sack_permitted, timestamps, fin, rst},
//   zeek{uid, orig_h, orig_p, resp_h, resp_p, conn_state, history, duration, orig_bytes, resp_bytes,
//     missed_bytes, orig_pkts, orig_ip_bytes, resp_pkts, resp_ip_bytes, orig_state, resp_state}
// Times are seconds (float, microsecond precision); unknown values are null.
#include "render/json.hpp"

#include "render/conn_fields.hpp"
#include "render/row_text.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::render {

namespace {

void optional_seconds(RowText& t, std::int64_t ns) {
  if (ns < 0)
    t.text("null");
  else
    t.seconds(ns);
}

void endpoint(RowText& t, const Endpoint& e) {
  t.text("{\"addr\":\"").ip(e.addr).text("\",\"port\":").num(e.port).ch('}');
}

void half(RowText& t, const track::Connection& c, int side) {
  const track::Half& h = c.half[side];
  t.text("{\"segments\":").num(c.segments(side)).text(",\"bytes\":").num(c.payload_bytes(side));
  t.text(",\"retransmitted_bytes\":").num(c.retransmitted_bytes(side)).ch(',');
  if (h.isn_known)
    t.text("\"isn\":").num(h.isn().raw()).text(",\"isn_from_syn\":").boolean(h.isn_from_syn).ch(',');
  else
    t.text("\"isn\":null,\"isn_from_syn\":false,");
  if (h.mss)
    t.text("\"mss\":").num(h.mss).ch(',');
  else
    t.text("\"mss\":null,");
  if (h.wscale >= 0)
    t.text("\"wscale\":").num(int{h.wscale}).ch(',');
  else
    t.text("\"wscale\":null,");
  if (const std::uint64_t samples = c.rtt_samples(side)) {
    t.text("\"ack_rtt\":{\"samples\":").num(samples).text(",\"min\":");
    t.seconds(std::int64_t{h.ack_rtt.min_us} * 1000).text(",\"avg\":");
    t.seconds(static_cast<std::int64_t>(c.rtt_sum_us(side) / samples) * 1000).text(",\"max\":");
    t.seconds(std::int64_t{h.ack_rtt.max_us} * 1000).text("},");
  } else {
    t.text("\"ack_rtt\":{\"samples\":0,\"min\":null,\"avg\":null,\"max\":null},");
  }
  t.text("\"sack_permitted\":").boolean(h.sack_permitted).text(",\"timestamps\":").boolean(h.timestamps);
  t.text(",\"fin\":").boolean(h.fin_seen).text(",\"rst\":").boolean(h.rst_seen).ch('}');
}

}  // namespace

void conn_json(fmt::memory_buffer& out, const track::Connection& c) {
  RowText t(out);
  t.text("{\"conn\":").num(c.id()).text(",\"generation\":").num(c.generation()).text(",\"client\":");
  endpoint(t, c.client());
  t.text(",\"server\":");
  endpoint(t, c.server());
  t.text(",\"role_reason\":\"").text(track::role_reason_name(c.role_reason));
  t.text("\",\"role_contradicted\":").boolean(c.role_contradicted).text(",\"start\":").seconds(c.first_ns());
  t.text(",\"duration\":").seconds(c.duration());
  t.text(",\"end_reason\":\"").text(track::end_reason_name(c.end_reason)).text("\",\"close_kind\":\"");
  if (c.inference.started()) {
    const track::InferenceEnd end = c.inference.finish();  // close_kind_text(c), computed once
    t.text(track::close_kind_name(end.kind)).text("\",");
    t.text("\"final_states\":{\"client\":\"").text(to_string(end.client.state));
    t.text("\",\"client_confidence\":\"").text(track::confidence_name(end.client.confidence));
    t.text("\",\"client_timer_pending\":").boolean(end.client_timer_pending);
    t.text(",\"server\":\"").text(to_string(end.server.state));
    t.text("\",\"server_confidence\":\"").text(track::confidence_name(end.server.confidence));
    t.text("\",\"server_timer_pending\":").boolean(end.server_timer_pending).text("},");
  } else {
    t.text("-\",\"final_states\":null,");
  }
  t.text("\"irtt\":");
  optional_seconds(t, c.irtt_ns());
  t.text(",\"irtt_client\":");
  optional_seconds(t, c.irtt_client_ns());
  t.text(",\"irtt_server\":");
  optional_seconds(t, c.irtt_server_ns());
  t.text(",\"client_to_server\":");
  half(t, c, c.client_side);
  t.text(",\"server_to_client\":");
  half(t, c, c.server_side());

  const ZeekConnView v = zeek_view(c);
  const track::ZeekSession& z = c.zeek;
  const track::ZeekHistoryText letters = z.history();
  t.text(",\"zeek\":{\"uid\":\"").text(v.uid()).text("\",\"orig_h\":\"").ip(v.orig.addr);
  t.text("\",\"orig_p\":").num(v.orig.port).text(",\"resp_h\":\"").ip(v.resp.addr);
  t.text("\",\"resp_p\":").num(v.resp.port).text(",\"conn_state\":\"");
  t.text(track::zeek_conn_state_name(z.conn_state())).text("\",\"history\":\"").text(letters.view());
  t.text("\",\"duration\":");
  if (z.has_duration()) {
    t.seconds(z.last_time() - z.start_time());
    t.text(",\"orig_bytes\":").num(z.orig_size()).text(",\"resp_bytes\":").num(z.resp_size());
  } else {
    t.text("null,\"orig_bytes\":null,\"resp_bytes\":null");
  }
  t.text(",\"missed_bytes\":").num(z.missed_bytes()).text(",\"orig_pkts\":").num(z.orig_packets());
  t.text(",\"orig_ip_bytes\":").num(z.orig_ip_bytes()).text(",\"resp_pkts\":").num(z.resp_packets());
  t.text(",\"resp_ip_bytes\":").num(z.resp_ip_bytes()).text(",\"orig_state\":\"");
  t.text(track::zeek_endpoint_state_name(v.orig_ep->state)).text("\",\"resp_state\":\"");
  t.text(track::zeek_endpoint_state_name(v.resp_ep->state)).text("\"}}");
}

}  // namespace tcpscope::render
