// IPv4 and IPv6 text as tcpdump 4.99.3 prints it: the "IP "/"IP6 " prefix, the
// length checks (truncated-ip, bad-len, bad-hlen), the -v header fields, IPv4
// options and header checksum, IPv6 extension headers, and the hand-off to the
// transport printers (TCP through TcpPrinter).
#include "decode/checksum.hpp"
#include "print/addr_text.hpp"
#include "print/packet_walk.hpp"

namespace tcpscope::print::detail {

using decode::Layer;
using decode::LayerKind;

namespace {

constexpr std::uint32_t kIpv4MinHeader = 20;
constexpr std::uint32_t kIpv6Header = 40;

bool prints_own_addresses(std::uint8_t proto) {
  return proto == 6 || proto == 17 || proto == 33 || proto == 132;
}

// Lower-case protocol names as /etc/protocols gives them (used without -n).
std::string_view netdb_protoname(std::uint8_t proto) {
  switch (proto) {
    case 1:
      return "icmp";
    case 2:
      return "igmp";
    case 4:
      return "ipencap";
    case 6:
      return "tcp";
    case 17:
      return "udp";
    case 41:
      return "ipv6";
    case 47:
      return "gre";
    case 50:
      return "esp";
    case 51:
      return "ah";
    case 58:
      return "ipv6-icmp";
    case 89:
      return "ospf";
    case 103:
      return "pim";
    case 112:
      return "vrrp";
    case 132:
      return "sctp";
    default:
      return "";
  }
}

void append_v4(PacketWalk& w, const std::uint8_t* p) { w.address(p, false); }
void append_v6(PacketWalk& w, const std::uint8_t* p) { w.address(p, true); }

// How printing IPv4 options ended: tcpdump 4.99.3 reports a cut inside an
// option's data as "[truncated-option]" but stops the packet outright when the
// kind or length byte itself is missing.
enum class OptionsEnd { complete, truncated_option, cut };

// IPv4 options as tcpdump's ip_optprint prints them.
OptionsEnd print_ipv4_options(PacketWalk& w, const std::uint8_t* cp, std::uint32_t length,
                              std::uint32_t captured) {
  const char* sep = "";
  std::uint32_t at = 0;
  while (length > 0) {
    w.put(sep);
    sep = ",";
    if (at >= captured) return OptionsEnd::cut;
    const std::uint8_t code = cp[at];
    switch (code) {
      case 0:
        w.put("EOL");
        break;
      case 1:
        w.put("NOP");
        break;
      case 68:
        w.put("timestamp");
        break;
      case 130:
        w.put("security");
        break;
      case 7:
        w.put("RR");
        break;
      case 137:
        w.put("SSRR");
        break;
      case 131:
        w.put("LSRR");
        break;
      case 148:
        w.put("RA");
        break;
      case 82:
        w.put("traceroute");
        break;
      default:
        w.fmt("unknown {}", code);
        break;
    }
    std::uint32_t option_len = 1;
    if (code != 0 && code != 1) {
      if (at + 1 >= captured) return OptionsEnd::cut;
      option_len = cp[at + 1];
      if (option_len < 2) {
        w.fmt(" [bad length {}]", option_len);
        return OptionsEnd::complete;
      }
    }
    if (option_len > length) {
      w.fmt(" [bad length {}]", option_len);
      return OptionsEnd::complete;
    }
    if (at + option_len > captured) return OptionsEnd::truncated_option;
    const std::uint8_t* o = cp + at;
    switch (code) {
      case 0:
        return OptionsEnd::complete;
      case 7:
      case 137:
      case 131: {
        if (option_len < 3) {
          w.fmt(" [bad length {}]", option_len);
          break;
        }
        if ((option_len + 1) & 3) w.fmt(" [bad length {}]", option_len);
        const std::uint32_t ptr = o[2] - 1u;
        if (ptr < 3 || ((ptr + 1) & 3) || ptr > option_len + 1) w.fmt(" [bad ptr {}]", o[2]);
        for (std::uint32_t len = 3; len < option_len; len += 4) {
          if (len + 4 > option_len) return OptionsEnd::truncated_option;
          w.put(' ');
          append_v4(w, o + len);
          if (ptr > len) w.put(',');
        }
        break;
      }
      case 148:
        if (option_len < 4) {
          w.fmt(" [bad length {}]", option_len);
          break;
        }
        if (load_be16(o + 2) != 0) w.fmt(" value {}", load_be16(o + 2));
        break;
      case 68: {
        if (option_len < 4) {
          w.fmt("[bad length {}]", option_len);
          break;
        }
        w.put(" TS{");
        const std::uint32_t hoplen = ((o[3] & 0xf) != 0) ? 8 : 4;
        if ((option_len - 4) & (hoplen - 1)) w.fmt("[bad length {}]", option_len);
        const std::uint32_t ptr = o[2] - 1u;
        std::uint32_t len = 0;
        if (ptr < 4 || ((ptr - 4) & (hoplen - 1)) || ptr > option_len + 1) w.fmt("[bad ptr {}]", o[2]);
        bool bad_type = false;
        switch (o[3] & 0xf) {
          case 0:
            w.put("TSONLY");
            break;
          case 1:
            w.put("TS+ADDR");
            break;
          case 3:
            w.put("PRESPEC");
            break;
          default:
            w.fmt("[bad ts type {}]", o[3] & 0xf);
            bad_type = true;
            break;
        }
        if (!bad_type) {
          const char* type = " ";
          for (len = 4; len < option_len; len += hoplen) {
            if (ptr == len) type = " ^ ";
            if (len + hoplen > option_len) return OptionsEnd::truncated_option;
            w.fmt("{}{}@", type, load_be32(o + len + hoplen - 4));
            if (hoplen == 8) append_v4(w, o + len);
            type = " ";
          }
        }
        w.put(ptr == len ? " ^ " : "");
        if (o[3] >> 4)
          w.fmt(" [{} hops not recorded]}} ", o[3] >> 4);
        else
          w.put('}');
        break;
      }
      default:
        break;
    }
    at += option_len;
    length -= option_len;
  }
  return OptionsEnd::complete;
}

}  // namespace

std::string_view ipproto_name(std::uint8_t proto) {
  switch (proto) {
    case 0:
      return "Options";
    case 1:
      return "ICMP";
    case 2:
      return "IGMP";
    case 4:
      return "IPIP";
    case 6:
      return "TCP";
    case 8:
      return "EGP";
    case 9:
      return "IGRP";
    case 17:
      return "UDP";
    case 33:
      return "DCCP";
    case 41:
      return "IPv6";
    case 43:
      return "Routing";
    case 44:
      return "Fragment";
    case 46:
      return "RSVP";
    case 47:
      return "GRE";
    case 50:
      return "ESP";
    case 51:
      return "AH";
    case 55:
      return "Mobile IP";
    case 58:
      return "ICMPv6";
    case 62:
      return "Mobile IP (old)";
    case 88:
      return "EIGRP";
    case 89:
      return "OSPF";
    case 103:
      return "PIM";
    case 108:
      return "Compressed IP";
    case 112:
      return "VRRP";
    case 113:
      return "PGM";
    case 132:
      return "SCTP";
    case 135:
      return "Mobility";
    default:
      return "";
  }
}

void print_ipv4(PacketWalk& w, std::size_t index) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* ip = w.bytes(l);
  const std::uint32_t cap = l.cap_len;
  const std::uint32_t length = l.pdu_len;
  if (cap < 1) return w.trunc("ip");
  const unsigned version = ip[0] >> 4;
  if (version != 4) {
    if (version == 6)
      w.put("IP6, wrong link-layer encapsulation");
    else
      w.fmt("IP{}", version);
    w.put(" (invalid)");
    return;
  }
  if (!w.options.link_header) w.put("IP ");
  if (cap < kIpv4MinHeader) return w.trunc("ip");
  if (length < kIpv4MinHeader) {
    w.put("truncated-ip ");
    w.put_uint(length);
    return;
  }
  const std::uint32_t hlen = (ip[0] & 0x0fu) * 4u;
  if (hlen < kIpv4MinHeader) {
    w.put("bad-hlen ");
    w.put_uint(hlen);
    return;
  }
  std::uint32_t len = load_be16(ip + 2);
  if (length < len) w.fmt("truncated-ip - {} bytes missing! ", len - length);
  if (len < hlen) {
    w.put("bad-len ");
    w.put_uint(len);
    return;
  }
  const std::uint32_t own_cap = cap < len ? cap : len;
  len -= hlen;
  const std::uint16_t off = load_be16(ip + 6);
  const std::uint8_t proto = ip[9];
  if (w.options.verbose) {
    const std::uint8_t tos = ip[1];
    const std::string_view pname = ipproto_name(proto);
    {
      // One reservation for the whole parenthesis (protocol names are short).
      TextWriter t(w.out, 160);
      t.lit("(tos 0x");
      t.hex(tos);
      switch (tos & 3) {
        case 1:
          t.lit(",ECT(1)");
          break;
        case 2:
          t.lit(",ECT(0)");
          break;
        case 3:
          t.lit(",CE");
          break;
        default:
          break;
      }
      if (ip[8] >= 1) {
        t.lit(", ttl ");
        t.dec32(ip[8]);
      }
      t.lit(", id ");
      t.dec32(load_be16(ip + 4));
      t.lit(", offset ");
      t.dec32((off & 0x1fffu) * 8u);
      t.lit(", flags [");
      bool flag_before = false;
      if (off & 0x2000) {
        t.put('+');
        flag_before = true;
      }
      if (off & 0x4000) {
        if (flag_before) t.lit(", ");
        t.lit("DF");
        flag_before = true;
      }
      if (off & 0x8000) {
        if (flag_before) t.lit(", ");
        t.lit("rsvd");
      }
      if (!(off & 0xe000)) t.lit("none");
      t.lit("], proto ");
      t.text(pname.empty() ? std::string_view("unknown") : pname);
      t.lit(" (");
      t.dec32(proto);
      t.lit("), length ");
      t.dec32(load_be16(ip + 2));
    }
    bool truncated = false;
    if (hlen > kIpv4MinHeader) {
      w.put(", options (");
      // tcpdump 4.99.3 reads the options with its checked macros: a cut stops the
      // whole packet right there.
      const OptionsEnd end = print_ipv4_options(w, ip + kIpv4MinHeader, hlen - kIpv4MinHeader,
                                                own_cap > kIpv4MinHeader ? own_cap - kIpv4MinHeader : 0);
      if (end == OptionsEnd::cut) return w.trunc("ip");
      if (end == OptionsEnd::truncated_option) {
        w.put(" [truncated-option]");
        truncated = true;
      }
      w.put(')');
    }
    if (!w.options.no_checksum && hlen <= own_cap) {
      const std::uint16_t sum = decode::internet_checksum(ByteView(ip, hlen));
      if (sum != 0) {
        const std::uint16_t stored = load_be16(ip + 10);
        std::uint32_t shouldbe = std::uint32_t{stored} + sum;
        shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
        shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
        w.fmt(", bad cksum {:x} (->{:x})!", stored, shouldbe);
      }
    }
    w.put(")\n    ");
    if (truncated) {
      append_v4(w, ip + 12);
      w.put(" > ");
      append_v4(w, ip + 16);
      w.put(": ");
      return w.trunc("ip");
    }
  }
  if ((off & 0x1fff) == 0) {
    if (!prints_own_addresses(proto)) {
      append_v4(w, ip + 12);
      w.put(" > ");
      append_v4(w, ip + 16);
      w.put(": ");
    }
    if (own_cap < hlen) {
      w.fmt(" [remaining caplen({}) < header length({})]", own_cap, hlen);
      return w.trunc("ip");
    }
    print_ip_payload(w, index, proto, len);
  } else {
    append_v4(w, ip + 12);
    w.put(" > ");
    append_v4(w, ip + 16);
    w.put(':');
    const std::string_view name = netdb_protoname(proto);
    if (!w.options.numeric && !name.empty()) {
      w.put(' ');
      w.put(name);
    } else {
      w.fmt(" ip-proto-{}", proto);
    }
  }
}

