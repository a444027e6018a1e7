// tcpdump -d/-dd/-ddd: libpcap compiles, bpf_image formats one instruction; the other
// two forms are bpf_dump's, written into a string instead of stdout.
#include "capture/bpf_text.hpp"

#include <fmt/format.h>

#include "capture/source.hpp"

namespace tcpscope::capture {

namespace {

constexpr bpf_u_int32 kTcpdumpNetmask = 0;  // see compile_filter()

std::string bpf_program_text(const bpf_program& program, int level) {
  fmt::memory_buffer out;
  auto it = std::back_inserter(out);
  const int n = static_cast<int>(program.bf_len);
  if (level >= 3) fmt::format_to(it, "{}\n", n);
  for (int i = 0; i < n; ++i) {
    const bpf_insn& insn = program.bf_insns[i];
    if (level >= 3)
      fmt::format_to(it, "{} {} {} {}\n", insn.code, insn.jt, insn.jf, insn.k);
    else if (level == 2)
      fmt::format_to(it, "{{ 0x{:x}, {}, {}, 0x{:08x} }},\n", insn.code, insn.jt, insn.jf, insn.k);
    else
      fmt::format_to(it, "{}\n", bpf_image(&insn, i));
  }
  return fmt::to_string(out);
}

}  // namespace

Error compile_filter(pcap_t* handle, const std::string& expression, bool optimize, bpf_program& program) {
  if (pcap_compile(handle, &program, expression.c_str(), optimize ? 1 : 0, kTcpdumpNetmask) != 0)
    return Error{ErrorCode::usage, "bad filter expression '" + expression + "': " + pcap_geterr(handle)};
  return {};
}

Error filter_program_text(pcap_t* handle, const std::string& expression, bool optimize, int level,
                          std::string& text) {
  bpf_program program{};
  if (Error error = compile_filter(handle, expression, optimize, program)) return error;
  text = bpf_program_text(program, level);
  pcap_freecode(&program);
  return {};
}

Error filter_program_text_for(int link_type, int snaplen, const std::string& expression, bool optimize,
                              int level, std::string& text) {
  pcap_t* dead = pcap_open_dead(link_type, snaplen);
  if (dead == nullptr) return Error{ErrorCode::io, "cannot create a libpcap handle"};
  Error error = filter_program_text(dead, expression, optimize, level, text);
  pcap_close(dead);
  return error;
}

}  // namespace tcpscope::capture
