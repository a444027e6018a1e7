// tcpscope entry point: subcommands go through CLI11; anything else is the
// tcpdump-compatible `print` command, as in `tcpscope -S -nn -vvv -r x.pcap`.
// Exit status: 0 success, 1 runtime error, 2 usage error (see tcpscope(1)).
#include <cstring>

#include "cli/app.hpp"
#include "cli/commands.hpp"

int main(int argc, char** argv) {
  using namespace tcpscope::cli;
  CLI::App app{"tcpscope: see TCP connections, segment by segment"};
  app.name("tcpscope");
  app.require_subcommand(1);
  int exit_status = 0;
  register_subcommands(app, exit_status);

  if (argc >= 2 && std::strcmp(argv[1], "print") == 0)
    return run_print_argv(argc - 1, argv + 1, subcommand_usage(app));
  if (argc < 2 || !is_subcommand(app, argv[1])) return run_print_argv(argc, argv, subcommand_usage(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  return exit_status;
}
