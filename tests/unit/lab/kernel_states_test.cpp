// The tracefs line parser, on lines recorded from this kernel (6.18) with the
// instance option "fields" set (provenance: `cat instances/X/trace` after a
// loopback connect to 127.0.0.1:45999, 2026-11-25).
#include "lab/kernel_states.hpp"

#include <gtest/gtest.h>

namespace tcpscope::lab {
namespace {

constexpr const char* kConnectLine =
    "         python3-11539   [000] .....  3289.850210: inet_sock_set_state: skaddr=0xffff888102a85c80 "
    "(-131387299963776) oldstate=0x7 (7) newstate=0x2 (2) sport=0x0 (0) dport=0xb3af (45999) family=0x2 (2) "
    "protocol=0x6 (6) saddr=0x100007f (16777343) daddr=0x100007f (16777343) saddr_v6=<INVALID-SIZE> "
    "daddr_v6=<INVALID-SIZE>";

constexpr const char* kChildLine =
    "         python3-11539   [000] ..s2.  3289.850274: inet_sock_set_state: skaddr=0xffff888102a865c0 "
    "(-131387299961408) oldstate=0xa (10) newstate=0x3 (3) sport=0xb3af (45999) dport=0x804c (32844) "
    "family=0x2 (2) protocol=0x6 (6) saddr=0x100007f (16777343) daddr=0x100007f (16777343) "
    "saddr_v6=<INVALID-SIZE> daddr_v6=<INVALID-SIZE>";

TEST(ParseTraceLine, ConnectEventHasPortZeroAndTheSocketAddress) {
  const auto e = parse_trace_line(kConnectLine, 0);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->skaddr, 0xffff888102a85c80ull);
  EXPECT_EQ(e->old_state, LinuxTcpState::close);
  EXPECT_EQ(e->new_state, LinuxTcpState::syn_sent);
  EXPECT_EQ(e->local.port, 0);
  EXPECT_EQ(e->remote.port, 45999);
  EXPECT_EQ(e->local.addr.to_string(), "127.0.0.1");
  EXPECT_EQ(e->remote.addr.to_string(), "127.0.0.1");
  EXPECT_EQ(e->ts.sec, 3289);
  EXPECT_EQ(e->ts.nsec, 850210000);
}

TEST(ParseTraceLine, ChildSocketLeavesListenAndTheClockOffsetIsAdded) {
  const auto e = parse_trace_line(kChildLine, 1'000'000'000'000'000'000);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->old_state, LinuxTcpState::listen);
  EXPECT_EQ(e->new_state, LinuxTcpState::syn_recv);
  EXPECT_EQ(e->local.port, 45999);
  EXPECT_EQ(e->remote.port, 32844);
  EXPECT_EQ(e->ts.sec, 1'000'000'000 + 3289);
  EXPECT_EQ(e->ts.nsec, 850274000);
}

TEST(ParseTraceLine, IgnoresHeadersAndOtherEvents) {
  EXPECT_FALSE(parse_trace_line("# tracer: nop", 0).has_value());
  EXPECT_FALSE(parse_trace_line("#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION", 0).has_value());
  EXPECT_FALSE(
      parse_trace_line("  bash-1 [000] ..... 1.000000: sock_recv_length: sk=0x1 ret=4", 0).has_value());
}

TEST(LinuxStates, NamesAndRfcCounterparts) {
  EXPECT_EQ(linux_state_name(LinuxTcpState::fin_wait1), "FIN_WAIT1");
  EXPECT_EQ(linux_state_name(linux_state_from_number(12)), "NEW_SYN_RECV");
  EXPECT_EQ(linux_state_from_number(13), LinuxTcpState::unknown);
  EXPECT_EQ(to_rfc_state(LinuxTcpState::close), TcpState::Closed);
  EXPECT_EQ(to_rfc_state(LinuxTcpState::syn_recv), TcpState::SynReceived);
  EXPECT_FALSE(to_rfc_state(LinuxTcpState::new_syn_recv).has_value());
}

}  // namespace
}  // namespace tcpscope::lab
