// Zeek's TCP connection model, reproduced rule for rule from tcp-semantics.md §1
// (Zeek's TCP session adapter, TCP_Endpoint, the reassembler's gap accounting,
// ConnSize and the connection timers): endpoint states, history, sequence-space
// sizes, packet/IP-byte counters, content gaps and the packet-time timers that
// decide when a connection ends. Pure logic on packet time; no I/O, no clock.
#pragma once
#include <array>
#include <cstdint>
#include <cstring>
#include <memory>
#include <utility>

#include "core/seq.hpp"
#include "core/time.hpp"
#include "decode/packet.hpp"
#include "track/compact_times.hpp"
#include "track/compact_wide.hpp"
#include "track/zeek_history.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::track {

// The part of Zeek's reassembler that conn.log depends on: which bytes were
// delivered in order (last_reassem), what the peer's ACKs trimmed (trim), both
// relative and 64-bit (their high halves are the session's, see zeek_wide), and
// the data buffered above a hole (a few merged blocks; bounded). The blocks are
// the session's rare block's (allocated the first time a hole appears: most
// connections never have one), so a tracked connection does not carry them.
struct ZeekReassembly {
  static constexpr std::size_t kMaxBlocks = 2;
  using Blocks = std::array<std::pair<std::uint64_t, std::uint64_t>, kMaxBlocks>;  // [seq, upper)

  std::uint32_t last_reassem_low = 1;  // low half; 1 is the first byte after the SYN
  std::uint32_t trim_low = 0;          // low half
  // (the bit-fields last: ZeekEndpoint's members fill the tail)
  std::uint8_t block_count : 2 = 0;  // <= kMaxBlocks
  bool skip_deliveries : 1 = false;
  bool did_eof : 1 = false;
  static_assert(kMaxBlocks <= 3);

  bool has_undelivered() const { return block_count > 0; }
};

// Zeek's scaled-history counters of one endpoint (ZeekScaledCounter each).
namespace zeek_counter {
enum : std::size_t { gaps, checksum_errors, retransmissions, zero_windows, count };
}  // namespace zeek_counter

// Where an endpoint's hist_last_fin (the relative end of its last plain FIN, for
// the history repeat rule) is: most connections send one plain FIN, and then it is
// one before the FIN's end (fin_seq, ZeekSession::fin_seq()), so it is not kept twice.
enum class ZeekHistFin : std::uint8_t {
  none,        // no plain FIN yet: 0
  at_fin_seq,  // fin_seq - 1 (modulo 2^32)
  rare,        // in the session's rare block (zeek_wide::hist_last_fin0): a later FIN moved fin_seq
};

// One side of a connection as Zeek's TCP_Endpoint sees it.
struct ZeekEndpoint {
  // First, so that the small members below share its tail padding (40 bytes, not 44).
  [[no_unique_address]] ZeekReassembly reassembly;
  ZeekEndpointState state : 3 = ZeekEndpointState::inactive;
  ZeekEndpointState prev_state : 3 = ZeekEndpointState::inactive;
  bool did_close : 1 = false;
  bool hist_rst_at_one : 1 = false;   // the last RST's relative sequence was 1 (see hist_last_rst0)
  std::uint8_t window_scale : 4 = 0;  // <= 14
  ZeekHistFin hist_fin : 2 = ZeekHistFin::none;
  // It sent a FIN (Zeek's FIN_cnt > 0, the only way Zeek's conn.log rules read the
  // count; its RST_cnt is read by none of them).
  bool fin_seen : 1 = false;
  // Its fin_seq (relative, one past its last FIN) is its last_seq's relative value:
  // the usual case (a FIN ends what a side sends), so it is not kept twice; otherwise
  // fin_seq is the rare block's (zeek_wide::fin_seq_low0, fin_seq0; 0 before any FIN).
  bool fin_at_last_seq : 1 = false;
  // The scaled-history counters (zeek_counter::*) of retransmissions and zero windows:
  // the count while below kCounterInRare, else the whole ZeekScaledCounter is the
  // rare block's (zeek_wide::counters0). Gaps and checksum errors (rare: they come
  // with lost or damaged segments) are the rare block's from the first one on.
  static constexpr std::uint8_t kCounterInRare = 0xF;
  std::uint8_t retransmissions : 4 = 0;
  std::uint8_t zero_windows : 4 = 0;
  std::uint32_t start_seq = 0;
  std::uint32_t last_seq = 0;
  std::uint32_t ack_seq = 0;
  // (the wrap counts of last_seq and ack_seq are the session's: zeek_wide::seq_wraps0, ack_wraps0)
  // (The relative sequences of the last SYN and RST, for the history repeat rule, are
  // the rare block's (zeek_wide::hist_last_syn0, hist_last_rst0): a SYN's is almost
  // always 0, which needs no block, a RST's almost always 1 (a first packet, or right
  // after the handshake), which hist_rst_at_one says without one; the last FIN's is hist_fin's.)
  std::uint32_t packets_low = 0;   // ConnSize: packets delivered to TCP analysis (low half)
  std::uint32_t ip_bytes_low = 0;  // ConnSize: sum of IP total lengths (low half)

