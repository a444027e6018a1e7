// Rebuilds examples/article.pcap: the 11 TCP segments printed by the article in
// shared/seed/000_eab473a57d695121.txt (`tcpdump -S -nn -vvv -i eth0 port 1234` on
// the server 172.17.0.9), as Ethernet frames with the printed addresses, ports,
// tos/ttl/id/DF, seq/ack/win, TCP options in the printed order, the payloads
// "ping"/"pong" and the printed times, stored as 2020-11-25 UTC.
//
// The IPv4 and TCP checksums are recomputed. The article's printed TCP checksums
// do not match its printed addresses: the generator checks that each printed value
// differs from the recomputed one by the same amount in the one's-complement sum
// (0x442f) and fails if that is not so. See examples/README.md.
//
// Usage: make_article_pcap OUT.pcap   (prints the checksum comparison on stdout)
#include <cstdint>
#include <cstdio>
#include <span>
#include <string_view>
#include <vector>

#include "core/addr.hpp"
#include "decode/checksum.hpp"

namespace {

using tcpscope::ByteView;
using tcpscope::IpAddr;
using tcpscope::decode::checksum_add;
using tcpscope::decode::checksum_finish;
using tcpscope::decode::internet_checksum;
using tcpscope::decode::pseudo_header_sum;

// 2020-11-25 11:35:40 UTC: with TZ=UTC, tcpdump prints the article's 11:35:40.282576.
constexpr std::uint32_t kArticleMinuteStartEpoch = 1606304140;  // 11:35:40 UTC

// The capture was taken on the server's eth0. The MACs are not in the article; these
// are made up: a KVM guest NIC (QEMU's 52:54:00 prefix) and its virtual gateway.
constexpr std::uint8_t kServerMac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr std::uint8_t kGatewayMac[6] = {0xfe, 0xee, 0x0b, 0x00, 0x00, 0x01};

constexpr std::uint8_t kClientIp[4] = {117, 25, 25, 144};
constexpr std::uint8_t kServerIp[4] = {172, 17, 0, 9};
constexpr std::uint16_t kClientPort = 12896;
constexpr std::uint16_t kServerPort = 1234;

constexpr std::uint8_t kFin = 0x01, kSyn = 0x02, kPsh = 0x08, kAck = 0x10;

enum class Options : std::uint8_t {
  syn,        // mss, sackOK, TS, nop, wscale 7 (Linux's SYN order)
  timestamp,  // nop, nop, TS
};

struct ArticleSegment {
  std::uint32_t usec_after_minute_start;  // time printed by the article, minus 11:35:40
  bool from_client;
  std::uint8_t tos;
  std::uint8_t ttl;
  std::uint16_t ip_id;
  std::uint8_t tcp_flags;
  std::uint32_t seq;
  std::uint32_t ack;  // 0 when the ACK flag is not set
  std::uint16_t window;
  Options options;
  std::uint16_t mss;  // SYN options only
  std::uint32_t ts_val;
  std::uint32_t ts_ecr;
  std::string_view payload;
  std::uint16_t article_tcp_checksum;  // as printed by the article (not valid for these addresses)
};

// One row per line pair of the article's tcpdump output, in order.
constexpr ArticleSegment kArticleSegments[] = {
    {282576, true, 0x68, 50, 47514, kSyn, 2099912037, 0, 28280, Options::syn, 1412, 576627967, 0, "", 0xc1a5},
    {282632, false, 0x00, 64, 0, kSyn | kAck, 2547375254, 2099912038, 28960, Options::syn, 1460, 254669132,
     576627967, "", 0x49d6},
    {319401, true, 0x68, 50, 47515, kAck, 2099912038, 2547375255, 221, Options::timestamp, 0, 576628005,
     254669132, "", 0xe8bf},
    {319449, true, 0x68, 50, 47516, kPsh | kAck, 2099912038, 2547375255, 221, Options::timestamp, 0,
     576628005, 254669132, "ping", 0x09e3},
    {319466, false, 0x00, 64, 11750, kAck, 2547375255, 2099912042, 227, Options::timestamp, 0, 254669169,
     576628005, "", 0xe890},
    {319620, false, 0x00, 64, 11751, kPsh | kAck, 2547375255, 2099912042, 227, Options::timestamp, 0,
     254669170, 576628005, "pong", 0x09ad},
    {355762, true, 0x68, 50, 47517, kAck, 2099912042, 2547375259, 221, Options::timestamp, 0, 576628041,
     254669170, "", 0xe86d},
    {355920, true, 0x68, 50, 47518, kFin | kAck, 2099912042, 2547375259, 221, Options::timestamp, 0,
     576628041, 254669170, "", 0xe86c},
    {395611, false, 0x00, 64, 11752, kAck, 2547375259, 2099912043, 227, Options::timestamp, 0, 254669246,
     576628041, "", 0xe81a},
    {2319737, false, 0x00, 64, 11753, kFin | kAck, 2547375259, 2099912043, 227, Options::timestamp, 0,
     254671170, 576628041, "", 0xe095},
    {2355963, true, 0x68, 50, 26833, kAck, 2099912043, 2547375260, 221, Options::timestamp, 0, 576630041,
     254671170, "", 0xd8cb},
};

// The difference the article's checksums show in the one's-complement sum.
constexpr std::uint16_t kExpectedArticleSumOffset = 0x442f;

class Bytes {
 public:
  void u8(std::uint8_t v) { data_.push_back(v); }
  void be16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v >> 8));
    u8(static_cast<std::uint8_t>(v));
  }
  void be32(std::uint32_t v) {
    be16(static_cast<std::uint16_t>(v >> 16));
    be16(static_cast<std::uint16_t>(v));
  }
  void le16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
  }
  void le32(std::uint32_t v) {
    le16(static_cast<std::uint16_t>(v));
    le16(static_cast<std::uint16_t>(v >> 16));
  }
  void raw(std::span<const std::uint8_t> v) { data_.insert(data_.end(), v.begin(), v.end()); }
  void text(std::string_view v) { data_.insert(data_.end(), v.begin(), v.end()); }
  void put_be16_at(std::size_t offset, std::uint16_t v) {
    data_[offset] = static_cast<std::uint8_t>(v >> 8);
    data_[offset + 1] = static_cast<std::uint8_t>(v);
  }
  std::size_t size() const { return data_.size(); }
  ByteView view(std::size_t offset, std::size_t length) const {
    return ByteView(data_).subspan(offset, length);
  }
  const std::vector<std::uint8_t>& data() const { return data_; }

 private:
  std::vector<std::uint8_t> data_;
};

