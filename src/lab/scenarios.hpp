// The lab's named scenarios: how the server and the client behave, which
// packet the server namespace's nftables rule drops, and what to expect.
#pragma once
#include <cstdint>
#include <span>
#include <string_view>

#include "lab/pingpong.hpp"

namespace tcpscope::lab {

enum class DropRule : std::uint8_t {
  none,
  first_syn,   // the client's first SYN: it retransmits after ~1 s
  first_data,  // the client's first data segment: it retransmits after the RTO
};

struct Scenario {
  std::string_view name;
  std::string_view summary_en;
  std::string_view summary_zh;
  bool ipv6 = false;
  bool listen = true;  // false: nobody listens (refused)
  // server
  int server_hold_ms = 200;
  CloseMode server_close = CloseMode::normal;
  bool server_read_until_eof = false;
  int server_delay_before_read_ms = 0;
  int server_receive_buffer = 0;
  // client
  CloseMode client_close = CloseMode::normal;
  bool client_read_until_eof = false;
  int client_hold_ms = 0;
  std::size_t message_repeat = 1;
  int keepalive_idle_s = 0;
  int connections = 1;          // >1: the same client port again (port reuse)
  bool close_together = false;  // both close at the same instant (simultaneous close, best effort)
  DropRule drop = DropRule::none;
  bool deterministic = true;  // the verdict must be "agree"
};

std::span<const Scenario> all_scenarios();
const Scenario* find_scenario(std::string_view name);

}  // namespace tcpscope::lab
