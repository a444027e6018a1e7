// Zeek's TCP analysis as tcp-semantics.md §1 states it. Function and rule names
// follow Zeek's so each step can be checked against the reference.
#include "track/zeek_tcp.hpp"

#include <algorithm>
#include <limits>

#include "core/tcp_flags.hpp"

namespace tcpscope::track {

namespace {

constexpr std::array<std::size_t, 5> kTimers{conn_time::attempt, conn_time::expire0, conn_time::expire1,
                                             conn_time::close_delete, conn_time::inactivity};

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kAttemptDelay = 5 * kSecond;      // tcp_attempt_delay
constexpr std::int64_t kCloseDelay = 5 * kSecond;        // tcp_close_delay
constexpr std::int64_t kSynTimeout = 5 * kSecond;        // tcp_SYN_timeout (first expire check)
constexpr std::int64_t kSessionTimer = 6 * kSecond;      // tcp_session_timer (expire check period)
constexpr std::int64_t kConnectionLinger = 5 * kSecond;  // tcp_connection_linger
constexpr std::int64_t kUdpInactivity = 60 * kSecond;    // udp_inactivity_timeout (handshake phase)
constexpr std::int64_t kTcpInactivity = 300 * kSecond;   // tcp_inactivity_timeout
constexpr std::int32_t kTooLargeSeqDelta = 1048576;
constexpr std::uint64_t kMaxAboveHoleWithoutAcks = 16384;  // tcp_max_above_hole_without_any_acks
constexpr std::uint64_t kMaxInitialWindow = 16384;         // tcp_max_initial_window

constexpr std::uint8_t kOrigSeen = 1;
constexpr std::uint8_t kRespSeen = 2;

using S = ZeekEndpointState;

constexpr std::int32_t seq_delta(std::uint32_t a, std::uint32_t b) {
  return static_cast<std::int32_t>(a - b);
}

bool has(std::uint16_t flags, std::uint16_t bit) { return (flags & bit) != 0; }

bool is_handshake(S s) { return s == S::inactive || s == S::syn_sent || s == S::syn_ack_sent; }

bool is_clean(const ZeekEndpoint& e) {
  return e.state == S::established || (e.state == S::closed && e.prev_state == S::established);
}

// Relative sequence of `cur` for endpoint `e`, given the last value and wrap
// count it is compared with (Zeek's get_relative_seq).
std::uint64_t relative_seq(const ZeekEndpoint& e, std::uint32_t cur, std::uint32_t last, std::uint32_t wraps,
                           bool* underflow) {
  const std::int32_t delta = seq_delta(cur, last);
  if (delta < 0) {
    if (wraps && cur > last) --wraps;
  } else if (delta > 0) {
    if (cur < last) ++wraps;
  }
  if (wraps == 0) {
    const std::int32_t d = seq_delta(cur, e.start_seq);
    if (underflow && d < 0) *underflow = true;
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(d));
  }
  return e.to_relative(cur, wraps);
}

}  // namespace

std::uint64_t ZeekEndpoint::size(const ZeekEndpoint& peer, std::uint32_t seq_wraps,
                                 std::uint32_t ack_wraps) const {
  if (prev_state == S::syn_sent && state == S::reset && peer.state == S::inactive &&
      !no_data_acked(ack_wraps))
    return 0;
  const std::uint64_t last64 = full(last_seq, seq_wraps);
  const std::uint64_t ack64 = full(ack_seq, ack_wraps);
  std::uint64_t n = (last64 > ack64 ? last64 : ack64) - start_seq;
  if (n != 0) --n;              // the SYN octet (real or assumed)
  if (fin_seen && n != 0) --n;  // the FIN octet
  return n;
}

void ZeekSession::start(int sender, const decode::TcpFacts& first, Timestamp t) {
  set_start_ns(t.ns());
  times_.reset();
  if (high_.rare()) high_.rare_for_write().times_wide = false;
  set_word_time(conn_time::zeek_last, t.ns());
  orig_side_ = static_cast<std::uint8_t>(sender);
  set_word_time(conn_time::expire0, t.ns() + kSynTimeout);
  set_word_time(conn_time::inactivity, last_ns() + kUdpInactivity);  // udp_inactivity_timeout to begin with
  tcp_inactivity_ = false;

  // Creation-time orientation for starts without a plain SYN (§1.2 rule 1).
  const bool syn = has(first.flags, tcp_flag::syn);
  const bool ack = has(first.flags, tcp_flag::ack);
  if (!syn || ack) {
    const std::uint16_t sp = first.src.port;
    const std::uint16_t dp = first.dst.port;
    bool flip = false;
    if (zeek_likely_server_port(sp)) flip = zeek_likely_server_port(dp) ? (!syn && sp < dp) : true;
    if (flip) flip_roles();
  }
}

