// The top-level command line: the CLI11 app with every subcommand registered,
// and the usage text `tcpscope --help` prints (tcpdump's usage for `print`,
// then one usage line per subcommand, generated from what is registered).
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace tcpscope::cli {

// Registers every CLI11 subcommand (all but `print`) on `app`, with errors
// reported as "tcpscope: ..." on stderr. Each stores its exit status in `exit_status`.
void register_subcommands(CLI::App& app, int& exit_status);

// True when `arg` names a CLI11 subcommand registered on `app`.
bool is_subcommand(const CLI::App& app, std::string_view arg);

// "       tcpscope conns [-r FILE] [-i IFACE] ... [expression]" lines, one per
// subcommand, every option listed, wrapped like tcpdump's usage.
std::string subcommand_usage(const CLI::App& app);

// Every option name a subcommand registers ("-r", "--read", "--format", ...),
// help excluded; positionals are not included.
std::vector<std::string> option_names(const CLI::App& subcommand);

}  // namespace tcpscope::cli