void append_tcp_options(const ArticleSegment& s, Bytes& out) {
  if (s.options == Options::syn) {
    out.u8(2);  // mss
    out.u8(4);
    out.be16(s.mss);
    out.u8(4);  // sackOK
    out.u8(2);
  } else {
    out.u8(1);  // nop
    out.u8(1);  // nop
  }
  out.u8(8);  // TS
  out.u8(10);
  out.be32(s.ts_val);
  out.be32(s.ts_ecr);
  if (s.options == Options::syn) {
    out.u8(1);  // nop
    out.u8(3);  // wscale 7
    out.u8(3);
    out.u8(7);
  }
}

struct BuiltFrame {
  Bytes bytes;
  std::uint16_t tcp_checksum = 0;
  std::uint32_t tcp_sum_uncomplemented = 0;  // folded one's-complement sum, checksum field included as 0
};

BuiltFrame build_frame(const ArticleSegment& s) {
  BuiltFrame f;
  Bytes& b = f.bytes;
  const std::uint8_t* src_ip = s.from_client ? kClientIp : kServerIp;
  const std::uint8_t* dst_ip = s.from_client ? kServerIp : kClientIp;

  // Ethernet II
  b.raw(s.from_client ? kServerMac : kGatewayMac);
  b.raw(s.from_client ? kGatewayMac : kServerMac);
  b.be16(0x0800);

  // IPv4, 20 bytes, DF
  const std::size_t ip_offset = b.size();
  b.u8(0x45);
  b.u8(s.tos);
  b.be16(0);  // total length, patched below
  b.be16(s.ip_id);
  b.be16(0x4000);  // DF, offset 0
  b.u8(s.ttl);
  b.u8(6);
  b.be16(0);  // header checksum, patched below
  b.raw(std::span(src_ip, 4));
  b.raw(std::span(dst_ip, 4));

  // TCP
  const std::size_t tcp_offset = b.size();
  b.be16(s.from_client ? kClientPort : kServerPort);
  b.be16(s.from_client ? kServerPort : kClientPort);
  b.be32(s.seq);
  b.be32(s.ack);
  b.u8(0);  // data offset, patched below
  b.u8(s.tcp_flags);
  b.be16(s.window);
  b.be16(0);  // checksum, patched below
  b.be16(0);  // urgent pointer
  append_tcp_options(s, b);
  const std::size_t tcp_header_len = b.size() - tcp_offset;
  b.text(s.payload);

  const std::size_t ip_total = b.size() - ip_offset;
  const std::size_t tcp_len = b.size() - tcp_offset;
  b.put_be16_at(ip_offset + 2, static_cast<std::uint16_t>(ip_total));
  b.put_be16_at(ip_offset + 10, internet_checksum(b.view(ip_offset, 20)));
  b.put_be16_at(tcp_offset + 12, static_cast<std::uint16_t>(((tcp_header_len / 4) << 12) | s.tcp_flags));

  const std::uint32_t sum = checksum_add(
      pseudo_header_sum(IpAddr::v4(src_ip), IpAddr::v4(dst_ip), 6, static_cast<std::uint32_t>(tcp_len)),
      b.view(tcp_offset, tcp_len));
  f.tcp_checksum = checksum_finish(sum);
  f.tcp_sum_uncomplemented = static_cast<std::uint16_t>(~f.tcp_checksum);
  b.put_be16_at(tcp_offset + 16, f.tcp_checksum);
  return f;
}

