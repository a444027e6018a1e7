#include "cli/app.hpp"

#include "cli/commands.hpp"

namespace tcpscope::cli {
namespace {

constexpr std::size_t kUsageWidth = 96;

// The value's placeholder in a usage line: "file", "interface", "n", or the
// choices a description lists as "a | b | c".
std::string value_name(const CLI::Option& option) {
  const std::string name = option.get_name();
  if (name == "-r" || name == "-w" || name == "-o" || name == "--read" || name == "--output") return "file";
  if (name == "-i" || name == "--interface") return "interface";
  const std::string& description = option.get_description();
  if (description.find(" | ") != std::string::npos) {
    std::string choices;
    std::size_t start = description.find_first_not_of(' ', description.find(':') + 1);
    if (description.find(':') == std::string::npos) start = 0;
    for (std::size_t i = start; i < description.size(); ++i)
      if (description[i] != ' ') choices += description[i];
    return choices;
  }
  const std::string type = option.get_type_name();
  if (type == "UINT" || type == "INT" || type == "NUMBER") return "n";
  return "value";
}

// "[-r file]" for an option with a value, "[--stats]" for a flag, "[expression]" for the filter.
std::string usage_item(const CLI::Option& option) {
  if (option.get_positional()) return "[expression]";
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
