// Compiling a BPF filter expression on a libpcap handle, and the compiled program as
// text in tcpdump's three -d forms (libpcap's bpf_dump, into a string).
#pragma once
#include <pcap/pcap.h>

#include <string>

#include "core/status.hpp"

namespace tcpscope::capture {

// pcap_compile as tcpdump 4.99 calls it, with or without the optimizer (tcpdump's -O turns
// it off). The netmask is tcpdump's: 0 for files and live captures alike (it looks the
// interface's up only for -f), so "ip broadcast" means 0.0.0.0 or 255.255.255.255 and is
// accepted on files too. The error names the expression.
Error compile_filter(pcap_t* handle, const std::string& expression, bool optimize, bpf_program& program);

// The text of `expression` compiled on `handle`: `level` 1 readable (-d), 2 C array
// initializers (-dd), 3 and more decimal numbers (-ddd).
Error filter_program_text(pcap_t* handle, const std::string& expression, bool optimize, int level,
                          std::string& text);

}  // namespace tcpscope::capture