bool ZeekSession::is_reuse(int /*sender*/, const decode::TcpFacts& tcp) const {
  if (!has(tcp.flags, tcp_flag::syn)) return false;
  int compared = orig_side_;
  if (has(tcp.flags, tcp_flag::ack)) {
    if (orig().state != S::inactive) return false;  // not a half connection
    compared = 1 - orig_side_;
  }
  const bool closed = orig().did_close || resp().did_close;
  if (!closed) {
    const std::uint32_t base = tcp.seq.raw();
    if (base == ep_[compared].start_seq) return false;  // a retransmitted SYN
    if (!has(tcp.flags, tcp_flag::ack) && ep_[compared].state == S::syn_ack_sent &&
        resp().state == S::inactive && base == resp().start_seq)
      return false;  // SYN and SYN-ACK captured in reverse order
  }
  return true;
}

void ZeekSession::flip_roles() {
  orig_side_ ^= 1;
  first_packet_seen_ = static_cast<std::uint8_t>(((first_packet_seen_ & kOrigSeen) ? kRespSeen : 0) |
                                                 ((first_packet_seen_ & kRespSeen) ? kOrigSeen : 0));
  is_partial_ = false;
  history_.add('^', history_tail_for_add());
}

void ZeekSession::add_history(int side, char code) {
  history_.add(is_orig(side) ? code : static_cast<char>(code - 'A' + 'a'), history_tail_for_add());
}

void ZeekSession::check_history(int side, std::uint32_t mask, char code) {
  if (is_orig(side))
    history_.check(mask, code, history_tail_for_add());
  else
    history_.check(mask << 16, static_cast<char>(code - 'A' + 'a'), history_tail_for_add());
}

void ZeekSession::scaled_history(int side, std::size_t counter, char code) {
  ZeekEndpoint& e = ep_[side];
  const std::size_t slot = zeek_wide::counters0 + 2 * counter + static_cast<std::size_t>(side);
  const bool is_inline = counter == zeek_counter::retransmissions || counter == zeek_counter::zero_windows;
  // (no conditional lvalue over the bit-fields: clang 14 cannot bind one)
  std::uint8_t small = ZeekEndpoint::kCounterInRare;
  if (counter == zeek_counter::retransmissions) small = e.retransmissions;
  if (counter == zeek_counter::zero_windows) small = e.zero_windows;
  if (small < ZeekEndpoint::kCounterInRare - 1) {  // the count inline: ZeekScaledCounter::tick below 10^9
    ++small;
    if (counter == zeek_counter::retransmissions) e.retransmissions = small & 0xF;
    if (counter == zeek_counter::zero_windows) e.zero_windows = small & 0xF;
    if (small == 1 || small == 10) add_history(side, code);
    return;
  }
  ZeekScaledCounter whole;
  whole.state = small == ZeekEndpoint::kCounterInRare ? high_.word(slot) : small;
  if (whole.tick()) add_history(side, code);
  if (is_inline) {
    if (counter == zeek_counter::retransmissions) e.retransmissions = ZeekEndpoint::kCounterInRare;
    if (counter == zeek_counter::zero_windows) e.zero_windows = ZeekEndpoint::kCounterInRare;
  }
  high_.set_word(slot, whole.state);  // never 0 from here on: the block is allocated
}

std::uint32_t ZeekSession::hist_last_fin(int side) const {
  switch (ep_[side].hist_fin) {
    case ZeekHistFin::none:
      return 0;
    case ZeekHistFin::at_fin_seq:
      return static_cast<std::uint32_t>(fin_seq(side)) - 1;
    case ZeekHistFin::rare:
      break;
  }
  return high_.word(zeek_wide::hist_last_fin0 + static_cast<std::size_t>(side));
}

