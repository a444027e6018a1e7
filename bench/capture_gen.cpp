// Writes the large captures of bench/scale.sh (classic pcap, streaming, so any size
// fits in a few MiB of memory):
//
//   capture_gen concurrent N OUT     N TCP connections open at the same time: each a
//                                    handshake (SYN with mss, sackOK, TS, wscale) and a
//                                    64-byte request, none closed; 4 packets each, 1 us
//                                    apart, client 10.a.b.c:40000+ -> 192.0.2.1:80
//   capture_gen repeat IN COPIES OUT IN (a classic pcap file) COPIES times: copy k has
//                                    its time stamps shifted by k * (IN's span + 1 s) and,
//                                    in Ethernet/IPv4 frames, the 2nd and 3rd bytes of both
//                                    IPv4 addresses XORed with k (IP checksum recomputed,
//                                    TCP/UDP checksums adjusted as RFC 1624 does), so no
//                                    4-tuple of one copy meets one of another
//
// OUT may be "-" (standard output). Prints "<packets> packets <bytes> bytes" on stderr.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Output {
  std::FILE* file = nullptr;
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;

  bool open(const char* path) {
    file = std::strcmp(path, "-") == 0 ? stdout : std::fopen(path, "wb");
    if (file == nullptr) {
      std::perror(path);
      return false;
    }
    std::setvbuf(file, nullptr, _IOFBF, 1 << 22);
    return true;
  }
  void write(const void* data, std::size_t n) {
    if (std::fwrite(data, 1, n, file) != n) {
      std::perror("capture_gen: write");
      std::exit(1);
    }
    bytes += n;
  }
  int close() {
    const bool ok = std::fflush(file) == 0 && (file == stdout || std::fclose(file) == 0);
    std::fprintf(stderr, "%llu packets %llu bytes\n", static_cast<unsigned long long>(packets),
                 static_cast<unsigned long long>(bytes));
    return ok ? 0 : 1;
  }
};

void put16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void put32(std::uint8_t* p, std::uint32_t v) {
  put16(p, static_cast<std::uint16_t>(v >> 16));
  put16(p + 2, static_cast<std::uint16_t>(v));
}
std::uint16_t get16(const std::uint8_t* p) { return static_cast<std::uint16_t>((p[0] << 8) | p[1]); }

std::uint32_t sum16(const std::uint8_t* p, std::size_t n, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < n; i += 2) sum += get16(p + i);
  if (n % 2 != 0) sum += static_cast<std::uint32_t>(p[n - 1] << 8);
  return sum;
}
std::uint16_t fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// ------------------------------------------------------------------ concurrent

void write_le32(std::uint8_t* p, std::uint32_t v) { std::memcpy(p, &v, 4); }  // pcap headers: host order

void write_file_header(Output& out, std::uint32_t magic) {
  std::uint8_t h[24] = {};
  write_le32(h, magic);
  const std::uint16_t major = 2, minor = 4;
  std::memcpy(h + 4, &major, 2);
  std::memcpy(h + 6, &minor, 2);
  write_le32(h + 16, 262144);
  write_le32(h + 20, 1);  // Ethernet
  out.write(h, sizeof h);
}

// One Ethernet/IPv4/TCP frame with correct IP and TCP checksums, as a pcap record.
void write_segment(Output& out, std::uint64_t usec, std::uint32_t src, std::uint32_t dst, std::uint16_t sport,
                   std::uint16_t dport, std::uint32_t seq, std::uint32_t ack, std::uint8_t flags,
                   const std::uint8_t* options, std::size_t options_len, std::size_t payload_len) {
  std::uint8_t f[256] = {};
  const std::size_t tcp_len = 20 + options_len + payload_len;
  const std::size_t len = 14 + 20 + tcp_len;
  static constexpr std::uint8_t kMacs[12] = {0x02, 0, 0, 0, 0, 2, 0x02, 0, 0, 0, 0, 1};
  std::memcpy(f, kMacs, 12);
  put16(f + 12, 0x0800);
  std::uint8_t* ip = f + 14;
  ip[0] = 0x45;
  put16(ip + 2, static_cast<std::uint16_t>(20 + tcp_len));
  put16(ip + 6, 0x4000);
  ip[8] = 64;
  ip[9] = 6;
  put32(ip + 12, src);
  put32(ip + 16, dst);
  put16(ip + 10, fold(sum16(ip, 20)));
  std::uint8_t* tcp = ip + 20;
  put16(tcp, sport);
  put16(tcp + 2, dport);
  put32(tcp + 4, seq);
  put32(tcp + 8, ack);
  tcp[12] = static_cast<std::uint8_t>(((20 + options_len) / 4) << 4);
  tcp[13] = flags;
  put16(tcp + 14, 65535);
  std::memcpy(tcp + 20, options, options_len);
  std::memset(tcp + 20 + options_len, 'x', payload_len);
  std::uint32_t pseudo = sum16(ip + 12, 8) + 6 + static_cast<std::uint32_t>(tcp_len);
  put16(tcp + 16, fold(sum16(tcp, tcp_len, pseudo)));
  std::uint8_t rec[16];
  write_le32(rec, static_cast<std::uint32_t>(usec / 1000000));
  write_le32(rec + 4, static_cast<std::uint32_t>(usec % 1000000));
  write_le32(rec + 8, static_cast<std::uint32_t>(len));
  write_le32(rec + 12, static_cast<std::uint32_t>(len));
  out.write(rec, sizeof rec);
  out.write(f, len);
  ++out.packets;
}