namespace {

// IPv6 hop-by-hop / destination options with -v (tcpdump's ip6_opt_process).
bool print_ipv6_options(PacketWalk& w, const std::uint8_t* bp, std::uint32_t len, bool hop_by_hop,
                        std::uint32_t payload_len) {
  // tcpdump 4.99.3's ip6_opt_print: a cut or overlong option ends the packet.
  if (len == 0) return true;
  const std::string_view proto = hop_by_hop ? "hbh" : "dstopt";
  bool found_jumbo = false;
  for (std::uint32_t i = 0; i < len;) {
    const std::uint8_t type = bp[i];
    if (type == 0) {
      w.put("(pad1)");
      ++i;
      continue;
    }
    if (i + 1 >= len) {
      w.trunc(proto);
      return false;
    }
    const std::uint32_t optlen = bp[i + 1] + 2u;
    if (i + optlen > len) {
      w.trunc(proto);
      return false;
    }
    switch (type) {
      case 1:
        w.put("(padn)");
        break;
      case 5:
        if (optlen != 4) {
          w.put("(rtalert: invalid len ");
          w.put_uint(optlen - 2);
          w.put(')');
        } else {
          w.fmt("(rtalert: 0x{:04x}) ", load_be16(bp + i + 2));
        }
        break;
      case 0xc2: {
        if (optlen != 6) {
          w.fmt("(jumbo: invalid len {})", optlen - 2);
          break;
        }
        const std::uint32_t jumbo = load_be32(bp + i + 2);
        if (found_jumbo)
          w.fmt("(jumbo: {} - already seen) ", jumbo);
        else if (!hop_by_hop)
          w.fmt("(jumbo: {} - not a hop-by-hop option) ", jumbo);
        else if (payload_len != 0)
          w.fmt("(jumbo: {} - payload len != 0) ", jumbo);
        else if (jumbo < 65536)
          w.fmt("(jumbo: {} - < 65536) ", jumbo);
        else
          w.fmt("(jumbo: {}) ", jumbo);
        found_jumbo = true;
        break;
      }
      case 0xc9:
        if (optlen >= 18) {
          w.put("(homeaddr: ");
          append_v6(w, bp + i + 2);
          w.put(')');
        }
        break;
      default:
        w.fmt("(opt_type 0x{:02x}: len={})", type, optlen - 2);
        break;
    }
    i += optlen;
  }
  w.put(' ');
  return true;
}

}  // namespace

