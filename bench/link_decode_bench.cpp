// decode() per link type and encapsulation (decode/link.cpp and the layers under it):
// the same TCP SYN with the article's options under each link header the decoder
// knows, so the rows differ only by what sits before the TCP header. The Ethernet /
// IPv4 row is BM_DecodeEthernetIpv4TcpSynOptions in decode_bench.cpp.
#include <benchmark/benchmark.h>

#include "decode/packet.hpp"
#include "synthetic_frames.hpp"

namespace {

using namespace tcpscope;
using bench::OwnedFrame;

bench::Bytes syn_segment() {
  bench::TcpSpec spec;
  spec.options = bench::syn_options();
  return bench::tcp_segment(spec);
}
bench::Bytes ipv4_syn() { return bench::ipv4(6, syn_segment()); }

void decode_owned(benchmark::State& state, const OwnedFrame& owned, std::uint8_t expected_layers) {
  const Frame frame = owned.frame();
  decode::Packet packet;
  decode::decode(frame, packet);
  if (!packet.has_tcp || packet.layer_count != expected_layers) {
    state.SkipWithError("the fixture does not decode to the expected layers down to TCP");
    return;
  }
  for (auto _ : state) {
    decode::decode(frame, packet);
    benchmark::DoNotOptimize(packet.tcp.seq);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}

// Layer counts: link header(s) (raw IP has an empty one), IP, TCP (no payload layer for a SYN).
void BM_DecodeLinuxSll(benchmark::State& state) {
  decode_owned(state, {bench::linux_sll(bench::kEtherIpv4, ipv4_syn()), decode::dlt::linux_sll}, 3);
}
BENCHMARK(BM_DecodeLinuxSll);

void BM_DecodeLinuxSll2(benchmark::State& state) {
  decode_owned(state, {bench::linux_sll2(bench::kEtherIpv4, ipv4_syn()), decode::dlt::linux_sll2}, 3);
}
BENCHMARK(BM_DecodeLinuxSll2);

void BM_DecodeRawIpv4(benchmark::State& state) { decode_owned(state, {ipv4_syn(), decode::dlt::raw}, 3); }
BENCHMARK(BM_DecodeRawIpv4);

void BM_DecodeNullLoopback(benchmark::State& state) {
  decode_owned(state, {bench::null_loopback(ipv4_syn()), decode::dlt::null}, 3);
}
BENCHMARK(BM_DecodeNullLoopback);

void BM_DecodeEthernetVlan(benchmark::State& state) {
  decode_owned(state, {bench::ethernet_tagged({0x8100}, bench::kEtherIpv4, ipv4_syn()), decode::dlt::en10mb},
               4);
}
BENCHMARK(BM_DecodeEthernetVlan);

void BM_DecodeEthernetQinQ(benchmark::State& state) {
  decode_owned(state,
               {bench::ethernet_tagged({0x88a8, 0x8100}, bench::kEtherIpv4, ipv4_syn()), decode::dlt::en10mb},
               5);
}
BENCHMARK(BM_DecodeEthernetQinQ);

void BM_DecodeEthernetIpv6(benchmark::State& state) {
  decode_owned(state,
               {bench::ethernet(bench::kEtherIpv6, bench::ipv6(6, syn_segment())), decode::dlt::en10mb}, 3);
}
BENCHMARK(BM_DecodeEthernetIpv6);

// Ethernet / IPv4 / UDP / VXLAN / Ethernet / IPv4 / TCP.
void BM_DecodeVxlan(benchmark::State& state) {
  const bench::Bytes inner = bench::ethernet(bench::kEtherIpv4, ipv4_syn());
  decode_owned(state, {bench::vxlan_over_ipv4(inner), decode::dlt::en10mb}, 7);
}
BENCHMARK(BM_DecodeVxlan);

}  // namespace
