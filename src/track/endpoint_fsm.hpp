// The RFC 9293 state machine of ONE endpoint as a pure function:
//   step(state, event) -> Transition{next, rule}
// where `rule` names the clause of RFC 9293 that was applied. No clock, no
// globals, no I/O: the caller (track/inference) decides which event an
// observed segment amounts to for each endpoint.
#pragma once
#include <cstdint>
#include <string_view>

#include "core/tcp_state.hpp"

namespace tcpscope::track {

// What happens to the endpoint.
enum class EndpointEventKind : std::uint8_t {
  passive_open,       // user OPEN, passive (listen)
  active_open,        // user OPEN, active (connect): emits SYN
  send,               // user SEND (only LISTEN reacts: it turns active)
  close,              // user CLOSE: emits FIN once the send queue drains
  abort,              // user ABORT: emits RST in synchronized states
  time_wait_timeout,  // the 2*MSL timer of TIME-WAIT expired
  segment_arrives,    // a segment from the peer arrives (RFC 9293 §3.10.7)
};

// An event for one endpoint. For `segment_arrives`, the segment's flags and what
// its acknowledgment covers, judged by the caller against this endpoint's own
// SYN and FIN (the state machine does not keep sequence numbers).
struct EndpointEvent {
  EndpointEventKind kind = EndpointEventKind::segment_arrives;
  std::uint16_t flags = 0;        // raw TCP flags of the arriving segment (core/tcp_flags.hpp)
  bool acks_our_syn = false;      // ACK field covers this endpoint's SYN (ack >= ISN + 1)
  bool acks_our_fin = false;      // ACK field covers this endpoint's FIN (ack >= FIN seq + 1)
  bool acceptable = true;         // sequence number acceptable (in the receive window, §3.10.7.4 first)
  bool opened_passively = false;  // this endpoint reached SYN-RECEIVED from LISTEN (RST sends it back)
};

// The RFC 9293 clause applied. Stable snake_case names via rule_name().
enum class Rule : std::uint8_t {
  closed_passive_open,            // §3.10.1 OPEN, CLOSED, passive -> LISTEN
  closed_active_open,             // §3.10.1 OPEN, CLOSED, active -> SYN-SENT (SYN sent)
  closed_rcv_segment,             // §3.10.7.1 CLOSED: no TCB, answer with RST, stay CLOSED
  listen_rcv_rst,                 // §3.10.7.2 first: RST ignored
  listen_rcv_ack,                 // §3.10.7.2 second: ACK answered by RST, stay LISTEN
  listen_rcv_syn,                 // §3.10.7.2 third: SYN -> SYN-RECEIVED (SYN,ACK sent)
  listen_rcv_other,               // §3.10.7.2 fourth: anything else dropped
  listen_send,                    // §3.10.2 SEND in LISTEN -> SYN-SENT
  listen_close,                   // §3.10.4 CLOSE in LISTEN -> CLOSED
  syn_sent_rcv_syn_ack,           // §3.10.7.3 SYN,ACK acking our SYN -> ESTABLISHED (ACK sent)
  syn_sent_rcv_syn_ack_fin,       // §3.10.7.3 then sixth..eighth: SYN,ACK,FIN -> ESTABLISHED -> CLOSE-WAIT
  simultaneous_open,              // §3.10.7.3 SYN without ACK -> SYN-RECEIVED (SYN,ACK sent)
  syn_sent_rcv_rst,               // §3.10.7.3 RST acking our SYN -> CLOSED ("connection reset": refused)
  syn_sent_rcv_unacceptable_ack,  // §3.10.7.3 ACK not acking our SYN -> RST sent, stay SYN-SENT
  syn_sent_rcv_other,             // §3.10.7.3 no SYN, no RST (or RST not acking SYN): dropped
  syn_sent_close,                 // §3.10.4 CLOSE (or user timeout) in SYN-SENT -> CLOSED
  syn_received_rcv_ack,           // §3.10.7.4 fifth: ACK of our SYN -> ESTABLISHED
  syn_received_rcv_fin,           // §3.10.7.4 fifth+eighth: ACK of our SYN with FIN -> CLOSE-WAIT
  syn_received_rcv_rst_passive,   // §3.10.7.4 second: RST, passive open -> LISTEN
  syn_received_rcv_rst_active,    // §3.10.7.4 second: RST, active open -> CLOSED
  syn_received_rcv_syn_passive,   // §3.10.7.4 fourth: in-window SYN, passive open -> LISTEN
  syn_received_close,             // §3.10.4 CLOSE in SYN-RECEIVED -> FIN-WAIT-1
  established_close,              // §3.10.4 CLOSE in ESTABLISHED -> FIN-WAIT-1 (FIN sent)
  established_rcv_fin,            // §3.10.7.4 eighth: FIN -> CLOSE-WAIT (ACK sent)
  fin_wait_1_rcv_ack_of_fin,      // §3.10.7.4 fifth: ACK of our FIN -> FIN-WAIT-2
  fin_wait_1_rcv_fin,             // §3.10.7.4 eighth: FIN not acking ours -> CLOSING (simultaneous close)
  fin_wait_1_rcv_fin_ack_of_fin,  // §3.10.7.4 eighth: FIN acking ours -> TIME-WAIT
  fin_wait_2_rcv_fin,             // §3.10.7.4 eighth: FIN -> TIME-WAIT
  close_wait_close,               // §3.10.4 CLOSE in CLOSE-WAIT -> LAST-ACK (FIN sent)
  closing_rcv_ack_of_fin,         // §3.10.7.4 fifth: ACK of our FIN -> TIME-WAIT
  last_ack_rcv_ack_of_fin,        // §3.10.7.4 fifth: ACK of our FIN -> CLOSED
  time_wait_rcv_fin,              // §3.10.7.4 eighth: FIN again -> TIME-WAIT, timer restarted
  time_wait_timeout,              // §3.10.8 time-wait timeout -> CLOSED
  rcv_rst,                        // §3.10.7.4 second: acceptable RST in a synchronized state -> CLOSED
  rcv_unacceptable,               // §3.10.7.4 first: not acceptable, ACK sent, state unchanged
  rcv_syn_in_synchronized,        // §3.10.7.4 fourth (RFC 5961): SYN -> challenge ACK, unchanged
  abort,                          // §3.10.5 ABORT -> CLOSED (RST sent from SYN-RECEIVED..CLOSE-WAIT)
  no_state_change,                // §3.10.7.4 data or ACK that moves no state
  not_applicable,                 // the event means nothing in this state (e.g. CLOSE when CLOSED)
};

inline constexpr std::size_t kRuleCount = static_cast<std::size_t>(Rule::not_applicable) + 1;

std::string_view rule_name(Rule r);

// The RFC 9293 section the rule comes from ("3.10.7.4"), for explanations.
std::string_view rule_section(Rule r);

struct Transition {
  TcpState next = TcpState::Closed;
  Rule rule = Rule::not_applicable;
  constexpr bool operator==(const Transition&) const = default;
};

// The pure state machine.
Transition step(TcpState state, const EndpointEvent& event);

}  // namespace tcpscope::track