namespace {

// One IPv6 extension header, printed as far as it was captured (tcpdump prints
// field by field and stops with its marker). Returns false when printing stops.
bool print_ipv6_extension(PacketWalk& w, const Layer& ip6, const Layer& ext, std::uint32_t payload_len) {
  const std::uint8_t* p = w.bytes(ext);
  const std::uint32_t n = ext.length;  // captured bytes of this header
  switch (ext.aux) {
    case 0:
    case 60: {
      const bool hbh = ext.aux == 0;
      if (n < 2 || n < (p[1] + 1u) * 8u) {
        w.trunc(hbh ? "hbh" : "dstopt");
        return false;
      }
      w.put(hbh ? "HBH " : "DSTOPT ");
      if (w.options.verbose && !print_ipv6_options(w, p + 2, n - 2, hbh, payload_len)) return false;
      if (hbh && w.packet.status.code == decode::DecodeCode::malformed &&
          &ext == &w.packet.layers[w.packet.layer_count - 1]) {
        w.put("[No valid Jumbo Payload Hop-by-Hop option found] (invalid)");
        return false;
      }
      return true;
    }
    case 44: {
      if (n < 8) {
        w.trunc("frag6");
        return false;
      }
      const std::uint32_t frag_len = 40u + load_be16(w.bytes(ip6) + 4) - (ext.offset - ip6.offset) - 8u;
      const unsigned offset = load_be16(p + 2) & 0xfff8;
      if (w.options.verbose)
        w.fmt("frag (0x{:08x}:{}|{})", load_be32(p + 4), offset, frag_len);
      else
        w.fmt("frag ({}|{})", offset, frag_len);
      if (offset != 0) return false;
      w.put(' ');
      return true;
    }
    case 43: {
      auto stop = [&] {
        w.trunc("rt6");
        return false;
      };
      if (n == 0) {  // tcpdump's IPv6 loop checks the first byte itself
        w.trunc("ip6");
        return false;
      }
      w.put("RT6");
      if (n < 2) return stop();
      const std::uint32_t units = p[1];
      w.fmt(" (len={}", units);
      if (n < 3) return stop();
      const std::uint8_t type = p[2];
      w.fmt(", type={}", type);
      if (type == 0) w.put(" [Deprecated]");
      if (n < 4) return stop();
      w.fmt(", segleft={}", p[3]);
      if (type == 0 || type == 2) {
        if (n < 8) return stop();
        const std::uint32_t reserved = load_be32(p + 4);
        if (reserved || w.options.verbose) w.fmt(", rsv=0x{:x}", reserved);
        if (units % 2 == 1) {
          w.fmt(" (invalid length {}) (invalid)", units);
          return false;
        }
        for (std::uint32_t k = 0; k < units / 2; ++k) {
          if (n < 8 + 16 * (k + 1)) return stop();
          w.fmt(", [{}]", k);
          append_v6(w, p + 8 + 16 * k);
        }
      } else if (type == 4) {
        if (n < 8) return stop();
        w.fmt(", last-entry={}", p[4]);
        if (p[5]) w.fmt(", flags=0x{:x}", p[5]);
        w.fmt(", tag={:x}", load_be16(p + 6));
        for (std::uint32_t k = 0; k <= p[4]; ++k) {
          if (n < 8 + 16 * (k + 1)) return stop();
          w.fmt(", [{}]", k);
          append_v6(w, p + 8 + 16 * k);
        }
      } else {
        w.put(" (unknown type) (invalid)");
        return false;
      }
      w.put(") ");
      if (n < (units + 1) * 8) return stop();
      return true;
    }
    case 51: {
      // RFC 4302: length in 4-byte units minus 2; reserved, SPI, sequence number, ICV.
      auto stop = [&] {
        w.trunc("ah");
        return false;
      };
      if (n == 0) return stop();
      w.put("AH");
      if (n < 2) return stop();
      const std::uint32_t units = p[1];
      const std::uint32_t total = (units + 2) * 4;
      w.put('(');
      if (w.options.verbose) w.fmt("length={}({}-bytes),", units, total);
      if (n < 4) return stop();
      if (const std::uint16_t reserved = load_be16(p + 2)) w.fmt("reserved=0x{:x}[MustBeZero],", reserved);
      if (n < 8) return stop();
      w.fmt("spi=0x{:08x},", load_be32(p + 4));
      if (n < 12) return stop();
      w.fmt("seq=0x{:x},icv=0x", load_be32(p + 8));
      for (std::uint32_t k = 12; k < total; ++k) {
        if (k >= n) return stop();
        w.fmt("{:02x}", p[k]);
      }
      w.put("): ");
      return true;
    }
    default:
      return true;
  }
}

}  // namespace

