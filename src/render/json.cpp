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

// Bytes conn_json writes besides its names, history and IPv6 addresses (which it
// adds to the bound): about 1,100 of keys and punctuation, 39 numbers of at most
// 28 characters (seconds), 4 addresses; with a wide margin.
constexpr std::size_t kRowBoundWithoutTexts = 4096;

void optional_seconds(RowCursor& t, std::int64_t ns) {
  if (ns < 0)
    t.lit("null");
  else
    t.seconds(ns);
}

void endpoint(RowCursor& t, const Endpoint& e) {
  t.lit("{\"addr\":\"").ip(e.addr).lit("\",\"port\":").num(e.port).ch('}');
}

void half(RowCursor& t, const track::Connection& c, int side) {
  const track::Half& h = c.half[side];
  t.lit("{\"segments\":").num(c.segments(side)).lit(",\"bytes\":").num(c.payload_bytes(side));
  t.lit(",\"retransmitted_bytes\":").num(c.retransmitted_bytes(side)).ch(',');
  if (h.isn_known)
    t.lit("\"isn\":").num(h.isn().raw()).lit(",\"isn_from_syn\":").boolean(h.isn_from_syn).ch(',');
  else
    t.lit("\"isn\":null,\"isn_from_syn\":false,");
  if (h.mss)
    t.lit("\"mss\":").num(h.mss).ch(',');
  else
    t.lit("\"mss\":null,");
  if (h.wscale >= 0)
    t.lit("\"wscale\":").num(int{h.wscale}).ch(',');
  else
    t.lit("\"wscale\":null,");
  if (const std::uint64_t samples = c.rtt_samples(side)) {
    t.lit("\"ack_rtt\":{\"samples\":").num(samples).lit(",\"min\":");
    t.seconds(std::int64_t{h.ack_rtt.min_us} * 1000).lit(",\"avg\":");
    t.seconds(static_cast<std::int64_t>(c.rtt_sum_us(side) / samples) * 1000).lit(",\"max\":");
    t.seconds(std::int64_t{h.ack_rtt.max_us} * 1000).lit("},");
  } else {
    t.lit("\"ack_rtt\":{\"samples\":0,\"min\":null,\"avg\":null,\"max\":null},");
  }
  t.lit("\"sack_permitted\":").boolean(h.sack_permitted).lit(",\"timestamps\":").boolean(h.timestamps);
  t.lit(",\"fin\":").boolean(h.fin_seen).lit(",\"rst\":").boolean(h.rst_seen).ch('}');
}

// Room an address's text needs beyond what kRowBoundWithoutTexts counts (IPv4's).
std::size_t extra_ip_room(const Endpoint& e) { return e.addr.is_v4() ? 0 : RowCursor::kMaxIpText; }

}  // namespace

void conn_json(fmt::memory_buffer& out, const track::Connection& c) {
  // Every value of varying length first, for the bound of the row's size.
  const Endpoint client = c.client();
  const Endpoint server = c.server();
  const std::string_view role_reason = track::role_reason_name(c.role_reason);
  const std::string_view end_reason = track::end_reason_name(c.end_reason);
  const bool started = c.inference.started();
  track::InferenceEnd end{};
  std::string_view close_kind = "-", client_state, client_confidence, server_state, server_confidence;
  if (started) {
    end = c.inference.finish();  // close_kind_text(c), computed once
    close_kind = track::close_kind_name(end.kind);
    client_state = to_string(end.client.state);
    client_confidence = track::confidence_name(end.client.confidence);
    server_state = to_string(end.server.state);
    server_confidence = track::confidence_name(end.server.confidence);
  }
  const ZeekConnView v = zeek_view(c);
  const track::ZeekSession& z = c.zeek;
  const track::ZeekHistoryText letters = z.history();
  const std::string_view conn_state = track::zeek_conn_state_name(z.conn_state());
  const std::string_view orig_state = track::zeek_endpoint_state_name(v.orig_ep->state);
  const std::string_view resp_state = track::zeek_endpoint_state_name(v.resp_ep->state);
  const std::size_t bound =
      kRowBoundWithoutTexts + role_reason.size() + end_reason.size() + close_kind.size() +
      client_state.size() + client_confidence.size() + server_state.size() + server_confidence.size() +
      conn_state.size() + letters.view().size() + orig_state.size() + resp_state.size() +
      extra_ip_room(client) + extra_ip_room(server) + extra_ip_room(v.orig) + extra_ip_room(v.resp);

  RowCursor t(out, bound);
  t.lit("{\"conn\":").num(c.id()).lit(",\"generation\":").num(c.generation()).lit(",\"client\":");
  endpoint(t, client);
  t.lit(",\"server\":");
  endpoint(t, server);
  t.lit(",\"role_reason\":\"").text(role_reason);
  t.lit("\",\"role_contradicted\":").boolean(c.role_contradicted).lit(",\"start\":").seconds(c.first_ns());
  t.lit(",\"duration\":").seconds(c.duration());
  t.lit(",\"end_reason\":\"").text(end_reason).lit("\",\"close_kind\":\"");
  if (started) {
    t.text(close_kind).lit("\",");
    t.lit("\"final_states\":{\"client\":\"").text(client_state);
    t.lit("\",\"client_confidence\":\"").text(client_confidence);
    t.lit("\",\"client_timer_pending\":").boolean(end.client_timer_pending);
    t.lit(",\"server\":\"").text(server_state);
    t.lit("\",\"server_confidence\":\"").text(server_confidence);
    t.lit("\",\"server_timer_pending\":").boolean(end.server_timer_pending).lit("},");
  } else {
    t.lit("-\",\"final_states\":null,");
  }
  t.lit("\"irtt\":");
  optional_seconds(t, c.irtt_ns());
  t.lit(",\"irtt_client\":");
  optional_seconds(t, c.irtt_client_ns());
  t.lit(",\"irtt_server\":");
  optional_seconds(t, c.irtt_server_ns());
  t.lit(",\"client_to_server\":");
  half(t, c, c.client_side);
  t.lit(",\"server_to_client\":");
  half(t, c, c.server_side());

  t.lit(",\"zeek\":{\"uid\":\"").text(v.uid()).lit("\",\"orig_h\":\"").ip(v.orig.addr);
  t.lit("\",\"orig_p\":").num(v.orig.port).lit(",\"resp_h\":\"").ip(v.resp.addr);
  t.lit("\",\"resp_p\":").num(v.resp.port).lit(",\"conn_state\":\"");
  t.text(conn_state).lit("\",\"history\":\"").text(letters.view());
  t.lit("\",\"duration\":");
  if (z.has_duration()) {
    t.seconds(z.last_time() - z.start_time());
    t.lit(",\"orig_bytes\":").num(z.orig_size()).lit(",\"resp_bytes\":").num(z.resp_size());
  } else {
    t.lit("null,\"orig_bytes\":null,\"resp_bytes\":null");
  }
  t.lit(",\"missed_bytes\":").num(z.missed_bytes()).lit(",\"orig_pkts\":").num(z.orig_packets());
  t.lit(",\"orig_ip_bytes\":").num(z.orig_ip_bytes()).lit(",\"resp_pkts\":").num(z.resp_packets());
  t.lit(",\"resp_ip_bytes\":").num(z.resp_ip_bytes()).lit(",\"orig_state\":\"");
  t.text(orig_state).lit("\",\"resp_state\":\"");
  t.text(resp_state).lit("\"}}");
}

}  // namespace tcpscope::render
