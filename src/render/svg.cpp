#include <algorithm>
#include <cmath>

#include "render/diagrams.hpp"
#include "render/explain_text.hpp"
#include "render/ladder_layout.hpp"

namespace tcpscope::render {
namespace {

constexpr int kWidth = 980;
constexpr int kClientX = 330;
constexpr int kServerX = 700;
constexpr int kTop = 90;

std::string xml_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string_view band_colour(track::Phase p) {
  switch (p) {
    case track::Phase::handshake:
      return "#e8f1fb";
    case track::Phase::data_transfer:
      return "#eef8ec";
    case track::Phase::teardown:
      return "#fbf3e6";
    case track::Phase::reset:
      return "#fbe9e9";
    case track::Phase::before_capture:
      return "#f2f2f2";
  }
  return "#ffffff";
}

std::string endpoint_text(const Endpoint& e) {
  return e.addr.is_v6() ? fmt::format("[{}]:{}", e.addr.to_string(), e.port)
                        : fmt::format("{}:{}", e.addr.to_string(), e.port);
}

}  // namespace

int svg(fmt::memory_buffer& out, const track::ConnectionTimeline& tl, bool relative, bool standalone,
        int y_offset) {
  const LadderLayout layout = layout_ladder(tl, relative);
  // The slope of each arrow is half the handshake RTT (the one-way delay estimate), 8..40 px.
  const double half_rtt_ms = tl.irtt_ns > 0 ? static_cast<double>(tl.irtt_ns) / 2e6 : 0.0;
  const int slant = static_cast<int>(std::clamp(8.0 + half_rtt_ms, 8.0, 40.0));
  // Rows: at least 40 px apart, more for longer gaps (log scale, so seconds stay readable).
  std::vector<int> ys;
  ys.reserve(layout.rows.size());
  int y = kTop + 40;
  double prev_ms = 0;
  for (std::size_t i = 0; i < layout.rows.size(); ++i) {
    const double gap = layout.rows[i].t_ms - prev_ms;
    if (i) y += 40 + slant + static_cast<int>(std::min(60.0, 12.0 * std::log10(1.0 + std::max(0.0, gap))));
    ys.push_back(y);
    prev_ms = layout.rows[i].t_ms;
  }
  const int height = y + slant + 60;
  auto o = fmt::appender(out);
  if (standalone) fmt::format_to(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  fmt::format_to(
      o,
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"ladder\" y=\"{2}\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"monospace\" font-size=\"12\">\n",
      kWidth, height, y_offset);
  fmt::format_to(
      o,
      "<defs><marker id=\"ah\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">"
      "<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#333\"/></marker>"
      "<marker id=\"ahr\" markerWidth=\"10\" markerHeight=\"8\" refX=\"9\" refY=\"4\" orient=\"auto\">"
      "<path d=\"M0,0 L10,4 L0,8 z\" fill=\"#c62828\"/></marker></defs>\n");
  fmt::format_to(o, "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>\n", kWidth, height);
  // Phase bands.
  for (const LadderBand& b : layout.bands) {
    const int y0 = ys[b.first_row] - 26;
    const int y1 = ys[b.end_row - 1] + slant + 16;
    fmt::format_to(o, "<rect class=\"band\" x=\"90\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"/>\n", y0,
                   kWidth - 100, y1 - y0, band_colour(b.phase));
    fmt::format_to(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#555\">{}</text>\n", kWidth - 16,
                   y0 + 14, track::phase_name(b.phase));
  }
  // Lifelines and headers.
  fmt::format_to(o, "<text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">Client {}</text>\n",
                 kClientX, xml_escape(endpoint_text(tl.client)));
  fmt::format_to(o, "<text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-weight=\"bold\">Server {}</text>\n",
                 kServerX, xml_escape(endpoint_text(tl.server)));
  fmt::format_to(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#2e7d32\">{}{}</text>\n",
                 kClientX - 8, kTop - 20, to_string(layout.client_initial),
                 layout.client_assumed ? " (assumed)" : "");
  fmt::format_to(o, "<text x=\"{}\" y=\"{}\" fill=\"#2e7d32\">{}{}</text>\n", kServerX + 8, kTop - 20,
                 to_string(layout.server_initial), layout.server_assumed ? " (assumed)" : "");
  fmt::format_to(o,
                 "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\" stroke-width=\"2\"/>\n",
                 kClientX, kTop - 10, height - 20);
  fmt::format_to(o,
                 "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#444\" stroke-width=\"2\"/>\n",
                 kServerX, kTop - 10, height - 20);
  fmt::format_to(o, "<line x1=\"86\" y1=\"{}\" x2=\"86\" y2=\"{}\" stroke=\"#999\"/>\n", kTop, height - 20);
  fmt::format_to(o, "<text x=\"86\" y=\"{}\" text-anchor=\"middle\" fill=\"#777\">time</text>\n", kTop - 6);
  // Arrows.
  for (std::size_t i = 0; i < layout.rows.size(); ++i) {
    const LadderRow& r = layout.rows[i];
    const int y0 = ys[i];
    const int x0 = r.from_client ? kClientX : kServerX;
    const int x1 = r.from_client ? kServerX : kClientX;
    const std::string_view colour = r.anomaly ? "#c62828" : "#333";
    fmt::format_to(o, "<g class=\"seg{}\" data-n=\"{}\" data-frame=\"{}\">", r.anomaly ? " anomaly" : "",
                   r.number, r.frame);
    fmt::format_to(
        o,
        "<line class=\"arrow\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\" stroke-width=\"1.5\" "
        "marker-end=\"url(#{})\"/>",
        x0, y0, x1, y0 + slant, colour, r.anomaly ? "ahr" : "ah");
    fmt::format_to(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{}\">{} {}</text>",
                   (kClientX + kServerX) / 2, y0 - 5, colour, r.number, xml_escape(r.label.view()));
    fmt::format_to(o, "<text x=\"82\" y=\"{}\" text-anchor=\"end\" fill=\"#777\" font-size=\"10\">{}</text>",
                   y0 + 4, xml_escape(duration_text(static_cast<std::int64_t>(r.t_ms * 1e6))));
    const int client_y = r.from_client ? y0 : y0 + slant;
    const int server_y = r.from_client ? y0 + slant : y0;
    if (r.client_state)
      fmt::format_to(o, "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" fill=\"#2e7d32\">{}</text>",
                     kClientX - 8, client_y + 4, to_string(*r.client_state));
    if (r.server_state)
      fmt::format_to(o, "<text x=\"{}\" y=\"{}\" fill=\"#2e7d32\">{}</text>", kServerX + 8, server_y + 4,
                     to_string(*r.server_state));
    fmt::format_to(o, "</g>\n");
  }
  fmt::format_to(o, "</svg>\n");
  return height;
}

}  // namespace tcpscope::render