void print_ipv6(PacketWalk& w, std::size_t index) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* ip6 = w.bytes(l);
  const std::uint32_t cap = l.cap_len;
  const std::uint32_t length = l.pdu_len;
  if (cap < kIpv6Header) return w.trunc("ip6");
  if (length < kIpv6Header) {
    w.put("truncated-ip6 ");
    w.put_uint(length);
    return;
  }
  if (!w.options.link_header) w.put("IP6 ");
  if ((ip6[0] >> 4) != 6) {
    w.fmt("version error: {} != 6", ip6[0] >> 4);
    return;
  }
  const std::uint32_t payload_len = load_be16(ip6 + 4);
  if (payload_len != 0 && length < payload_len + kIpv6Header)
    w.fmt("truncated-ip6 - {} bytes missing!", payload_len + kIpv6Header - length);
  const std::uint8_t first_nh = ip6[6];
  if (w.options.verbose) {
    const std::uint32_t flow = load_be32(ip6);
    w.put('(');
    if (flow & 0x0ff00000) w.fmt("class 0x{:02x}, ", (flow & 0x0ff00000) >> 20);
    if (flow & 0x000fffff) w.fmt("flowlabel 0x{:05x}, ", flow & 0x000fffff);
    const std::string_view name = ipproto_name(first_nh);
    w.fmt("hlim {}, next-header {} ({}) payload length: {}) ", ip6[7],
          name.empty() ? std::string_view("unknown") : name, first_nh, payload_len);
  }
  if (!prints_own_addresses(first_nh)) {
    append_v6(w, ip6 + 8);
    w.put(" > ");
    append_v6(w, ip6 + 24);
    w.put(": ");
  }
  std::size_t i = index + 1;
  for (; i < w.packet.layer_count && w.packet.layers[i].kind == LayerKind::ipv6_ext; ++i) {
    if (!print_ipv6_extension(w, l, w.packet.layers[i], payload_len)) return;
  }
  if (i >= w.packet.layer_count) {
    if (w.packet.status.code == decode::DecodeCode::truncated) w.trunc("ip6");
    return;
  }
  const Layer& upper = w.packet.layers[i];
  std::uint8_t proto = first_nh;
  if (i > index + 1) proto = w.bytes(w.packet.layers[i - 1])[0];
  print_ip_payload(w, i - 1, proto, upper.pdu_len);
}

