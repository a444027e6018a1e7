// Internet checksum throughput (decode/checksum.hpp): plain sums over common sizes, and
// the full TCP checksum of the article's SYN (IPv4 pseudo-header + 40-byte header).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <vector>

#include "article_frames.hpp"
#include "decode/checksum.hpp"

namespace {

using namespace tcpscope;

void BM_InternetChecksum(benchmark::State& state) {
  std::vector<std::uint8_t> data(static_cast<std::size_t>(state.range(0)));
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 + 7);
  const ByteView view(data);
  for (auto _ : state) {
    benchmark::DoNotOptimize(decode::internet_checksum(view));
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_InternetChecksum)->Arg(20)->Arg(60)->Arg(1460)->Arg(9000)->Arg(65483);

// Verifies the article SYN's TCP checksum: the result is 0 when the stored one is right.
void BM_TcpChecksumArticleSyn(benchmark::State& state) {
  const ByteView frame(bench::kArticleSynFrame);
  const IpAddr src = IpAddr::v4(frame.data() + 26);
  const IpAddr dst = IpAddr::v4(frame.data() + 30);
  const ByteView segment = frame.subspan(34);
  std::uint16_t result = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(segment.data());
    const std::uint32_t sum =
        decode::pseudo_header_sum(src, dst, 6, static_cast<std::uint32_t>(segment.size()));
    result = decode::checksum_finish(decode::checksum_add(sum, segment));
    benchmark::DoNotOptimize(result);
  }
  if (result != 0) state.SkipWithError("the article SYN's TCP checksum does not verify");
}
BENCHMARK(BM_TcpChecksumArticleSyn);

}  // namespace
