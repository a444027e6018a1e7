#include "track/endpoint_fsm.hpp"

#include <array>

#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

using S = TcpState;
using K = EndpointEventKind;

constexpr std::array<std::string_view, kRuleCount> kRuleNames = {
    "closed_passive_open",
    "closed_active_open",
    "closed_rcv_segment",
    "listen_rcv_rst",
    "listen_rcv_ack",
    "listen_rcv_syn",
    "listen_rcv_other",
    "listen_send",
    "listen_close",
    "syn_sent_rcv_syn_ack",
    "syn_sent_rcv_syn_ack_fin",
    "simultaneous_open",
    "syn_sent_rcv_rst",
    "syn_sent_rcv_unacceptable_ack",
    "syn_sent_rcv_other",
    "syn_sent_close",
    "syn_received_rcv_ack",
    "syn_received_rcv_fin",
    "syn_received_rcv_rst_passive",
    "syn_received_rcv_rst_active",
    "syn_received_rcv_syn_passive",
    "syn_received_close",
    "established_close",
    "established_rcv_fin",
    "fin_wait_1_rcv_ack_of_fin",
    "fin_wait_1_rcv_fin",
    "fin_wait_1_rcv_fin_ack_of_fin",
    "fin_wait_2_rcv_fin",
    "close_wait_close",
    "closing_rcv_ack_of_fin",
    "last_ack_rcv_ack_of_fin",
    "time_wait_rcv_fin",
    "time_wait_timeout",
    "rcv_rst",
    "rcv_unacceptable",
    "rcv_syn_in_synchronized",
    "abort",
    "no_state_change",
    "not_applicable",
};

constexpr bool every_rule_named() {
  for (auto n : kRuleNames)
    if (n.empty()) return false;
  return true;
}
static_assert(every_rule_named(), "kRuleNames must name every Rule in declaration order");

