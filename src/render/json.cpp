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

#include <fmt/compile.h>

#include "render/conn_fields.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::render {

namespace {

using It = fmt::appender;

void seconds(It it, std::int64_t ns) {
  const bool negative = ns < 0;
  const std::uint64_t v = negative ? static_cast<std::uint64_t>(-ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = (v + 500) / 1000;
  fmt::format_to(it, FMT_COMPILE("{}{}.{:06}"), negative ? "-" : "", us / 1'000'000, us % 1'000'000);
}

void optional_seconds(It it, std::int64_t ns) {
  if (ns < 0)
    fmt::format_to(it, FMT_COMPILE("null"));
  else
    seconds(it, ns);
}

void endpoint(It it, const Endpoint& e) {
  fmt::format_to(it, FMT_COMPILE("{{\"addr\":\"{}\",\"port\":{}}}"), e.addr.to_string(), e.port);
}

void half(It it, const track::Connection& c, int side) {
  const track::Half& h = c.half[side];
  fmt::format_to(it, FMT_COMPILE("{{\"segments\":{},\"bytes\":{},\"retransmitted_bytes\":{},"), h.segments,
                 c.payload_bytes(side), c.retransmitted_bytes(side));
  if (h.isn_known)
    fmt::format_to(it, FMT_COMPILE("\"isn\":{},\"isn_from_syn\":{},"), h.isn().raw(), h.isn_from_syn);
  else
    fmt::format_to(it, FMT_COMPILE("\"isn\":null,\"isn_from_syn\":false,"));
  if (h.mss)
    fmt::format_to(it, FMT_COMPILE("\"mss\":{},"), h.mss);
  else
    fmt::format_to(it, FMT_COMPILE("\"mss\":null,"));
  if (h.wscale >= 0)
    fmt::format_to(it, FMT_COMPILE("\"wscale\":{},"), int{h.wscale});
  else
    fmt::format_to(it, FMT_COMPILE("\"wscale\":null,"));
  if (h.ack_rtt.samples) {
    fmt::format_to(it, FMT_COMPILE("\"ack_rtt\":{{\"samples\":{},\"min\":"), h.ack_rtt.samples);
    seconds(it, std::int64_t{h.ack_rtt.min_us} * 1000);
    fmt::format_to(it, FMT_COMPILE(",\"avg\":"));
    seconds(it, static_cast<std::int64_t>(c.rtt_sum_us(side) / h.ack_rtt.samples) * 1000);
    fmt::format_to(it, FMT_COMPILE(",\"max\":"));
    seconds(it, std::int64_t{h.ack_rtt.max_us} * 1000);
    fmt::format_to(it, FMT_COMPILE("}},"));
  } else {
    fmt::format_to(it, FMT_COMPILE("\"ack_rtt\":{{\"samples\":0,\"min\":null,\"avg\":null,\"max\":null}},"));
  }
  fmt::format_to(it, FMT_COMPILE("\"sack_permitted\":{},\"timestamps\":{},\"fin\":{},\"rst\":{}}}"),
                 h.sack_permitted, h.timestamps, h.fin_seen, h.rst_seen);
}

}  // namespace

void conn_json(fmt::memory_buffer& out, const track::Connection& c) {
  auto it = fmt::appender(out);
  fmt::format_to(it, FMT_COMPILE("{{\"conn\":{},\"generation\":{},\"client\":"), c.id, c.generation);
  endpoint(it, c.client());
  fmt::format_to(it, FMT_COMPILE(",\"server\":"));
  endpoint(it, c.server());
  fmt::format_to(it, FMT_COMPILE(",\"role_reason\":\"{}\",\"role_contradicted\":{},\"start\":"),
                 track::role_reason_name(c.role_reason), c.role_contradicted);
  seconds(it, c.first_ns());
  fmt::format_to(it, FMT_COMPILE(",\"duration\":"));
  seconds(it, c.duration());
  fmt::format_to(it, FMT_COMPILE(",\"end_reason\":\"{}\",\"close_kind\":\"{}\","),
                 track::end_reason_name(c.end_reason), close_kind_text(c));
  if (c.inference.started()) {
    const track::InferenceEnd end = c.inference.finish();
    fmt::format_to(it,
                   FMT_COMPILE("\"final_states\":{{\"client\":\"{}\",\"client_confidence\":\"{}\","
                               "\"client_timer_pending\":{},\"server\":\"{}\",\"server_confidence\":\"{}\","
                               "\"server_timer_pending\":{}}},"),
                   to_string(end.client.state), track::confidence_name(end.client.confidence),
                   end.client_timer_pending, to_string(end.server.state),
                   track::confidence_name(end.server.confidence), end.server_timer_pending);
  } else {
    fmt::format_to(it, FMT_COMPILE("\"final_states\":null,"));
  }
  fmt::format_to(it, FMT_COMPILE("\"irtt\":"));
  optional_seconds(it, c.irtt_ns());
  fmt::format_to(it, FMT_COMPILE(",\"irtt_client\":"));
  optional_seconds(it, c.irtt_client_ns());
  fmt::format_to(it, FMT_COMPILE(",\"irtt_server\":"));
  optional_seconds(it, c.irtt_server_ns());
  fmt::format_to(it, FMT_COMPILE(",\"client_to_server\":"));
  half(it, c, c.client_side);
  fmt::format_to(it, FMT_COMPILE(",\"server_to_client\":"));
  half(it, c, c.server_side());

  const ZeekConnView v = zeek_view(c);
  const track::ZeekSession& z = c.zeek;
  fmt::format_to(
      it,
      FMT_COMPILE(
          ",\"zeek\":{{\"uid\":\"{}\",\"orig_h\":\"{}\",\"orig_p\":{},\"resp_h\":\"{}\",\"resp_p\":{},"
          "\"conn_state\":\"{}\",\"history\":\"{}\",\"duration\":"),
      v.uid, v.orig.addr.to_string(), v.orig.port, v.resp.addr.to_string(), v.resp.port,
      track::zeek_conn_state_name(z.conn_state()), z.history().view());  // (the temporary lives to the end)
  if (z.has_duration()) {
    seconds(it, z.last_time() - z.start_time());
    fmt::format_to(it, FMT_COMPILE(",\"orig_bytes\":{},\"resp_bytes\":{}"), z.orig_size(), z.resp_size());
  } else {
    fmt::format_to(it, FMT_COMPILE("null,\"orig_bytes\":null,\"resp_bytes\":null"));
  }
  fmt::format_to(
      it,
      ",\"missed_bytes\":{},\"orig_pkts\":{},\"orig_ip_bytes\":{},\"resp_pkts\":{},\"resp_ip_bytes\":{},"
      "\"orig_state\":\"{}\",\"resp_state\":\"{}\"}}}}",
      z.missed_bytes(), z.orig_packets(), z.orig_ip_bytes(), z.resp_packets(), z.resp_ip_bytes(),
      track::zeek_endpoint_state_name(v.orig_ep->state), track::zeek_endpoint_state_name(v.resp_ep->state));
}

}  // namespace tcpscope::render