  static constexpr std::uint64_t full(std::uint32_t s, std::uint32_t wraps) {
    return (std::uint64_t{wraps} << 32) | s;
  }
  std::uint64_t to_relative(std::uint32_t s, std::uint32_t wraps) const { return full(s, wraps) - start_seq; }
  bool no_data_acked(std::uint32_t ack_wraps) const {
    const std::uint64_t a = full(ack_seq, ack_wraps);
    return a == start_seq || a == std::uint64_t{start_seq} + 1;
  }
  // Zeek's endpoint size: bytes in sequence space, without the SYN and FIN octets.
  std::uint64_t size(const ZeekEndpoint& peer, std::uint32_t seq_wraps, std::uint32_t ack_wraps) const;
};

// Kinds of removal, for reporting why a connection ended.
enum class ZeekRemoval : std::uint8_t {
  none,
  attempt_timer,  // SYN unanswered for tcp_attempt_delay
  expire_timer,   // tcp_connection_linger after a close or with an inactive side
  close_delay,    // tcp_close_delay after a complete close
  inactivity,     // udp/tcp inactivity timeout
  port_reuse,     // a new SYN started a new connection
  end_of_input,
  evicted,  // --max-conns
};

struct ZeekOptions {
  bool validate_checksums = false;  // Zeek's default is on; tcpscope's is Zeek's -C (offload-friendly)
};

// The times of one connection (ZeekSession keeps them, relative to its start).
namespace conn_time {
enum : std::size_t {
  zeek_last,  // Zeek's last activity (not advanced once both sides closed)
  attempt,    // Zeek's timer deadlines; 0 = not armed
  expire0,
  expire1,
  close_delete,
  inactivity,
  last_segment,  // Connection: capture time of the last segment
  timed0,        // Connection: when side 0's / side 1's timed segment was sent; -1 = none
  timed1,
  last_syn,  // Connection: handshake times for the iRTT; -1 = not seen (the last three: packed)
  syn_ack,
  irtt_ack,
  count
};
}  // namespace conn_time
// The handshake times take 21 bits each (an offset of up to ~2.1 s: a later one, as after a
// retransmitted SYN, moves the connection's times to its rare block). The close timer and
// the second expire check share one word (ZeekSession::stored_time()): the close timer is armed
// only after a complete close has cancelled the expire checks, and none is added after one.
using ConnectionTimes = CompactTimes<conn_time::count - 1, 3>;
static_assert(conn_time::last_syn == conn_time::count - 3);
// Where time `which` is stored in ConnectionTimes (close_delete: in expire1's word).
constexpr std::size_t stored_time_index(std::size_t which) {
  return which < conn_time::close_delete    ? which
         : which == conn_time::close_delete ? conn_time::expire1
                                            : which - 1;
}
// Zeek's own times (its last activity and timer deadlines) are 32-bit ones (ZeekSession::word_time()).
static_assert(ConnectionTimes::is_word(stored_time_index(conn_time::zeek_last)) &&
              ConnectionTimes::is_word(stored_time_index(conn_time::inactivity)) &&
              ConnectionTimes::is_word(stored_time_index(conn_time::attempt)) &&
              ConnectionTimes::is_word(stored_time_index(conn_time::expire0)) &&
              ConnectionTimes::is_word(stored_time_index(conn_time::expire1)) &&
              ConnectionTimes::is_word(stored_time_index(conn_time::close_delete)) &&
              !ConnectionTimes::is_word(stored_time_index(conn_time::last_syn)));

