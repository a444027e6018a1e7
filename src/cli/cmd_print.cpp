// Placeholder until the print command lands.
#include <cstdio>

#include "cli/commands.hpp"

namespace tcpscope::cli {
int run_print_argv(int, char**) {
  std::fprintf(stderr, "tcpscope: print is not implemented yet\n");
  return 1;
}
}  // namespace tcpscope::cli
