// `tcpscope server [--bind 0.0.0.0] [--port 1234] [--reply pong] [--hold 2s] [--close
// normal|abort|shutdown]`: the article's server.php.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "lab/pingpong.hpp"

namespace tcpscope::cli {

struct ServerCommandOptions {
  std::string bind = "0.0.0.0";
  std::uint16_t port = 1234;
  std::string reply = "pong";
  std::string hold = "2s";
  std::string close = "normal";
  int count = 0;
};

int run_server_command(const ServerCommandOptions& o) {
  lab::ServerOptions so;
  const auto hold = lab::parse_duration_ms(o.hold);
  const auto close = lab::parse_close_mode(o.close);
  if (!hold) {
    std::fprintf(stderr, "tcpscope server: bad --hold '%s' (e.g. 2s, 500ms)\n", o.hold.c_str());
    return 2;
  }
  if (!close) {
    std::fprintf(stderr, "tcpscope server: bad --close '%s' (normal, abort, shutdown)\n", o.close.c_str());
    return 2;
  }
  so.bind = o.bind;
  so.port = o.port;
  so.reply = o.reply;
  so.hold_ms = *hold;
  so.close = *close;
  so.max_connections = o.count;
  so.on_listening = [&o] {
    std::fprintf(stderr, "tcpscope server: listening on %s port %u (backlog 5)\n", o.bind.c_str(), o.port);
  };
  if (const Error e = lab::run_server(so)) {
    std::fprintf(stderr, "tcpscope server: %s\n", e.message.c_str());
    return 1;
  }
  return 0;
}

void add_server_command(CLI::App& app, int& exit_status) {
  auto o = std::make_shared<ServerCommandOptions>();
  auto* cmd = app.add_subcommand("server", "the article's ping/pong server (server.php)");
  cmd->add_option("--bind", o->bind, "address to listen on (IPv4 or IPv6)")->capture_default_str();
  cmd->add_option("--port", o->port, "TCP port")->capture_default_str();
  cmd->add_option("--reply", o->reply, "what to answer")->capture_default_str();
  cmd->add_option("--hold", o->hold, "sleep between the reply and close")->capture_default_str();
  cmd->add_option("--close", o->close, "normal | abort (RST) | shutdown (half-close first)")
      ->capture_default_str();
  cmd->add_option("--count", o->count, "stop after N connections (0: serve forever)")->capture_default_str();
  cmd->callback([o, &exit_status] { exit_status = run_server_command(*o); });
}

}  // namespace tcpscope::cli
