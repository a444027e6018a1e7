#include "render/conns_table.hpp"

#include <fmt/compile.h>

#include <algorithm>

#include "render/conn_fields.hpp"
#include "render/row_text.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::render {

namespace {
constexpr std::string_view kFormat =
    "{:>5} {:<21} {:<21} {:<14} {:>17} {:>10} {:>11} {:>15} {:<25} {:<23} {:<6} {:<14} {:>9}\n";

}  // namespace

void conns_table_header(fmt::memory_buffer& out) {
  fmt::format_to(fmt::appender(out), kFormat, "conn", "client", "server", "roles_from", "start", "duration",
                 "segs c>s/s>c", "bytes c>s/s>c", "close", "final client/server", "zeek", "history", "irtt");
}

namespace {
// The text of one column, built without a heap allocation (the buffer's inline bytes).
class Cell {
 public:
  RowText& text() { return text_; }
  std::string_view view() {
    text_.commit();
    return {buf_.data(), buf_.size()};
  }

 private:
  fmt::memory_buffer buf_;
  RowText text_{buf_};
};

// secs() without a std::string: the same "{:.6f}" of the seconds as a double, or "-".
std::string_view seconds_cell(char (&buf)[48], std::int64_t ns) {
  if (ns < 0) return "-";
  const auto end = fmt::format_to_n(buf, sizeof buf, FMT_COMPILE("{:.6f}"), static_cast<double>(ns) / 1e9);
  return {buf, std::min(end.size, sizeof buf)};
}

// "1.2.3.4:80" or "[::1]:80" (endpoint_text()).
void endpoint_cell(RowText& t, const Endpoint& e) {
  if (e.addr.is_v6())
    t.ch('[').ip(e.addr).ch(']');
  else
    t.ip(e.addr);
  t.ch(':').num(e.port);
}
}  // namespace

void conns_table_row(fmt::memory_buffer& out, const track::Connection& c) {
  // Columns as kFormat lays them out (the header's widths).
  const track::ZeekSession& z = c.zeek;
  const track::ZeekHistoryText letters = z.history();
  Cell id, client, server, roles, segments, bytes;
  id.text().num(c.id());
  endpoint_cell(client.text(), c.client());
  endpoint_cell(server.text(), c.server());
  roles.text().text(track::role_reason_name(c.role_reason));
  if (c.role_contradicted) roles.text().ch('!');
  segments.text().num(c.segments(c.client_side)).ch('/').num(c.segments(c.server_side()));
  bytes.text().num(c.payload_bytes(c.client_side)).ch('/').num(c.payload_bytes(c.server_side()));
  char start_buf[48], duration_buf[48], irtt_buf[48];
  std::string_view close = "-";
  Cell states;
  if (c.inference.started()) {  // close_kind_text() and final_states_text(), finished once
    const track::InferenceEnd end = c.inference.finish();
    close = track::close_kind_name(end.kind);
    states.text().text(to_string(end.client.state)).ch('/').text(to_string(end.server.state));
  } else {
    states.text().ch('-');
  }
  RowText t(out);
  t.right(id.view(), 5).ch(' ').left(client.view(), 21).ch(' ').left(server.view(), 21).ch(' ');
  t.left(roles.view(), 14).ch(' ').right(seconds_cell(start_buf, c.first_ns()), 17).ch(' ');
  t.right(seconds_cell(duration_buf, c.duration()), 10).ch(' ').right(segments.view(), 11).ch(' ');
  t.right(bytes.view(), 15).ch(' ').left(close, 25).ch(' ').left(states.view(), 23).ch(' ');
  t.left(track::zeek_conn_state_name(z.conn_state()), 6).ch(' ');
  t.left(letters.empty() ? std::string_view("-") : letters.view(), 14).ch(' ');
  t.right(seconds_cell(irtt_buf, c.irtt_ns()), 9).ch('\n');
}

}  // namespace tcpscope::render
