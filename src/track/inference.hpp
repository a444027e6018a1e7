// Streaming inference of BOTH endpoints' RFC 9293 states from the segments of
// one connection, in capture order (tcp-semantics.md §5.2, §5.3).
//
// The wire shows what a host sent, not what its peer received, so every state
// carries how we know it:
//   observed  - the endpoint's own segment shows it (its SYN/FIN/RST, or an ACK
//               covering the peer's SYN/FIN that put it there);
//   inferred  - deduced from a segment assumed delivered to it (the receiver's
//               change), or from a later segment proving an uncaptured one;
//   assumed   - the capture started mid-stream: ESTABLISHED taken for granted.
// The sender's change happens when its segment is seen; the receiver's when it
// would arrive (assumed at once), except a SYN reaching an assumed listener,
// which moves it only when it answers (SYN,ACK, RST or its own SYN). Evidence
// that an assumed delivery did not happen before the receiver sent something
// (crossing FINs, a SYN retransmitted after the SYN,ACK) revises that state and
// says so (`revised`).
//
// States reported at the end hold "at least until the capture ended": timers
// (TIME-WAIT, FIN-WAIT-2) produce no packets.
//
// One object per connection; no allocation per segment, no clock, no I/O.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <string_view>

#include "core/seq.hpp"
#include "core/tcp_state.hpp"
#include "track/close_kind.hpp"
#include "track/endpoint_fsm.hpp"
#include "track/segment_event.hpp"