void ZeekSession::update_history(int side, std::uint16_t flags, std::uint64_t rel_seq, std::uint32_t len) {
  ZeekEndpoint& e = ep_[side];
  const bool syn = has(flags, tcp_flag::syn);
  const bool fin = has(flags, tcp_flag::fin);
  const bool rst = has(flags, tcp_flag::rst);
  const int bits = int{syn} + int{fin} + int{rst};
  if (bits > 1) {
    if (fin && rst)
      check_history(side, zeek_hist::fin_rst, 'I');
    else
      check_history(side, zeek_hist::multi_flag, 'Q');
    return;
  }
  if (bits == 1) {
    if (syn) {
      const char code = has(flags, tcp_flag::ack) ? 'H' : 'S';
      const std::uint32_t mask = is_orig(side) ? zeek_hist::syn : zeek_hist::syn << 16;
      const bool seen_before = (history_.seen() & mask) != 0;
      check_history(side, zeek_hist::syn, code);
      const std::size_t last_syn_slot = zeek_wide::hist_last_syn0 + static_cast<std::size_t>(side);
      if (seen_before && static_cast<std::uint32_t>(rel_seq) != high_.word(last_syn_slot))
        add_history(side, code);
      high_.set_word(last_syn_slot, static_cast<std::uint32_t>(rel_seq));
    }
    if (fin) {
      const std::uint32_t mask = is_orig(side) ? zeek_hist::fin : zeek_hist::fin << 16;
      const bool seen_before = (history_.seen() & mask) != 0;
      check_history(side, zeek_hist::fin, 'F');
      if (seen_before && static_cast<std::uint32_t>(rel_seq + len) != hist_last_fin(side))
        add_history(side, 'F');
      // rel_seq + len: deliver() sets fin_seq to one past it (this FIN's end) right after.
      e.hist_fin = ZeekHistFin::at_fin_seq;
    }
    if (rst) {
      const std::uint32_t mask = is_orig(side) ? zeek_hist::rst : zeek_hist::rst << 16;
      const bool seen_before = (history_.seen() & mask) != 0;
      check_history(side, zeek_hist::rst, 'R');
      // (kept modulo 2^32: equal numbers 4 GiB apart are treated as a repeat)
      const std::size_t last_rst_slot = zeek_wide::hist_last_rst0 + static_cast<std::size_t>(side);
      const std::uint32_t rel32 = static_cast<std::uint32_t>(rel_seq);
      const std::uint32_t last_rst = e.hist_rst_at_one ? 1u : high_.word(last_rst_slot);  // 0 before any
      if (seen_before && rel32 != last_rst) add_history(side, 'R');
      e.hist_rst_at_one = rel32 == 1;
      high_.set_word(last_rst_slot, rel32 == 1 ? 0 : rel32);  // (0 with no block allocates none)
    }
    return;
  }
  if (len == 0 && !has(flags, tcp_flag::ack)) return;
  // SYN-ACK-first connections: the first pure ACK or data packet flips the
  // roles and the history becomes "^h" (§1.2 rule 2).
  if (history_.is('H')) {
    orig_side_ ^= 1;
    first_packet_seen_ = static_cast<std::uint8_t>(((first_packet_seen_ & kOrigSeen) ? kRespSeen : 0) |
                                                   ((first_packet_seen_ & kRespSeen) ? kOrigSeen : 0));
    is_partial_ = false;
    history_.rewrite_as_flipped_syn_ack();
  }
  if (len)
    check_history(side, zeek_hist::data, 'D');
  else
    check_history(side, zeek_hist::ack, 'A');
}

void ZeekSession::set_state(int side, S s) {
  ZeekEndpoint& e = ep_[side];
  if (s == e.state) return;
  // The inactivity timeout grows once the handshake is over.
  if (!is_handshake(s) && is_handshake(e.state) && is_handshake(ep_[1 - side].state))
    if (!tcp_inactivity_) {
      set_word_time(conn_time::inactivity, last_ns() + kTcpInactivity);
      tcp_inactivity_ = true;
    }
  e.prev_state = e.state;
  e.state = s;
}

void ZeekSession::cancel_analyzer_timers() {
  set_word_time(conn_time::attempt, 0);
  set_word_time(conn_time::expire0, 0);
  set_word_time(conn_time::expire1, 0);
  set_word_time(conn_time::close_delete, 0);
}

