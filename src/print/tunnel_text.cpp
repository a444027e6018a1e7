// UDP and the tunnels tcpdump 4.99.3 decodes in front of an inner packet:
// VXLAN, Geneve (with its options), GRE and MPLS.
#include <arpa/inet.h>
#include <netdb.h>

#include <cstring>

#include "decode/checksum.hpp"
#include "print/addr_text.hpp"
#include "print/hexdump.hpp"
#include "print/packet_walk.hpp"

namespace tcpscope::print::detail {

using decode::Layer;
using decode::LayerKind;

namespace {

constexpr std::uint32_t kUdpHeader = 8;

void udp_port(PacketWalk& w, int port) {
  if (w.options.numeric == 0) {
    const std::string_view name = w.udp_ports.name(static_cast<std::uint16_t>(port));
    if (!name.empty()) return w.put(name);
  }
  w.put_uint(static_cast<std::uint64_t>(port));
}

void udp_addresses(PacketWalk& w, const Layer& ip, int sport, int dport) {
  const std::uint8_t* iph = w.bytes(ip);
  const bool v4 = ip.kind == LayerKind::ipv4;
  const bool direct = v4 ? iph[9] == 17 : iph[6] == 17;
  if (direct) {
    w.address(v4 ? iph + 12 : iph + 8, !v4);
    if (sport >= 0) {
      w.put('.');
      udp_port(w, sport);
    }
    w.put(" > ");
    w.address(v4 ? iph + 16 : iph + 24, !v4);
    if (dport >= 0) {
      w.put('.');
      udp_port(w, dport);
    }
    w.put(": ");
  } else if (sport >= 0) {
    udp_port(w, sport);
    w.put(" > ");
    udp_port(w, dport);
    w.put(": ");
  }
}

std::string_view geneve_option_class(std::uint16_t c) {
  switch (c) {
    case 0x0100:
      return "Linux";
    case 0x0101:
      return "Open vSwitch";
    case 0x0102:
      return "Open Virtual Networking (OVN)";
    case 0x0103:
      return "In-band Network Telemetry (INT)";
    case 0x0104:
      return "VMware";
    default:
      if (c <= 0x00ff) return "Standard";
      if (c >= 0xfff0) return "Experimental";
      return "Unknown";
  }
}

void print_vxlan(PacketWalk& w, std::size_t index) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  w.put("VXLAN");
  if (l.pdu_len < 8 || l.length < 1) return w.trunc("vxlan");
  w.fmt(", flags [{}] (0x{:02x}), ", (p[0] & 0x08) ? "I" : "invalid", p[0]);
  if (l.length < 7) return w.trunc("vxlan");
  w.fmt("vni {}\n", load_be24(p + 4));
  if (l.length < 8) return w.trunc("vxlan");  // the reserved byte is missing
  if (index + 1 < w.packet.layer_count)
    print_ethernet(w, index + 1);
  else
    w.trunc("ether");
}

void print_geneve(PacketWalk& w, std::size_t index) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  w.put("Geneve");
  if (l.pdu_len < 8) return w.put(" (invalid)");
  if (l.length < 8) return w.trunc("geneve");
  if ((p[0] >> 6) != 0) {
    w.fmt(" ERROR: unknown-version {}", p[0] >> 6);
    return;
  }
  const std::uint8_t flags = p[1];
  const std::uint16_t proto = load_be16(p + 2);
  w.put(", Flags [");
  static constexpr std::pair<std::uint8_t, const char*> kFlags[] = {{0x80, "O"},  {0x40, "C"},  {0x20, "R1"},
                                                                    {0x10, "R2"}, {0x08, "R3"}, {0x04, "R4"},
                                                                    {0x02, "R5"}, {0x01, "R6"}};
  w.bit_names(flags, kFlags, "");
  w.fmt("], vni 0x{:x}", load_be24(p + 4));
  if (p[7]) w.fmt(", rsvd 0x{:x}", p[7]);
  if (w.options.link_header) {
    const std::string_view name = ethertype_name(proto);
    w.fmt(", proto {} (0x{:04x})", name.empty() ? std::string_view("unknown") : name, proto);
  }
  const std::uint32_t opts_len = (p[0] & 0x3fu) * 4u;
  const std::uint32_t len = l.pdu_len - 8;
  if (len < opts_len) {
    w.fmt(" truncated-geneve - {} bytes missing", opts_len - len);
    return;
  }
  if (opts_len > 0) {
    if (l.cap_len < 8 + opts_len) return w.trunc("geneve");
    w.put(", options [");
    if (w.options.verbose) {
      const char* sep = "";
      std::uint32_t at = 8, left = opts_len;
      while (left > 0) {
        if (left < 4) {
          w.put(" (invalid)");
          return;
        }
        w.put(sep);
        sep = ", ";
        const std::uint16_t cls = load_be16(p + at);
        const std::uint8_t type = p[at + 2];
        const std::uint32_t olen = 4 + (p[at + 3] & 0x1fu) * 4u;
        w.fmt("class {} (0x{:x}) type 0x{:x}{} len {}", geneve_option_class(cls), cls, type,
              (type & 0x80) ? "(C)" : "", olen);
        if (olen > left) {  // tcpdump notes it and goes on with the inner packet
          w.put(" [bad length]");
          break;
        }
        if (w.options.verbose > 1 && olen > 4) {
          w.put(" data");
          for (std::uint32_t k = 4; k < olen; k += 4) w.fmt(" {:08x}", load_be32(p + at + k));
        }
        at += olen;
        left -= olen;
      }
    } else {
      w.fmt("{} bytes", opts_len);
    }
    w.put(']');
  }
  w.put(w.options.verbose < 1 ? ": " : "\n\t");
  const std::size_t next = index + 1;
  if (next < w.packet.layer_count) {
    print_ethertype_payload(w, proto, next, w.packet.layers[next].pdu_len);
  } else if (w.packet.status.code == decode::DecodeCode::truncated) {
    w.trunc(proto == 0x6558 ? "ether" : proto == 0x86dd ? "ip6" : proto == 0x0800 ? "ip" : "geneve");
  } else if (ethertype_name(proto).empty() || w.packet.status.code == decode::DecodeCode::unsupported) {
    w.fmt("geneve-proto-0x{:x}", proto);
  }
}

}  // namespace

