// What `tcpscope lab` prints after a run: the capture as `tcpdump -S -nn -vvv`
// prints it, then the explanation of each connection with the kernel's state
// changes beside the inferred states, and a verdict.
//
// print_lab_explanation() is the one call to swap for the `explain` renderer
// (plus its kernel column) once that lands in main.
#pragma once
#include <fmt/format.h>

#include <string>

#include "lab/runner.hpp"

namespace tcpscope::cli {

enum class LabLang { en, zh };

struct LabVerdict {
  int connections = 0;
  int compared_sides = 0;  // endpoint sides compared with the kernel
  int disagreements = 0;
  bool kernel_available = false;
  bool simultaneous_close = false;  // some connection's FINs crossed
  std::string first_disagreement;   // "connection 1, server side, segment #5: inferred X, kernel Y"
};

// Prints the capture file like `tcpdump -S -nn -vvv -r FILE`. Returns false (and
// says why on stderr) when the file cannot be read.
bool print_capture_tcpdump_style(const std::string& pcap_path, fmt::memory_buffer& out);

// The explanation part: connections, both endpoints' inferred states per segment,
// the kernel's transitions beside them, the verdict.
// The line saying the FINs did not cross (simultaneous-close scenario).
std::string fins_not_crossed_text(LabLang lang);

LabVerdict print_lab_explanation(const lab::LabResult& result, LabLang lang, fmt::memory_buffer& out);

}  // namespace tcpscope::cli
