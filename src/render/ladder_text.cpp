#include "render/ladder_text.hpp"

#include <algorithm>

#include "render/text_util.hpp"

namespace tcpscope::render {
namespace {

constexpr std::size_t kStateColumn = 15;  // "SYN-RECEIVED" and "ESTABLISHED" fit with room
constexpr std::size_t kNumberColumn = 5;  // "#123 "

// "ESTABLISHED", or "ESTABLISHED (assumed)" before a capture that started mid-connection.
void append_state(FastAppender& out, TcpState s, bool assumed, const Messages& msgs) {
  append_text(out, to_string(s));
  if (!assumed) return;
  append_text(out, std::string_view(" ("));
  append_text(out, msgs[Msg::assumed]);
  out.put(')');
}

std::size_t state_width(TcpState s, bool assumed, const Messages& msgs) {
  return to_string(s).size() + (assumed ? 3 + display_width(msgs[Msg::assumed]) : 0);
}

}  // namespace

void ladder_text(fmt::memory_buffer& out, const LadderLayout& layout, std::size_t first_row,
                 std::size_t end_row, const Messages& msgs, bool color, std::size_t indent) {
  FastAppender appender(out);
  ladder_text(appender, layout, first_row, end_row, msgs, color, indent);
}

void ladder_text(FastAppender& out, const LadderLayout& layout, std::size_t first_row, std::size_t end_row,
                 const Messages& msgs, bool color, std::size_t indent) {
  const Palette p{color};
  end_row = std::min(end_row, layout.rows.size());
  std::size_t label_width = 24;
  for (std::size_t i = first_row; i < end_row; ++i)
    label_width = std::max(label_width, layout.rows[i].label.size());  // labels are ASCII
  const std::size_t arrow_width = label_width + 8;
  const std::size_t server_column = kStateColumn + kNumberColumn + arrow_width + 2;

  // States before the first row: the initial states, or the states after the previous row.
  TcpState client = layout.client_initial;
  TcpState server = layout.server_initial;
  bool client_assumed = layout.client_assumed;
  bool server_assumed = layout.server_assumed;
  for (std::size_t i = 0; i < first_row && i < layout.rows.size(); ++i) {
    if (layout.rows[i].client_state) client = *layout.rows[i].client_state, client_assumed = false;
    if (layout.rows[i].server_state) server = *layout.rows[i].server_state, server_assumed = false;
  }
  const std::string_view green = p.green(), reset = p.reset();
  out.spaces(indent);
  append_padded(out, msgs[Msg::client], server_column);
  append_text(out, msgs[Msg::server]);
  out.put('\n');
  out.spaces(indent);
  append_text(out, green);
  append_state(out, client, client_assumed, msgs);
  if (const std::size_t w = state_width(client, client_assumed, msgs); w < server_column)
    out.spaces(server_column - w);
  append_state(out, server, server_assumed, msgs);
  append_text(out, reset);
  out.put('\n');
  for (std::size_t i = first_row; i < end_row; ++i) {
    const LadderRow& r = layout.rows[i];
    const std::size_t fill = arrow_width - r.label.size() - 5;
    out.spaces(indent);
    append_text(out, green);
    const std::string_view state = r.client_state ? to_string(*r.client_state) : std::string_view();
    append_text(out, state);
    if (state.size() < kStateColumn) out.spaces(kStateColumn - state.size());  // state names are ASCII
    append_text(out, reset);
    out.put('#');
    const fmt::format_int number(r.number);
    append_text(out, std::string_view(number.data(), number.size()));
    if (1 + number.size() < kNumberColumn) out.spaces(kNumberColumn - 1 - number.size());
    append_text(out, r.anomaly ? p.red() : (r.from_client ? p.cyan() : p.yellow()));
    if (r.from_client) {
      append_text(out, std::string_view("── "));
      append_text(out, r.label.view());
      out.put(' ');
      append_horizontal(out, fill);
      append_text(out, std::string_view("▶"));
    } else {
      append_text(out, std::string_view("◀"));
      append_horizontal(out, fill);
      out.put(' ');
      append_text(out, r.label.view());
      append_text(out, std::string_view(" ──"));
    }
    append_text(out, reset);
    // Without colour a line ends at its arrow when the server's state did not change.
    if (r.server_state || !reset.empty()) {
      append_text(out, std::string_view("  "));
      append_text(out, green);
      if (r.server_state) append_text(out, to_string(*r.server_state));
      append_text(out, reset);
    }
    out.put('\n');
  }
}

}  // namespace tcpscope::render
