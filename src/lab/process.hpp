// Runs a helper program (ip, nft) with a time limit: fork + execvp, output
// collected through a pipe, the child killed when the limit passes. No shell.
#pragma once
#include <string>
#include <vector>

#include "core/status.hpp"

namespace tcpscope::lab {

struct CommandResult {
  int exit_status = -1;  // -1: did not run or killed by the time limit
  std::string output;    // stdout and stderr together
  bool timed_out = false;
  bool ok() const { return exit_status == 0; }
};

CommandResult run_command(const std::vector<std::string>& argv, int timeout_ms = 5000,
                          const std::string& stdin_text = {});

// run_command, with an Error naming the command and its output when it fails.
Error run_checked(const std::vector<std::string>& argv, int timeout_ms = 5000,
                  const std::string& stdin_text = {});

}  // namespace tcpscope::lab