// Slots of a connection's high halves (HighWords, kept by its ZeekSession): side 0's
// slot, then side 1's (add the side). The wrap counts are whole there.
namespace zeek_wide {
enum : std::size_t {
  last_reassem0 = 0,
  trim0 = 2,
  fin_seq0 = 4,  // fin_seq's high half, when not ZeekEndpoint::fin_at_last_seq
  packets0 = 6,
  ip_bytes0 = 8,
  seq_wraps0 = 10,
  ack_wraps0 = 12,
  max_rel_end0 = 14,       // Connection's halves (half.hpp)
  unwrap_below_end0 = 16,  // Half::unwrap_below_end_low's high 16 bits (a segment longer than 64 KiB)
  rtt_sum_us0 = 18,
  missed_bytes = 20,    // the high half; the low half is missed_bytes_low (both only here: a gap
                        // allocates the block anyway, for the gap counter)
  hist_last_syn0 = 21,  // ZeekEndpoint's history repeat rule (whole 32-bit values)
  hist_last_fin0 = 23,
  hist_last_rst0 = 25,  // (unless ZeekEndpoint::hist_rst_at_one)
  counters0 = 27,  // ZeekEndpoint::counters past 254: + 2 * zeek_counter::* + side (ZeekScaledCounter::state)
  missed_bytes_low = counters0 + 2 * zeek_counter::count,
  fin_seq_low0,  // fin_seq's low half, when not ZeekEndpoint::fin_at_last_seq
  count = fin_seq_low0 + 2
};
}  // namespace zeek_wide
// What the rare block holds besides the high halves.
struct ZeekRare {
  std::array<ZeekReassembly::Blocks, 2> blocks{};      // above a hole, by side (valid while block_count > 0)
  std::array<std::int64_t, conn_time::count> times{};  // 64-bit times, once times_wide
  ZeekHistory::Tail history_tail{};                    // the history's letters past ZeekHistory::kInline
  // Connection's halves' retransmitted bytes above their low 16 bits (Half::retransmitted_bytes_low), by side
  std::array<std::uint64_t, 2> retransmitted_bytes_above16{};
  // Connection's ACK RTT sample counts above their low 16 bits, by side (Connection::rtt_samples())
  std::array<std::uint64_t, 2> rtt_samples_above16{};
  // Segments of each side that Zeek's analysis dropped (a truncated header, a bad
  // checksum with validate_checksums): Connection::segments() adds them to the packets.
  std::array<std::uint64_t, 2> unanalyzed_segments{};
  // Connection's payload bytes minus what its halves' sequence space says (mod 2^64), by side
  // (Connection::payload_bytes(); 0 when the two agree, as they do without gaps or a new ISN).
  std::array<std::uint64_t, 2> payload_bytes_correction{};
  // The tracker's scheduled timer time when it is not a whole number of microseconds
  // after the first segment, or too far from it (Tracker::Slot::scheduled).
  std::int64_t scheduled_timer_ns = 0;
  // Connection::id()'s high half and Connection::generation()'s high 16 bits.
  std::uint32_t id_above32 = 0;
  std::uint32_t generation_above16 = 0;
  bool times_wide = false;
};
using ConnectionRareBlock = RareBlock<zeek_wide::count, ZeekRare>;

class ZeekSession {
 public:
  // Starts a connection with the packet `first` sent by side `sender` (0 or 1).
  // Applies Zeek's creation-time role heuristic (likely_server_ports).
  void start(int sender, const decode::TcpFacts& first, Timestamp t);

  // Zeek's IsReuse: does this packet (from `sender`) start a new connection?
  bool is_reuse(int sender, const decode::TcpFacts& tcp) const;

  // Processes one packet from `sender` at time t. `captured_payload` is how many
  // payload bytes were captured (Zeek feeds the reassembler only complete payloads).
  void deliver(int sender, const decode::TcpFacts& tcp, std::uint32_t captured_payload, Timestamp t,
               const ZeekOptions& options);

