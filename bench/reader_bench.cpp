// Reading a classic pcap file: the record reader (capture/pcap_records.hpp: pread into a ring, records in
// place) against libpcap's pcap_next_ex, over the same generated file in the page cache (40,000 records of
// 600 bytes, about the average of the benchmark's loopback HTTP capture). Each loop touches every record's
// first byte.
#include <benchmark/benchmark.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "capture/pcap_records.hpp"

namespace {

using namespace tcpscope;

constexpr int kRecords = 40000;
constexpr std::uint32_t kRecordBytes = 600;

void put32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }

// A temporary little-endian microsecond pcap file, removed at exit.
class BenchFile {
 public:
  BenchFile() {
    char pattern[] = "/tmp/tcpscope-reader-bench-XXXXXX";
    fd_ = mkstemp(pattern);
    path_ = pattern;
    std::string bytes;
    put32(bytes, 0xa1b2c3d4);
    bytes.append("\x02\x00\x04\x00", 4);
    put32(bytes, 0);
    put32(bytes, 0);
    put32(bytes, 262144);
    put32(bytes, 1);
    for (int i = 0; i < kRecords; ++i) {
      put32(bytes, 1700000000u + static_cast<std::uint32_t>(i / 1000));
      put32(bytes, static_cast<std::uint32_t>(i % 1000) * 1000);
      put32(bytes, kRecordBytes);
      put32(bytes, kRecordBytes);
      bytes.append(kRecordBytes, static_cast<char>(i));
    }
    if (write(fd_, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) std::abort();
  }
  ~BenchFile() {
    close(fd_);
    unlink(path_.c_str());
  }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

const BenchFile& bench_file() {
  static const BenchFile file;
  return file;
}

void BM_ReadPcapRecords(benchmark::State& state) {
  const BenchFile& file = bench_file();
  for (auto _ : state) {
    capture::PcapRecordReader reader(file.fd(), 24, false, false, 262144);
    capture::PcapRecord record;
    unsigned sum = 0;
    while (reader.next(record) == capture::PcapRecordReader::Step::record) sum += record.data[0];
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRecords);
}
BENCHMARK(BM_ReadPcapRecords);

void BM_ReadLibpcapNextEx(benchmark::State& state) {
  const BenchFile& file = bench_file();
  for (auto _ : state) {
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t* handle =
        pcap_open_offline_with_tstamp_precision(file.path().c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf);
    if (handle == nullptr) {
      state.SkipWithError(errbuf);
      return;
    }
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    unsigned sum = 0;
    while (pcap_next_ex(handle, &header, &data) == 1) sum += data[0];
    benchmark::DoNotOptimize(sum);
    pcap_close(handle);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kRecords);
}
BENCHMARK(BM_ReadLibpcapNextEx);

}  // namespace
