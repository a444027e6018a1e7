// TcpPrinter and TCP decoding on a typical data segment (nop,nop,TS; 100 bytes of
// payload) of one connection, as in -S -nn -vvv and in plain -nn printing.
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "decode/tcp.hpp"
#include "print/tcp_text.hpp"

namespace {

using namespace tcpscope;

struct Segment {
  std::array<std::uint8_t, 132> bytes{};
  IpAddr src = IpAddr::v4(std::array<std::uint8_t, 4>{127, 0, 0, 1}.data());
  IpAddr dst = IpAddr::v4(std::array<std::uint8_t, 4>{127, 0, 0, 2}.data());
  Segment() {
    const std::uint8_t header[32] = {0xc3, 0x50, 0x1f, 0x90, 0x37, 0x58, 0x89, 0x7e, 0x37, 0x77, 0x12,
                                     0x34, 0x80, 0x18, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01,
                                     0x08, 0x0a, 0x4d, 0xdc, 0x92, 0x16, 0x4d, 0xdc, 0x92, 0x10};
    for (std::size_t i = 0; i < sizeof header; ++i) bytes[i] = header[i];
    for (std::size_t i = 32; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>('a' + i % 26);
  }
};

void print_segment(benchmark::State& state, print::PrintOptions options) {
  Segment seg;
  print::TcpPrinter printer;
  print::TcpPrintContext ctx;
  ctx.src = seg.src;
  ctx.dst = seg.dst;
  ctx.segment_len = static_cast<std::uint32_t>(seg.bytes.size());
  fmt::memory_buffer out;
  std::uint32_t seq = 0;
  for (auto _ : state) {
    seg.bytes[7] = static_cast<std::uint8_t>(seq++);
    out.clear();
    printer.print(out, options, ByteView(seg.bytes.data(), seg.bytes.size()), ctx);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_TcpText_S_nn_vvv(benchmark::State& state) {
  print::PrintOptions o;
  o.numeric = 2;
  o.absolute_seq = true;
  o.verbose = 3;
  print_segment(state, o);
}
BENCHMARK(BM_TcpText_S_nn_vvv);

void BM_TcpText_nn_relative(benchmark::State& state) {
  print::PrintOptions o;
  o.numeric = 2;
  print_segment(state, o);
}
BENCHMARK(BM_TcpText_nn_relative);

void BM_DecodeTcp(benchmark::State& state) {
  Segment seg;
  decode::TcpIpContext ip;
  ip.src = seg.src;
  ip.dst = seg.dst;
  ip.segment_len = static_cast<std::uint32_t>(seg.bytes.size());
  decode::Packet packet;
  for (auto _ : state) {
    packet.layer_count = 0;
    benchmark::DoNotOptimize(decode::decode_tcp(ByteView(seg.bytes.data(), seg.bytes.size()), ip, packet));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_DecodeTcp);

}  // namespace

namespace {
void BM_TcpText_S_nn(benchmark::State& state) {
  tcpscope::print::PrintOptions o;
  o.numeric = 2;
  o.absolute_seq = true;
  print_segment(state, o);
}
BENCHMARK(BM_TcpText_S_nn);
}  // namespace

namespace {
// The TCP checksum over a full-size (1,500-byte MTU) segment.
void BM_TcpChecksum1480(benchmark::State& state) {
  std::vector<std::uint8_t> seg(1480);
  for (std::size_t i = 0; i < seg.size(); ++i) seg[i] = static_cast<std::uint8_t>(i * 7);
  const auto a = tcpscope::IpAddr::v4(std::array<std::uint8_t, 4>{10, 0, 0, 1}.data());
  for (auto _ : state)
    benchmark::DoNotOptimize(
        tcpscope::decode::tcp_checksum_residue(a, a, tcpscope::ByteView(seg.data(), seg.size())));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * seg.size()));
}
BENCHMARK(BM_TcpChecksum1480);
}  // namespace
