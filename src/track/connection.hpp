// One TCP connection: a 4-tuple plus a generation, both halves' facts, the
// client/server roles with the reason they were decided and the Zeek model (the
// optional timeline of segment records is kept by the tracker, only when asked).
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/addr.hpp"
#include "core/time.hpp"
#include "decode/packet.hpp"
#include "track/compact_tuple.hpp"
#include "track/half.hpp"
#include "track/inference.hpp"
#include "track/zeek_tcp.hpp"

namespace tcpscope::track {

// How the client (active opener) was decided.
enum class RoleReason : std::uint8_t {
  syn,             // it sent a SYN without ACK
  syn_ack,         // the other side sent a SYN-ACK to it
  port_heuristic,  // no handshake seen: the well-known / lower port is the server (a guess)
};
std::string_view role_reason_name(RoleReason r);

// Why a connection stopped being tracked.
using EndReason = ZeekRemoval;
std::string_view end_reason_name(EndReason r);

// One segment as the timeline keeps it (only when requested).
struct SegmentRecord {
  std::uint64_t frame = 0;
  Timestamp ts;
  std::int64_t rel_seq = 0;  // from the sender's ISN
  std::int64_t rel_ack = 0;  // from the receiver's ISN (0 when no ACK or unknown)
  std::uint32_t payload_len = 0;
  std::uint16_t flags = 0;
  std::uint16_t window = 0;
  std::uint8_t side = 0;  // 0: key.a sent it, 1: key.b sent it
};

static_assert(static_cast<int>(EndReason::evicted) < 16);  // Connection::end_reason's 4 bits

struct Connection {
  // 4-byte aligned and laid out so that no byte is padding: the Zeek session (130 bytes of
  // data), the generation's low half in its tail padding, the halves, the inference (54
  // bytes of data), the tuple (2-byte aligned, 13 bytes) in its tail padding and the roles
  // and end reason in the tuple's, then the id's and RTT sample counts' low halves: 272 bytes.
  [[no_unique_address]] ZeekSession zeek;

 private:
  // The low halves of generation() and id(); the rest (past 65,535 reuses of a 4-tuple in a
  // row, past 4 billion connections) in the rare block.
  std::uint16_t generation_low_ = 0;

 public:
  std::array<Half, 2> half{};
  [[no_unique_address]] ConnectionInference inference;  // both endpoints' RFC 9293 states and the close kind
  // canonical: side 0 is key().a, side 1 is key().b (the roles and the end reason in its tail padding)
  [[no_unique_address]] CompactTuple tuple;
  std::uint8_t client_side : 1 = 0;
  RoleReason role_reason : 2 = RoleReason::port_heuristic;
  bool role_contradicted : 1 = false;  // a later handshake segment disagreed with an earlier decision
  EndReason end_reason : 4 = EndReason::none;

 private:
  std::uint32_t id_low_ = 0;
  // Low halves of rtt_samples() (the rest in the rare block, past 65,535 samples).
  std::array<std::uint16_t, 2> rtt_samples_low_{};

 public:
  // 1-based, in order of creation.
  std::uint64_t id() const {
    const ZeekRare* rare = zeek.high_words().rare();
    return (rare ? std::uint64_t{rare->id_above32} << 32 : 0) | id_low_;
  }
  // 0 for the first connection on this 4-tuple, +1 per reuse in a row.
  std::uint32_t generation() const {
    const ZeekRare* rare = zeek.high_words().rare();
    return (rare ? rare->generation_above16 << 16 : 0) | generation_low_;
  }
  void set_id(std::uint64_t v) {
    id_low_ = static_cast<std::uint32_t>(v);
    ConnectionRareBlock& high = zeek.high_words();
    if ((v >> 32) != 0 || high.allocated())
      high.rare_for_write().id_above32 = static_cast<std::uint32_t>(v >> 32);
  }
  void set_generation(std::uint32_t v) {
    generation_low_ = static_cast<std::uint16_t>(v);
    ConnectionRareBlock& high = zeek.high_words();
    if ((v >> 16) != 0 || high.allocated()) high.rare_for_write().generation_above16 = v >> 16;
  }

  std::int64_t first_ns() const { return zeek.start_ns(); }  // capture time of the first segment
  std::int64_t last_ns() const { return zeek.time(conn_time::last_segment); }  // of the last segment
  // Handshake times for Wireshark's iRTT (tcp-semantics.md §2.8), ns; -1 = not seen.
  // They stop changing at the first ACK after a SYN; the iRTTs are computed from them.
  // (All of a connection's times are kept compactly by its Zeek session.)
  std::int64_t last_syn_ns() const { return zeek.time(conn_time::last_syn); }
  std::int64_t syn_ack_ns() const { return zeek.time(conn_time::syn_ack); }
  std::int64_t irtt_ack_ns() const { return zeek.time(conn_time::irtt_ack); }  // the first ACK after the SYN
  // When `side`'s segment being timed for its ACK RTT was sent; -1 = none.
  std::int64_t timed_ns(int side) const { return zeek.time(conn_time::timed0 + side); }
  // SYN -> first ACK; -1 = unknown.
  std::int64_t irtt_ns() const { return irtt_ack_ns() >= 0 ? ns_between(irtt_ack_ns(), last_syn_ns()) : -1; }
  // SYN -> SYN-ACK (the server's side of the handshake); -1 = unknown.
  std::int64_t irtt_server_ns() const {
    return irtt_ack_ns() >= 0 && syn_ack_ns() >= 0 ? ns_between(syn_ack_ns(), last_syn_ns()) : -1;
  }
  // SYN-ACK -> first ACK (the client's side); -1 = unknown.
  std::int64_t irtt_client_ns() const {
    return irtt_ack_ns() >= 0 && syn_ack_ns() >= 0 ? ns_between(irtt_ack_ns(), syn_ack_ns()) : -1;
  }