  // Earliest pending timer (ns since epoch), or INT64_MAX.
  std::int64_t next_timer_ns() const;
  // Runs the timers due at `now_ns` in time order; returns why the connection
  // must be removed, or none.
  ZeekRemoval run_timers(std::int64_t now_ns);

  int orig_side() const { return orig_side_; }
  const ZeekEndpoint& endpoint(int side) const { return ep_[side]; }
  const ZeekEndpoint& orig() const { return ep_[orig_side_]; }
  const ZeekEndpoint& resp() const { return ep_[1 - orig_side_]; }
  std::uint64_t orig_size() const { return size(orig_side_); }
  std::uint64_t resp_size() const { return size(1 - orig_side_); }
  // Zeek's size of `side`'s endpoint (ZeekEndpoint::size).
  std::uint64_t size(int side) const {
    return ep_[side].size(ep_[1 - side], wraps(zeek_wide::seq_wraps0, side),
                          wraps(zeek_wide::ack_wraps0, side));
  }
  // ConnSize's counters.
  std::uint64_t packets(int side) const { return wide(ep_[side].packets_low, zeek_wide::packets0, side); }
  std::uint64_t ip_bytes(int side) const { return wide(ep_[side].ip_bytes_low, zeek_wide::ip_bytes0, side); }
  // A segment of `side` that Zeek's analysis never saw (its header was cut by the
  // snapshot length): counted in unanalyzed_segments() (deliver() counts its own drops).
  void count_unanalyzed(int side) { ++high_.rare_for_write().unanalyzed_segments[side]; }
  std::uint64_t unanalyzed_segments(int side) const {
    const ZeekRare* rare = high_.rare();
    return rare ? rare->unanalyzed_segments[side] : 0;
  }
  std::uint64_t orig_packets() const { return packets(orig_side_); }
  std::uint64_t orig_ip_bytes() const { return ip_bytes(orig_side_); }
  std::uint64_t resp_packets() const { return packets(1 - orig_side_); }
  std::uint64_t resp_ip_bytes() const { return ip_bytes(1 - orig_side_); }
  // The high halves of the connection's 64-bit values (Connection keeps its halves' there too).
  ConnectionRareBlock& high_words() { return high_; }
  const ConnectionRareBlock& high_words() const { return high_; }
  // The history letters (decoded from their packed form).
  ZeekHistoryText history() const {
    const ZeekRare* rare = high_.rare();
    return history_.text(rare ? &rare->history_tail : nullptr);
  }
  std::int64_t start_ns() const {
    std::int64_t ns;
    std::memcpy(&ns, start_ns_.data(), sizeof ns);
    return ns;
  }
  Timestamp start_time() const { return {start_ns() / 1'000'000'000, start_ns() % 1'000'000'000}; }
  Timestamp last_time() const { return {last_ns() / 1'000'000'000, last_ns() % 1'000'000'000}; }
  std::int64_t last_ns() const { return word_time(conn_time::zeek_last); }
  // The connection's times (conn_time indices; Connection keeps its own there too: not
  // the timers, which are word_time()'s).
  std::int64_t time(std::size_t which) const {
    if (const auto* wide = wide_times()) return (*wide)[which];
    return times_.narrow(stored_time_index(which), start_ns());
  }
  void set_time(std::size_t which, std::int64_t ns) {
    if (!wide_times() && times_.set_narrow(stored_time_index(which), ns, start_ns())) return;
    set_wide_time(which, ns);
  }
  std::uint64_t missed_bytes() const {
    return high_.get(high_.word(zeek_wide::missed_bytes_low), zeek_wide::missed_bytes);
  }
  ZeekConnState conn_state() const {
    const ZeekHistoryText letters = history();
    return zeek_conn_state({orig().state, resp().state, orig_size(), resp_size(), letters.view()});
  }
  // conn.log leaves duration and the byte counts unset when this is false.
  bool has_duration() const { return last_ns() != start_ns(); }

