#include "render/conns_table.hpp"

#include "render/conn_fields.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::render {

namespace {
constexpr std::string_view kFormat =
    "{:>5} {:<21} {:<21} {:<14} {:>17} {:>10} {:>11} {:>15} {:<25} {:<23} {:<6} {:<14} {:>9}\n";

std::string secs(std::int64_t ns, int decimals) {
  if (ns < 0) return "-";
  return fmt::format("{:.{}f}", static_cast<double>(ns) / 1e9, decimals);
}
}  // namespace

void conns_table_header(fmt::memory_buffer& out) {
  fmt::format_to(fmt::appender(out), kFormat, "conn", "client", "server", "roles_from", "start", "duration",
                 "segs c>s/s>c", "bytes c>s/s>c", "close", "final client/server", "zeek", "history", "irtt");
}

void conns_table_row(fmt::memory_buffer& out, const track::Connection& c) {
  const track::ZeekSession& z = c.zeek;
  const track::ZeekHistoryText letters = z.history();
  const std::string history(letters.empty() ? std::string_view("-") : letters.view());
  const std::string roles =
      std::string(track::role_reason_name(c.role_reason)) + (c.role_contradicted ? "!" : "");
  fmt::format_to(fmt::appender(out), kFormat, c.id, endpoint_text(c.client()), endpoint_text(c.server()),
                 roles, secs(c.first_ns(), 6), secs(c.duration(), 6),
                 fmt::format("{}/{}", c.client_half().segments, c.server_half().segments),
                 fmt::format("{}/{}", c.payload_bytes(c.client_side), c.payload_bytes(c.server_side())),
                 close_kind_text(c), final_states_text(c), track::zeek_conn_state_name(z.conn_state()),
                 history, secs(c.irtt_ns(), 6));
}

}  // namespace tcpscope::render
