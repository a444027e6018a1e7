// Inferred RFC sequences mapped onto the tracepoint's view (tcp-semantics.md
// §4.2-§4.4), and the comparison with the kernel's own per-socket sequence.
#include "lab/kernel_compare.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace tcpscope::lab {
namespace {

using L = LinuxTcpState;
using S = TcpState;

std::vector<InferredStep> steps(std::initializer_list<S> states) {
  std::vector<InferredStep> out;
  std::uint64_t frame = 0;
  for (S s : states)
    out.push_back(InferredStep{frame, Timestamp{100, static_cast<std::int64_t>(frame) * 1000}, s}), ++frame;
  return out;
}

std::vector<L> states_of(const std::vector<ExpectedKernelState>& v) {
  std::vector<L> out;
  for (const auto& e : v) out.push_back(e.state);
  return out;
}

KernelSocket socket_of(std::uint64_t skaddr, std::initializer_list<std::pair<L, L>> transitions) {
  std::vector<KernelStateEvent> events;
  std::int64_t t = 0;
  for (auto [from, to] : transitions)
    events.push_back(KernelStateEvent{.ts = Timestamp{100, t += 500},
                                      .skaddr = skaddr,
                                      .local = {{}, 40000},
                                      .remote = {{}, 1234},
                                      .old_state = from,
                                      .new_state = to});
  return group_by_socket(events).front();
}

// ---- the article: client closes first -------------------------------------------------------

TEST(ExpectedKernelSequence, ClientClosingFirstShowsTimeWaitAsClose) {
  std::vector<LinuxDifference> diffs;
  const auto seq = expected_kernel_sequence(
      steps({S::Closed, S::SynSent, S::Established, S::FinWait1, S::FinWait2, S::TimeWait}), false, &diffs);
  EXPECT_EQ(states_of(seq),
            (std::vector<L>{L::close, L::syn_sent, L::established, L::fin_wait1, L::fin_wait2, L::close}));
  EXPECT_EQ(diffs, std::vector<LinuxDifference>{LinuxDifference::time_wait_minisocket});
}

TEST(ExpectedKernelSequence, ServerChildStartsAtListenAndNamesNewSynRecv) {
  std::vector<LinuxDifference> diffs;
  const auto seq = expected_kernel_sequence(
      steps({S::Listen, S::SynReceived, S::Established, S::CloseWait, S::LastAck, S::Closed}), true, &diffs);
  EXPECT_EQ(states_of(seq),
            (std::vector<L>{L::listen, L::syn_recv, L::established, L::close_wait, L::last_ack, L::close}));
  EXPECT_EQ(diffs, std::vector<LinuxDifference>{LinuxDifference::new_syn_recv_invisible});
}

// ---- FIN acking our FIN, simultaneous close, refused ---------------------------------------

TEST(ExpectedKernelSequence, FinAckingOurFinIsProcessedAsAckThenFin) {
  std::vector<LinuxDifference> diffs;
  const auto seq = expected_kernel_sequence(steps({S::Established, S::FinWait1, S::TimeWait}), false, &diffs);
  EXPECT_EQ(states_of(seq), (std::vector<L>{L::established, L::fin_wait1, L::fin_wait2, L::close}));
  EXPECT_NE(std::find(diffs.begin(), diffs.end(), LinuxDifference::fin_ack_processed_split), diffs.end());
}

TEST(ExpectedKernelSequence, SimultaneousCloseGoesThroughClosing) {
  const auto seq =
      expected_kernel_sequence(steps({S::Established, S::FinWait1, S::Closing, S::TimeWait}), false);
  EXPECT_EQ(states_of(seq), (std::vector<L>{L::established, L::fin_wait1, L::closing, L::close}));
}

TEST(ExpectedKernelSequence, RefusedServerHasNoSocket) {
  std::vector<LinuxDifference> diffs;
  EXPECT_TRUE(expected_kernel_sequence(steps({S::Listen, S::Closed}), true, &diffs).empty());
  EXPECT_EQ(diffs, std::vector<LinuxDifference>{LinuxDifference::no_child_socket});
}

// ---- sockets and the comparison -------------------------------------------------------------

TEST(GroupBySocket, AReusedSocketAddressStartsANewLife) {
  std::vector<KernelStateEvent> events = {
      {.skaddr = 7, .remote = {{}, 1234}, .old_state = L::close, .new_state = L::syn_sent},
      {.skaddr = 7,
       .local = {{}, 40000},
       .remote = {{}, 1234},
       .old_state = L::syn_sent,
       .new_state = L::close},
      {.skaddr = 7, .remote = {{}, 1234}, .old_state = L::close, .new_state = L::syn_sent},
      {.skaddr = 9, .local = {{}, 1234}, .old_state = L::close, .new_state = L::listen},
  };
  const auto sockets = group_by_socket(events);
  ASSERT_EQ(sockets.size(), 3u);
  EXPECT_EQ(sockets[0].local_port, 40000);  // the port learnt after connect()
  EXPECT_EQ(sockets[0].states(), (std::vector<L>{L::close, L::syn_sent, L::close}));
  EXPECT_TRUE(sockets[2].listener);
  EXPECT_EQ(find_socket(sockets, 40000, 1234, 0), &sockets[0]);
  EXPECT_EQ(find_socket(sockets, 40000, 1234, 1), nullptr);  // the second life never learnt its port
}

TEST(CompareEndpoint, AgreesWithTheKernelOnTheArticleClient) {
  const KernelSocket k = socket_of(1, {{L::close, L::syn_sent},
                                       {L::syn_sent, L::established},
                                       {L::established, L::fin_wait1},
                                       {L::fin_wait1, L::fin_wait2},
                                       {L::fin_wait2, L::close}});
  const auto c = compare_endpoint(
      steps({S::Closed, S::SynSent, S::Established, S::FinWait1, S::FinWait2, S::TimeWait}), false, &k);
  EXPECT_TRUE(c.agree);
}

TEST(CompareEndpoint, NamesTheSegmentWhereTheSequencesPart) {
  // The kernel saw a RST in ESTABLISHED; the inference a normal close.
  const KernelSocket k =
      socket_of(1, {{L::close, L::syn_sent}, {L::syn_sent, L::established}, {L::established, L::close}});
  const auto c = compare_endpoint(
      steps({S::Closed, S::SynSent, S::Established, S::FinWait1, S::FinWait2, S::TimeWait}), false, &k);
  EXPECT_FALSE(c.agree);
  EXPECT_EQ(c.mismatch, 3u);
  EXPECT_EQ(c.mismatch_frame, 3u);  // the step that entered FIN-WAIT-1
}

TEST(CompareEndpoint, MissingKernelSocketDisagreesUnlessNoneIsExpected) {
  EXPECT_FALSE(compare_endpoint(steps({S::Closed, S::SynSent, S::Established}), false, nullptr).agree);
  EXPECT_TRUE(compare_endpoint(steps({S::Listen, S::Closed}), true, nullptr).agree);
}

}  // namespace
}  // namespace tcpscope::lab
