// Each subcommand lives in its own cmd_<name>.cpp with an options struct, an
// add_<name>_command(CLI::App&) that registers it, and a run_<name>(options).
#pragma once
#include <CLI/CLI.hpp>

namespace tcpscope::cli {

// `print` (the default): tcpdump-compatible options, parsed tcpdump's way (getopt
// clusters such as -nnvvv), so it does not go through CLI11. Returns the exit status.
int run_print_argv(int argc, char** argv);

// Subcommands registered on the top-level CLI11 app. Each sets its own callback,
// which stores the exit status in `exit_status`.
void add_conns_command(CLI::App& app, int& exit_status);
void add_explain_command(CLI::App& app, int& exit_status);
void add_diagram_command(CLI::App& app, int& exit_status);
void add_lab_command(CLI::App& app, int& exit_status);
void add_server_command(CLI::App& app, int& exit_status);
void add_client_command(CLI::App& app, int& exit_status);

}  // namespace tcpscope::cli