int concurrent(std::uint64_t n, const char* path) {
  if (n == 0 || n > (1u << 24)) {
    std::fprintf(stderr, "capture_gen: N must be in 1..16777216\n");
    return 2;
  }
  Output out;
  if (!out.open(path)) return 1;
  write_file_header(out, 0xa1b2c3d4);
  static constexpr std::uint8_t kSynOptions[20] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0,
                                                   0, 1, 0,    0,    0, 0, 1, 3,  3, 7};
  static constexpr std::uint8_t kTsOptions[12] = {1, 1, 8, 10, 0, 0, 0, 2, 0, 0, 0, 1};
  const std::uint32_t server = 0xc0000201;  // 192.0.2.1
  std::uint64_t usec = 1700000000ull * 1000000;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t client = 0x0a000000u | i;  // 10.a.b.c
    const auto port = static_cast<std::uint16_t>(40000 + (i & 7));
    const std::uint32_t cisn = i * 2654435761u, sisn = ~cisn;
    write_segment(out, usec++, client, server, port, 80, cisn, 0, 0x02, kSynOptions, 20, 0);
    write_segment(out, usec++, server, client, 80, port, sisn, cisn + 1, 0x12, kSynOptions, 20, 0);
    write_segment(out, usec++, client, server, port, 80, cisn + 1, sisn + 1, 0x10, kTsOptions, 12, 0);
    write_segment(out, usec++, client, server, port, 80, cisn + 1, sisn + 1, 0x18, kTsOptions, 12, 64);
  }
  return out.close();
}

// ------------------------------------------------------------------ repeat

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}
void store32(std::uint8_t* p, std::uint32_t v, bool swapped) {
  if (swapped) v = __builtin_bswap32(v);
  std::memcpy(p, &v, 4);
}

