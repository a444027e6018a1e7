// A TCP state change as the Linux kernel reports it (tracefs event
// sock/inet_sock_set_state, tcp-semantics.md §4): a plain value type, so that
// lab/ can produce it and render/ can draw it without knowing each other.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "core/addr.hpp"
#include "core/tcp_state.hpp"
#include "core/time.hpp"

namespace tcpscope {

// Linux's own state numbers (include/net/tcp_states.h); TCP_CLOSE is RFC CLOSED.
enum class LinuxTcpState : std::uint8_t {
  unknown = 0,
  established = 1,
  syn_sent = 2,
  syn_recv = 3,
  fin_wait1 = 4,
  fin_wait2 = 5,
  time_wait = 6,
  close = 7,
  close_wait = 8,
  last_ack = 9,
  listen = 10,
  closing = 11,
  new_syn_recv = 12,
};

// The kernel's spelling without the "TCP_" prefix: "SYN_RECV", "FIN_WAIT1", "CLOSE".
constexpr std::string_view linux_state_name(LinuxTcpState s) {
  constexpr std::array<std::string_view, 13> names = {
      "?",     "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1", "FIN_WAIT2",    "TIME_WAIT",
      "CLOSE", "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "CLOSING",   "NEW_SYN_RECV",
  };
  const auto i = static_cast<std::size_t>(s);
  return i < names.size() ? names[i] : names[0];
}

// From the tracepoint's numeric value (1..12); anything else is `unknown`.
constexpr LinuxTcpState linux_state_from_number(long value) {
  return value >= 1 && value <= 12 ? static_cast<LinuxTcpState>(value) : LinuxTcpState::unknown;
}

// The RFC 9293 state a Linux state corresponds to. NEW_SYN_RECV (a request
// socket, never a full socket) has no counterpart of its own: it is the
// listener's SYN-RECEIVED period, which the tracepoint does not show.
constexpr std::optional<TcpState> to_rfc_state(LinuxTcpState s) {
  switch (s) {
    case LinuxTcpState::established:
      return TcpState::Established;
    case LinuxTcpState::syn_sent:
      return TcpState::SynSent;
    case LinuxTcpState::syn_recv:
      return TcpState::SynReceived;
    case LinuxTcpState::fin_wait1:
      return TcpState::FinWait1;
    case LinuxTcpState::fin_wait2:
      return TcpState::FinWait2;
    case LinuxTcpState::time_wait:
      return TcpState::TimeWait;
    case LinuxTcpState::close:
      return TcpState::Closed;
    case LinuxTcpState::close_wait:
      return TcpState::CloseWait;
    case LinuxTcpState::last_ack:
      return TcpState::LastAck;
    case LinuxTcpState::listen:
      return TcpState::Listen;
    case LinuxTcpState::closing:
      return TcpState::Closing;
    case LinuxTcpState::new_syn_recv:
    case LinuxTcpState::unknown:
      break;
  }
  return std::nullopt;
}

// One call of the kernel's state setter for one full socket.
struct KernelStateEvent {
  Timestamp ts;              // aligned with capture time (CLOCK_REALTIME)
  std::uint64_t skaddr = 0;  // the socket's address: the identity of the socket
  Endpoint local;            // sport/saddr (port 0 on the connect() event: not bound yet)
  Endpoint remote;           // dport/daddr (port 0 for a listener)
  LinuxTcpState old_state = LinuxTcpState::unknown;
  LinuxTcpState new_state = LinuxTcpState::unknown;
  bool operator==(const KernelStateEvent&) const = default;
};

}  // namespace tcpscope