// a - b in one's-complement 16-bit arithmetic (0xffff and 0 are the same value).
std::uint16_t ones_complement_difference(std::uint32_t a, std::uint32_t b) {
  std::uint32_t d = (a + 0xffffu - b) % 0xffffu;
  return static_cast<std::uint16_t>(d);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_article_pcap OUT.pcap\n");
    return 2;
  }
  Bytes file;
  // pcap global header, little-endian, microsecond timestamps, Ethernet.
  file.le32(0xa1b2c3d4);
  file.le16(2);
  file.le16(4);
  file.le32(0);  // thiszone
  file.le32(0);  // sigfigs
  file.le32(262144);
  file.le32(1);  // LINKTYPE_ETHERNET

  bool offsets_agree = true;
  std::printf("segment  article-cksum  recomputed-cksum  sum-difference\n");
  int number = 0;
  for (const ArticleSegment& s : kArticleSegments) {
    const BuiltFrame f = build_frame(s);
    const std::uint32_t usec = s.usec_after_minute_start;
    file.le32(kArticleMinuteStartEpoch + usec / 1'000'000);
    file.le32(usec % 1'000'000);
    file.le32(static_cast<std::uint32_t>(f.bytes.size()));
    file.le32(static_cast<std::uint32_t>(f.bytes.size()));
    file.raw(f.bytes.data());

    const std::uint16_t article_sum = static_cast<std::uint16_t>(~s.article_tcp_checksum);
    const std::uint16_t offset = ones_complement_difference(article_sum, f.tcp_sum_uncomplemented);
    std::printf("%7d  0x%04x         0x%04x            0x%04x\n", ++number, s.article_tcp_checksum,
                f.tcp_checksum, offset);
    if (offset != kExpectedArticleSumOffset) offsets_agree = false;
  }

  std::FILE* out = std::fopen(argv[1], "wb");
  if (out == nullptr) {
    std::perror(argv[1]);
    return 1;
  }
  const auto& bytes = file.data();
  const bool written = std::fwrite(bytes.data(), 1, bytes.size(), out) == bytes.size();
  if (std::fclose(out) != 0 || !written) {
    std::perror(argv[1]);
    return 1;
  }
  if (!offsets_agree) {
    std::fprintf(stderr, "make_article_pcap: the article's checksums do not all differ by 0x%04x\n",
                 kExpectedArticleSumOffset);
    return 1;
  }
  std::printf(
      "all %d article checksums differ from the recomputed ones by 0x%04x in the one's-complement sum\n",
      number, kExpectedArticleSumOffset);
  return 0;
}
