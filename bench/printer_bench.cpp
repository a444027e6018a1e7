// The tcpdump-compatible line formatting (print/tcpdump_printer.hpp) of a decoded
// Ethernet / IPv4 / TCP frame, into a reused buffer, under the article's options
// (-S -nn -vvv) and under plain -nn.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include "article_frames.hpp"
#include "decode/packet.hpp"
#include "print/print_options.hpp"
#include "print/tcpdump_printer.hpp"

namespace {

using namespace tcpscope;

template <std::size_t N>
void print_frame(benchmark::State& state, const std::uint8_t (&bytes)[N],
                 const print::PrintOptions& options) {
  const Frame frame = bench::article_frame(bytes, 319449000);
  decode::Packet packet;
  decode::decode(frame, packet);
  print::TcpdumpPrinter printer(options);
  fmt::memory_buffer out;
  std::size_t line_bytes = 0;
  for (auto _ : state) {
    out.clear();
    printer.print(frame, packet, out);
    line_bytes = out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * line_bytes));
}

print::PrintOptions article_options() {
  print::PrintOptions o;
  o.numeric = 2;
  o.absolute_seq = true;
  o.verbose = 3;
  return o;
}

print::PrintOptions nn_options() {
  print::PrintOptions o;
  o.numeric = 2;
  return o;
}

void BM_PrintSynOptions_S_nn_vvv(benchmark::State& state) {
  print_frame(state, bench::kArticleSynFrame, article_options());
}
BENCHMARK(BM_PrintSynOptions_S_nn_vvv);

void BM_PrintData_S_nn_vvv(benchmark::State& state) {
  print_frame(state, bench::kArticlePingFrame, article_options());
}
BENCHMARK(BM_PrintData_S_nn_vvv);

// Without -S the printer keeps tcpdump's relative-seq table: the lookup is in the loop.
void BM_PrintData_nn(benchmark::State& state) { print_frame(state, bench::kArticlePingFrame, nn_options()); }
BENCHMARK(BM_PrintData_nn);

}  // namespace
