// `tcpscope diagram [-r FILE | -i IFACE] [filter] --format text|svg|html|mermaid|json [-o OUT] [--conn N]`:
// the ladder of each connection (or of one) as text, SVG, a self-contained HTML
// report, a Mermaid sequenceDiagram or the JSON timeline.
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/explain_session.hpp"
#include "cli/source_options.hpp"
#include "render/diagrams.hpp"
#include "render/explain_json.hpp"
#include "render/ladder_layout.hpp"
#include "render/ladder_text.hpp"

namespace tcpscope::cli {

struct DiagramOptions {
  SourceArgs source;
  std::string format = "text";
  std::string output;
  std::uint64_t conn = 0;
  bool relative = false;
  std::string color = "never";
};

int run_diagram(DiagramOptions& options);

int run_diagram(DiagramOptions& options) {
  if (std::string e = finish_source_options(options.source); !e.empty()) {
    report_error("diagram: " + e);
    return 2;
  }
  const std::string& format = options.format;
  const bool live = options.source.options.read_file.empty();
  if (live) {  // connections are explained as they end: deliver packets at once, wake up to run timers
    options.source.options.live.immediate = true;
    options.source.options.live.timeout_ms = 200;
  }
  options.source.options.verbose = true;  // no "use -v" hint: explain always decodes in full
  std::FILE* file = stdout;
  if (!options.output.empty() && options.output != "-") {
    file = std::fopen(options.output.c_str(), "wb");
    if (file == nullptr) {
      report_error(fmt::format("diagram: cannot write {}: {}", options.output, std::strerror(errno)));
      return 1;
    }
  }
  const bool color = file == stdout && use_color(options.color);
  const render::Messages msgs(render::Lang::en);
  fmt::memory_buffer out;
  fmt::memory_buffer svgs;  // svg: the connections' pictures, stacked in one document at the end
  int svg_height = 0;
  render::HtmlReport html(options.relative);
  std::size_t written = 0;
  const auto emit = [&] {
    std::fwrite(out.data(), 1, out.size(), file);
    std::fflush(file);
    out.clear();
  };
  if (format == "json") out.push_back('[');
  ExplainSession session(options.conn, true, live, [&](const track::ConnectionTimeline& tl) {
    if (format == "text") {
      if (written) out.push_back('\n');
      fmt::format_to(fmt::appender(out), "Connection {}\n", tl.id);
      const render::LadderLayout layout = render::layout_ladder(tl, options.relative);
      render::ladder_text(out, layout, 0, layout.rows.size(), msgs, color, 2);
    } else if (format == "mermaid") {
      if (written) out.push_back('\n');
      fmt::format_to(fmt::appender(out), "%% Connection {}\n", tl.id);
      render::mermaid(out, tl, options.relative);
    } else if (format == "json") {
      if (written) out.push_back(',');
      out.push_back('\n');
      render::explain_json(out, tl);
    } else if (format == "svg") {
      svg_height += render::svg(svgs, tl, options.relative, false, svg_height) + 10;
    } else {
      html.add(tl);
    }
    ++written;
    if (out.size() > (1u << 16) || (live && out.size() > 0)) emit();
  });
  session.sink_on_second_thread();  // the sink's captures are not touched here until finish()
  int status = run_pipeline(options.source.options, &session);
  session.finish();
  if (format == "json") {
    out.append(std::string_view(written ? "\n]\n" : "]\n"));
  } else if (format == "svg") {
    fmt::format_to(
        fmt::appender(out),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"980\" "
        "height=\"{0}\" viewBox=\"0 0 980 {0}\">\n",
        svg_height);
    out.append(std::string_view(svgs.data(), svgs.size()));
    out.append(std::string_view("</svg>\n"));
  } else if (format == "html") {
    html.write(out);
  }
  emit();
  if (file != stdout && std::fclose(file) != 0) {
    report_error(fmt::format("diagram: cannot write {}: {}", options.output, std::strerror(errno)));
    status = 1;
  }
  if (std::string e = conn_range_error(options.conn, session); !e.empty()) {
    report_error("diagram: " + e);
    if (status == 0) status = 2;
  }
  return status;
}

void add_diagram_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<DiagramOptions>();
  auto* cmd =
      app.add_subcommand("diagram", "draw each TCP connection's ladder: text, svg, html, mermaid or json");
  add_source_options(*cmd, options->source);
  cmd->add_option("--format", options->format, "text | svg | html | mermaid | json")
      ->check(CLI::IsMember({"text", "svg", "html", "mermaid", "json"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", options->output, "write to this file instead of standard output");
  cmd->add_option("--conn", options->conn, "draw only connection N (as numbered by `conns`)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--relative", options->relative, "seq/ack relative to each side's ISN");
  cmd->add_option("--color", options->color, "text format: auto | always | never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->callback([options, &exit_status] { exit_status = run_diagram(*options); });
}

}  // namespace tcpscope::cli
