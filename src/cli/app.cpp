#include "cli/app.hpp"

#include "cli/commands.hpp"

namespace tcpscope::cli {
namespace {

constexpr std::size_t kUsageWidth = 96;

// The value's placeholder in a usage line: "file", "interface", "n", ..., or the
// choices a description lists as "a | b (why) | c" -> "a|b|c".
std::string value_name(const CLI::Option& option) {
  const std::string name = option.get_name();
  if (name == "-r" || name == "-w" || name == "-o" || name == "--read" || name == "--output") return "file";
  if (name == "-i" || name == "--interface") return "interface";
  if (name == "-Z" || name == "--relinquish-privileges") return "user";
  if (name == "--bind") return "address";
  if (name == "--hold" || name == "--timeout") return "time";
  if (name == "--reply" || name == "--message") return "text";
  std::string description = option.get_description();
  if (description.find(" | ") != std::string::npos) {
    if (const auto colon = description.find(": "); colon != std::string::npos)
      description.erase(0, colon + 2);
    std::string choices;
    std::size_t start = 0;
    for (;;) {
      const auto bar = description.find(" | ", start);
      const std::string piece =
          description.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      if (!choices.empty()) choices += '|';
      choices += piece.substr(0, piece.find(' '));
      if (bar == std::string::npos) break;
      start = bar + 3;
    }
    return choices;
  }
  if (option.get_type_name().find("INT") != std::string::npos) return "n";
  return "value";
}

// "[-r file]" for an option with a value, "[--stats]" for a flag, "[expression]" for
// the filter words, "[scenario]" / "host" for other positionals.
std::string usage_item(const CLI::Option& option) {
  if (option.get_positional()) {
    const std::string name = option.get_name(true);
    if (name == "filter") return "[expression]";
    return option.get_required() ? name : "[" + name + "]";
  }
  const auto& shorts = option.get_snames();
  const auto& longs = option.get_lnames();
  const std::string name = !shorts.empty() ? "-" + shorts.front() : "--" + longs.front();
  if (option.get_type_name().empty()) return "[" + name + "]";  // a flag
  return "[" + name + " " + value_name(option) + "]";
}

}  // namespace

void register_subcommands(CLI::App& app, int& exit_status) {
  // Set before the subcommands are added: each copies its parent's failure message.
  app.failure_message([](const CLI::App*, const CLI::Error& e) {
    return std::string("tcpscope: ") + e.what() + " (see tcpscope --help)\n";
  });
  add_conns_command(app, exit_status);
  add_explain_command(app, exit_status);
  add_diagram_command(app, exit_status);
  add_lab_command(app, exit_status);
  add_server_command(app, exit_status);
  add_client_command(app, exit_status);
}

bool is_subcommand(const CLI::App& app, std::string_view arg) {
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; }))
    if (sub->get_name() == arg) return true;
  return false;
}

std::string subcommand_usage(const CLI::App& app) {
  std::string out;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    const std::string lead = "       tcpscope " + sub->get_name();
    std::string line = lead;
    const std::string indent(lead.size() + 1, ' ');
    std::string positional;
    for (const CLI::Option* option : sub->get_options()) {
      if (option == sub->get_help_ptr()) continue;
      const std::string item = usage_item(*option);
      if (option->get_positional()) {
        positional = item;
        continue;
      }
      if (line.size() + 1 + item.size() > kUsageWidth) {
        out += line + "\n";
        line = indent.substr(0, indent.size() - 1);
      }
      line += " " + item;
    }
    if (!positional.empty()) {
      if (line.size() + 1 + positional.size() > kUsageWidth) {
        out += line + "\n";
        line = indent.substr(0, indent.size() - 1);
      }
      line += " " + positional;
    }
    out += line + "\n";
  }
  return out;
}

std::vector<std::string> option_names(const CLI::App& subcommand) {
  std::vector<std::string> names;
  for (const CLI::Option* option : subcommand.get_options()) {
    if (option == subcommand.get_help_ptr() || option->get_positional()) continue;
    for (const auto& s : option->get_snames()) names.push_back("-" + s);
    for (const auto& l : option->get_lnames()) names.push_back("--" + l);
  }
  return names;
}

}  // namespace tcpscope::cli
