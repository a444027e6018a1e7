// The edges of the RFC 9293 state diagram (tcp-semantics.md §5.1, plus the §3.10
// clauses the table summarises: ABORT from every state, SYN-RECEIVED back to
// LISTEN on an in-window SYN, and the control bits processed in one segment).
// Written out by hand from the RFC, independently of src/track, so tests can
// check the state machine and the inference against it.
#pragma once
#include <algorithm>
#include <array>
#include <utility>

#include "core/tcp_state.hpp"

namespace tcpscope::track::test {

using S = TcpState;

inline constexpr std::array<std::pair<S, S>, 29> kRfcEdges = {{
    {S::Closed, S::Listen},            // passive OPEN
    {S::Closed, S::SynSent},           // active OPEN
    {S::Listen, S::SynReceived},       // rcv SYN
    {S::Listen, S::SynSent},           // SEND
    {S::Listen, S::Closed},            // CLOSE
    {S::SynSent, S::Established},      // rcv SYN,ACK
    {S::SynSent, S::CloseWait},        // rcv SYN,ACK,FIN (§3.10.7.3 then eighth)
    {S::SynSent, S::SynReceived},      // rcv SYN: simultaneous open
    {S::SynSent, S::Closed},           // rcv RST acking the SYN, CLOSE
    {S::SynReceived, S::Established},  // rcv ACK of SYN
    {S::SynReceived, S::CloseWait},    // rcv ACK of SYN with FIN
    {S::SynReceived, S::Listen},       // rcv RST (or in-window SYN) after a passive open
    {S::SynReceived, S::Closed},       // rcv RST after an active open, ABORT
    {S::SynReceived, S::FinWait1},     // CLOSE
    {S::Established, S::FinWait1},     // CLOSE
    {S::Established, S::CloseWait},    // rcv FIN
    {S::Established, S::Closed},       // rcv RST, ABORT
    {S::FinWait1, S::FinWait2},        // rcv ACK of FIN
    {S::FinWait1, S::Closing},         // rcv FIN
    {S::FinWait1, S::TimeWait},        // rcv FIN,ACK of FIN
    {S::FinWait1, S::Closed},          // rcv RST, ABORT
    {S::FinWait2, S::TimeWait},        // rcv FIN
    {S::FinWait2, S::Closed},          // rcv RST, ABORT
    {S::CloseWait, S::LastAck},        // CLOSE
    {S::CloseWait, S::Closed},         // rcv RST, ABORT
    {S::Closing, S::TimeWait},         // rcv ACK of FIN
    {S::Closing, S::Closed},           // rcv RST, ABORT
    {S::LastAck, S::Closed},           // rcv ACK of FIN, RST, ABORT
    {S::TimeWait, S::Closed},          // timeout, rcv RST, ABORT
}};

inline bool is_rfc_edge(S from, S to) {
  if (from == to) return true;
  return std::find(kRfcEdges.begin(), kRfcEdges.end(), std::pair{from, to}) != kRfcEdges.end();
}

}  // namespace tcpscope::track::test
