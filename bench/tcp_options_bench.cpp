// TCP option parsing (decode/tcp_options.hpp): the summary tracking needs, for the
// option lists real traffic carries, and a bare walk with the lazy iterator.
#include <benchmark/benchmark.h>

#include "decode/tcp_options.hpp"
#include "synthetic_frames.hpp"

namespace {

using namespace tcpscope;

void summarize(benchmark::State& state, const bench::Bytes& options) {
  const ByteView view(options.data(), options.size());
  const auto declared = static_cast<std::uint32_t>(options.size());
  decode::TcpOptionSummary summary;
  if (decode::summarize_tcp_options(view, declared, summary) != decode::TcpOptionStatus::ok ||
      !summary.has_timestamps) {
    state.SkipWithError("the option fixture does not parse cleanly");
    return;
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(view.data());
    summary = decode::TcpOptionSummary{};
    benchmark::DoNotOptimize(decode::summarize_tcp_options(view, declared, summary));
    benchmark::DoNotOptimize(summary.ts_val);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["sack_blocks"] = summary.sack_count;
}

// mss, sackOK, TS, nop, wscale (a Linux SYN).
void BM_TcpOptionsSummarySyn(benchmark::State& state) { summarize(state, bench::syn_options()); }
BENCHMARK(BM_TcpOptionsSummarySyn);

// nop, nop, TS (most data segments and ACKs).
void BM_TcpOptionsSummaryTimestamps(benchmark::State& state) { summarize(state, bench::timestamp_options()); }
BENCHMARK(BM_TcpOptionsSummaryTimestamps);

// nop, nop, TS, nop, nop, SACK with three blocks (the longest list Linux sends).
void BM_TcpOptionsSummarySack(benchmark::State& state) { summarize(state, bench::sack_options()); }
BENCHMARK(BM_TcpOptionsSummarySack);

// The printer's walk: every option, kind and length, no summary.
void BM_TcpOptionIterSack(benchmark::State& state) {
  const bench::Bytes options = bench::sack_options();
  const ByteView view(options.data(), options.size());
  std::uint32_t count = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(view.data());
    decode::TcpOptionIter it(view, static_cast<std::uint32_t>(options.size()));
    decode::TcpOption option;
    count = 0;
    while (it.next(option)) count += option.kind;
    benchmark::DoNotOptimize(count);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_TcpOptionIterSack);

}  // namespace