void ZeekSession::add_expire_timer(std::int64_t at) {
  for (const std::size_t slot : {conn_time::expire0, conn_time::expire1}) {
    if (word_time(slot) == 0) {
      set_word_time(slot, at);
      return;
    }
  }
  // Both chains armed: keep the earlier check, which fires first anyway.
  const std::size_t latest =
      word_time(conn_time::expire0) > word_time(conn_time::expire1) ? conn_time::expire0 : conn_time::expire1;
  set_word_time(latest, std::min(word_time(latest), at));
}

void ZeekSession::deliver(int side, const decode::TcpFacts& tcp, std::uint32_t captured_payload, Timestamp t,
                          const ZeekOptions& options) {
  ZeekEndpoint& e = ep_[side];
  ZeekEndpoint& p = ep_[1 - side];

  if (options.validate_checksums && tcp.checksum == decode::ChecksumStatus::bad) {
    scaled_history(side, zeek_counter::checksum_errors, 'C');  // dropped: no state change, not counted
    count_unanalyzed(side);
    return;
  }

  const bool stale_is_orig = is_orig(side);  // Zeek keeps this value through a flip inside update_history
  const std::uint16_t flags = tcp.flags;
  const bool syn = has(flags, tcp_flag::syn);
  const bool fin = has(flags, tcp_flag::fin);
  const bool rst = has(flags, tcp_flag::rst);
  const bool ack = has(flags, tcp_flag::ack);
  const std::uint32_t base_seq = tcp.seq.raw();
  const std::uint32_t ack_seq = tcp.ack.raw();
  const std::uint32_t len = tcp.payload_len;

  // SetPartialStatus
  if (stale_is_orig) {
    if (!(first_packet_seen_ & kOrigSeen)) is_partial_ = !syn || ack;
  } else if (!(first_packet_seen_ & kRespSeen) && !is_partial_) {
    is_partial_ = !syn;
  }

  std::int64_t seg_len = len;
  if (syn) ++seg_len;
  if (fin) ++seg_len;
  if (rst) seg_len -= len;
  const std::uint32_t seq_one_past = base_seq + static_cast<std::uint32_t>(seg_len);

  // init_endpoint (a fin_seq that follows last_seq is stored first when they change)
  switch (e.state) {
    case S::inactive: {
      std::uint32_t last = seq_one_past;
      keep_fin_seq(side);
      if (syn) {
        e.ack_seq = base_seq;
        e.start_seq = base_seq;
      } else {
        e.ack_seq = base_seq - 1;
        e.start_seq = base_seq - 1;
        last = base_seq;  // the first packet must not count as a retransmission
      }
      e.last_seq = last;
      break;
    }
    case S::syn_sent:
    case S::syn_ack_sent:
      if (syn && base_seq != e.start_seq) {
        keep_fin_seq(side);
        e.start_seq = base_seq;
        e.ack_seq = base_seq;
        e.last_seq = seq_one_past;
      }
      break;
    case S::established:
    case S::partial:
      if (syn) {
        keep_fin_seq(side);
        e.start_seq = base_seq;
        e.ack_seq = base_seq;
        e.last_seq = seq_one_past;
      }
      break;
    case S::reset:
      if (syn && e.prev_state == S::inactive) {
        keep_fin_seq(side);
        e.start_seq = base_seq;
        e.ack_seq = base_seq;
        e.last_seq = seq_one_past;
      }
      break;
    case S::closed:
      break;
  }

  bool seq_underflow = false;
  const std::uint64_t rel_seq =
      relative_seq(e, base_seq, e.last_seq, wraps(zeek_wide::seq_wraps0, side), &seq_underflow);

  update_history(side, flags, rel_seq, len);

  // update_window: only the zero-window letter shows in conn.log (Zeek's window
  // bookkeeping beyond it feeds a weird, which tcpscope does not report).
  if ((static_cast<std::uint32_t>(tcp.window) << e.window_scale) == 0 && !rst && p.state != S::closed &&
      e.state != S::reset)
    scaled_history(side, zeek_counter::zero_windows, 'W');

  if (!orig().did_close || !resp().did_close) set_word_time(conn_time::zeek_last, t.ns());

  if (syn) {  // init_window
    int scale = tcp.options.wscale;
    if (scale < 0) {
      e.window_scale = 0;
      if (ack) p.window_scale = 0;
    } else {
      if (scale > 14) scale = 14;  // RFC 7323's cap, as Zeek applies it
      e.window_scale = static_cast<std::uint8_t>(scale);
    }
  }
  if (fin) {
    e.fin_seen = true;
    if ((syn || rst) && e.hist_fin == ZeekHistFin::at_fin_seq) {  // not a plain FIN: hist_last_fin stays
      high_.set_word(zeek_wide::hist_last_fin0 + static_cast<std::size_t>(side),
                     static_cast<std::uint32_t>(fin_seq(side)) - 1);
      e.hist_fin = ZeekHistFin::rare;
    }
    // fin_seq becomes rel_seq + seg_len (stored below, once last_seq is updated: usually
    // it is last_seq's relative value then); nothing reads it in between.
    e.fin_at_last_seq = false;
  }

  std::uint64_t rel_ack = 0;
  if (ack) {
    if (p.state == S::inactive) {
      rel_ack = 1;
      keep_fin_seq(1 - side);
      p.start_seq = ack_seq - 1;  // init_peer: as if its SYN had been seen
      p.ack_seq = ack_seq - 1;
      p.last_seq = ack_seq - 1;
    } else {
      bool ack_underflow = false;
      rel_ack = relative_seq(p, ack_seq, p.ack_seq, wraps(zeek_wide::ack_wraps0, 1 - side), &ack_underflow);
      if (ack_underflow) {
        rel_ack = 0;
      } else if (!rst) {
        const std::int32_t d = seq_delta(ack_seq, p.ack_seq);
        if (!(ack_seq == 0 && d > kTooLargeSeqDelta) && d > 0) {
          if (ack_seq < p.ack_seq)
            set_wraps(zeek_wide::ack_wraps0, 1 - side, wraps(zeek_wide::ack_wraps0, 1 - side) + 1);
          p.ack_seq = ack_seq;
        }
      }
    }
  }

  // update_last_seq
  const std::int32_t delta_last = seq_delta(seq_one_past, e.last_seq);
  if ((syn || rst) && (delta_last > kTooLargeSeqDelta || delta_last < -kTooLargeSeqDelta)) {
    // untrusted jump
  } else if (fin && e.last_seq == e.start_seq + 1) {
    update_last_seq(side, seq_one_past);
  } else if (e.state == S::reset) {
    // nothing after a RST is trusted
  } else if (delta_last > 0) {
    update_last_seq(side, seq_one_past);
  } else if (len > 0) {
    scaled_history(side, zeek_counter::retransmissions, 'T');
  }
  if (fin) {
    const std::uint64_t fin_end = rel_seq + static_cast<std::uint64_t>(seg_len);
    if (e.to_relative(e.last_seq, wraps(zeek_wide::seq_wraps0, side)) == fin_end)
      e.fin_at_last_seq = true;
    else
      store_fin_seq(side, fin_end);
  }

  bool do_close = false;
  bool gen_event = false;
  update_state_machine(side, flags, base_seq, ack_seq, len, delta_last, stale_is_orig, do_close, gen_event);

  if (ack) ack_received(1 - side, rel_ack);

  // CheckPIA_FirstPacket
  if (stale_is_orig)
    first_packet_seen_ |= kOrigSeen;
  else
    first_packet_seen_ |= kRespSeen;

  if (len > 0 && !rst && !seq_underflow && captured_payload >= len)
    data_sent(side, syn ? rel_seq + 1 : rel_seq, len);

  check_eof(side);
  if (do_close) connection_closed(side, gen_event);

  // ConnSize, counted on the sender's current role.
  set_wide(e.packets_low, zeek_wide::packets0, side, packets(side) + 1);
  set_wide(e.ip_bytes_low, zeek_wide::ip_bytes0, side, ip_bytes(side) + tcp.ip_len);
}

