// The floors of whole-file reading, for bench/print.sh: how fast can anything that
// reads a pcap file go on this machine, before decoding or printing a single byte.
//
//   pcap_floor pcap_next_ex FILE   libpcap's pcap_next_ex loop (what tcpdump and tcpscope sit on)
//   pcap_floor mmap FILE           walking the classic-pcap record headers through mmap
//   pcap_floor pread FILE          the same walk over pread() chunks of 256 KiB into one
//                                  reused buffer (how tcpscope reads classic pcap files)
//   pcap_floor populate FILE       the mmap walk over one whole-file mapping whose page
//                                  tables are filled 4 MiB ahead with MADV_POPULATE_READ
//                                  (no page faults, no copy, no unmapping until the end)
//
// Both print "<packets> packets <bytes> bytes" on stdout. Each touches every packet's
// first byte, so the data is really read.
#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

struct Totals {
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
  std::uint32_t first_byte_xor = 0;
};

int walk_with_pcap_next_ex(const char* path, Totals& totals) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    std::fprintf(stderr, "pcap_floor: %s\n", errbuf);
    return 1;
  }
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status = 0;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    ++totals.packets;
    totals.bytes += header->caplen;
    if (header->caplen > 0) totals.first_byte_xor ^= data[0];
  }
  if (status == PCAP_ERROR) std::fprintf(stderr, "pcap_floor: %s\n", pcap_geterr(handle));
  pcap_close(handle);
  return status == PCAP_ERROR ? 1 : 0;
}

std::uint32_t load_u32(const unsigned char* p, bool swapped) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

// Whether the file header at `header` is a classic pcap file's (µs or ns, either
// byte order), and in which byte order; says why not on stderr.
bool classic_pcap_byte_order(const unsigned char* header, const char* path, bool& swapped) {
  const std::uint32_t magic = load_u32(header, false);
  swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d || swapped) return true;
  std::fprintf(stderr, "pcap_floor: %s: not a classic pcap file (pcapng is not walked here)\n", path);
  return false;
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

// The whole file mapped once. With `populate`, the page tables are filled 4 MiB ahead
// with MADV_POPULATE_READ (no page faults, no copy); without, the kernel is told the
// access is sequential and the walk takes the page faults.
int walk_with_mmap(const char* path, Totals& totals, bool populate) {
  const int fd = open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    return 1;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || st.st_size < 24) {
    std::fprintf(stderr, "pcap_floor: %s: not a pcap file\n", path);
    close(fd);
    return 1;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  void* mapped = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapped == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  auto* bytes = static_cast<unsigned char*>(mapped);
  constexpr std::size_t kWindow = 4u << 20;
  std::size_t populated = populate ? 0 : size;  // page tables filled below this offset
  const auto populate_to = [&](std::size_t until) {
    until = until > size ? size : until;
    if (until <= populated) return;
    madvise(bytes + populated, until - populated, MADV_POPULATE_READ);
    populated = until;
  };
  if (populate)
    populate_to(kWindow);
  else
    madvise(mapped, size, MADV_SEQUENTIAL);
  bool swapped = false;
  if (!classic_pcap_byte_order(bytes, path, swapped)) {
    munmap(mapped, size);
    return 1;
  }
  std::size_t offset = 24;
  while (offset + 16 <= size) {
    if (offset + 16 + 262144 > populated) populate_to((offset & ~(std::size_t{4095})) + 2 * kWindow);
    const std::uint32_t caplen = load_u32(bytes + offset + 8, swapped);
    offset += 16;
    if (caplen > size - offset) break;  // truncated last record
    ++totals.packets;
    totals.bytes += caplen;
    if (caplen > 0) totals.first_byte_xor ^= bytes[offset];
    offset += caplen;
  }
  munmap(mapped, size);
  return 0;
}

int walk_with_pread(const char* path, Totals& totals) {
  const int fd = open(path, O_RDONLY);
  if (fd < 0) {
    std::perror(path);
    return 1;
  }
  constexpr std::size_t kChunk = 256u << 10;
  constexpr std::size_t kLargestRecord = 16 + 262144;
  std::vector<unsigned char> buffer(kChunk + kLargestRecord);
  unsigned char header[24];
  if (pread(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header)) {
    std::fprintf(stderr, "pcap_floor: %s: not a pcap file\n", path);
    close(fd);
    return 1;
  }
  bool swapped = false;
  if (!classic_pcap_byte_order(header, path, swapped)) {
    close(fd);
    return 1;
  }
  off_t file_offset = 24;  // of the end of the bytes read
  std::size_t begin = 0, end = 0;
  for (;;) {
    const std::size_t have = end - begin;
    std::size_t need = 16;
    if (have >= 16) need += load_u32(buffer.data() + begin + 8, swapped);
    if (need > kLargestRecord) break;  // a damaged length
    if (have < need) {
      std::memmove(buffer.data(), buffer.data() + begin, have);
      begin = 0;
      end = have;
      const ssize_t got = pread(fd, buffer.data() + end, kChunk, file_offset);
      if (got <= 0) break;  // the end (a truncated last record stays unread)
      end += static_cast<std::size_t>(got);
      file_offset += got;
      continue;
    }
    const std::uint32_t caplen = static_cast<std::uint32_t>(need - 16);
    ++totals.packets;
    totals.bytes += caplen;
    if (caplen > 0) totals.first_byte_xor ^= buffer[begin + 16];
    begin += need;
  }
  close(fd);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool known_mode =
      argc == 3 && (std::strcmp(argv[1], "pcap_next_ex") == 0 || std::strcmp(argv[1], "mmap") == 0 ||
                    std::strcmp(argv[1], "pread") == 0 || std::strcmp(argv[1], "populate") == 0);
  if (!known_mode) {
    std::fprintf(stderr, "usage: pcap_floor pcap_next_ex|mmap|pread|populate FILE\n");
    return 2;
  }
  Totals totals;
  const int status = std::strcmp(argv[1], "mmap") == 0       ? walk_with_mmap(argv[2], totals, false)
                     : std::strcmp(argv[1], "pread") == 0    ? walk_with_pread(argv[2], totals)
                     : std::strcmp(argv[1], "populate") == 0 ? walk_with_mmap(argv[2], totals, true)
                                                             : walk_with_pcap_next_ex(argv[2], totals);
  std::printf("%llu packets %llu bytes (xor %u)\n", static_cast<unsigned long long>(totals.packets),
              static_cast<unsigned long long>(totals.bytes), totals.first_byte_xor);
  return status;
}