namespace tcpscope::track {

enum class Side : std::uint8_t { client, server };

constexpr Side sender_of(Direction d) { return d == Direction::from_client ? Side::client : Side::server; }
constexpr Side peer_of(Side s) { return s == Side::client ? Side::server : Side::client; }
std::string_view side_name(Side s);

enum class Confidence : std::uint8_t { observed, inferred, assumed };
std::string_view confidence_name(Confidence c);

struct EndpointView {
  TcpState state = TcpState::Closed;
  Confidence confidence = Confidence::inferred;
  constexpr bool operator==(const EndpointView&) const = default;
};

// Findings about the segment or the connection, with stable snake_case ids.
enum class InferenceNote : std::uint8_t {
  started_mid_stream,      // first captured segment had no SYN: both sides assumed ESTABLISHED
  syn_not_captured,        // a SYN,ACK (or ACK) proves a SYN the capture did not see
  syn_ack_not_captured,    // an ACK of the server's SYN arrived without a captured SYN,ACK
  retransmitted_syn,       // SYN with the same ISN again: no new transition
  retransmitted_syn_ack,   // SYN,ACK with the same ISN again
  retransmitted_fin,       // FIN at the same sequence number again
  syn_ack_not_received,    // the client repeated its SYN after a SYN,ACK: that SYN,ACK did not arrive
  final_ack_not_received,  // the server repeated its SYN,ACK after the final ACK: that ACK did not arrive
  simultaneous_open,       // both sides sent a SYN without ACK
  simultaneous_close,      // crossing FINs: neither acknowledged the other's
  refused,                 // RST answering a SYN: nobody listening
  rst_out_of_window,  // RST the receiver would not accept (outside its window; in SYN-SENT: not acking the
                      // SYN)
  rst_after_fin,      // RST after a FIN had been sent
  ack_of_uncaptured_fin,      // an ACK covers a FIN the capture never saw; transitions applied retroactively
  ack_of_unseen_data,         // an ACK covers data the capture never saw (lost before the capture point)
  data_after_fin,             // new data beyond the sender's own FIN
  data_in_half_close,         // data from a side that has received the peer's FIN (legal half-close)
  keep_alive,                 // seq = next - 1 with 0 or 1 byte: keep-alive probe
  segment_after_close,        // a non-RST segment from an endpoint inferred CLOSED
  syn_in_synchronized_state,  // a SYN with a new ISN inside an established connection (port reuse?)
  unexpected_flags,  // control flags that make no sense in the sender's state (e.g. FIN before any SYN,ACK)
  fin_not_acked,     // at the end: a FIN was never acknowledged
  syn_unanswered,    // at the end: the SYN was never answered
};

inline constexpr std::size_t kInferenceNoteCount =
    static_cast<std::size_t>(InferenceNote::syn_unanswered) + 1;
std::string_view note_name(InferenceNote n);

class NoteSet {
 public:
  constexpr void add(InferenceNote n) { bits_ |= bit(n); }
  constexpr bool has(InferenceNote n) const { return (bits_ & bit(n)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr std::uint32_t bits() const { return bits_; }
  static constexpr NoteSet from_bits(std::uint32_t bits) {
    NoteSet n;
    n.bits_ = bits;
    return n;
  }
  constexpr NoteSet& operator|=(NoteSet o) {
    bits_ |= o.bits_;
    return *this;
  }
  constexpr bool operator==(const NoteSet&) const = default;

 private:
  static constexpr std::uint32_t bit(InferenceNote n) { return 1u << static_cast<unsigned>(n); }
  std::uint32_t bits_ = 0;
};
static_assert(kInferenceNoteCount <= 32);

// One application of the state machine to one endpoint.
struct AppliedRule {
  Side side = Side::client;
  TcpState from = TcpState::Closed;
  TcpState to = TcpState::Closed;
  Rule rule = Rule::not_applicable;
};

struct SegmentInference {
  EndpointView client_before;  // just before the segment (after any revision it caused)
  EndpointView server_before;
  EndpointView client;  // after the segment
  EndpointView server;
  bool client_revised = false;  // the state before differs from the previous segment's "after"
  bool server_revised = false;
  static constexpr std::size_t kMaxRules = 8;
  std::array<AppliedRule, kMaxRules> rules{};
  std::uint8_t rule_count = 0;
  NoteSet notes;

  const EndpointView& after(Side s) const { return s == Side::client ? client : server; }
  const EndpointView& before(Side s) const { return s == Side::client ? client_before : server_before; }
};

// True for states an unobservable timer leaves without any packet (TIME-WAIT's 2*MSL,
// the FIN-WAIT-2 timeout of orphans, SYN and retransmission limits): a final state there
// held "at least until the capture ended" and may have moved on since.
constexpr bool timer_may_move(TcpState s) {
  return in(s, TcpState::SynSent | TcpState::SynReceived | TcpState::FinWait1 | TcpState::FinWait2 |
                   TcpState::Closing | TcpState::LastAck | TcpState::TimeWait);
}

// The end of the capture: final states (valid "at least until the capture ended").
struct InferenceEnd {
  EndpointView client;
  EndpointView server;
  bool client_timer_pending = false;  // timer_may_move(client.state)
  bool server_timer_pending = false;
  NoteSet notes;  // fin_not_acked, syn_unanswered, started_mid_stream, ... (connection-wide)
  CloseFacts facts;
  CloseKind kind = CloseKind::still_open;
};

class ConnectionInference {
 public:
  SegmentInference on_segment(const SegmentEvent& seg);
  InferenceEnd finish() const;
  bool started() const { return facts_.started; }
  EndpointView view(Side s) const { return EndpointView{half(s).state(), half(s).confidence}; }

 private:
  // Per-connection state: the flags and the state are bit-fields and the sequence
  // numbers sit together, so a half takes 24 bytes (see tests/unit/track/memory_budget_test.cpp).
  struct Half {
    SeqNum next_seq;  // highest sequence end sent (SYN and FIN count one), or acknowledged by the peer
    SeqNum own_end;   // highest sequence end of the segments captured from this side
    SeqNum isn;
    SeqNum fin_seq;   // the FIN occupies [fin_seq, fin_seq + 1)
    SeqNum last_ack;  // highest ACK this side sent
    std::uint16_t window = 0;
    // The state as its bit's number (a TcpState is a one-bit mask; CLOSED is bit 0).
    std::uint8_t state_bit : 4 = 0;
    Confidence confidence : 2 = Confidence::inferred;
    bool seq_known : 1 = false;  // next_seq is meaningful
    bool own_end_known : 1 = false;
    bool syn_sent : 1 = false;
    bool syn_ack_sent : 1 = false;  // its SYN carried an ACK
    bool fin_sent : 1 = false;
    bool ack_sent : 1 = false;
    bool opened_passively : 1 = false;  // went LISTEN -> SYN-RECEIVED
    bool pending_peer_syn : 1 = false;  // the peer's SYN reached it while it was an assumed listener
    bool sent_anything : 1 = false;
    bool acked_peer_fin_before_own_fin : 1 = false;
    // (whether the peer acknowledged its FIN is in ConnectionInference::notes_and_fin_acked_)

    TcpState state() const { return static_cast<TcpState>(1u << state_bit); }
    void set_state(TcpState s) {
      state_bit = static_cast<std::uint8_t>(std::countr_zero(static_cast<unsigned>(s)) & 0xF);
    }
  };
  static_assert(kTcpStateCount <= 16);  // Half::state_bit's 4 bits

  struct Context;  // per-segment scratch (rules, notes)

  Half& half(Side s) { return s == Side::client ? client_ : server_; }
  const Half& half(Side s) const { return s == Side::client ? client_ : server_; }

  void start(const SegmentEvent& seg, Side sender, Context& cx);
  void apply(Side side, Transition t, Confidence confidence, Context& cx);
  void revise(Side side, TcpState to, Context& cx);
  EndpointEvent arrival_event(Side receiver, const SegmentEvent& seg, bool acceptable) const;
  bool rst_acceptable(Side receiver, const SegmentEvent& seg) const;
  void sender_side(const SegmentEvent& seg, Side sender, Context& cx);
  void receiver_side(const SegmentEvent& seg, Side sender, Context& cx);
  void record_facts(const SegmentEvent& seg, Side sender, Context& cx);

  // CloseFacts as kept between segments: the facts without the final states
  // (finish() adds them), in 2 bytes instead of 8.
  struct StoredCloseFacts {
    bool syn_from_client : 1 = false;
    bool syn_ack_from_server : 1 = false;
    bool started_mid_stream : 1 = false;
    bool server_sent_anything : 1 = false;
    bool client_fin : 1 = false;
    bool server_fin : 1 = false;
    bool fins_crossed : 1 = false;
    bool second_fin_acked_first : 1 = false;
    bool data_after_first_fin : 1 = false;
    bool rst_after_fin : 1 = false;
    bool rst_answered_syn : 1 = false;
    Who first_fin : 2 = Who::none;
    Who first_rst : 2 = Who::none;
    bool started : 1 = false;  // (ConnectionInference::started())
  };
  static_assert(sizeof(StoredCloseFacts) == 2);

  static constexpr unsigned kFinAckedShift = 30;  // notes_and_fin_acked_'s bits 30 and 31
  static constexpr std::uint32_t kNoteBits = (1u << kFinAckedShift) - 1;
  bool fin_acked(Side s) const {
    return (notes_and_fin_acked_ >> (kFinAckedShift + static_cast<unsigned>(s)) & 1u) != 0;
  }
  void set_fin_acked(Side s) { notes_and_fin_acked_ |= 1u << (kFinAckedShift + static_cast<unsigned>(s)); }

  // (The notes and fin_acked_ share one word, and the facts come last: 54 bytes of data,
  // so that a Connection puts its generation in the last 2 bytes of padding.)
  Half client_;
  Half server_;
  // The connection's notes (NoteSet::bits(), below bit 30: a plain OR adds a segment's), and
  // in bit 30 + Side whether the peer acknowledged that side's FIN.
  std::uint32_t notes_and_fin_acked_ = 0;
  StoredCloseFacts facts_;
};
// ConnectionInference::notes_and_fin_acked_: the notes below bit 30
static_assert(kInferenceNoteCount <= 30);

}  // namespace tcpscope::track
