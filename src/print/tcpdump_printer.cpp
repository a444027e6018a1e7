// Temporary stand-in: prints the -# number and a placeholder. Replaced by the real printer.
#include "print/tcpdump_printer.hpp"

namespace tcpscope::print {

struct TcpdumpPrinter::State {};

TcpdumpPrinter::TcpdumpPrinter(const PrintOptions& options) : options_(options), state_(std::make_unique<State>()) {}
TcpdumpPrinter::~TcpdumpPrinter() = default;

void TcpdumpPrinter::print(const Frame& frame, const decode::Packet&, fmt::memory_buffer& out) {
  if (options_.number) fmt::format_to(std::back_inserter(out), "{:5}  ", frame.number);
  fmt::format_to(std::back_inserter(out), "[packet of {} bytes]\n", frame.caplen);
}

}  // namespace tcpscope::print
