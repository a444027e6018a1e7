// Placeholder until the conns command lands.
#include "cli/commands.hpp"

namespace tcpscope::cli {
void add_conns_command(CLI::App& app, int& exit_status) {
  auto* cmd = app.add_subcommand("conns", "one row per TCP connection");
  cmd->callback([&exit_status] { exit_status = 1; });
}
}  // namespace tcpscope::cli
