#include "track/connection.hpp"

#include <algorithm>

#include "core/tcp_flags.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::track {

std::string_view role_reason_name(RoleReason r) {
  switch (r) {
    case RoleReason::syn:
      return "syn";
    case RoleReason::syn_ack:
      return "syn_ack";
    case RoleReason::port_heuristic:
      return "port_heuristic";
  }
  return "?";
}

std::string_view end_reason_name(EndReason r) {
  switch (r) {
    case EndReason::none:
      return "open";
    case EndReason::attempt_timer:
      return "attempt_timeout";
    case EndReason::expire_timer:
      return "linger_timeout";
    case EndReason::close_delay:
      return "closed";
    case EndReason::inactivity:
      return "inactivity_timeout";
    case EndReason::port_reuse:
      return "port_reuse";
    case EndReason::end_of_input:
      return "end_of_input";
    case EndReason::evicted:
      return "evicted";
  }
  return "?";
}

namespace {

bool has(std::uint16_t flags, std::uint16_t bit) { return (flags & bit) != 0; }

// The side that is probably the server when no handshake says so: a likely
// server port wins, then the lower port; on a tie the destination.
int guess_server_side(int sender, const decode::TcpFacts& tcp) {
  const bool src_server = zeek_likely_server_port(tcp.src.port);
  const bool dst_server = zeek_likely_server_port(tcp.dst.port);
  if (src_server != dst_server) return src_server ? sender : 1 - sender;
  return tcp.src.port < tcp.dst.port ? sender : 1 - sender;
}

}  // namespace

void Connection::start(int side, const decode::TcpFacts& tcp, Timestamp ts) {
  zeek.set_time(conn_time::last_segment, ts.ns());
  for (const std::size_t unset :
       {conn_time::last_syn, conn_time::syn_ack, conn_time::irtt_ack, conn_time::timed0, conn_time::timed1})
    zeek.set_time(unset, -1);
  client_side = static_cast<std::uint8_t>(1 - guess_server_side(side, tcp));
  role_reason = RoleReason::port_heuristic;
}

