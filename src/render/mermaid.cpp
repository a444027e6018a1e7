#include "render/diagrams.hpp"
#include "render/ladder_layout.hpp"

namespace tcpscope::render {
namespace {

std::string endpoint_text(const Endpoint& e) {
  // tcpdump's "addr.port" form: a colon would end Mermaid's participant alias early.
  return fmt::format("{}.{}", e.addr.to_string(), e.port);
}

std::string_view phase_title(track::Phase p) {
  switch (p) {
    case track::Phase::before_capture:
      return "Before the capture";
    case track::Phase::handshake:
      return "Handshake";
    case track::Phase::data_transfer:
      return "Data transfer";
    case track::Phase::teardown:
      return "Teardown";
    case track::Phase::reset:
      return "Reset";
  }
  return "";
}

}  // namespace

void mermaid(fmt::memory_buffer& out, const track::ConnectionTimeline& tl, bool relative) {
  const LadderLayout layout = layout_ladder(tl, relative);
  auto o = fmt::appender(out);
  fmt::format_to(o, "sequenceDiagram\n");
  fmt::format_to(o, "    participant C as Client {}\n", endpoint_text(tl.client));
  fmt::format_to(o, "    participant S as Server {}\n", endpoint_text(tl.server));
  fmt::format_to(o, "    Note over C: {}{}\n", to_string(layout.client_initial),
                 layout.client_assumed ? " (assumed)" : "");
  fmt::format_to(o, "    Note over S: {}{}\n", to_string(layout.server_initial),
                 layout.server_assumed ? " (assumed)" : "");
  if (!tl.phases.empty() && tl.phases.front().phase == track::Phase::before_capture)
    fmt::format_to(o, "    Note over C,S: Before the capture (connection already open)\n");
  for (const LadderBand& band : layout.bands) {
    fmt::format_to(o, "    Note over C,S: {}\n", phase_title(band.phase));
    for (std::size_t i = band.first_row; i < band.end_row; ++i) {
      const LadderRow& r = layout.rows[i];
      fmt::format_to(o, "    {}{}: ({}) {}{}\n", r.from_client ? "C->>" : "S->>", r.from_client ? "S" : "C",
                     r.number, r.label.view(), r.anomaly ? " ⚠" : "");
      if (r.client_state) fmt::format_to(o, "    Note left of C: {}\n", to_string(*r.client_state));
      if (r.server_state) fmt::format_to(o, "    Note right of S: {}\n", to_string(*r.server_state));
    }
  }
}

}  // namespace tcpscope::render
