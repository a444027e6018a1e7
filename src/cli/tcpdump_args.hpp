// tcpdump's command line, parsed the way tcpdump's getopt_long does it: short
// option clusters (-nnvvvS, -tttt, -c10, -c 10), long options with unique-prefix
// matching (--time-stamp-precision=nano, --num), options and filter words in any
// order (GNU permutation), "--" ending the options. The remaining words form the
// BPF filter expression. Translated once into PrintOptions and SourceOptions.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/pipeline.hpp"
#include "print/print_options.hpp"

namespace tcpscope::cli {

struct PrintCommand {
  print::PrintOptions print;
  SourceOptions source;
  std::string filter_file;          // -F FILE: the filter expression is read from FILE
  bool print_when_writing = false;  // --print: print packets even with -w
  bool line_buffered = false;       // -l
  bool list_interfaces = false;     // -D
  int dump_filter_program = 0;      // -d (1), -dd (2), -ddd (3): print the compiled filter and stop
  bool show_version = false;        // --version
  bool show_help = false;           // -h, --help
};

struct ParsedArgs {
  PrintCommand command;
  std::string error;  // non-empty: a usage error, one line without the "tcpscope: " prefix
  bool ok() const { return error.empty(); }
};

// `args` excludes the program name.
ParsedArgs parse_tcpdump_args(std::span<const std::string_view> args);

// The usage text printed by -h; `subcommand_usage` (the other subcommands'
// usage lines) follows tcpscope print's own.
std::string tcpdump_usage(const std::string& subcommand_usage = {});

// Every option `print` accepts, as "-n" and "--number" spellings (for the help test).
std::vector<std::string> tcpdump_option_names();

}  // namespace tcpscope::cli