std::string_view UdpPortNames::name(std::uint16_t port) {
  if (names_.empty()) {
    names_.resize(65536);
    setservent(0);
    while (const servent* sv = getservent()) {
      if (std::strcmp(sv->s_proto, "udp") != 0) continue;
      const auto p = static_cast<std::uint16_t>(ntohs(static_cast<std::uint16_t>(sv->s_port)));
      if (names_[p].empty()) names_[p] = sv->s_name;
    }
    endservent();
  }
  return names_[port];
}

void print_udp(PacketWalk& w, std::size_t index, std::size_t ip_index) {
  const Layer& l = w.packet.layers[index];
  const Layer& ip = w.packet.layers[ip_index];
  const std::uint8_t* up = w.bytes(l);
  if (l.cap_len < 4) {
    udp_addresses(w, ip, -1, -1);
    return w.trunc("udp");
  }
  const std::uint16_t sport = load_be16(up), dport = load_be16(up + 2);
  std::uint32_t length = l.pdu_len;
  if (length < kUdpHeader) {
    udp_addresses(w, ip, sport, dport);
    w.fmt("truncated-udp {}", length);
    return;
  }
  if (l.cap_len < 6) {
    udp_addresses(w, ip, sport, dport);
    return w.trunc("udp");
  }
  std::uint32_t ulen = load_be16(up + 4);
  if (ulen == 0 && length > 65535) ulen = length;
  if (ulen < kUdpHeader) {
    udp_addresses(w, ip, sport, dport);
    w.fmt("truncated-udplength {}", ulen);
    return;
  }
  ulen -= kUdpHeader;
  length -= kUdpHeader;
  if (ulen < length) length = ulen;
  if (l.cap_len < kUdpHeader) {
    udp_addresses(w, ip, sport, dport);
    return w.trunc("udp");
  }
  udp_addresses(w, ip, sport, dport);
  const std::uint8_t* iph = w.bytes(ip);
  const bool v4 = ip.kind == LayerKind::ipv4;
  bool fragmented = false;
  if (v4) fragmented = (load_be16(iph + 6) & 0x2000) != 0;
  for (std::size_t k = ip_index + 1; k < index; ++k)
    if (w.packet.layers[k].kind == LayerKind::ipv6_ext && w.packet.layers[k].aux == 44) fragmented = true;
  if (w.options.verbose && !w.options.no_checksum && !fragmented) {
    const std::uint16_t stored = load_be16(up + 6);
    const bool captured = l.cap_len >= kUdpHeader + length;
    auto verify = [&] {
      IpAddr src = v4 ? IpAddr::v4(iph + 12) : IpAddr::v6(iph + 8);
      IpAddr dst = v4 ? IpAddr::v4(iph + 16) : IpAddr::v6(iph + 24);
      const std::uint32_t sum = decode::pseudo_header_sum(src, dst, 17, length + kUdpHeader);
      const std::uint16_t computed =
          decode::checksum_finish(decode::checksum_add(sum, ByteView(up, length + 8)));
      if (computed != 0) {
        std::uint32_t shouldbe = std::uint32_t{stored} + computed;
        shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
        shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
        w.fmt("[bad udp cksum 0x{:04x} -> 0x{:04x}!] ", stored, shouldbe);
      } else {
        w.put("[udp sum ok] ");
      }
    };
    if (v4 && w.options.verbose > 1) {
      if (stored == 0)
        w.put("[no cksum] ");
      else if (captured)
        verify();
    } else if (!v4 && captured) {
      verify();
    }
  }
  const std::size_t next = index + 1;
  if (!w.options.quiet && next < w.packet.layer_count) {
    if (w.packet.layers[next].kind == LayerKind::vxlan) return print_vxlan(w, next);
    if (w.packet.layers[next].kind == LayerKind::geneve) return print_geneve(w, next);
  }
  if (ulen > length && !fragmented)
    w.fmt("UDP, bad length {} > {}", ulen, length);
  else
    w.fmt("UDP, length {}", ulen);
}

