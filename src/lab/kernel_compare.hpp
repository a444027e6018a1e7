// Inferred endpoint states vs the kernel's: a pure comparison on core values.
//
// The kernel's events are grouped per socket (skaddr; a socket lives from its
// first event out of CLOSE to its return to CLOSE, so a reused address starts a
// new life). An endpoint's inferred RFC 9293 sequence is mapped onto what the
// tracepoint can show (tcp-semantics.md §4.3, §4.4), then compared in order:
//   * TIME-WAIT is a minisocket: the full socket shows FIN_WAIT2->CLOSE or
//     CLOSING->CLOSE when it enters TIME-WAIT, and TIME_WAIT never appears;
//   * a FIN acking our FIN in FIN-WAIT-1 is processed as ACK then FIN:
//     RFC FIN-WAIT-1 -> TIME-WAIT shows FIN_WAIT1 -> FIN_WAIT2 -> CLOSE;
//   * NEW_SYN_RECV is a request socket without events: the server's child
//     appears only at the final ACK, LISTEN -> SYN_RECV -> ESTABLISHED at once,
//     and a server that never answered SYN,ACK has no events at all;
//   * an orphaned socket entering FIN-WAIT-2 becomes a minisocket at once:
//     FIN_WAIT2 -> CLOSE right away, before the peer's FIN (timing only).
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/kernel_event.hpp"
#include "core/tcp_state.hpp"
#include "core/time.hpp"

namespace tcpscope::lab {

// One full socket's life as the tracepoint shows it.
struct KernelSocket {
  std::uint64_t skaddr = 0;
  std::uint16_t local_port = 0;   // the last non-zero sport
  std::uint16_t remote_port = 0;  // the last non-zero dport
  bool listener = false;          // it entered LISTEN
  std::vector<KernelStateEvent> events;
  // The states in order: the first event's old state, then every new state.
  std::vector<LinuxTcpState> states() const;
};

std::vector<KernelSocket> group_by_socket(std::span<const KernelStateEvent> events);

// The k-th (0-based) non-listening socket with these ports, or null.
const KernelSocket* find_socket(std::span<const KernelSocket> sockets, std::uint16_t local_port,
                                std::uint16_t remote_port, std::size_t occurrence);

// An endpoint's inferred state: before the first segment (frame 0), then after each segment.
struct InferredStep {
  std::uint64_t frame = 0;
  Timestamp ts;
  TcpState state = TcpState::Closed;
};

// A state the kernel should show, with the segment that (by inference) caused it.
struct ExpectedKernelState {
  LinuxTcpState state = LinuxTcpState::unknown;
  std::uint64_t frame = 0;
  Timestamp ts;
};

// Mapped documented differences that applied (for the explanation).
enum class LinuxDifference : std::uint8_t {
  time_wait_minisocket,     // TIME-WAIT shown as ...->CLOSE
  fin_ack_processed_split,  // FIN acking our FIN: FIN_WAIT1->FIN_WAIT2->CLOSE
  new_syn_recv_invisible,   // the server's SYN-RECEIVED appears only at the final ACK
  orphan_fin_wait2,         // FIN_WAIT2->CLOSE at once (orphaned socket), before the peer's FIN
  no_child_socket,          // the server never answered: no socket, no events
};
std::string_view linux_difference_text(LinuxDifference d);

std::vector<ExpectedKernelState> expected_kernel_sequence(std::span<const InferredStep> steps, bool is_server,
                                                          std::vector<LinuxDifference>* applied = nullptr);

struct EndpointComparison {
  bool agree = false;
  std::vector<ExpectedKernelState> inferred;  // mapped onto Linux's view
  std::vector<LinuxTcpState> kernel;          // empty when the kernel shows no socket
  std::size_t mismatch = 0;                   // first index that differs (when !agree)
  std::uint64_t mismatch_frame = 0;           // the segment behind the inferred state there (0: none)
  std::vector<LinuxDifference> differences;   // documented Linux differences that were mapped
};

EndpointComparison compare_endpoint(std::span<const InferredStep> steps, bool is_server,
                                    const KernelSocket* kernel);

}  // namespace tcpscope::lab