void ZeekSession::update_state_machine(int side, std::uint16_t flags, std::uint32_t base_seq,
                                       std::uint32_t ack_seq, std::uint32_t len, std::int32_t delta_last,
                                       bool stale_is_orig, bool& do_close, bool& gen_event) {
  ZeekEndpoint& e = ep_[side];
  ZeekEndpoint& p = ep_[1 - side];
  const bool syn = has(flags, tcp_flag::syn);
  const bool fin = has(flags, tcp_flag::fin);
  const bool rst = has(flags, tcp_flag::rst);
  switch (e.state) {
    case S::inactive:
      update_inactive(side, flags, base_seq, ack_seq, len, stale_is_orig, do_close, gen_event);
      break;
    case S::syn_sent:
    case S::syn_ack_sent:
      if (fin) {
        set_state(side, S::closed);
        do_close = gen_event = true;
      }
      if (rst) {
        set_state(side, S::reset);
        connection_reset();
        do_close = true;
      }
      break;
    case S::established:
    case S::partial:
      if (syn && e.state == S::partial && p.state == S::inactive && !has(flags, tcp_flag::ack))
        set_state(side, S::syn_sent);
      if (fin && !rst) {
        set_state(side, S::closed);
        if (p.state == S::reset && p.prev_state == S::closed) set_state(1 - side, S::closed);  // FIN then RST
        do_close = gen_event = true;
      }
      if (rst) {
        set_state(side, S::reset);
        do_close = true;
        if (p.state != S::reset || p.prev_state != S::established) connection_reset();
      }
      break;
    case S::closed:
      (void)delta_last;
      if (rst && p.state != S::closed) {
        set_state(side, S::reset);
        if (!e.did_close) do_close = true;  // RST after FIN
      }
      break;
    case S::reset:
      break;
  }
}