 private:
  bool is_orig(int side) const { return side == orig_side_; }
  // time() and set_time() for Zeek's own times (not the packed handshake times): no test for those.
  std::int64_t word_time(std::size_t which) const {
    if (const auto* wide = wide_times()) return (*wide)[which];
    return stored_word_time(which);
  }
  // Time `which` (a word time) as stored: the shared word (stored_time_index()) is close_delete's
  // while the packed word's spare bit is set, else expire1's.
  std::int64_t stored_word_time(std::size_t which) const {
    if ((which == conn_time::close_delete || which == conn_time::expire1) &&
        times_.spare_bit() != (which == conn_time::close_delete))
      return 0;  // the word is the other timer's
    return times_.narrow_word(stored_time_index(which), start_ns());
  }
  void set_word_time(std::size_t which, std::int64_t ns) {
    if (!wide_times()) {
      const bool close = which == conn_time::close_delete;
      if (!close && which != conn_time::expire1) {
        if (times_.set_narrow_word(stored_time_index(which), ns, start_ns())) return;
      } else if (times_.spare_bit() == close ||
                 stored_word_time(close ? conn_time::expire1 : conn_time::close_delete) == 0) {
        // The shared word is this timer's, or the other one is not armed.
        if (times_.set_narrow_word(conn_time::expire1, ns, start_ns())) {
          times_.set_spare_bit(close);
          return;
        }
      } else if (ns == 0) {
        return;  // (not armed, and the word is the other one's)
      }
      // Both armed at once (no rule of Zeek's does it), or a time that does not fit: 64-bit times.
    }
    set_wide_time(which, ns);
  }
  // (Out of line: the per-segment callers stay small enough to inline; a connection switches once.)
  [[gnu::noinline]] void set_wide_time(std::size_t which, std::int64_t ns) {
    ZeekRare& rare = high_.rare_for_write();
    if (!rare.times_wide) {
      for (std::size_t i = 0; i < conn_time::count; ++i)
        rare.times[i] = ConnectionTimes::is_word(stored_time_index(i)) ? stored_word_time(i) : time(i);
      rare.times_wide = true;
    }
    rare.times[which] = ns;
  }