// RFC 9293 §3.10.7: SEGMENT ARRIVES, by state.
Transition segment_arrives(TcpState state, const EndpointEvent& e) {
  const bool rst = (e.flags & tcp_flag::rst) != 0;
  const bool syn = (e.flags & tcp_flag::syn) != 0;
  const bool ack = (e.flags & tcp_flag::ack) != 0;
  const bool fin = (e.flags & tcp_flag::fin) != 0;
  switch (state) {
    case S::Closed:
      // §3.10.7.1: no TCB; a RST is dropped, anything else draws a RST.
      return {S::Closed, Rule::closed_rcv_segment};
    case S::Listen:
      // §3.10.7.2 first: an incoming RST is ignored.
      if (rst) return {S::Listen, Rule::listen_rcv_rst};
      // §3.10.7.2 second: any ACK is bad in LISTEN: answer with RST.
      if (ack) return {S::Listen, Rule::listen_rcv_ack};
      // §3.10.7.2 third: SYN -> SYN-RECEIVED, send SYN,ACK.
      if (syn) return {S::SynReceived, Rule::listen_rcv_syn};
      // §3.10.7.2 fourth: other text or control: drop.
      return {S::Listen, Rule::listen_rcv_other};
    case S::SynSent:
      // §3.10.7.3 first: an ACK that does not cover our SYN is unacceptable (RST sent unless it is a RST).
      if (ack && !e.acks_our_syn) {
        return {S::SynSent, rst ? Rule::syn_sent_rcv_other : Rule::syn_sent_rcv_unacceptable_ack};
      }
      // §3.10.7.3 second: RST with an acceptable ACK: "connection reset" -> CLOSED; without ACK: drop.
      if (rst)
        return ack ? Transition{S::Closed, Rule::syn_sent_rcv_rst}
                   : Transition{S::SynSent, Rule::syn_sent_rcv_other};
      if (syn) {
        // §3.10.7.3 fourth: our SYN acked -> ESTABLISHED; a FIN in it continues at the eighth step.
        if (ack)
          return fin ? Transition{S::CloseWait, Rule::syn_sent_rcv_syn_ack_fin}
                     : Transition{S::Established, Rule::syn_sent_rcv_syn_ack};
        // §3.10.7.3 fourth, otherwise: simultaneous open -> SYN-RECEIVED, send SYN,ACK.
        return {S::SynReceived, Rule::simultaneous_open};
      }
      // §3.10.7.3 fifth: neither SYN nor RST: drop.
      return {S::SynSent, Rule::syn_sent_rcv_other};
    case S::SynReceived:
    case S::Established:
    case S::FinWait1:
    case S::FinWait2:
    case S::CloseWait:
    case S::Closing:
    case S::LastAck:
    case S::TimeWait:
      break;
  }

  // §3.10.7.4 first: sequence number not acceptable: ACK (unless RST) and drop.
  if (!e.acceptable) return {state, Rule::rcv_unacceptable};
  // §3.10.7.4 second: RST.
  if (rst) {
    if (state == S::SynReceived) {
      return e.opened_passively ? Transition{S::Listen, Rule::syn_received_rcv_rst_passive}
                                : Transition{S::Closed, Rule::syn_received_rcv_rst_active};
    }
    return {S::Closed, Rule::rcv_rst};
  }
  if (syn) {
    // Figure 8 of RFC 9293 (simultaneous open): the peer's SYN,ACK acking our SYN completes the
    // handshake in SYN-RECEIVED (§3.10.7.4 fifth applied to its ACK), a FIN in it goes on (eighth).
    if (state == S::SynReceived && ack && e.acks_our_syn) {
      return fin ? Transition{S::CloseWait, Rule::syn_received_rcv_fin}
                 : Transition{S::Established, Rule::syn_received_rcv_ack};
    }
    // §3.10.7.4 fourth, SYN-RECEIVED from a passive OPEN: back to LISTEN.
    if (state == S::SynReceived && e.opened_passively) return {S::Listen, Rule::syn_received_rcv_syn_passive};
    // §3.10.7.4 fourth (with RFC 5961 §4): a SYN in a synchronized state draws a challenge ACK.
    return {state, Rule::rcv_syn_in_synchronized};
  }
  // §3.10.7.4 fifth: a segment without ACK is dropped.
  if (!ack) return {state, Rule::no_state_change};

  switch (state) {
    case S::SynReceived:
      // §3.10.7.4 fifth, SYN-RECEIVED: an ACK not covering our SYN draws a RST, state unchanged.
      if (!e.acks_our_syn) return {state, Rule::rcv_unacceptable};
      // §3.10.7.4 fifth then eighth: ESTABLISHED, and a FIN moves on to CLOSE-WAIT.
      return fin ? Transition{S::CloseWait, Rule::syn_received_rcv_fin}
                 : Transition{S::Established, Rule::syn_received_rcv_ack};
    case S::Established:
      // §3.10.7.4 eighth, ESTABLISHED: FIN -> CLOSE-WAIT.
      return fin ? Transition{S::CloseWait, Rule::established_rcv_fin}
                 : Transition{state, Rule::no_state_change};
    case S::FinWait1:
      if (fin) {
        // §3.10.7.4 eighth, FIN-WAIT-1: our FIN acked -> TIME-WAIT, else CLOSING.
        return e.acks_our_fin ? Transition{S::TimeWait, Rule::fin_wait_1_rcv_fin_ack_of_fin}
                              : Transition{S::Closing, Rule::fin_wait_1_rcv_fin};
      }
      // §3.10.7.4 fifth, FIN-WAIT-1: our FIN acked -> FIN-WAIT-2.
      return e.acks_our_fin ? Transition{S::FinWait2, Rule::fin_wait_1_rcv_ack_of_fin}
                            : Transition{state, Rule::no_state_change};
    case S::FinWait2:
      // §3.10.7.4 eighth, FIN-WAIT-2: FIN -> TIME-WAIT.
      return fin ? Transition{S::TimeWait, Rule::fin_wait_2_rcv_fin}
                 : Transition{state, Rule::no_state_change};
    case S::CloseWait:
      // §3.10.7.4 eighth, CLOSE-WAIT: a repeated FIN leaves the state unchanged.
      return {state, Rule::no_state_change};
    case S::Closing:
      // §3.10.7.4 fifth, CLOSING: our FIN acked -> TIME-WAIT.
      return e.acks_our_fin ? Transition{S::TimeWait, Rule::closing_rcv_ack_of_fin}
                            : Transition{state, Rule::no_state_change};
    case S::LastAck:
      // §3.10.7.4 fifth, LAST-ACK: our FIN acked -> CLOSED.
      return e.acks_our_fin ? Transition{S::Closed, Rule::last_ack_rcv_ack_of_fin}
                            : Transition{state, Rule::no_state_change};
    case S::TimeWait:
      // §3.10.7.4 eighth, TIME-WAIT: a retransmitted FIN is acked again and restarts the timer.
      return fin ? Transition{S::TimeWait, Rule::time_wait_rcv_fin}
                 : Transition{state, Rule::no_state_change};
    case S::Closed:
    case S::Listen:
    case S::SynSent:
      break;
  }
  return {state, Rule::not_applicable};
}

}  // namespace

