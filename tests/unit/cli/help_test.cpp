// Every option a subcommand registers is documented everywhere a user looks:
// its --help text, the usage of `tcpscope --help`, its section of the man page
// (doc/tcpscope.1), and the bash and zsh completions. The option lists come from
// the CLI11 registrations (and tcpdump_args' table for `print`), so a new option
// or subcommand that is not documented fails here.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "cli/app.hpp"
#include "cli/tcpdump_args.hpp"

namespace tcpscope::cli {
namespace {

std::string source_dir() {
  const char* dir = std::getenv("TCPSCOPE_SOURCE_DIR");
  return dir ? dir : ".";
}

std::string read_text(const std::string& relative) {
  std::ifstream in(source_dir() + "/" + relative);
  EXPECT_TRUE(in) << "cannot read " << relative;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The man page with roff escapes and font changes removed: "\-\-format" -> "--format".
std::string man_text() {
  std::string roff = read_text("doc/tcpscope.1");
  std::string out;
  for (std::size_t i = 0; i < roff.size(); ++i) {
    if (roff[i] == '\\' && i + 1 < roff.size()) {
      if (roff[i + 1] == '-') {
        out += '-';
        ++i;
        continue;
      }
      if (roff[i + 1] == 'f' && i + 2 < roff.size()) {
        i += 2;
        continue;
      }
    }
    out += roff[i];
  }
  return out;
}

// The text of the man page's ".SS "tcpscope NAME..." section, up to the next .SS/.SH.
std::string man_section(const std::string& man, const std::string& name) {
  const std::string heading = ".SS \"tcpscope " + name;
  const auto start = man.find(heading);
  if (start == std::string::npos) return {};
  auto end = man.find("\n.S", start + heading.size());
  return man.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// True when `option` appears in `text` as a whole word ("-r" does not match "--read").
bool mentions(const std::string& text, const std::string& option) {
  for (auto at = text.find(option); at != std::string::npos; at = text.find(option, at + 1)) {
    const bool clean_before = at == 0 || !(std::isalnum(static_cast<unsigned char>(text[at - 1])) ||
                                           text[at - 1] == '-' || text[at - 1] == '_');
    const auto after = at + option.size();
    const bool clean_after =
        after >= text.size() ||
        !(std::isalnum(static_cast<unsigned char>(text[after])) || text[after] == '-' || text[after] == '_');
    if (clean_before && clean_after) return true;
  }
  return false;
}

// The bash completion's word list for a subcommand: the value of `<name>_opts="..."`.
std::string bash_words(const std::string& name) {
  const std::string bash = read_text("completions/tcpscope.bash");
  const std::string key = name + "_opts=\"";
  const auto start = bash.find(key);
  if (start == std::string::npos) return {};
  const auto end = bash.find('"', start + key.size());
  std::string words = bash.substr(start + key.size(), end - start - key.size());
  // "$source_opts ..." includes another list.
  if (const auto at = words.find("$source_opts"); at != std::string::npos)
    words.replace(at, std::string("$source_opts").size(), bash_words("source"));
  return words;
}

// The zsh completion's function for a subcommand: from "_tcpscope_<name>() {" to the closing "}".
std::string zsh_function(const std::string& name) {
  const std::string zsh = read_text("completions/_tcpscope");
  const std::string key = "_tcpscope_" + name + "() {";
  const auto start = zsh.find(key);
  if (start == std::string::npos) return {};
  return zsh.substr(start, zsh.find("\n}\n", start) - start);
}

// zsh writes options as '-r+[...', '*-v[...' (repeatable), '--format=[...', or in braces
// {-c+,--count=}'[...' and '(-)'{-h,--help}'[...'.
bool zsh_mentions(const std::string& function, const std::string& option) {
  for (const char* before : {"'", ")", "{", ",", "'*"})
    for (const char* after : {"[", "+[", "=[", ",", "+,", "}", "=}"})
      if (function.find(before + option + after) != std::string::npos) return true;
  return false;
}

struct App {
  CLI::App app{"tcpscope"};
  int exit_status = 0;
  App() { register_subcommands(app, exit_status); }
  std::vector<const CLI::App*> subcommands() const {
    return app.get_subcommands([](const CLI::App*) { return true; });
  }
};

TEST(Help, EverySubcommandIsInTheUsageTheManPageAndTheCompletions) {
  App app;
  const std::string usage = tcpdump_usage(subcommand_usage(app.app));
  const std::string man = man_text();
  const std::string bash = read_text("completions/tcpscope.bash");
  const std::string zsh = read_text("completions/_tcpscope");
  ASSERT_FALSE(app.subcommands().empty());
  for (const CLI::App* sub : app.subcommands()) {
    const std::string& name = sub->get_name();
    EXPECT_NE(usage.find("tcpscope " + name + " "), std::string::npos) << name << " missing from --help";
    EXPECT_FALSE(man_section(man, name).empty()) << name << " has no .SS section in doc/tcpscope.1";
    EXPECT_NE(man.find(".B " + name + "\n"), std::string::npos) << name << " missing from the man SYNOPSIS";
    EXPECT_FALSE(bash_words(name).empty()) << name << " has no " << name << "_opts in the bash completion";
    EXPECT_TRUE(mentions(bash.substr(bash.find("local subcommands=")), name))
        << name << " not completed as a subcommand by bash";
    EXPECT_FALSE(zsh_function(name).empty())
        << name << " has no _tcpscope_" << name << " in the zsh completion";
    EXPECT_NE(zsh.find("'" + name + ":"), std::string::npos)
        << name << " not completed as a subcommand by zsh";
  }
}

TEST(Help, EverySubcommandOptionIsDocumentedAndCompleted) {
  App app;
  const std::string usage = subcommand_usage(app.app);
  const std::string man = man_text();
  std::size_t checked = 0;
  for (const CLI::App* sub : app.subcommands()) {
    const std::string& name = sub->get_name();
    const std::string help = sub->help();
    const std::string section = man_section(man, name);
    const std::string bash = bash_words(name);
    const std::string zsh = zsh_function(name);
    for (const std::string& option : option_names(*sub)) {
      ++checked;
      EXPECT_TRUE(mentions(help, option)) << name << " --help lacks " << option;
      EXPECT_TRUE(mentions(section, option)) << "man page section of " << name << " lacks " << option;
      EXPECT_TRUE(mentions(bash, option)) << "bash completion of " << name << " lacks " << option;
      EXPECT_TRUE(zsh_mentions(zsh, option)) << "zsh completion of " << name << " lacks " << option;
    }
    // The usage line lists each option by its first spelling.
    for (const CLI::Option* option : sub->get_options()) {
      if (option == sub->get_help_ptr() || option->get_positional()) continue;
      const std::string first = option->get_snames().empty() ? "--" + option->get_lnames().front()
                                                             : "-" + option->get_snames().front();
      EXPECT_NE(usage.find("[" + first), std::string::npos)
          << "tcpscope --help lacks " << name << " " << first;
    }
  }
  EXPECT_GT(checked, 5u);
}

TEST(Help, EveryPrintOptionIsDocumentedAndCompleted) {
  const std::string usage = tcpdump_usage();
  const std::string section = man_section(man_text(), "print");
  const std::string bash = bash_words("print");
  const std::string zsh = zsh_function("print");
  const auto names = tcpdump_option_names();
  ASSERT_GT(names.size(), 30u);
  const auto cluster_start = usage.find("[-");
  const std::string flag_cluster =
      usage.substr(cluster_start, usage.find(']', cluster_start) - cluster_start);
  for (const std::string& option : names) {
    const bool short_option = option.size() == 2;
    EXPECT_TRUE(short_option ? flag_cluster.find(option[1]) != std::string::npos ||
                                   usage.find("[" + option + " ") != std::string::npos
                             : mentions(usage, option))
        << "the usage line of tcpscope --help lacks " << option;
    EXPECT_TRUE(mentions(section, option)) << "man page section of print lacks " << option;
    EXPECT_TRUE(mentions(bash, option)) << "bash completion of print lacks " << option;
    EXPECT_TRUE(zsh_mentions(zsh, option)) << "zsh completion of print lacks " << option;
  }
}

TEST(Help, UsageLinesFitATerminal) {
  App app;
  std::istringstream lines(tcpdump_usage(subcommand_usage(app.app)));
  for (std::string line; std::getline(lines, line);) EXPECT_LE(line.size(), 100u) << line;
}

}  // namespace
}  // namespace tcpscope::cli