namespace {
// -e: the protocol field by its Ethernet-type name.
void gre_proto_text(PacketWalk& w, std::uint16_t proto) {
  if (!w.options.link_header) return;
  const std::string_view name = ethertype_name(proto);
  w.fmt(", proto {} (0x{:04x})", name.empty() ? std::string_view("unknown") : name, proto);
}
}  // namespace

void print_gre(PacketWalk& w, std::size_t index, std::uint32_t length) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  const std::uint32_t n = l.length;  // captured part of the header
  auto stop = [&] { w.trunc("gre"); };
  if (n < 2) return stop();
  const std::uint16_t flags = load_be16(p);
  const unsigned version = flags & 7;
  w.fmt("GREv{}", version);
  if (version > 1) return w.put(" ERROR: unknown-version");
  if (w.options.verbose) {
    static constexpr std::pair<std::uint16_t, const char*> kFlags[] = {
        {0x8000, "checksum present"},  {0x4000, "routing present"},        {0x2000, "key present"},
        {0x1000, "sequence# present"}, {0x0800, "source routing present"}, {0x0080, "ack present"}};
    w.put(", Flags [");
    w.bit_names(flags, kFlags, ", ");
    w.put(']');
  }
  if (n < 4) return stop();
  const std::uint16_t proto = load_be16(p + 2);
  std::uint32_t at = 4;
  if (version == 0) {
    if (flags & 0xc000) {
      if (n < at + 2) return stop();
      if (w.options.verbose) w.fmt(", sum 0x{:x}", load_be16(p + at));
      if (n < at + 4) return stop();
      w.fmt(", off 0x{:x}", load_be16(p + at + 2));
      at += 4;
    }
    if (flags & 0x2000) {
      if (n < at + 4) return stop();
      w.fmt(", key=0x{:x}", load_be32(p + at));
      at += 4;
    }
    if (flags & 0x1000) {
      if (n < at + 4) return stop();
      w.fmt(", seq {}", load_be32(p + at));
      at += 4;
    }
    gre_proto_text(w, proto);
    w.fmt(", length {}", length);
    w.put(w.options.verbose < 1 ? ": " : "\n\t");
  } else {
    if (flags & 0x2000) {
      if (n < 8) return stop();
      w.fmt(", call {}", load_be16(p + 6));
    }
    at = 8;
    if (flags & 0x1000) {
      if (n < at + 4) return stop();
      w.fmt(", seq {}", load_be32(p + at));
      at += 4;
    }
    if (flags & 0x0080) {
      if (n < at + 4) return stop();
      w.fmt(", ack {}", load_be32(p + at));
      at += 4;
    }
    if (!(flags & 0x1000)) w.put(", no-payload");
    gre_proto_text(w, proto);
    w.fmt(", length {}", length);
    if (!(flags & 0x1000)) return;
    w.put(w.options.verbose < 1 ? ": " : "\n\t");
  }
  const std::size_t next = index + 1;
  if (next < w.packet.layer_count) {
    if (w.packet.layers[next].kind == LayerKind::ppp) {
      const Layer& ppp = w.packet.layers[next];
      const std::uint8_t* pp = w.bytes(ppp);
      const std::uint16_t pproto =
          ppp.length >= 2 && pp[ppp.length - 2] != 0x03 ? load_be16(pp + ppp.length - 2) : pp[ppp.length - 1];
      return print_ppp_payload(w, pproto, next + 1);
    }
    return print_ethertype_payload(w, proto, next, w.packet.layers[next].pdu_len);
  }
  if (w.packet.status.code == decode::DecodeCode::truncated) {
    return w.trunc(proto == 0x6558 ? "ether" : proto == 0x86dd ? "ip6" : proto == 0x0800 ? "ip" : "gre");
  }
  w.fmt("gre-proto-0x{:x}", proto);
}

