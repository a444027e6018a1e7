#include "render/ladder_text.hpp"

#include <algorithm>

#include "render/text_util.hpp"

namespace tcpscope::render {
namespace {

constexpr std::size_t kStateColumn = 15;  // "SYN-RECEIVED" and "ESTABLISHED" fit with room
constexpr std::size_t kNumberColumn = 5;  // "#123 "

std::string state_text(TcpState s, bool assumed, const Messages& msgs) {
  std::string t(to_string(s));
  if (assumed) t += fmt::format(" ({})", msgs[Msg::assumed]);
  return t;
}

}  // namespace

void ladder_text(fmt::memory_buffer& out, const LadderLayout& layout, std::size_t first_row,
                 std::size_t end_row, const Messages& msgs, bool color, std::size_t indent) {
  const Palette p{color};
  end_row = std::min(end_row, layout.rows.size());
  std::size_t label_width = 24;
  for (std::size_t i = first_row; i < end_row; ++i)
    label_width = std::max(label_width, display_width(layout.rows[i].label));
  const std::size_t arrow_width = label_width + 8;
  const std::string pad(indent, ' ');
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
  fmt::format_to(fmt::appender(out), "{}{}{}{}\n", pad, pad_right(msgs[Msg::client], server_column),
                 msgs[Msg::server], "");
  fmt::format_to(fmt::appender(out), "{}{}{}{}{}{}\n", pad, p.green(),
                 pad_right(state_text(client, client_assumed, msgs), server_column),
                 state_text(server, server_assumed, msgs), p.reset(), "");
  for (std::size_t i = first_row; i < end_row; ++i) {
    const LadderRow& r = layout.rows[i];
    const std::size_t fill = arrow_width - display_width(r.label) - 5;
    std::string arrow = r.from_client ? fmt::format("── {} {}▶", r.label, repeat("─", fill))
                                      : fmt::format("◀{} {} ──", repeat("─", fill), r.label);
    const std::string_view arrow_colour = r.anomaly ? p.red() : (r.from_client ? p.cyan() : p.yellow());
    std::string left = r.client_state ? std::string(to_string(*r.client_state)) : std::string();
    std::string right = r.server_state ? std::string(to_string(*r.server_state)) : std::string();
    std::string line = fmt::format("{}{}{}{}{}{}{}{}  {}{}{}", pad, p.green(), pad_right(left, kStateColumn),
                                   p.reset(), pad_right(fmt::format("#{}", r.number), kNumberColumn),
                                   arrow_colour, arrow, p.reset(), p.green(), right, p.reset());
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out.append(line);
    out.push_back('\n');
  }
}

}  // namespace tcpscope::render
