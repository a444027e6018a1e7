// The capture-source options shared by the CLI11 subcommands (explain, conns,
// diagram, ...): the same spellings as tcpdump's, registered on a subcommand and
// turned into the SourceOptions that run_pipeline() takes.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/pipeline.hpp"

namespace tcpscope::cli {

struct SourceArgs {
  SourceOptions options;
  std::vector<std::string> filter_words;  // the positional words: a BPF filter expression
};

// Registers -r, -i, -c, --skip, -s, -B, -p, --immediate-mode, -Z, --quiet and the filter
// words on `command`. `args` must outlive the parse.
void add_source_options(CLI::App& command, SourceArgs& args);

// After parsing: joins the filter words into options.filter and checks the
// combination. Returns a usage error (without the "tcpscope: " prefix) or "".
std::string finish_source_options(SourceArgs& args);

}  // namespace tcpscope::cli