void ZeekSession::update_inactive(int side, std::uint16_t flags, std::uint32_t base_seq,
                                  std::uint32_t /*ack_seq*/, std::uint32_t len, bool stale_is_orig,
                                  bool& do_close, bool& gen_event) {
  ZeekEndpoint& e = ep_[side];
  ZeekEndpoint& p = ep_[1 - side];
  const bool syn = has(flags, tcp_flag::syn);
  const bool ack = has(flags, tcp_flag::ack);
  if (syn) {
    if (stale_is_orig) {
      set_state(side, ack ? S::syn_ack_sent : S::syn_sent);
      set_word_time(conn_time::attempt, last_ns() + kAttemptDelay);
    } else {
      if (!ack && p.state == S::syn_ack_sent && base_seq == e.start_seq) {
        // SYN and SYN-ACK captured in reverse order: flip and establish.
        is_partial_ = false;
        flip_roles();
        set_state(1 - side, S::established);
        first_packet_seen_ |= kOrigSeen;
      }
      if (p.state == S::syn_sent) set_state(1 - side, S::established);
      set_state(side, S::established);
    }
  }
  if (has(flags, tcp_flag::fin)) {
    set_state(side, S::closed);
    do_close = gen_event = true;
  }
  if (has(flags, tcp_flag::rst)) {
    set_state(side, S::reset);
    bool is_reject = false;
    if (stale_is_orig)
      is_reject = p.state == S::established;
    else
      is_reject = p.state == S::syn_sent || p.state == S::syn_ack_sent;
    do_close = true;
    gen_event = !is_reject;
  }
  if (e.state == S::inactive) {
    if (!stale_is_orig && len == 0 && orig().state == S::syn_sent) {
      // an ACK sent before the SYN-ACK does not make a partial connection
    } else if (ack && p.state == S::established) {
      set_state(side, S::established);  // SYN-ACK seen, SYN missed
      is_partial_ = false;
      first_packet_seen_ |= stale_is_orig ? kOrigSeen : kRespSeen;
    } else {
      set_state(side, S::partial);
    }
  }
}

// ---- Reassembler: only what conn.log needs (gaps, EOF, close deferral) ----

void ZeekSession::deliver_contiguous(int side) {
  ZeekReassembly& r = ep_[side].reassembly;
  std::size_t consumed = 0;
  while (consumed < r.block_count && blocks(side)[consumed].first <= last_reassem(side)) {
    set_last_reassem(side, std::max(last_reassem(side), blocks(side)[consumed].second));
    ++consumed;
  }
  if (consumed) {
    auto& b = blocks(side);
    std::copy(b.begin() + static_cast<std::ptrdiff_t>(consumed), b.begin() + r.block_count, b.begin());
    r.block_count = static_cast<std::uint8_t>(r.block_count - consumed);
  }
}

