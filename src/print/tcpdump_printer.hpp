// The tcpdump-compatible printer: one Packet in, exactly tcpdump 4.99.3's text out.
// Owns all per-run state (relative-seq tables, previous timestamp): no statics.
#pragma once
#include <fmt/format.h>

#include <memory>

#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "print/print_options.hpp"

namespace tcpscope::print {

class TcpdumpPrinter {
 public:
  explicit TcpdumpPrinter(const PrintOptions& options);
  ~TcpdumpPrinter();
  TcpdumpPrinter(const TcpdumpPrinter&) = delete;
  TcpdumpPrinter& operator=(const TcpdumpPrinter&) = delete;

  // Appends everything tcpdump prints for this packet, final newline included.
  // `frame.number` is used for -#.
  void print(const Frame& frame, const decode::Packet& packet, fmt::memory_buffer& out);

 private:
  struct State;
  PrintOptions options_;
  std::unique_ptr<State> state_;
};

}  // namespace tcpscope::print
