// The lab's temporary capture file (when no -w is given): /tmp/tcpscope-lab-<tag>-<pid>-XXXXXX.pcap.
// The caller removes it once it has read it; a lab killed before that (SIGKILL) leaves
// it behind, and the owner's pid in the name lets `lab --cleanup` tell such a file from
// the capture of a lab that still runs (another user's loopback lab, say).
#pragma once
#include <string>
#include <vector>

#include "core/status.hpp"

namespace tcpscope::lab {

// Creates an empty temporary capture file for the lab tagged `tag`; returns its path
// ("" and `error` set when it cannot).
std::string create_temp_capture(const std::string& tag, Error& error);

// Temporary capture files whose lab is no longer running (full paths).
std::vector<std::string> orphaned_temp_captures();

}  // namespace tcpscope::lab
