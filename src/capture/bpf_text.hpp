// Compiling a BPF filter expression on a libpcap handle, and the compiled program as
// text in tcpdump's three -d forms (libpcap's bpf_dump, into a string).
#pragma once
#include <pcap/pcap.h>

#include <string>

#include "core/status.hpp"

namespace tcpscope::capture {

// The netmask tcpdump 4.99 compiles every filter with, files and live captures alike: 0
// (it looks the interface's up only for -f), so "ip broadcast" means 0.0.0.0 or
// 255.255.255.255 and is accepted on files too.
inline constexpr bpf_u_int32 kTcpdumpNetmask = 0;

// pcap_compile with or without the optimizer (tcpdump's -O turns it off); `netmask` as
// pcap_compile takes it. The error names the expression.
Error compile_filter(pcap_t* handle, const std::string& expression, bool optimize, bpf_u_int32 netmask,
                     bpf_program& program);

// `level` 1: readable (-d), 2: C array initializers (-dd), 3 and more: decimal numbers (-ddd).
std::string bpf_program_text(const bpf_program& program, int level);

// The text of `expression` compiled on `handle` (or, when `handle` is null, on a handle for
// `link_type` and `snaplen` alone: tcpdump -d without -r or -i).
Error filter_program_text(pcap_t* handle, int link_type, int snaplen, const std::string& expression,
                          bool optimize, bpf_u_int32 netmask, int level, std::string& text);

}  // namespace tcpscope::capture
