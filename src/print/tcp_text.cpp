// Temporary stand-in until the TCP printer lands.
#include "print/tcp_text.hpp"

#include "print/addr_text.hpp"

namespace tcpscope::print {

struct TcpPrinter::SeqTables {};
TcpPrinter::TcpPrinter() : tables_(std::make_unique<SeqTables>()) {}
TcpPrinter::~TcpPrinter() = default;

void TcpPrinter::print(fmt::memory_buffer& out, const PrintOptions&, ByteView, const TcpPrintContext& ctx) {
  append_ip(out, ctx.src);
  out.append(std::string_view(" > "));
  append_ip(out, ctx.dst);
  out.append(std::string_view(": tcp"));
}

}  // namespace tcpscope::print
