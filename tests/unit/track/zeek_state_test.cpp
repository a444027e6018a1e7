// Zeek's conn_state() decision table (tcp-semantics.md §1.5), one row per rule,
// plus the RSTOS0 history pattern and likely_server_ports.
#include "track/zeek_state.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using tcpscope::track::ZeekConnFacts;
using tcpscope::track::ZeekConnState;
using E = tcpscope::track::ZeekEndpointState;

struct Row {
  const char* name;
  E orig;
  E resp;
  std::uint64_t orig_size;
  std::uint64_t resp_size;
  const char* history;
  ZeekConnState expected;
};

class ConnStateTable : public ::testing::TestWithParam<Row> {};

TEST_P(ConnStateTable, FirstMatchingRuleWins) {
  const Row& r = GetParam();
  const ZeekConnFacts f{r.orig, r.resp, r.orig_size, r.resp_size, r.history};
  EXPECT_EQ(tcpscope::track::zeek_conn_state(f), r.expected)
      << r.name << ": got " << tcpscope::track::zeek_conn_state_name(tcpscope::track::zeek_conn_state(f));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ConnStateTable,
    ::testing::Values(
        // 1: responder RST against an unanswered SYN, or both RST without data.
        Row{"rej_syn_sent", E::syn_sent, E::reset, 0, 0, "Sr", ZeekConnState::REJ},
        Row{"rej_syn_ack_sent", E::syn_ack_sent, E::reset, 0, 0, "Hr", ZeekConnState::REJ},
        Row{"rej_both_reset_no_data", E::reset, E::reset, 0, 0, "SrR", ZeekConnState::REJ},
        // 2: responder RST, originator never really started.
        Row{"rstrh_inactive", E::inactive, E::reset, 0, 0, "r", ZeekConnState::RSTRH},
        Row{"rstrh_partial", E::partial, E::reset, 10, 0, "Dr", ZeekConnState::RSTRH},
        // 3: responder RST otherwise.
        Row{"rstr_established", E::established, E::reset, 5, 5, "ShADadr", ZeekConnState::RSTR},
        Row{"rstr_both_reset_with_data", E::reset, E::reset, 1, 0, "ShADRr", ZeekConnState::RSTR},
        Row{"rstr_after_fin", E::closed, E::reset, 0, 0, "SFhr", ZeekConnState::RSTR},
        // 4/5: originator RST, responder silent.
        Row{"rstos0_sr", E::reset, E::inactive, 0, 0, "SR", ZeekConnState::RSTOS0},
        Row{"rstos0_sar", E::reset, E::inactive, 0, 0, "SaR", ZeekConnState::RSTOS0},
        Row{"oth_safr", E::reset, E::inactive, 0, 0, "SaFR", ZeekConnState::OTH},
        Row{"oth_lone_r", E::reset, E::inactive, 0, 0, "R", ZeekConnState::OTH},
        // 6: originator RST, responder active.
        Row{"rsto", E::reset, E::established, 474, 23783, "ShADaGdgtR", ZeekConnState::RSTO},
        // 7-9: originator closed.
        Row{"sf", E::closed, E::closed, 1, 1, "ShADadFf", ZeekConnState::SF},
        Row{"sh_inactive", E::closed, E::inactive, 5, 0, "SADF", ZeekConnState::SH},
        Row{"sh_partial", E::closed, E::partial, 5, 0, "DAFa", ZeekConnState::SH},
        Row{"s2", E::closed, E::established, 5, 0, "ShADF", ZeekConnState::S2},
        // 10-11: responder closed.
        Row{"shr", E::inactive, E::closed, 0, 9, "^hdaf", ZeekConnState::SHR},
        Row{"s3", E::established, E::closed, 0, 9, "ShAdf", ZeekConnState::S3},
        // 12-14.
        Row{"s0", E::syn_sent, E::inactive, 0, 0, "S", ZeekConnState::S0},
        Row{"s1", E::established, E::established, 3, 3, "ShADad", ZeekConnState::S1},
        Row{"oth_partial_both", E::partial, E::partial, 463, 350, "DdA", ZeekConnState::OTH},
        Row{"oth_syn_ack_only", E::inactive, E::established, 0, 0, "^h", ZeekConnState::OTH},
        Row{"oth_nothing", E::inactive, E::inactive, 0, 0, "C", ZeekConnState::OTH}),
    [](const ::testing::TestParamInfo<Row>& row) { return std::string(row.param.name); });

TEST(ZeekHistoryPattern, Rstos0IsAnchoredAndExcludesUppercaseHAFGIQ) {
  using tcpscope::track::zeek_history_is_rstos0;
  EXPECT_TRUE(zeek_history_is_rstos0("SR"));
  EXPECT_TRUE(zeek_history_is_rstos0("^SR"));
  EXPECT_TRUE(zeek_history_is_rstos0("SaR"));
  EXPECT_TRUE(zeek_history_is_rstos0("SdDTRx"));  // anything after the R
  EXPECT_FALSE(zeek_history_is_rstos0("SaFR"));
  EXPECT_FALSE(zeek_history_is_rstos0("SAR"));
  EXPECT_FALSE(zeek_history_is_rstos0("R"));
  EXPECT_FALSE(zeek_history_is_rstos0("S"));
  EXPECT_FALSE(zeek_history_is_rstos0("hSR"));
}

TEST(ZeekLikelyServerPorts, DefaultSet) {
  using tcpscope::track::zeek_likely_server_port;
  for (std::uint16_t p : {21, 22, 80, 443, 1080, 6379, 6669, 8000, 8080, 20000})
    EXPECT_TRUE(zeek_likely_server_port(p)) << p;
  for (std::uint16_t p : {0, 23, 1433, 2745, 8118, 40000, 65535})
    EXPECT_FALSE(zeek_likely_server_port(p)) << p;
}

}  // namespace
