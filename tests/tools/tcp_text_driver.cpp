// Test driver for the TCP printer on its own (independent of the frame printer):
// reads a capture with libpcap, finds TCP behind Ethernet/VLAN/MPLS/SLL/raw/null/PPP
// and VXLAN/Geneve with a minimal IPv4/IPv6 walk, and prints "#  <TCP part>" per
// TCP packet. Used by tcp_text_differential.py (a ctest) and tcp_text_compare.py
// (the corpus, TCP part only); not part of the product.
//
// Built by tests/tools/tcp_text.cmake (target tcp_text_driver).
#include <pcap/pcap.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "core/bytes.hpp"
#include "print/tcp_text.hpp"

using namespace tcpscope;

struct Driver {
  print::PrintOptions opts;
  print::TcpPrinter printer;
  fmt::memory_buffer out;
  bool found = false;

  void ip(const std::uint8_t* p, std::size_t n, int depth);
  void ether(const std::uint8_t* p, std::size_t n, int depth) {
    if (n < 14) return;
    std::uint16_t type = load_be16(p + 12);
    std::size_t off = 14;
    while ((type == 0x8100 || type == 0x88a8) && n >= off + 4) {
      type = load_be16(p + off + 2);
      off += 4;
    }
    by_type(type, p + off, n - off, depth);
  }
  void by_type(std::uint16_t type, const std::uint8_t* p, std::size_t n, int depth) {
    if (type == 0x0800 || type == 0x86dd)
      ip(p, n, depth);
    else if (type == 0x8847)
      mpls(p, n, depth);
  }
  void mpls(const std::uint8_t* p, std::size_t n, int depth) {
    std::size_t off = 0;
    while (n >= off + 4) {
      bool bottom = p[off + 2] & 1;
      off += 4;
      if (bottom) break;
    }
    ip(p + off, n - off, depth);
  }
};

void Driver::ip(const std::uint8_t* p, std::size_t n, int depth) {
  if (n < 1 || depth > 4) return;
  print::TcpPrintContext ctx;
  std::uint8_t proto = 0;
  std::size_t hl = 0;
  if ((p[0] >> 4) == 4) {
    if (n < 20) return;
    hl = (p[0] & 0xf) * 4u;
    const std::uint16_t total = load_be16(p + 2);
    const std::uint16_t frag = load_be16(p + 6);
    if ((frag & 0x1fff) != 0) return;
    ctx.ip_fragment = (frag & 0x2000) != 0;
    proto = p[9];
    ctx.src = IpAddr::v4(p + 12);
    ctx.dst = IpAddr::v4(p + 16);
    if (total < hl) return;
    ctx.segment_len = total - static_cast<std::uint32_t>(hl);
  } else if ((p[0] >> 4) == 6) {
    if (n < 40) return;
    ctx.src = IpAddr::v6(p + 8);
    ctx.dst = IpAddr::v6(p + 24);
    std::uint32_t plen = load_be16(p + 4);
    proto = p[6];
    hl = 40;
    bool ext = false;
    while (proto == 0 || proto == 43 || proto == 60 || proto == 44) {
      if (n < hl + 8) return;
      ext = true;
      const std::uint8_t nh = p[hl];
      std::size_t len = proto == 44 ? 8 : (p[hl + 1] + 1u) * 8;
      if (proto == 44) {
        if ((load_be16(p + hl + 2) & 0xfff8) != 0) return;
        ctx.ip_fragment = true;
      }
      if (proto == 0 && plen == 0) {  // jumbo payload option
        for (std::size_t o = hl + 2; o + 6 <= hl + len && o + 6 <= n;) {
          if (p[o] == 0xc2) {
            plen = load_be32(p + o + 2);
            break;
          }
          if (p[o] == 0) {
            ++o;
            continue;
          }
          o += 2u + p[o + 1];
        }
      }
      plen -= static_cast<std::uint32_t>(len);
      hl += len;
      proto = nh;
    }
    ctx.print_addresses = !ext;
    ctx.segment_len = plen;
  } else {
    return;
  }
  if (hl > n) return;
  const std::uint8_t* l4 = p + hl;
  const std::size_t l4n = n - hl;
  if (proto == 6) {
    found = true;
    printer.print(out, opts, ByteView(l4, l4n), ctx);
    return;
  }
  if (proto == 17 && l4n >= 8) {
    const std::uint16_t dport = load_be16(l4 + 2);
    if (dport == 4789 && l4n >= 16) ether(l4 + 16, l4n - 16, depth + 1);
    if (dport == 6081 && l4n >= 16) {
      const std::size_t glen = 8 + (l4[8] & 0x3f) * 4u;
      const std::uint16_t gtype = load_be16(l4 + 10);
      if (l4n >= 8 + glen) {
        if (gtype == 0x6558)
          ether(l4 + 8 + glen, l4n - 8 - glen, depth + 1);
        else
          by_type(gtype, l4 + 8 + glen, l4n - 8 - glen, depth + 1);
      }
    }
  }
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  Driver d;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-S")
      d.opts.absolute_seq = true;
    else if (a == "-q")
      d.opts.quiet = true;
    else if (a == "-K")
      d.opts.no_checksum = true;
    else if (a.rfind("-v", 0) == 0)
      d.opts.verbose = static_cast<int>(a.size() - 1);
    else if (a.rfind("-n", 0) == 0)
      d.opts.numeric = static_cast<int>(a.size() - 1);
  }
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* pc = pcap_open_offline(argv[1], err);
  if (!pc) {
    std::fprintf(stderr, "%s\n", err);
    return 1;
  }
  const int dlt = pcap_datalink(pc);
  pcap_pkthdr* hdr;
  const u_char* data;
  unsigned num = 0;
  while (pcap_next_ex(pc, &hdr, &data) == 1) {
    ++num;
    d.out.clear();
    d.found = false;
    const std::uint8_t* p = data;
    std::size_t n = hdr->caplen;
    switch (dlt) {
      case DLT_EN10MB:
        d.ether(p, n, 0);
        break;
      case DLT_LINUX_SLL:
        if (n >= 16) d.by_type(load_be16(p + 14), p + 16, n - 16, 0);
        break;
      case DLT_RAW:
      case 228:
      case 229:
        d.ip(p, n, 0);
        break;
      case DLT_NULL:
        if (n >= 4) d.ip(p + 4, n - 4, 0);
        break;
      case DLT_PPP:
        if (n >= 4) {
          const std::uint16_t t = load_be16(p + 2);
          if (t == 0x21 || t == 0x57)
            d.ip(p + 4, n - 4, 0);
          else if (t == 0x281)
            d.mpls(p + 4, n - 4, 0);
        }
        break;
      default:
        break;
    }
    if (d.found) std::printf("%5u  %.*s\n", num, static_cast<int>(d.out.size()), d.out.data());
  }
  pcap_close(pc);
  return 0;
}