  // The rare block's history tail when the next letter goes there (allocating it), else null.
  ZeekHistory::Tail* history_tail_for_add() {
    return history_.next_in_tail() ? &high_.rare_for_write().history_tail : nullptr;
  }
  // The 64-bit times (conn_time indices), once the connection has switched to them, else null.
  const std::array<std::int64_t, conn_time::count>* wide_times() const {
    const ZeekRare* rare = high_.rare();
    return rare && rare->times_wide ? &rare->times : nullptr;
  }
  // The blocks above `side`'s hole (valid while its block_count > 0; allocated by the non-const one).
  ZeekReassembly::Blocks& blocks(int side) { return high_.rare_for_write().blocks[side]; }
  const ZeekReassembly::Blocks& blocks(int side) const { return high_.rare()->blocks[side]; }
  std::uint64_t wide(std::uint32_t low, std::size_t slot0, int side) const {
    return high_.get(low, slot0 + static_cast<std::size_t>(side));
  }
  void set_wide(std::uint32_t& low, std::size_t slot0, int side, std::uint64_t v) {
    high_.set(low, slot0 + static_cast<std::size_t>(side), v);
  }
  std::uint32_t wraps(std::size_t slot0, int side) const {
    return high_.word(slot0 + static_cast<std::size_t>(side));
  }
  void set_wraps(std::size_t slot0, int side, std::uint32_t w) {
    high_.set_word(slot0 + static_cast<std::size_t>(side), w);
  }
  std::uint64_t last_reassem(int side) const {
    return wide(ep_[side].reassembly.last_reassem_low, zeek_wide::last_reassem0, side);
  }
  void set_last_reassem(int side, std::uint64_t v) {
    set_wide(ep_[side].reassembly.last_reassem_low, zeek_wide::last_reassem0, side, v);
  }
  std::uint64_t trim(int side) const { return wide(ep_[side].reassembly.trim_low, zeek_wide::trim0, side); }
  std::uint64_t fin_seq(int side) const {
    const ZeekEndpoint& e = ep_[side];
    if (e.fin_at_last_seq) return e.to_relative(e.last_seq, wraps(zeek_wide::seq_wraps0, side));
    const std::size_t s = static_cast<std::size_t>(side);
    return high_.get(high_.word(zeek_wide::fin_seq_low0 + s), zeek_wide::fin_seq0 + s);
  }
  void store_fin_seq(int side, std::uint64_t v) {
    const std::size_t s = static_cast<std::size_t>(side);
    ep_[side].fin_at_last_seq = false;
    high_.set_word(zeek_wide::fin_seq_low0 + s, static_cast<std::uint32_t>(v));
    high_.set_word(zeek_wide::fin_seq0 + s, static_cast<std::uint32_t>(v >> 32));
  }
  // Before `side`'s last_seq, its wrap count or its start_seq change: a fin_seq that is
  // last_seq's relative value is stored (it does not follow them).
  void keep_fin_seq(int side) {
    if (ep_[side].fin_at_last_seq) store_fin_seq(side, fin_seq(side));
  }
  std::uint64_t undelivered_bytes(int side) const {
    const ZeekReassembly& r = ep_[side].reassembly;
    return r.block_count ? blocks(side)[r.block_count - 1].second - last_reassem(side) : 0;
  }
  bool no_data_acked(int side) const { return ep_[side].no_data_acked(wraps(zeek_wide::ack_wraps0, side)); }
  void update_last_seq(int side, std::uint32_t s) {
    keep_fin_seq(side);
    if (s < ep_[side].last_seq)
      set_wraps(zeek_wide::seq_wraps0, side, wraps(zeek_wide::seq_wraps0, side) + 1);
    ep_[side].last_seq = s;
  }
  void flip_roles();
  void update_history(int side, std::uint16_t flags, std::uint64_t rel_seq, std::uint32_t len);
  void check_history(int side, std::uint32_t mask, char code);
  void add_history(int side, char code);
  void scaled_history(int side, std::size_t counter, char code);
  std::uint32_t hist_last_fin(int side) const;
  void set_state(int side, ZeekEndpointState s);
  // Zeek's inactivity timeout: udp_inactivity_timeout (60 s) from the start,
  // tcp_inactivity_timeout (300 s) once the handshake is over.
  std::int64_t inactivity_timeout_ns() const { return tcp_inactivity_ ? 300'000'000'000 : 60'000'000'000; }
  void update_state_machine(int side, std::uint16_t flags, std::uint32_t base_seq, std::uint32_t ack_seq,
                            std::uint32_t len, std::int32_t delta_last, bool stale_is_orig, bool& do_close,
                            bool& gen_event);
  void update_inactive(int side, std::uint16_t flags, std::uint32_t base_seq, std::uint32_t ack_seq,
                       std::uint32_t len, bool stale_is_orig, bool& do_close, bool& gen_event);
  void connection_closed(int side, bool gen_event);
  void connection_reset() { is_active_ = false; }
  void cancel_analyzer_timers();
  void add_expire_timer(std::int64_t at);
  // Reassembler parts.
  void data_sent(int side, std::uint64_t seq, std::uint32_t len);
  void ack_received(int side, std::uint64_t seq);
  void trim_to(int side, std::uint64_t seq);
  void undelivered(int side, std::uint64_t up_to);
  void gap(int side, std::uint64_t len);
  void deliver_contiguous(int side);
  bool data_pending(int side) const;
  void check_eof(int side);

  std::array<ZeekEndpoint, 2> ep_{};
  // The first segment's time (ns), as bytes: the session, and so a tracked connection, is
  // 4-byte aligned (start_ns()).
  std::array<std::uint8_t, 8> start_ns_{};
  void set_start_ns(std::int64_t ns) { std::memcpy(start_ns_.data(), &ns, sizeof ns); }
  ConnectionTimes times_;  // Zeek's last activity and timer deadlines (0: not armed), and Connection's
  // the high halves, missed bytes, the hole's blocks, 64-bit times, long histories (rarely allocated)
  ConnectionRareBlock high_;
  ZeekHistory history_;  // (the small members last: no padding between them)
  std::uint8_t orig_side_ : 1 = 0;
  std::uint8_t first_packet_seen_ : 2 = 0;  // bit 1: orig, bit 2: resp
  bool is_active_ : 1 = true;
  bool is_partial_ : 1 = false;
  bool close_deferred_ : 1 = false;
  bool deferred_gen_event_ : 1 = false;
  bool tcp_inactivity_ : 1 = false;  // the inactivity timeout is tcp_inactivity_timeout's
};

}  // namespace tcpscope::track
