// `tcpscope client HOST [--port 1234] [--message ping] [--close normal|abort|shutdown]`:
// the article's client.php.
#include <cstdio>
#include <memory>
#include <string>

#include "cli/commands.hpp"
#include "lab/pingpong.hpp"

namespace tcpscope::cli {

struct ClientCommandOptions {
  std::string host;
  std::uint16_t port = 1234;
  std::string message = "ping";
  std::string close = "normal";
  std::string timeout = "5s";
};

int run_client_command(const ClientCommandOptions& o) {
  const auto close = lab::parse_close_mode(o.close);
  const auto timeout = lab::parse_duration_ms(o.timeout);
  if (!close) {
    std::fprintf(stderr, "tcpscope client: bad --close '%s' (normal, abort, shutdown)\n", o.close.c_str());
    return 2;
  }
  if (!timeout || *timeout == 0) {
    std::fprintf(stderr, "tcpscope client: bad --timeout '%s' (e.g. 5s, 500ms)\n", o.timeout.c_str());
    return 2;
  }
  lab::ClientOptions co;
  co.host = o.host;
  co.port = o.port;
  co.message = o.message;
  co.close = *close;
  co.connect_timeout_ms = *timeout;
  co.io_timeout_ms = *timeout;
  if (const Error e = lab::run_client(co)) {
    std::fprintf(stderr, "tcpscope client: %s\n", e.message.c_str());
    return 1;
  }
  return 0;
}

void add_client_command(CLI::App& app, int& exit_status) {
  auto o = std::make_shared<ClientCommandOptions>();
  auto* cmd = app.add_subcommand("client", "the article's ping/pong client (client.php)");
  cmd->add_option("host", o->host, "server address (IPv4, IPv6 or name)")->required();
  cmd->add_option("--port", o->port, "TCP port")->capture_default_str();
  cmd->add_option("--message", o->message, "what to send")->capture_default_str();
  cmd->add_option("--close", o->close, "normal | abort (RST) | shutdown (half-close first)")
      ->capture_default_str();
  cmd->add_option("--timeout", o->timeout, "limit for connect and each read/write")->capture_default_str();
  cmd->callback([o, &exit_status] { exit_status = run_client_command(*o); });
}

}  // namespace tcpscope::cli