SegmentInference Connection::observe(int side, const decode::TcpFacts& tcp, const Timestamp& ts,
                                     std::uint64_t frame_number, std::vector<SegmentRecord>* timeline) {
  Half& s = half[side];
  Half& r = half[1 - side];
  const std::uint16_t flags = tcp.flags;
  const bool syn = has(flags, tcp_flag::syn);
  const bool ack = has(flags, tcp_flag::ack);
  const bool fin = has(flags, tcp_flag::fin);
  const bool rst = has(flags, tcp_flag::rst);
  zeek.set_time(conn_time::last_segment, ts.ns());

  // Roles: a SYN names its sender the client; a SYN-ACK names its receiver.
  if (syn && !ack) {
    if (role_reason != RoleReason::port_heuristic && client_side != side) role_contradicted = true;
    if (role_reason != RoleReason::syn || client_side == side) {
      client_side = static_cast<std::uint8_t>(side);
      role_reason = RoleReason::syn;
    }
  } else if (syn && ack) {
    if (role_reason == RoleReason::port_heuristic) {
      client_side = static_cast<std::uint8_t>(1 - side);
      role_reason = RoleReason::syn_ack;
    } else if (client_side == side) {
      role_contradicted = true;
    }
  }

  // Handshake timing (Wireshark's iRTT): settled by the first ACK after a SYN.
  if (irtt_ack_ns() < 0) {
    if (syn && !ack)
      zeek.set_time(conn_time::last_syn, ts.ns());
    else if (syn && ack && last_syn_ns() >= 0)
      zeek.set_time(conn_time::syn_ack, ts.ns());
    else if (ack && !syn && last_syn_ns() >= 0)
      zeek.set_time(conn_time::irtt_ack, ts.ns());
  }

  // Both endpoints' RFC 9293 states (roles are settled by the first segment:
  // a later SYN with another ISN is a new connection, see ZeekSession::is_reuse).
  SegmentEvent event;
  event.dir = side == client_side ? Direction::from_client : Direction::from_server;
  event.flags = flags;
  event.seq = tcp.seq;
  event.ack = tcp.ack;
  event.payload_len = tcp.payload_len;
  event.window = tcp.window;
  event.ts = ts;
  event.frame = frame_number;
  SegmentInference result = inference.on_segment(event);

  // (its payload bytes, counted from the sequence space: read before that changes)
  std::uint64_t sent_payload = payload_bytes(side);
  // Sender's half: its highest relative end and unwrapping reference, in 64 bits here.
  std::int64_t max_end = max_rel_end(side);
  std::int64_t unwrap_last = max_end - unwrap_below_end(side);
  if (syn) {
    if (!s.isn_known || !s.isn_from_syn || s.isn() != tcp.seq) {
      s.isn_seq = tcp.seq;  // relative sequence numbers count from it from now on
      unwrap_last = 0;
      max_end = 0;
    }
    s.isn_known = s.isn_from_syn = s.syn_seen = true;
    if (tcp.options.mss >= 0) s.mss = static_cast<std::uint16_t>(tcp.options.mss);
    s.wscale = static_cast<std::int8_t>(tcp.options.wscale > 127 ? 127 : tcp.options.wscale);
    s.sack_permitted = tcp.options.sack_permitted;
  } else if (!s.isn_known) {
    s.isn_seq = tcp.seq - 1;  // as if the SYN had been just before the first byte seen
    unwrap_last = 0;
    max_end = 1;
    s.isn_known = true;
  }
  const std::uint32_t seg_len = (rst ? 0 : tcp.payload_len) + (syn ? 1 : 0) + (fin ? 1 : 0);
  const std::int64_t rel = s.unwrap(tcp.seq, unwrap_last);
  if (rel > unwrap_last) unwrap_last = rel;
  const std::int64_t end = rel + seg_len;
  const bool retransmission = seg_len > 0 && !rst && rel < max_end;
  if (tcp.payload_len > 0 && !rst && rel < max_end) {
    const std::int64_t covered = std::min<std::int64_t>(max_end - rel, tcp.payload_len);
    set_retransmitted_bytes(side, retransmitted_bytes(side) + static_cast<std::uint64_t>(covered));
  }
  // ACK RTT: time this segment if nothing is outstanding; a retransmission of
  // the timed range makes the sample ambiguous (Karn).
  const std::size_t s_timed = conn_time::timed0 + static_cast<std::size_t>(side);
  const std::size_t r_timed = conn_time::timed0 + static_cast<std::size_t>(1 - side);
  if (retransmission && timed_ns(side) >= 0 && tcp.seq < s.ack_rtt.timed_end)
    zeek.set_time(s_timed, -1);
  else if (seg_len > 0 && !rst && !retransmission && timed_ns(side) < 0 && !(syn && ack && !r.syn_seen)) {
    // (a SYN-ACK captured before its SYN is not timed: Wireshark gives no sample either)
    s.ack_rtt.timed_end = tcp.seq + seg_len;
    zeek.set_time(s_timed, ts.ns());
  }
  if (end > max_end) max_end = end;
  // (max_end >= unwrap_last: every relative start is below its segment's end; the two
  // are at most a segment's length apart.)
  set_half_value(s.max_rel_end_low, zeek_wide::max_rel_end0, side, static_cast<std::uint64_t>(max_end));
  set_unwrap_below_end(side, static_cast<std::uint32_t>(max_end - unwrap_last));
  if (ack) {
    AckRtt& timed = r.ack_rtt;  // the peer's segment this ACK may answer
    if (const std::int64_t sent_ns = zeek.time(r_timed); sent_ns >= 0 && !rst) {
      if (tcp.ack == timed.timed_end) {
        const std::uint32_t us = timed.add(ns_between(ts.ns(), sent_ns), rtt_samples(1 - side) == 0);
        count_rtt_sample(1 - side);
        set_half_value(timed.sum_us_low, zeek_wide::rtt_sum_us0, 1 - side, rtt_sum_us(1 - side) + us);
        zeek.set_time(r_timed, -1);
      } else if (tcp.ack > timed.timed_end) {
        zeek.set_time(r_timed, -1);  // acknowledged together with later data: no exact match
      }
    }
  }
  if (tcp.options.has_timestamps) s.timestamps = true;
  if (fin) s.fin_seen = true;
  if (rst) s.rst_seen = true;
  if (!rst) sent_payload += tcp.payload_len;
  set_payload_bytes(side, sent_payload);

  if (timeline) {
    SegmentRecord rec;
    rec.frame = frame_number;
    rec.ts = ts;
    rec.rel_seq = rel;
    rec.rel_ack = (ack && r.isn_known) ? static_cast<std::int64_t>(tcp.ack.since(r.isn())) : 0;
    rec.payload_len = tcp.payload_len;
    rec.flags = flags;
    rec.window = tcp.window;
    rec.side = static_cast<std::uint8_t>(side);
    timeline->push_back(rec);
  }
  return result;
}

}  // namespace tcpscope::track
