// Mapping inferred RFC states onto the tracepoint's view, and comparing.
#include "lab/kernel_compare.hpp"

#include <algorithm>
#include <map>

namespace tcpscope::lab {
namespace {

void add_difference(std::vector<LinuxDifference>* list, LinuxDifference d) {
  if (list != nullptr && std::find(list->begin(), list->end(), d) == list->end()) list->push_back(d);
}

LinuxTcpState linux_of(TcpState s) {
  switch (s) {
    case TcpState::Closed:
      return LinuxTcpState::close;
    case TcpState::Listen:
      return LinuxTcpState::listen;
    case TcpState::SynSent:
      return LinuxTcpState::syn_sent;
    case TcpState::SynReceived:
      return LinuxTcpState::syn_recv;
    case TcpState::Established:
      return LinuxTcpState::established;
    case TcpState::FinWait1:
      return LinuxTcpState::fin_wait1;
    case TcpState::FinWait2:
      return LinuxTcpState::fin_wait2;
    case TcpState::CloseWait:
      return LinuxTcpState::close_wait;
    case TcpState::Closing:
      return LinuxTcpState::closing;
    case TcpState::LastAck:
      return LinuxTcpState::last_ack;
    case TcpState::TimeWait:
      return LinuxTcpState::close;  // the minisocket: the full socket closes
  }
  return LinuxTcpState::unknown;
}

}  // namespace

std::vector<LinuxTcpState> KernelSocket::states() const {
  std::vector<LinuxTcpState> out;
  for (const auto& e : events) {
    if (out.empty()) out.push_back(e.old_state);
    if (out.back() != e.new_state) out.push_back(e.new_state);
  }
  return out;
}

std::vector<KernelSocket> group_by_socket(std::span<const KernelStateEvent> events) {
  std::vector<KernelSocket> sockets;
  std::map<std::uint64_t, std::size_t> open;  // skaddr -> index of its current life
  for (const auto& e : events) {
    auto it = open.find(e.skaddr);
    if (it == open.end()) {
      sockets.push_back(KernelSocket{.skaddr = e.skaddr});
      it = open.emplace(e.skaddr, sockets.size() - 1).first;
    }
    KernelSocket& s = sockets[it->second];
    s.events.push_back(e);
    if (e.local.port != 0) s.local_port = e.local.port;
    if (e.remote.port != 0) s.remote_port = e.remote.port;
    if (e.new_state == LinuxTcpState::listen) s.listener = true;
    if (e.new_state == LinuxTcpState::close) open.erase(it);  // the address may be reused by a new socket
  }
  return sockets;
}

const KernelSocket* find_socket(std::span<const KernelSocket> sockets, std::uint16_t local_port,
                                std::uint16_t remote_port, std::size_t occurrence) {
  for (const auto& s : sockets) {
    if (s.listener || s.local_port != local_port || s.remote_port != remote_port) continue;
    if (occurrence == 0) return &s;
    --occurrence;
  }
  return nullptr;
}

std::string_view linux_difference_text(LinuxDifference d) {
  switch (d) {
    case LinuxDifference::time_wait_minisocket:
      return "TIME-WAIT is a minisocket in Linux: the full socket shows ...->CLOSE when TIME-WAIT starts";
    case LinuxDifference::fin_ack_processed_split:
      return "a FIN that also acks our FIN is processed as ACK then FIN: FIN_WAIT1->FIN_WAIT2->CLOSE";
    case LinuxDifference::new_syn_recv_invisible:
      return "NEW_SYN_RECV (request socket) has no events: the server's SYN_RECV->ESTABLISHED appears at the "
             "final ACK";
    case LinuxDifference::orphan_fin_wait2:
      return "an orphaned socket entering FIN-WAIT-2 becomes a minisocket at once: FIN_WAIT2->CLOSE before "
             "the "
             "peer's FIN";
    case LinuxDifference::no_child_socket:
      return "the server never answered with SYN,ACK: no socket was created, so the kernel shows no events";
  }
  return "?";
}

std::vector<ExpectedKernelState> expected_kernel_sequence(std::span<const InferredStep> steps, bool is_server,
                                                          std::vector<LinuxDifference>* applied) {
  std::vector<InferredStep> seq;
  for (const auto& s : steps)
    if (seq.empty() || seq.back().state != s.state) seq.push_back(s);
  std::vector<ExpectedKernelState> out;
  const bool handshake_answered = std::any_of(seq.begin(), seq.end(), [](const InferredStep& s) {
    return in(s.state, TcpState::SynReceived | TcpState::Established);
  });
  if (is_server && !handshake_answered) {
    add_difference(applied, LinuxDifference::no_child_socket);
    return out;
  }
  auto push = [&out](LinuxTcpState st, const InferredStep& s) {
    if (out.empty() || out.back().state != st) out.push_back(ExpectedKernelState{st, s.frame, s.ts});
  };
  for (std::size_t i = 0; i < seq.size(); ++i) {
    const InferredStep& s = seq[i];
    if (s.state == TcpState::TimeWait) {
      add_difference(applied, LinuxDifference::time_wait_minisocket);
      if (i > 0 && seq[i - 1].state == TcpState::FinWait1) {
        add_difference(applied, LinuxDifference::fin_ack_processed_split);
        push(LinuxTcpState::fin_wait2, s);
      }
    }
    if (is_server && s.state == TcpState::SynReceived)
      add_difference(applied, LinuxDifference::new_syn_recv_invisible);
    push(linux_of(s.state), s);
  }
  return out;
}

EndpointComparison compare_endpoint(std::span<const InferredStep> steps, bool is_server,
                                    const KernelSocket* kernel) {
  EndpointComparison c;
  c.inferred = expected_kernel_sequence(steps, is_server, &c.differences);
  if (kernel != nullptr) c.kernel = kernel->states();
  const std::size_t n = std::min(c.inferred.size(), c.kernel.size());
  std::size_t i = 0;
  while (i < n && c.inferred[i].state == c.kernel[i]) ++i;
  c.agree = i == c.inferred.size() && i == c.kernel.size();
  if (!c.agree) {
    c.mismatch = i;
    if (i < c.inferred.size())
      c.mismatch_frame = c.inferred[i].frame;
    else if (!c.inferred.empty())
      c.mismatch_frame = c.inferred.back().frame;
  }
  // An orphaned FIN-WAIT-2: the kernel closed the full socket before the segment that
  // (by inference) put the endpoint in TIME-WAIT.
  if (kernel != nullptr) {
    for (const auto& e : kernel->events) {
      if (e.old_state != LinuxTcpState::fin_wait2 || e.new_state != LinuxTcpState::close) continue;
      for (const auto& s : steps) {
        if (s.state == TcpState::TimeWait) {
          if (s.ts - e.ts > 1'000'000 &&
              std::find(c.differences.begin(), c.differences.end(), LinuxDifference::orphan_fin_wait2) ==
                  c.differences.end())
            c.differences.push_back(LinuxDifference::orphan_fin_wait2);
          break;
        }
      }
    }
  }
  return c;
}

}  // namespace tcpscope::lab
