// `tcpscope explain [-r FILE | -i IFACE] [filter] [--conn N] [--lang en|zh]
// [--color auto|always|never] [--compact] [--relative] [--format text|json]`:
// the article's three-phase analysis of every TCP connection (or of one).
// Live: each connection is explained as soon as it ends, the rest on Ctrl-C.
#include <fmt/format.h>

#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "cli/explain_session.hpp"
#include "cli/source_options.hpp"
#include "render/explain_json.hpp"
#include "render/explain_text.hpp"

namespace tcpscope::cli {

struct ExplainOptions {
  SourceArgs source;
  std::uint64_t conn = 0;
  std::string lang = "en";
  std::string color = "auto";
  std::string format = "text";
  bool compact = false;
  bool relative = false;
};

int run_explain(ExplainOptions& options);

int run_explain(ExplainOptions& options) {
  if (std::string e = finish_source_options(options.source); !e.empty()) {
    report_error("explain: " + e);
    return 2;
  }
  const bool json = options.format == "json";
  render::ExplainTextOptions text;
  text.lang = options.lang == "zh" ? render::Lang::zh : render::Lang::en;
  text.color = use_color(options.color);
  text.relative = options.relative;
  const render::Messages messages(text.lang);  // shared by every connection (and render thread)
  text.messages = &messages;
  const bool live = options.source.options.read_file.empty();
  if (live) {  // connections are explained as they end: deliver packets at once, wake up to run timers
    options.source.options.live.immediate = true;
    options.source.options.live.timeout_ms = 200;
  }
  options.source.options.verbose = true;  // no "use -v" hint: explain always decodes in full

  if (!live) keep_freed_memory();
  fmt::memory_buffer out;
  const auto emit = [&out] {
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    out.clear();
  };
  // Connection number `index` (0-based, in output order) with its separator.
  const auto render_one = [json, &text](const track::ConnectionTimeline& tl, std::uint64_t index,
                                        fmt::memory_buffer& to) {
    if (json) {
      if (index) to.push_back(',');
      to.push_back('\n');
      render::explain_json(to, tl);
    } else {
      if (index) to.push_back('\n');
      render::explain_text(to, tl, text);
    }
  };
  if (json) out.push_back('[');
  std::uint64_t written = 0;
  ExplainSession session(options.conn, options.compact, live, [&](const track::ConnectionTimeline& tl) {
    render_one(tl, written++, out);
    if (live || out.size() > (1u << 16)) emit();
  });
  // File input: rendered on two threads in parallel, written in order (the sink is not called).
  if (!session.render_on_worker_threads(render_one, [&emit, &out](std::string_view rendered) {
        if (out.size() != 0) emit();  // the opening '['
        std::fwrite(rendered.data(), 1, rendered.size(), stdout);
      }))
    session.sink_on_second_thread();  // the sink's captures are not touched here until finish()
  session.print_text_ahead();
  int status = run_pipeline(options.source.options, &session);
  session.finish();
  if (json) out.append(std::string_view(session.explained() ? "\n]\n" : "]\n"));
  emit();
  if (std::string e = conn_range_error(options.conn, session); !e.empty()) {
    report_error("explain: " + e);
    if (status == 0) status = 2;
  }
  return status;
}

void add_explain_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<ExplainOptions>();
  auto* cmd = app.add_subcommand(
      "explain", "explain every TCP connection: handshake, data, teardown, both endpoints' states");
  add_source_options(*cmd, options->source);
  cmd->add_option("--conn", options->conn, "explain only connection N (as numbered by `conns`)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--lang", options->lang, "en | zh")
      ->check(CLI::IsMember({"en", "zh"}))
      ->capture_default_str();
  cmd->add_option("--color", options->color, "auto | always | never")
      ->check(CLI::IsMember({"auto", "always", "never"}))
      ->capture_default_str();
  cmd->add_option("--format", options->format, "text | json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_flag("--compact", options->compact, "one line per segment (tcpdump -S -nn without -v)");
  cmd->add_flag("--relative", options->relative,
                "seq/ack relative to each side's ISN in the tables and ladders");
  cmd->callback([options, &exit_status] { exit_status = run_explain(*options); });
}

}  // namespace tcpscope::cli
