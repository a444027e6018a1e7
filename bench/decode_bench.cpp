// decode() of an Ethernet / IPv4 / TCP frame with options into one reused Packet
// (decode/packet.hpp): the per-packet cost every consumer pays.
#include <benchmark/benchmark.h>

#include "article_frames.hpp"
#include "decode/packet.hpp"

namespace {

using namespace tcpscope;

template <std::size_t N>
void decode_frame(benchmark::State& state, const std::uint8_t (&bytes)[N]) {
  const Frame frame = bench::article_frame(bytes, 282576000);
  decode::Packet packet;
  for (auto _ : state) {
    decode::decode(frame, packet);
    benchmark::DoNotOptimize(packet.has_tcp);
    benchmark::DoNotOptimize(packet.tcp.seq);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  state.counters["has_tcp"] = packet.has_tcp ? 1 : 0;  // 0 while the stand-in decoder is in place
}

// SYN with mss, sackOK, TS, nop, wscale: the option summary is filled.
void BM_DecodeEthernetIpv4TcpSynOptions(benchmark::State& state) {
  decode_frame(state, bench::kArticleSynFrame);
}
BENCHMARK(BM_DecodeEthernetIpv4TcpSynOptions);

// Data segment with nop, nop, TS and a 4-byte payload.
void BM_DecodeEthernetIpv4TcpData(benchmark::State& state) { decode_frame(state, bench::kArticlePingFrame); }
BENCHMARK(BM_DecodeEthernetIpv4TcpData);

}  // namespace