// RFC 1624 eqn. 3: the checksum field after one 16-bit word changed from m to m2.
std::uint16_t adjust(std::uint16_t checksum, std::uint16_t m, std::uint16_t m2) {
  std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
  sum += static_cast<std::uint16_t>(~m);
  sum += m2;
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

// Rewrites the addresses of one Ethernet/IPv4 frame (captured bytes `f`, `caplen`).
void rewrite_ipv4(std::uint8_t* f, std::uint32_t caplen, std::uint16_t k) {
  if (caplen < 34 || get16(f + 12) != 0x0800) return;
  std::uint8_t* ip = f + 14;
  const std::size_t ihl = static_cast<std::size_t>(ip[0] & 0x0F) * 4;
  if ((ip[0] >> 4) != 4 || ihl < 20 || caplen < 14 + ihl) return;
  const std::uint16_t old_src = get16(ip + 13), old_dst = get16(ip + 17);  // bytes 2-3 of each address
  // Addresses at ip+12..19: XOR bytes 1 and 2 (the 2nd and 3rd) of each with k.
  const std::uint16_t new_src = static_cast<std::uint16_t>(old_src ^ k);
  const std::uint16_t new_dst = static_cast<std::uint16_t>(old_dst ^ k);
  // The words the checksums see are ip+12,14,16,18; bytes 13 and 14 / 17 and 18 straddle them.
  const std::uint16_t w12 = get16(ip + 12), w14 = get16(ip + 14), w16 = get16(ip + 16), w18 = get16(ip + 18);
  put16(ip + 13, new_src);
  put16(ip + 17, new_dst);
  const std::uint16_t n12 = get16(ip + 12), n14 = get16(ip + 14), n16 = get16(ip + 16), n18 = get16(ip + 18);
  put16(ip + 10, 0);
  put16(ip + 10, fold(sum16(ip, ihl)));
  const bool first_fragment = (get16(ip + 6) & 0x1FFF) == 0;
  std::size_t checksum_at = 0;
  if (ip[9] == 6) checksum_at = 16;
  if (ip[9] == 17) checksum_at = 6;
  if (!first_fragment || checksum_at == 0 || caplen < 14 + ihl + checksum_at + 2) return;
  std::uint8_t* field = ip + ihl + checksum_at;
  std::uint16_t c = get16(field);
  if (ip[9] == 17 && c == 0) return;  // UDP without a checksum
  c = adjust(c, w12, n12);
  c = adjust(c, w14, n14);
  c = adjust(c, w16, n16);
  c = adjust(c, w18, n18);
  put16(field, c);
}

int repeat(const char* in_path, std::uint32_t copies, const char* out_path) {
  const int fd = open(in_path, O_RDONLY);
  struct stat st {};
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size < 24) {
    std::fprintf(stderr, "capture_gen: cannot read %s\n", in_path);
    return 1;
  }
  const auto size = static_cast<std::size_t>(st.st_size);
  auto* in = static_cast<const std::uint8_t*>(mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0));
  close(fd);
  if (in == MAP_FAILED) {
    std::perror("mmap");
    return 1;
  }
  const std::uint32_t magic = load32(in, false);
  const bool swapped = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
  const bool nano = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
  if (!swapped && magic != 0xa1b2c3d4 && magic != 0xa1b23c4d) {
    std::fprintf(stderr, "capture_gen: %s is not a classic pcap file\n", in_path);
    return 1;
  }
  const bool ethernet = load32(in + 20, swapped) == 1;
  const std::uint64_t unit = nano ? 1000000000ull : 1000000ull;
  // The span of the input: first and last record time stamps.
  std::uint64_t first = 0, last = 0;
  bool any = false;
  for (std::size_t off = 24; off + 16 <= size;) {
    const std::uint32_t caplen = load32(in + off + 8, swapped);
    if (caplen > size - off - 16) break;
    const std::uint64_t t = load32(in + off, swapped) * unit + load32(in + off + 4, swapped);
    if (!any) first = t;
    last = t;
    any = true;
    off += 16 + caplen;
  }
  const std::uint64_t shift = (last - first) + unit;
  Output out;
  if (!out.open(out_path)) return 1;
  out.write(in, 24);
  std::vector<std::uint8_t> frame;
  for (std::uint32_t k = 0; k < copies; ++k) {
    for (std::size_t off = 24; off + 16 <= size;) {
      const std::uint32_t caplen = load32(in + off + 8, swapped);
      if (caplen > size - off - 16) break;
      std::uint8_t rec[16];
      std::memcpy(rec, in + off, 16);
      const std::uint64_t t = load32(rec, swapped) * unit + load32(rec + 4, swapped) + k * shift;
      store32(rec, static_cast<std::uint32_t>(t / unit), swapped);
      store32(rec + 4, static_cast<std::uint32_t>(t % unit), swapped);
      out.write(rec, 16);
      if (k != 0 && ethernet) {
        frame.assign(in + off + 16, in + off + 16 + caplen);
        rewrite_ipv4(frame.data(), caplen, static_cast<std::uint16_t>(k));
        out.write(frame.data(), caplen);
      } else {
        out.write(in + off + 16, caplen);
      }
      ++out.packets;
      off += 16 + caplen;
    }
  }
  munmap(const_cast<std::uint8_t*>(in), size);
  return out.close();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::strcmp(argv[1], "concurrent") == 0)
    return concurrent(std::strtoull(argv[2], nullptr, 10), argv[3]);
  if (argc == 5 && std::strcmp(argv[1], "repeat") == 0)
    return repeat(argv[2], static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10)), argv[4]);
  std::fprintf(stderr,
               "usage: capture_gen concurrent N OUT\n"
               "       capture_gen repeat IN COPIES OUT\n");
  return 2;
}
