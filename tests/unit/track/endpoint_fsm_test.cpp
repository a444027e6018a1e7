// RFC 9293 state machine of one endpoint: one table row per transition of
// tcp-semantics.md §5.1 (plus the §3.10 clauses it summarises), then an
// exhaustive check that step() never leaves the RFC diagram.
#include "track/endpoint_fsm.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/tcp_flags.hpp"
#include "unit/track/rfc_edges.hpp"

namespace tcpscope::track {
namespace {

using S = TcpState;
using K = EndpointEventKind;
namespace f = tcp_flag;

// ---- fixture builders: an endpoint at a given state, with how it got there -------------

struct At {
  TcpState state;
  bool opened_passively = false;
};
At at_closed() { return {S::Closed}; }
At at_listen() { return {S::Listen}; }
At at_syn_sent() { return {S::SynSent}; }
At at_syn_received_passive() { return {S::SynReceived, true}; }
At at_syn_received_active() { return {S::SynReceived, false}; }
At at_established() { return {S::Established}; }
At at_fin_wait_1() { return {S::FinWait1}; }
At at_fin_wait_2() { return {S::FinWait2}; }
At at_close_wait() { return {S::CloseWait}; }
At at_closing() { return {S::Closing}; }
At at_last_ack() { return {S::LastAck}; }
At at_time_wait() { return {S::TimeWait}; }

// ---- segment and call templates (override with designated initializers) --------------

constexpr EndpointEvent kSeg{.kind = K::segment_arrives, .flags = f::ack};
constexpr EndpointEvent kSyn{.kind = K::segment_arrives, .flags = f::syn};
constexpr EndpointEvent kSynAck{.kind = K::segment_arrives, .flags = f::syn | f::ack, .acks_our_syn = true};
constexpr EndpointEvent kAckOfSyn{.kind = K::segment_arrives, .flags = f::ack, .acks_our_syn = true};
constexpr EndpointEvent kAckOfFin{
    .kind = K::segment_arrives, .flags = f::ack, .acks_our_syn = true, .acks_our_fin = true};
constexpr EndpointEvent kFin{.kind = K::segment_arrives, .flags = f::fin | f::ack, .acks_our_syn = true};
constexpr EndpointEvent kFinAckOfFin{
    .kind = K::segment_arrives, .flags = f::fin | f::ack, .acks_our_syn = true, .acks_our_fin = true};
constexpr EndpointEvent kRst{.kind = K::segment_arrives, .flags = f::rst | f::ack, .acks_our_syn = true};
constexpr EndpointEvent kData{.kind = K::segment_arrives, .flags = f::psh | f::ack, .acks_our_syn = true};

EndpointEvent call(K kind) { return EndpointEvent{.kind = kind}; }

struct Row {
  std::string name;
  At at;
  EndpointEvent event;
  TcpState next;
  Rule rule;
};

EndpointEvent with_context(EndpointEvent e, const At& at) {
  e.opened_passively = at.opened_passively;
  return e;
}

class RfcTransition : public ::testing::TestWithParam<Row> {};

TEST_P(RfcTransition, StepAppliesTheRfcClause) {
  const Row& row = GetParam();
  const Transition t = step(row.at.state, with_context(row.event, row.at));
  EXPECT_EQ(to_string(t.next), to_string(row.next));
  EXPECT_EQ(rule_name(t.rule), rule_name(row.rule));
  EXPECT_TRUE(test::is_rfc_edge(row.at.state, t.next));
}

const Row kRows[] = {
    // ==== CLOSED ==========================================================================
    {"closed_passive_open", at_closed(), call(K::passive_open), S::Listen, Rule::closed_passive_open},
    {"closed_active_open", at_closed(), call(K::active_open), S::SynSent, Rule::closed_active_open},
    {"closed_rcv_ack", at_closed(), kSeg, S::Closed, Rule::closed_rcv_segment},
    {"closed_rcv_syn", at_closed(), kSyn, S::Closed, Rule::closed_rcv_segment},
    {"closed_close", at_closed(), call(K::close), S::Closed, Rule::not_applicable},
    // ==== LISTEN ==========================================================================
    {"listen_rcv_syn", at_listen(), kSyn, S::SynReceived, Rule::listen_rcv_syn},
    {"listen_send", at_listen(), call(K::send), S::SynSent, Rule::listen_send},
    {"listen_active_open", at_listen(), call(K::active_open), S::SynSent, Rule::listen_send},
    {"listen_close", at_listen(), call(K::close), S::Closed, Rule::listen_close},
    {"listen_rcv_ack", at_listen(), kSeg, S::Listen, Rule::listen_rcv_ack},
    {"listen_rcv_rst", at_listen(), EndpointEvent{.flags = f::rst}, S::Listen, Rule::listen_rcv_rst},
    {"listen_rcv_fin_only", at_listen(), EndpointEvent{.flags = f::fin}, S::Listen, Rule::listen_rcv_other},
    // ==== SYN-SENT ========================================================================
    {"syn_sent_rcv_syn_ack", at_syn_sent(), kSynAck, S::Established, Rule::syn_sent_rcv_syn_ack},
    {"syn_sent_rcv_syn_ack_fin", at_syn_sent(),
     EndpointEvent{.flags = f::syn | f::ack | f::fin, .acks_our_syn = true}, S::CloseWait,
     Rule::syn_sent_rcv_syn_ack_fin},
    {"syn_sent_rcv_syn", at_syn_sent(), kSyn, S::SynReceived, Rule::simultaneous_open},
    {"syn_sent_rcv_rst_acking_syn", at_syn_sent(), kRst, S::Closed, Rule::syn_sent_rcv_rst},
    {"syn_sent_rcv_rst_without_ack", at_syn_sent(), EndpointEvent{.flags = f::rst}, S::SynSent,
     Rule::syn_sent_rcv_other},
    {"syn_sent_rcv_rst_bad_ack", at_syn_sent(), EndpointEvent{.flags = f::rst | f::ack}, S::SynSent,
     Rule::syn_sent_rcv_other},
    {"syn_sent_rcv_ack_not_acking_syn", at_syn_sent(), kSeg, S::SynSent, Rule::syn_sent_rcv_unacceptable_ack},
    {"syn_sent_rcv_syn_ack_bad_ack", at_syn_sent(), EndpointEvent{.flags = f::syn | f::ack}, S::SynSent,
     Rule::syn_sent_rcv_unacceptable_ack},
    {"syn_sent_close", at_syn_sent(), call(K::close), S::Closed, Rule::syn_sent_close},
    {"syn_sent_abort", at_syn_sent(), call(K::abort), S::Closed, Rule::abort},
    // ==== SYN-RECEIVED ====================================================================
    {"syn_received_rcv_ack_of_syn", at_syn_received_passive(), kAckOfSyn, S::Established,
     Rule::syn_received_rcv_ack},
    {"syn_received_rcv_ack_of_syn_with_fin", at_syn_received_passive(), kFin, S::CloseWait,
     Rule::syn_received_rcv_fin},
    {"syn_received_rcv_syn_ack_simultaneous", at_syn_received_active(), kSynAck, S::Established,
     Rule::syn_received_rcv_ack},
    {"syn_received_rcv_bad_ack", at_syn_received_passive(), kSeg, S::SynReceived, Rule::rcv_unacceptable},
    {"syn_received_rcv_rst_passive", at_syn_received_passive(), kRst, S::Listen,
     Rule::syn_received_rcv_rst_passive},
    {"syn_received_rcv_rst_active", at_syn_received_active(), kRst, S::Closed,
     Rule::syn_received_rcv_rst_active},
    {"syn_received_rcv_syn_passive", at_syn_received_passive(), kSyn, S::Listen,
     Rule::syn_received_rcv_syn_passive},
    {"syn_received_rcv_old_syn", at_syn_received_passive(),
     EndpointEvent{.flags = f::syn, .acceptable = false}, S::SynReceived, Rule::rcv_unacceptable},
    {"syn_received_close", at_syn_received_passive(), call(K::close), S::FinWait1, Rule::syn_received_close},
    {"syn_received_abort", at_syn_received_passive(), call(K::abort), S::Closed, Rule::abort},
    // ==== ESTABLISHED =====================================================================
    {"established_close", at_established(), call(K::close), S::FinWait1, Rule::established_close},
    {"established_rcv_fin", at_established(), kFin, S::CloseWait, Rule::established_rcv_fin},
    {"established_rcv_data", at_established(), kData, S::Established, Rule::no_state_change},
    {"established_rcv_fin_without_ack", at_established(), EndpointEvent{.flags = f::fin}, S::Established,
     Rule::no_state_change},
    {"established_rcv_rst", at_established(), kRst, S::Closed, Rule::rcv_rst},
    {"established_rcv_rst_out_of_window", at_established(),
     EndpointEvent{.flags = f::rst, .acceptable = false}, S::Established, Rule::rcv_unacceptable},
    {"established_rcv_syn", at_established(), kSyn, S::Established, Rule::rcv_syn_in_synchronized},
    {"established_rcv_unacceptable", at_established(), EndpointEvent{.flags = f::ack, .acceptable = false},
     S::Established, Rule::rcv_unacceptable},
    {"established_abort", at_established(), call(K::abort), S::Closed, Rule::abort},
    {"established_send", at_established(), call(K::send), S::Established, Rule::no_state_change},
    // ==== FIN-WAIT-1 ======================================================================
    {"fin_wait_1_rcv_ack_of_fin", at_fin_wait_1(), kAckOfFin, S::FinWait2, Rule::fin_wait_1_rcv_ack_of_fin},
    {"fin_wait_1_rcv_ack_not_of_fin", at_fin_wait_1(), kData, S::FinWait1, Rule::no_state_change},
    {"fin_wait_1_rcv_fin", at_fin_wait_1(), kFin, S::Closing, Rule::fin_wait_1_rcv_fin},
    {"fin_wait_1_rcv_fin_ack_of_fin", at_fin_wait_1(), kFinAckOfFin, S::TimeWait,
     Rule::fin_wait_1_rcv_fin_ack_of_fin},
    {"fin_wait_1_rcv_rst", at_fin_wait_1(), kRst, S::Closed, Rule::rcv_rst},
    {"fin_wait_1_abort", at_fin_wait_1(), call(K::abort), S::Closed, Rule::abort},
    {"fin_wait_1_close_again", at_fin_wait_1(), call(K::close), S::FinWait1, Rule::not_applicable},
    // ==== FIN-WAIT-2 ======================================================================
    {"fin_wait_2_rcv_fin", at_fin_wait_2(), kFinAckOfFin, S::TimeWait, Rule::fin_wait_2_rcv_fin},
    {"fin_wait_2_rcv_data", at_fin_wait_2(), kData, S::FinWait2, Rule::no_state_change},
    {"fin_wait_2_rcv_rst", at_fin_wait_2(), kRst, S::Closed, Rule::rcv_rst},
    {"fin_wait_2_abort", at_fin_wait_2(), call(K::abort), S::Closed, Rule::abort},
    // ==== CLOSE-WAIT ======================================================================
    {"close_wait_close", at_close_wait(), call(K::close), S::LastAck, Rule::close_wait_close},
    {"close_wait_rcv_fin_again", at_close_wait(), kFin, S::CloseWait, Rule::no_state_change},
    {"close_wait_rcv_rst", at_close_wait(), kRst, S::Closed, Rule::rcv_rst},
    {"close_wait_abort", at_close_wait(), call(K::abort), S::Closed, Rule::abort},
    // ==== CLOSING =========================================================================
    {"closing_rcv_ack_of_fin", at_closing(), kAckOfFin, S::TimeWait, Rule::closing_rcv_ack_of_fin},
    {"closing_rcv_ack_not_of_fin", at_closing(), kSeg, S::Closing, Rule::no_state_change},
    {"closing_rcv_rst", at_closing(), kRst, S::Closed, Rule::rcv_rst},
    // ==== LAST-ACK ========================================================================
    {"last_ack_rcv_ack_of_fin", at_last_ack(), kAckOfFin, S::Closed, Rule::last_ack_rcv_ack_of_fin},
    {"last_ack_rcv_ack_not_of_fin", at_last_ack(), kSeg, S::LastAck, Rule::no_state_change},
    {"last_ack_rcv_rst", at_last_ack(), kRst, S::Closed, Rule::rcv_rst},
    // ==== TIME-WAIT =======================================================================
    {"time_wait_timeout", at_time_wait(), call(K::time_wait_timeout), S::Closed, Rule::time_wait_timeout},
    {"time_wait_rcv_fin", at_time_wait(), kFinAckOfFin, S::TimeWait, Rule::time_wait_rcv_fin},
    {"time_wait_rcv_rst", at_time_wait(), kRst, S::Closed, Rule::rcv_rst},
    {"time_wait_rcv_syn", at_time_wait(), kSyn, S::TimeWait, Rule::rcv_syn_in_synchronized},
    {"time_wait_timeout_elsewhere", at_established(), call(K::time_wait_timeout), S::Established,
     Rule::not_applicable},
};

INSTANTIATE_TEST_SUITE_P(Rfc9293, RfcTransition, ::testing::ValuesIn(kRows),
                         [](const ::testing::TestParamInfo<Row>& param_info) {
                           return param_info.param.name;
                         });

// Every edge of the §5.1 table is produced by at least one row above: the table is complete.
TEST(RfcTransitionTable, CoversEveryEdgeOfTheDiagram) {
  std::set<std::pair<int, int>> produced;
  for (const Row& row : kRows) {
    const Transition t = step(row.at.state, with_context(row.event, row.at));
    produced.insert({static_cast<int>(row.at.state), static_cast<int>(t.next)});
  }
  for (const auto& [from, to] : test::kRfcEdges) {
    EXPECT_TRUE(produced.count({static_cast<int>(from), static_cast<int>(to)}))
        << to_string(from) << " -> " << to_string(to) << " has no row";
  }
}

// Exhaustive: every state x every event kind x every combination of SYN/ACK/FIN/RST and
// the three judgement bits stays on the RFC diagram and names a rule.
TEST(RfcTransitionTable, NoEventLeavesTheDiagram) {
  const std::uint16_t control[] = {f::syn, f::ack, f::fin, f::rst};
  for (TcpState s : kAllTcpStates) {
    for (int kind = 0; kind <= static_cast<int>(K::segment_arrives); ++kind) {
      for (unsigned bits = 0; bits < 128; ++bits) {
        std::uint16_t flags = 0;
        for (unsigned i = 0; i < 4; ++i)
          if (bits & (1u << i)) flags |= control[i];
        const EndpointEvent e{.kind = static_cast<K>(kind),
                              .flags = flags,
                              .acks_our_syn = (bits & 16u) != 0,
                              .acks_our_fin = (bits & 32u) != 0,
                              .acceptable = (bits & 64u) == 0,
                              .opened_passively = (bits & 1u) != 0};
        const Transition t = step(s, e);
        EXPECT_TRUE(test::is_rfc_edge(s, t.next))
            << to_string(s) << " -> " << to_string(t.next) << " by " << rule_name(t.rule);
        EXPECT_NE(rule_name(t.rule), "?");
        if (t.next != s) {
          EXPECT_NE(t.rule, Rule::no_state_change);
          EXPECT_NE(t.rule, Rule::not_applicable);
        }
      }
    }
  }
}

TEST(TcpState, RfcSpellingsAndSets) {
  EXPECT_EQ(to_string(S::SynReceived), "SYN-RECEIVED");
  EXPECT_EQ(to_string(S::FinWait1), "FIN-WAIT-1");
  EXPECT_EQ(to_string(S::TimeWait), "TIME-WAIT");
  EXPECT_EQ(to_string(S::CloseWait), "CLOSE-WAIT");
  EXPECT_TRUE(in(S::Closing, S::FinWait1 | S::Closing));
  EXPECT_FALSE(in(S::LastAck, S::FinWait1 | S::Closing));
  EXPECT_FALSE(in(S::SynReceived, kSynchronizedStates));
  EXPECT_TRUE(in(S::TimeWait, kSynchronizedStates));
  std::set<std::string_view> names;
  for (TcpState s : kAllTcpStates) names.insert(to_string(s));
  EXPECT_EQ(names.size(), kTcpStateCount);
}

TEST(RuleNames, AreUniqueSnakeCase) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < kRuleCount; ++i) {
    const std::string_view n = rule_name(static_cast<Rule>(i));
    EXPECT_EQ(n.find_first_not_of("abcdefghijklmnopqrstuvwxyz_0123456789"), std::string_view::npos) << n;
    names.insert(n);
  }
  EXPECT_EQ(names.size(), kRuleCount);
  EXPECT_EQ(rule_name(Rule::fin_wait_1_rcv_ack_of_fin), "fin_wait_1_rcv_ack_of_fin");
  EXPECT_EQ(rule_name(Rule::simultaneous_open), "simultaneous_open");
  EXPECT_EQ(rule_section(Rule::established_rcv_fin), "3.10.7.4");
  EXPECT_EQ(rule_section(Rule::syn_sent_rcv_syn_ack), "3.10.7.3");
  EXPECT_EQ(rule_section(Rule::established_close), "3.10.4");
  EXPECT_EQ(rule_section(Rule::time_wait_timeout), "3.10.8");
}

}  // namespace
}  // namespace tcpscope::track