void ZeekSession::data_sent(int side, std::uint64_t seq, std::uint32_t len) {
  ZeekEndpoint& e = ep_[side];
  ZeekReassembly& r = e.reassembly;
  if (r.skip_deliveries) return;
  const std::uint64_t acked = e.to_relative(e.ack_seq, wraps(zeek_wide::ack_wraps0, side));
  std::uint64_t upper = seq + len;
  if (seq < acked) {
    if (upper <= acked) return;  // delivered and acked already
    seq = acked;
  }
  if (upper <= trim(side)) return;
  if (seq < trim(side)) seq = trim(side);
  if (upper <= last_reassem(side)) return;  // old data
  if (seq <= last_reassem(side)) {
    set_last_reassem(side, upper);  // fills the leading hole: deliver
    deliver_contiguous(side);
    if (no_data_acked(side) && size(side) > kMaxInitialWindow)
      set_wide(r.trim_low, zeek_wide::trim0, side, std::max(trim(side), last_reassem(side)));
  } else {
    // Buffer above a hole: insert, keeping blocks sorted and merged.
    auto& b = blocks(side);  // (allocated on the first hole)
    std::size_t i = 0;
    while (i < r.block_count && b[i].second < seq) ++i;
    if (i < r.block_count && b[i].first <= upper) {
      b[i].first = std::min(b[i].first, seq);
      b[i].second = std::max(b[i].second, upper);
      while (i + 1 < r.block_count && b[i + 1].first <= b[i].second) {
        b[i].second = std::max(b[i].second, b[i + 1].second);
        std::copy(b.begin() + static_cast<std::ptrdiff_t>(i) + 2, b.begin() + r.block_count,
                  b.begin() + static_cast<std::ptrdiff_t>(i) + 1);
        --r.block_count;
      }
    } else if (r.block_count < ZeekReassembly::kMaxBlocks) {
      std::copy_backward(b.begin() + static_cast<std::ptrdiff_t>(i), b.begin() + r.block_count,
                         b.begin() + r.block_count + 1);
      b[i] = {seq, upper};
      ++r.block_count;
    } else if (i == r.block_count) {
      b[i - 1].second = upper;  // full: widen the last block (bounded memory; approximate)
    } else {
      b[i].first = seq;
    }
  }
  if (no_data_acked(side) && undelivered_bytes(side) > kMaxAboveHoleWithoutAcks) {
    r.block_count = 0;
    r.skip_deliveries = true;
  }
}

void ZeekSession::gap(int side, std::uint64_t len) {
  ZeekEndpoint& e = ep_[side];
  if (is_clean(e) && is_clean(ep_[1 - side])) {
    scaled_history(side, zeek_counter::gaps, 'G');
    const std::uint64_t missed = missed_bytes() + len;
    high_.set_word(zeek_wide::missed_bytes_low, static_cast<std::uint32_t>(missed));
    high_.set_word(zeek_wide::missed_bytes, static_cast<std::uint32_t>(missed >> 32));
  }
}

void ZeekSession::undelivered(int side, std::uint64_t up_to) {
  ZeekReassembly& r = ep_[side].reassembly;
  if (up_to <= 2 && is_partial_) return;  // the faked SYN octet of a partial connection
  if (!r.skip_deliveries) {
    while (r.block_count > 0 && blocks(side)[0].first < up_to) {
      if (blocks(side)[0].first > last_reassem(side)) {
        gap(side, blocks(side)[0].first - last_reassem(side));
        set_last_reassem(side, blocks(side)[0].first);
      }
      deliver_contiguous(side);
    }
    if (up_to > last_reassem(side)) gap(side, up_to - last_reassem(side));
  }
  if (up_to > last_reassem(side)) set_last_reassem(side, up_to);
  deliver_contiguous(side);
}

void ZeekSession::trim_to(int side, std::uint64_t seq) {
  if (seq > last_reassem(side)) undelivered(side, seq);
  set_wide(ep_[side].reassembly.trim_low, zeek_wide::trim0, side, seq);
}

void ZeekSession::ack_received(int side, std::uint64_t seq) {
  ZeekEndpoint& e = ep_[side];
  if (e.fin_seen && seq >= fin_seq(side)) seq = fin_seq(side) - 1;
  if (seq <= trim(side)) return;
  trim_to(side, seq);
  check_eof(side);
}

