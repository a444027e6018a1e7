// Diagrams of a connection's ladder (from ladder_layout): Mermaid
// sequenceDiagram, a standalone SVG, and the self-contained HTML report.
#pragma once
#include <fmt/format.h>

#include <string>
#include <vector>

#include "render/ladder_layout.hpp"
#include "track/timeline.hpp"

namespace tcpscope::render {

// A Mermaid sequenceDiagram (for pasting into Markdown).
void mermaid(fmt::memory_buffer& out, const track::ConnectionTimeline& tl, bool relative);

// An <svg> element: two lifelines, a time axis, slanted arrows, states on their
// sides, phases as bands, anomalies in red. `standalone` adds the XML declaration;
// `y` places it inside an enclosing <svg> (several connections stacked). Returns its height.
int svg(fmt::memory_buffer& out, const track::ConnectionTimeline& tl, bool relative, bool standalone,
        int y = 0);

// The HTML report: self-contained (inline CSS, JS, data; no network).
class HtmlReport {
 public:
  explicit HtmlReport(bool relative) : relative_(relative) {}
  // Adds one connection (its list entry, ladder SVG and segments).
  void add(const track::ConnectionTimeline& tl);
  void write(fmt::memory_buffer& out) const;
  std::size_t size() const { return count_; }

 private:
  bool relative_;
  std::size_t count_ = 0;
  fmt::memory_buffer data_;  // JSON array elements, one per connection
};

}  // namespace tcpscope::render
