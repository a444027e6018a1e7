// tcpscope entry point: subcommands go through CLI11; anything else is the
// tcpdump-compatible `print` command, as in `tcpscope -S -nn -vvv -r x.pcap`.
#include <cstdio>
#include <cstring>
#include <string_view>

#include "cli/commands.hpp"

namespace {

constexpr std::string_view kSubcommands[] = {"conns", "explain", "diagram", "lab", "server", "client"};

bool is_subcommand(std::string_view arg) {
  for (auto s : kSubcommands)
    if (s == arg) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace tcpscope::cli;
  if (argc >= 2 && std::strcmp(argv[1], "print") == 0) return run_print_argv(argc - 1, argv + 1);
  if (argc < 2 || !is_subcommand(argv[1])) return run_print_argv(argc, argv);

  CLI::App app{"tcpscope: see TCP connections, segment by segment"};
  app.require_subcommand(1);
  int exit_status = 0;
  add_conns_command(app, exit_status);
  add_explain_command(app, exit_status);
  add_diagram_command(app, exit_status);
  add_lab_command(app, exit_status);
  add_server_command(app, exit_status);
  add_client_command(app, exit_status);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_status;
}