std::string_view rule_section(Rule r) {
  switch (r) {
    case Rule::closed_passive_open:
    case Rule::closed_active_open:
      return "3.10.1";
    case Rule::listen_send:
      return "3.10.2";
    case Rule::listen_close:
    case Rule::syn_sent_close:
    case Rule::syn_received_close:
    case Rule::established_close:
    case Rule::close_wait_close:
      return "3.10.4";
    case Rule::abort:
      return "3.10.5";
    case Rule::time_wait_timeout:
      return "3.10.8";
    case Rule::closed_rcv_segment:
      return "3.10.7.1";
    case Rule::listen_rcv_rst:
    case Rule::listen_rcv_ack:
    case Rule::listen_rcv_syn:
    case Rule::listen_rcv_other:
      return "3.10.7.2";
    case Rule::syn_sent_rcv_syn_ack:
    case Rule::syn_sent_rcv_syn_ack_fin:
    case Rule::simultaneous_open:
    case Rule::syn_sent_rcv_rst:
    case Rule::syn_sent_rcv_unacceptable_ack:
    case Rule::syn_sent_rcv_other:
      return "3.10.7.3";
    case Rule::no_state_change:
    case Rule::not_applicable:
      return "";
    default:
      return "3.10.7.4";
  }
}

std::string_view rule_name(Rule r) {
  const auto i = static_cast<std::size_t>(r);
  return i < kRuleNames.size() ? kRuleNames[i] : std::string_view("?");
}

Transition step(TcpState state, const EndpointEvent& event) {
  switch (event.kind) {
    case K::passive_open:
      // §3.10.1 OPEN, CLOSED, passive: create a TCB, enter LISTEN.
      if (state == S::Closed) return {S::Listen, Rule::closed_passive_open};
      return {state, Rule::not_applicable};
    case K::active_open:
      // §3.10.1 OPEN, CLOSED, active: send SYN, enter SYN-SENT.
      if (state == S::Closed) return {S::SynSent, Rule::closed_active_open};
      // §3.10.1 OPEN, LISTEN, active: change from passive to active, send SYN.
      if (state == S::Listen) return {S::SynSent, Rule::listen_send};
      return {state, Rule::not_applicable};
    case K::send:
      // §3.10.2 SEND, LISTEN: turn active, send SYN, enter SYN-SENT.
      if (state == S::Listen) return {S::SynSent, Rule::listen_send};
      if (state == S::Closed) return {state, Rule::not_applicable};
      return {state, Rule::no_state_change};
    case K::close:
      switch (state) {
        case S::Listen:  // §3.10.4 CLOSE, LISTEN: delete the TCB -> CLOSED.
          return {S::Closed, Rule::listen_close};
        case S::SynSent:  // §3.10.4 CLOSE, SYN-SENT: delete the TCB -> CLOSED.
          return {S::Closed, Rule::syn_sent_close};
        case S::SynReceived:  // §3.10.4 CLOSE, SYN-RECEIVED: send FIN -> FIN-WAIT-1.
          return {S::FinWait1, Rule::syn_received_close};
        case S::Established:  // §3.10.4 CLOSE, ESTABLISHED: FIN after queued data -> FIN-WAIT-1.
          return {S::FinWait1, Rule::established_close};
        case S::CloseWait:  // §3.10.4 CLOSE, CLOSE-WAIT: send FIN -> LAST-ACK.
          return {S::LastAck, Rule::close_wait_close};
        default:  // §3.10.4 other states: "connection closing" / "does not exist".
          return {state, Rule::not_applicable};
      }
    case K::abort:
      // §3.10.5 ABORT: CLOSED has nothing to abort; every other state deletes the TCB -> CLOSED.
      if (state == S::Closed) return {state, Rule::not_applicable};
      return {S::Closed, Rule::abort};
    case K::time_wait_timeout:
      // §3.10.8 time-wait timeout: delete the TCB -> CLOSED.
      if (state == S::TimeWait) return {S::Closed, Rule::time_wait_timeout};
      return {state, Rule::not_applicable};
    case K::segment_arrives:
      return segment_arrives(state, event);
  }
  return {state, Rule::not_applicable};
}

}  // namespace tcpscope::track