bool ZeekSession::data_pending(int side) const {
  const ZeekEndpoint& e = ep_[side];
  const ZeekReassembly& r = e.reassembly;
  if (r.skip_deliveries) return false;
  const std::uint64_t delivered = std::uint64_t{e.start_seq} + last_reassem(side);
  const std::uint64_t last = ZeekEndpoint::full(e.last_seq, wraps(zeek_wide::seq_wraps0, side));
  if (last < delivered) return false;
  if (delivered != last - 1 && delivered != last) return true;
  if (e.state != S::reset && ep_[1 - side].reassembly.has_undelivered()) return true;
  return false;
}

void ZeekSession::check_eof(int side) {
  ZeekEndpoint& e = ep_[side];
  if (e.reassembly.did_eof) return;
  if (!(e.fin_seen || e.state == S::closed || e.state == S::reset)) return;
  if (data_pending(side)) return;
  e.reassembly.did_eof = true;
  if (close_deferred_) {
    connection_closed(side, deferred_gen_event_);
    close_deferred_ = false;
  }
}

void ZeekSession::connection_closed(int side, bool gen_event) {
  ZeekEndpoint& e = ep_[side];
  ZeekEndpoint& p = ep_[1 - side];
  if (data_pending(side)) {
    close_deferred_ = true;
    if (!deferred_gen_event_) deferred_gen_event_ = gen_event;
    return;
  }
  close_deferred_ = false;
  if (e.did_close) return;
  e.did_close = true;
  const bool complete = e.state == S::reset || p.did_close || p.state == S::inactive;
  if (complete) {
    if (e.prev_state != S::inactive || p.state != S::inactive) {
      if (deferred_gen_event_) {
        gen_event = true;
        deferred_gen_event_ = false;
      }
      if (gen_event) is_active_ = false;  // ConnectionFinished
    }
    cancel_analyzer_timers();
    set_word_time(conn_time::close_delete, last_ns() + kCloseDelay);
  } else if (e.prev_state != S::inactive) {
    add_expire_timer(last_ns() + kSessionTimer);
  }
}

// ---- Timers ----

std::int64_t ZeekSession::next_timer_ns() const {
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const std::size_t timer : kTimers)
    if (const std::int64_t at = word_time(timer); at != 0 && at < next) next = at;
  return next;
}

ZeekRemoval ZeekSession::run_timers(std::int64_t now) {
  for (;;) {
    std::size_t due = conn_time::count;
    std::int64_t due_at = 0;
    for (const std::size_t timer : kTimers)
      if (const std::int64_t at = word_time(timer);
          at != 0 && at <= now && (due == conn_time::count || at < due_at)) {
        due = timer;
        due_at = at;
      }
    if (due == conn_time::count) return ZeekRemoval::none;

    if (due == conn_time::attempt) {
      set_word_time(conn_time::attempt, 0);
      if (!is_active_) continue;
      if ((orig().state == S::syn_sent || orig().state == S::syn_ack_sent) && resp().state == S::inactive) {
        is_active_ = false;
        return ZeekRemoval::attempt_timer;
      }
    } else if (due == conn_time::close_delete) {
      set_word_time(conn_time::close_delete, 0);
      return ZeekRemoval::close_delay;
    } else if (due == conn_time::inactivity) {
      const std::int64_t deadline = last_ns() + inactivity_timeout_ns();
      if (deadline <= now) {
        set_word_time(conn_time::inactivity, 0);
        return ZeekRemoval::inactivity;
      }
      set_word_time(conn_time::inactivity, deadline);
    } else {  // an expire check
      set_word_time(due, 0);
      if (!is_active_) continue;
      if (last_ns() + kConnectionLinger < now) {
        const ZeekEndpoint& o = orig();
        const ZeekEndpoint& r = resp();
        if (o.did_close || r.did_close) {
          if ((o.did_close && r.did_close) || o.state == S::reset || r.state == S::reset ||
              o.state == S::inactive || r.state == S::inactive) {
            is_active_ = false;
            return ZeekRemoval::expire_timer;
          }
        }
        if (r.state == S::inactive && o.state == S::inactive) return ZeekRemoval::expire_timer;
      }
      set_word_time(due, now + kSessionTimer);
    }
  }
}

}  // namespace tcpscope::track