  // The halves' 64-bit values (low halves in Half, high halves with the Zeek session's).
  // Bytes of payload `side` sent, retransmissions included: the sequence space its
  // segments covered without the SYN and FIN octets, plus what was retransmitted, plus
  // the rare block's correction (nonzero only where the two differ: a gap in the capture,
  // a new ISN, a RST past the data), so the count is exact and not stored twice.
  std::uint64_t payload_bytes(int side) const {
    const ZeekRare* rare = zeek.high_words().rare();
    return payload_bytes_from_sequence(side) + (rare ? rare->payload_bytes_correction[side] : 0);
  }
  // Segments `side` sent (32 bits, as the outputs print them): the ones Zeek's analysis
  // counted and the ones it dropped (kept once, not in the half as well).
  std::uint32_t segments(int side) const {
    return static_cast<std::uint32_t>(zeek.packets(side) + zeek.unanalyzed_segments(side));
  }
  std::uint64_t retransmitted_bytes(int side) const {
    const ZeekRare* rare = zeek.high_words().rare();
    return (rare ? rare->retransmitted_bytes_above16[side] << 16 : 0) | half[side].retransmitted_bytes_low;
  }
  // ACK RTT samples of `side`'s segments (Half::ack_rtt).
  std::uint64_t rtt_samples(int side) const {
    const ZeekRare* rare = zeek.high_words().rare();
    return (rare ? rare->rtt_samples_above16[side] << 16 : 0) | rtt_samples_low_[side];
  }
  std::uint64_t rtt_sum_us(int side) const {
    return half_value(half[side].ack_rtt.sum_us_low, zeek_wide::rtt_sum_us0, side);
  }
  std::int64_t max_rel_end(int side) const {
    return static_cast<std::int64_t>(half_value(half[side].max_rel_end_low, zeek_wide::max_rel_end0, side));
  }

  FourTuple key() const { return tuple.get(); }
  Endpoint endpoint(int side) const { return tuple.endpoint(side); }
  int server_side() const { return 1 - client_side; }
  Endpoint client() const { return endpoint(client_side); }
  Endpoint server() const { return endpoint(server_side()); }
  const Half& client_half() const { return half[client_side]; }
  const Half& server_half() const { return half[server_side()]; }
  Timestamp first_ts() const { return zeek.start_time(); }
  Timestamp last_ts() const { return {last_ns() / 1'000'000'000, last_ns() % 1'000'000'000}; }
  DurationNs duration() const { return ns_between(last_ns(), first_ns()); }

  // Starts the connection with its first segment (sent by `side`), after zeek.start().
  void start(int side, const decode::TcpFacts& tcp, Timestamp ts);
  // Applies one segment sent by `side` to both halves, the roles and the timing;
  // appends its record to `timeline` when given (the tracker keeps timelines aside:
  // most runs ask for none, and a pointer in every connection costs 8 bytes each); returns
  // what the segment did to both endpoints' states (for the explain timeline).
  // (`ts` by reference: the frame's, in memory already; a copy passed in two registers is
  // spilled and read back as one 16-byte value, which waits for the two stores.)
  SegmentInference observe(int side, const decode::TcpFacts& tcp, const Timestamp& ts,
                           std::uint64_t frame_number, std::vector<SegmentRecord>* timeline = nullptr);

 private:
  std::uint64_t half_value(std::uint32_t low, std::size_t slot0, int side) const {
    return zeek.high_words().get(low, slot0 + static_cast<std::size_t>(side));
  }
  void set_half_value(std::uint32_t& low, std::size_t slot0, int side, std::uint64_t v) {
    zeek.high_words().set(low, slot0 + static_cast<std::size_t>(side), v);
  }
  // payload_bytes() without its correction: 0 before any segment (the ISN's octet is
  // the first relative one, so a half that saw anything has max_rel_end >= 1).
  std::uint64_t payload_bytes_from_sequence(int side) const {
    const std::uint64_t end = static_cast<std::uint64_t>(max_rel_end(side));
    return end == 0 ? 0 : end - 1 - (half[side].fin_seen ? 1 : 0) + retransmitted_bytes(side);
  }
  void set_payload_bytes(int side, std::uint64_t v) {
    const std::uint64_t correction = v - payload_bytes_from_sequence(side);
    ConnectionRareBlock& high = zeek.high_words();
    if (correction != 0 || high.allocated())
      high.rare_for_write().payload_bytes_correction[side] = correction;
  }
  void count_rtt_sample(int side) {
    if (++rtt_samples_low_[side] == 0) ++zeek.high_words().rare_for_write().rtt_samples_above16[side];
  }
  void set_retransmitted_bytes(int side, std::uint64_t v) {
    half[side].retransmitted_bytes_low = static_cast<std::uint16_t>(v);
    const std::uint64_t above = v >> 16;
    ConnectionRareBlock& high = zeek.high_words();
    if (above != 0 || high.allocated()) high.rare_for_write().retransmitted_bytes_above16[side] = above;
  }
  // Half::unwrap_below_end_low and its high 16 bits.
  std::uint32_t unwrap_below_end(int side) const {
    return zeek.high_words().word(zeek_wide::unwrap_below_end0 + static_cast<std::size_t>(side)) << 16 |
           half[side].unwrap_below_end_low;
  }
  void set_unwrap_below_end(int side, std::uint32_t v) {
    half[side].unwrap_below_end_low = static_cast<std::uint16_t>(v);
    zeek.high_words().set_word(zeek_wide::unwrap_below_end0 + static_cast<std::size_t>(side), v >> 16);
  }
};

}  // namespace tcpscope::track