void print_ip_payload(PacketWalk& w, std::size_t index, std::uint8_t proto, std::uint32_t length) {
  // `index` is the IP layer (or the last IPv6 extension header); the payload is index + 1.
  std::size_t ip_index = index;
  while (w.packet.layers[ip_index].kind == LayerKind::ipv6_ext && ip_index > 0) --ip_index;
  const std::size_t next = index + 1;
  const bool have_next = next < w.packet.layer_count;
  switch (proto) {
    case 6: {
      bool fragmented = false;
      const Layer& ip = w.packet.layers[ip_index];
      if (ip.kind == LayerKind::ipv4) {
        fragmented = (load_be16(w.bytes(ip) + 6) & 0x2000) != 0;
      } else {
        for (std::size_t k = ip_index + 1; k < next; ++k)
          if (w.packet.layers[k].aux == 44) fragmented = true;
      }
      if (have_next) print_tcp(w, next, ip_index, fragmented);
      return;
    }
    case 17:
      if (have_next) print_udp(w, next, ip_index);
      return;
    case 1:
      if (have_next) print_icmp(w, next, ip_index);
      return;
    case 58:
      if (have_next) print_icmp6(w, next, ip_index);
      return;
    case 47:
      if (have_next)
        print_gre(w, next, length);
      else
        w.trunc("gre");
      return;
    case 4:
      if (have_next) print_ipv4(w, next);
      return;
    case 41:
      if (have_next) print_ipv6(w, next);
      return;
    default: {
      const std::string_view name = netdb_protoname(proto);
      if (!w.options.numeric && !name.empty()) {
        w.put(' ');
        w.put(name);
      } else {
        w.fmt(" ip-proto-{}", proto);
      }
      w.fmt(" {}", length);
      return;
    }
  }
}

void print_tcp(PacketWalk& w, std::size_t index, std::size_t ip_index, bool fragmented) {
  const Layer& tcp = w.packet.layers[index];
  const Layer& ip = w.packet.layers[ip_index];
  const std::uint8_t* iph = w.bytes(ip);
  TcpPrintContext ctx;
  if (ip.kind == LayerKind::ipv4) {
    ctx.src = IpAddr::v4(iph + 12);
    ctx.dst = IpAddr::v4(iph + 16);
    ctx.print_addresses = iph[9] == 6;
  } else {
    ctx.src = IpAddr::v6(iph + 8);
    ctx.dst = IpAddr::v6(iph + 24);
    ctx.print_addresses = iph[6] == 6;
    if (w.packet.has_tcp && w.packet.tcp.dst.addr.is_v6()) ctx.dst = w.packet.tcp.dst.addr;
  }
  ctx.segment_len = tcp.pdu_len;
  if (w.packet.has_tcp) ctx.decoded = &w.packet.tcp;  // lets TcpPrinter reuse the verified checksum
  ctx.ip_fragment = fragmented;
  w.tcp.print(w.out, w.options, ByteView(w.bytes(tcp), tcp.cap_len), ctx);
}

}  // namespace tcpscope::print::detail
