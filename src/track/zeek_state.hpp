// Zeek's observer model of a TCP connection (tcp-semantics.md §1): the seven
// per-endpoint states, the conn_state summary and the likely_server_ports set.
// These are facts about what the wire showed, not RFC 9293 endpoint states.
#pragma once
#include <cstdint>
#include <string_view>

namespace tcpscope::track {

// Zeek's endpoint states, numbered as in Zeek's scripts (TCP_INACTIVE = 0 ...).
enum class ZeekEndpointState : std::uint8_t {
  inactive = 0,
  syn_sent = 1,
  syn_ack_sent = 2,
  partial = 3,
  established = 4,
  closed = 5,
  reset = 6,
};

std::string_view zeek_endpoint_state_name(ZeekEndpointState s);

// conn_state values of conn.log.
enum class ZeekConnState : std::uint8_t { S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH };

std::string_view zeek_conn_state_name(ZeekConnState s);

// The inputs of Zeek's conn_state() (main.zeek): both endpoint states, the
// sequence-space sizes, and the history string.
struct ZeekConnFacts {
  ZeekEndpointState orig = ZeekEndpointState::inactive;
  ZeekEndpointState resp = ZeekEndpointState::inactive;
  std::uint64_t orig_size = 0;
  std::uint64_t resp_size = 0;
  std::string_view history;
};

// Pure function of the final facts, evaluated top to bottom as §1.5 lists it.
ZeekConnState zeek_conn_state(const ZeekConnFacts& f);

// True when the whole history matches Zeek's pattern /^?S[^HAFGIQ]*R.*/.
bool zeek_history_is_rstos0(std::string_view history);

// Zeek's default likely_server_ports for TCP (the union of the ports that the
// default protocol scripts register).
bool zeek_likely_server_port(std::uint16_t port);

}  // namespace tcpscope::track