void print_mpls(PacketWalk& w, std::size_t index) {
  w.put("MPLS");
  std::size_t i = index;
  int depth = 0;
  std::uint32_t entry = 0;
  for (; i < w.packet.layer_count && w.packet.layers[i].kind == LayerKind::mpls; ++i, ++depth) {
    const Layer& l = w.packet.layers[i];
    if (l.length < 4) return w.trunc("mpls");
    entry = load_be32(w.bytes(l));
    const std::uint32_t label = entry >> 12;
    w.put(depth && w.options.verbose ? "\n\t" : " ");
    w.fmt("(label {}", label);
    if (w.options.verbose && label < 16) {
      static constexpr const char* kNames[] = {"IPv4 explicit NULL", "router alert", "IPv6 explicit NULL",
                                               "implicit NULL"};
      w.fmt(" ({})", label < 4 ? kNames[label] : "rsvd");
    }
    w.fmt(", tc {}", (entry >> 9) & 7);
    if (entry & 0x100) w.put(", [S]");
    w.fmt(", ttl {})", entry & 0xff);
  }
  if (!(entry & 0x100)) {
    if (w.packet.status.code == decode::DecodeCode::truncated) return w.trunc("mpls");
    return w.put(" (invalid)");
  }
  if (i >= w.packet.layer_count) {
    if (w.packet.status.code == decode::DecodeCode::truncated) w.trunc("mpls");
    return;
  }
  const Layer& next = w.packet.layers[i];
  if (next.kind == LayerKind::payload) {
    // Not IP: tcpdump's default printer dumps the rest, marking a cut capture.
    if (w.options.hex || w.options.hex_ascii || w.options.ascii || w.options.quiet) return;
    const std::uint32_t shown = next.cap_len < next.pdu_len ? next.cap_len : next.pdu_len;
    append_hex_ascii(w.out, ByteView(w.bytes(next), shown));
    if (next.pdu_len > next.cap_len) w.trunc("mpls");
    return;
  }
  w.put(w.options.verbose ? "\n\t" : " ");
  if (next.kind == LayerKind::ipv4)
    print_ipv4(w, i);
  else
    print_ipv6(w, i);
}

}  // namespace tcpscope::print::detail
