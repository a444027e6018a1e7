// Link-layer text: nothing by default; with -e the header as tcpdump 4.99.3
// prints it (Ethernet and 802.1Q tags, Linux cooked v1/v2, BSD loopback, PPP,
// raw IP, IP over InfiniBand), then the protocol it carries.
#include <net/if.h>

#include <array>
#include <cstring>

#include "decode/link_types.hpp"
#include "print/addr_text.hpp"
#include "print/hexdump.hpp"
#include "print/packet_walk.hpp"

namespace tcpscope::print::detail {

using decode::Layer;
using decode::LayerKind;

namespace {

constexpr std::uint32_t kEthernetHeader = 14;

// tcpdump's default printer for a payload it cannot decode: a hex and ASCII
// dump, left out when -x, -X or -A dumps the whole packet anyway.
void default_print(PacketWalk& w, const std::uint8_t* p, std::uint32_t n) {
  if (w.options.hex || w.options.hex_ascii || w.options.ascii || w.options.quiet) return;
  append_hex_ascii(w.out, ByteView(p, n));
}

bool is_vlan_type(std::uint16_t t) { return t == 0x8100 || t == 0x88a8 || t == 0x9100 || t == 0x9200; }

void ethertype_text(PacketWalk& w, std::uint16_t type) {
  const std::string_view name = ethertype_name(type);
  if (w.options.quiet) {  // -q: the bare name
    if (name.empty())
      w.fmt("Unknown Ethertype (0x{:04x})", type);
    else
      w.put(name);
    return;
  }
  w.fmt("ethertype {} (0x{:04x})", name.empty() ? std::string_view("Unknown") : name, type);
}

// tcpdump's ARCNET system-code names (arctypemap).
std::string_view arcnet_type_name(std::uint8_t type) {
  switch (type) {
    case 240:
      return "oldip";
    case 241:
      return "oldarp";
    case 212:
      return "ip";
    case 213:
      return "arp";
    case 214:
      return "rarp";
    case 221:
      return "atalk";
    case 247:
      return "banyan";
    case 250:
      return "ipx";
    case 196:
      return "ipv6";
    case 128:
      return "diag";
    default:
      return "";
  }
}

void vlan_tci_text(PacketWalk& w, std::uint16_t tci) {
  w.put("vlan ");
  w.put_uint(tci & 0x0fff);
  w.put(", p ");
  w.put_uint(tci >> 13);
  if (tci & 0x1000) w.put(", DEI");
}

// The link-layer name of a PPP protocol number (tcpdump's ppptype2str).
std::string_view ppp_protocol_name(std::uint16_t proto) {
  switch (proto) {
    case 0x0021:
      return "IP";
    case 0x0057:
      return "IP6";
    case 0x0281:
      return "MPLS";
    case 0x0283:
      return "MPLS Mcast";
    case 0xc021:
      return "LCP";
    case 0x8021:
      return "IPCP";
    case 0x8057:
      return "IP6CP";
    case 0xc023:
      return "PAP";
    case 0xc223:
      return "CHAP";
    default:
      return "unknown";
  }
}

std::string_view bsd_af_name(std::uint32_t family) {
  switch (family) {
    case 2:
      return "IPv4";
    case 24:
    case 28:
    case 30:
      return "IPv6";
    case 7:
      return "OSI";
    case 16:
      return "Appletalk";
    case 23:
      return "IPX";
    default:
      return "";
  }
}

std::string_view sll_packet_type(std::uint16_t t) {
  switch (t) {
    case 0:
      return "In";
    case 1:
      return "B";
    case 2:
      return "M";
    case 3:
      return "P";
    case 4:
      return "Out";
    default:
      return "?";
  }
}

// Index of the first layer of `kind` at or after `from`, or packet.layer_count.
std::size_t find_layer(const PacketWalk& w, std::size_t from, LayerKind kind) {
  for (std::size_t i = from; i < w.packet.layer_count; ++i)
    if (w.packet.layers[i].kind == kind) return i;
  return w.packet.layer_count;
}

// Ethernet header at `index` (an outer frame or one inside a tunnel). Returns the
// header length including VLAN tags.
std::uint32_t print_ethernet_at(PacketWalk& w, std::size_t index) {
  const Layer& eth = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(eth);
  const std::uint32_t orig_length = eth.pdu_len;
  if (eth.cap_len < kEthernetHeader) {
    w.trunc("ether");
    return eth.cap_len;
  }
  if (orig_length < kEthernetHeader) {
    w.trunc("ether");
    return orig_length;
  }
  if (w.options.link_header) {
    append_mac(w, p + 6);
    w.put(" > ");
    append_mac(w, p);
    w.put(", ");
  }
  std::uint16_t type = load_be16(p + 12);
  std::uint32_t hdrlen = kEthernetHeader;
  std::size_t i = index + 1;
  bool printed_length = false;
  while (is_vlan_type(type)) {
    const Layer* tag = i < w.packet.layer_count && w.packet.layers[i].kind == LayerKind::vlan
                           ? &w.packet.layers[i]
                           : nullptr;
    if (tag == nullptr) {
      w.trunc("vlan");
      return hdrlen + (eth.cap_len > hdrlen ? eth.cap_len - hdrlen : 0);
    }
    const std::uint8_t* t = w.bytes(*tag);
    if (w.options.link_header) {
      ethertype_text(w, type);
      if (!printed_length) {
        w.put(", length ");
        w.put_uint(orig_length);
        w.put(": ");
        printed_length = true;
      } else {
        w.put(", ");
      }
      vlan_tci_text(w, load_be16(t));
      w.put(", ");
    }
    type = load_be16(t + 2);
    hdrlen += 4;
    ++i;
  }
  if (type <= 1500) {
    // 802.3 with an LLC header: tcpdump decodes LLC/SNAP; only the summary is kept here.
    if (w.options.link_header && !printed_length) {
      w.put("802.3, length ");
      w.put_uint(orig_length);
      w.put(": ");
    }
    w.put("LLC, length ");
    w.put_uint(type);
    return hdrlen;
  }
  if (w.options.link_header) {
    ethertype_text(w, type);
    if (!printed_length) {
      w.put(", length ");
      w.put_uint(orig_length);
      w.put(": ");
    } else {
      w.put(", ");
    }
  }
  if (i < w.packet.layer_count) {
    print_ethertype_payload(w, type, i, w.packet.layers[i].pdu_len);
  } else if (ethertype_name(type).empty() || w.packet.status.code == decode::DecodeCode::unsupported) {
    if (!w.options.link_header) {
      append_mac(w, p + 6);
      w.put(" > ");
      append_mac(w, p);
      w.put(", ");
      ethertype_text(w, type);
      w.put(", length ");
      w.put_uint(orig_length);
      w.put(": ");
    }
    default_print(w, p + hdrlen, eth.cap_len > hdrlen ? eth.cap_len - hdrlen : 0);
  }
  return hdrlen;
}

std::uint32_t print_sll(PacketWalk& w, bool v2) {
  const std::uint32_t hdr = v2 ? 20 : 16;
  const std::uint8_t* p = w.frame.data.data();
  const std::uint32_t caplen = static_cast<std::uint32_t>(w.frame.data.size());
  if (caplen < hdr) {
    w.trunc(v2 ? "sll2" : "sll");
    return caplen;
  }
  const std::uint16_t proto = v2 ? load_be16(p) : load_be16(p + 14);
  if (v2) {
    // SLL2 lines start with the interface name (as this host names the index,
    // "?" if none) and the packet type, with or without -e.
    const std::string_view name = w.interface_name(load_be32(p + 4));
    w.fmt("{:<5} {:<3} ", name.empty() ? std::string_view("?") : name, sll_packet_type(p[10]));
  }
  auto header_text = [&](std::uint32_t length) {
    if (v2) {
      w.put("ifindex ");
      w.put_uint(load_be32(p + 4));
      w.put(' ');
    }
    const std::uint16_t pkttype = v2 ? p[10] : load_be16(p);
    const std::uint16_t halen = v2 ? p[11] : load_be16(p + 4);
    if (!v2) w.fmt("{:>3} ", sll_packet_type(pkttype));
    if (halen == 6) {
      append_mac(w, p + (v2 ? 12 : 6));
      w.put(' ');
    }
    if (!w.options.quiet) {
      if (proto <= 1500) {
        if (proto == 1)
          w.put("802.3");
        else if (proto == 4)
          w.put("802.2");
        else
          w.fmt("ethertype Unknown (0x{:04x})", proto);
      } else {
        ethertype_text(w, proto);
      }
      w.put(", length ");
      w.put_uint(length);
      w.put(": ");
    }
  };
  if (w.options.link_header) header_text(w.frame.wire_len);
  std::uint16_t type = proto;
  std::uint32_t hdrlen = hdr;
  std::size_t i = 1;
  while (type == 0x8100) {
    if (i >= w.packet.layer_count || w.packet.layers[i].kind != LayerKind::vlan) {
      w.trunc("vlan");
      return caplen;
    }
    const std::uint8_t* t = w.bytes(w.packet.layers[i]);
    if (w.options.link_header) {
      vlan_tci_text(w, load_be16(t));
      w.put(", ");
    }
    type = load_be16(t + 2);
    if (!w.options.quiet) {
      const std::string_view name = ethertype_name(type <= 1500 ? 4 : type);
      w.put("ethertype ");
      w.put(name.empty() ? std::string_view("Unknown") : name);
      w.put(", ");
    }
    hdrlen += 4;
    ++i;
  }
  if (i < w.packet.layer_count) {
    print_ethertype_payload(w, type, i, w.packet.layers[i].pdu_len);
  } else {
    // An unknown Ethernet type gets the header first; an unknown Linux protocol
    // number (below 1536) only the dump.
    if (!w.options.link_header && (type >= 1536 || type == 1 || type == 4)) header_text(w.frame.wire_len);
    default_print(w, p + hdrlen, caplen > hdrlen ? caplen - hdrlen : 0);
  }
  return hdrlen;
}

std::uint32_t print_null_loop(PacketWalk& w) {
  const std::uint32_t caplen = static_cast<std::uint32_t>(w.frame.data.size());
  if (caplen < 4) {
    w.trunc("null");
    return caplen;
  }
  // tcpdump 4.99.3 reads DLT_LOOP's family like DLT_NULL's (host order, swapped if needed).
  const std::uint32_t family = decode::null_loop_family(w.frame.data.data(), false);
  auto header_text = [&] {
    const std::string_view name = bsd_af_name(family);
    if (!w.options.quiet) {
      w.fmt("AF {} ({})", name.empty() ? std::string_view("Unknown") : name, family);
    } else if (name.empty()) {
      w.fmt("Unknown AF {}", family);
    } else {
      w.put(name);
    }
    w.put(", length ");
    w.put_uint(w.frame.wire_len);
    w.put(": ");
  };
  if (w.options.link_header) header_text();
  if (w.packet.layer_count > 1) {
    if (w.packet.layers[1].kind == LayerKind::ipv4)
      print_ipv4(w, 1);
    else
      print_ipv6(w, 1);
  } else {
    if (!w.options.link_header) header_text();
    default_print(w, w.frame.data.data() + 4, caplen - 4);
  }
  return 4;
}

std::uint32_t print_ppp_link(PacketWalk& w) {
  const std::uint32_t caplen = static_cast<std::uint32_t>(w.frame.data.size());
  const std::uint8_t* p = w.frame.data.data();
  constexpr std::uint32_t kPppHeader = 4;
  if (caplen < kPppHeader || w.packet.layer_count == 0) {  // tcpdump wants 4 bytes first
    w.trunc("ppp");
    return caplen < kPppHeader ? caplen : kPppHeader;
  }
  const Layer& ppp = w.packet.layers[0];
  std::uint32_t at = 0;
  if (ppp.length >= 3 && p[1] == 0x03 && (p[0] == 0xff || p[0] <= 1)) {
    if (w.options.link_header && p[0] == 0x00) w.put("In  ");
    if (w.options.link_header && p[0] == 0x01) w.put("Out ");
    at = 2;
  }
  const std::uint16_t proto = ppp.length - at == 1 ? p[at] : load_be16(p + at);
  if (w.options.link_header) {
    const std::string_view name = ppp_protocol_name(proto);
    w.fmt("{} (0x{:04x}), length {}", name, proto, w.frame.wire_len);
    if (name == "unknown") return kPppHeader;  // tcpdump stops at an unnamed protocol with -e
    w.put(": ");
  }
  print_ppp_payload(w, proto, 1);
  return kPppHeader;
}

std::uint32_t print_raw(PacketWalk& w) {
  if (w.options.link_header) w.put("ip: ");
  const std::size_t i = 1;
  if (i >= w.packet.layer_count) {
    if (w.frame.wire_len < 1) {
      w.put("truncated-ip ");
      w.put_uint(w.frame.wire_len);
    } else if (w.frame.data.empty()) {
      w.trunc("ipn");
    } else {
      w.fmt("unknown ip {}", (w.frame.data[0] & 0xf0) >> 4);
    }
    return 0;
  }
  if (w.packet.layers[i].kind == LayerKind::ipv4)
    print_ipv4(w, i);
  else
    print_ipv6(w, i);
  return 0;
}

// Juniper's capture-header extensions as tcpdump prints them with -vv.
void print_juniper_extensions(PacketWalk& w, const Layer& jh) {
  const std::uint8_t* p = w.bytes(jh);
  const std::uint8_t flags = jh.aux;
  w.put("\n\tJuniper PCAP Flags [");
  static constexpr std::pair<std::uint8_t, const char*> kFlags[] = {
      {0x01, "In"}, {0x02, "no-L2"}, {0x04, "IIF"}, {0x40, "Filter"}, {0x80, "Ext"}};
  w.bit_names(flags, kFlags, ", ");
  w.put(']');
  if (flags & 0x80) {
    const std::uint32_t ext_len = load_be16(p + 4);
    w.fmt(", PCAP Extension(s) total length {}", ext_len);
    std::uint32_t at = 6;
    const std::uint32_t end = 6 + ext_len;
    while (at + 2 <= end && at + 2 <= jh.length) {
      const std::uint8_t type = p[at];
      const std::uint8_t len = p[at + 1];
      if (at + 2 + len > end) break;
      static constexpr const char* kNames[] = {"Unknown",
                                               "Device Interface Index",
                                               "Device Interface Name",
                                               "Device Media Type",
                                               "Logical Interface Index",
                                               "Logical Unit Number",
                                               "Logical Interface Encapsulation",
                                               "TTP derived Device Media Type",
                                               "TTP derived Logical Interface Encapsulation"};
      w.fmt("\n\t  {} Extension TLV #{}, length {}, value ", type < 9 ? kNames[type] : "Unknown", type, len);
      const std::uint8_t* v = p + at + 2;
      std::uint32_t value = 0;
      for (int k = (len < 4 ? len : 4) - 1; k >= 0; --k) value = (value << 8) | v[k];  // little-endian
      switch (type) {
        case 3:
        case 7:
          w.fmt("{} ({})", value == 1 ? "Ethernet" : "Unknown", value);
          break;
        case 6:
        case 8:
          w.fmt("{} ({})", value == 14 ? "Ethernet" : "Unknown", value);
          break;
        default:
          w.fmt("{}", value);
          break;
      }
      at += 2u + len;
    }
  }
  w.put("\n\t-----original packet-----\n\t");
}

}  // namespace

void PacketWalk::address(const std::uint8_t* p, bool v6) {
  if (options.numeric == 0)
    return put(hosts.name(v6 ? IpAddr::v6(p) : IpAddr::v4(p)));  // a name or the number
  if (v6)
    append_ipv6(out, p);
  else
    append_ipv4(out, p);
}

std::string_view InterfaceNames::name(std::uint32_t ifindex) {
  if (!valid_ || ifindex != index_) {
    char buf[IF_NAMESIZE] = {};
    const char* found = if_indextoname(ifindex, buf);
    len_ = found != nullptr ? std::strlen(buf) : 0;
    std::memcpy(name_, buf, len_);
    index_ = ifindex;
    valid_ = true;
  }
  return std::string_view(name_, len_);
}

void append_mac(PacketWalk& w, const std::uint8_t* p, std::size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  char buf[3 * 32] = {};
  char* o = buf;
  for (std::size_t i = 0; i < n && i < 32; ++i) {
    if (i) *o++ = ':';
    *o++ = kHex[p[i] >> 4];
    *o++ = kHex[p[i] & 0xf];
  }
  w.out.append(buf, o);
  if (n == 6 && w.options.numeric == 0) {
    // tcpdump's etheraddr_string() without -n: the vendor of the OUI, from its table.
    std::string_view vendor = "Unknown";
    switch ((std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2]) {
      case 0x000000:
        vendor = "Ethernet";
        break;
      case 0x00000c:
        vendor = "Cisco";
        break;
      case 0x00005e:
        vendor = "IANA";
        break;
      case 0x0000f8:
        vendor = "Cisco bridged";
        break;
      case 0x0080c2:
        vendor = "Ethernet bridged";
        break;
      case 0x080007:
        vendor = "Appletalk";
        break;
      case 0x009069:
        vendor = "Juniper";
        break;
      default:
        break;
    }
    w.put(" (oui ");
    w.put(vendor);
    w.put(')');
  }
}

std::string_view ethertype_name(std::uint16_t type) {
  switch (type) {
    case 0x0800:
      return "IPv4";
    case 0x86dd:
      return "IPv6";
    case 0x0806:
      return "ARP";
    case 0x8035:
      return "Reverse ARP";
    case 0x8100:
      return "802.1Q";
    case 0x88a8:
      return "802.1Q-QinQ";
    case 0x9100:
      return "802.1Q-9100";
    case 0x9200:
      return "802.1Q-9200";
    case 0x8847:
      return "MPLS unicast";
    case 0x8848:
      return "MPLS multicast";
    case 0x6558:
      return "TEB";
    case 0x8863:
      return "PPPoE D";
    case 0x8864:
      return "PPPoE S";
    case 0x88cc:
      return "LLDP";
    case 0x9000:
      return "Loopback";
    case 0x880b:
      return "PPP";
    case 0x8809:
      return "Slow Protocols";
    case 0x88e5:
      return "802.1AE MACsec";
    case 0x888e:
      return "EAPOL";
    case 0x4:
      return "802.2";
    default:
      return "";
  }
}

void print_ethernet(PacketWalk& w, std::size_t index) { print_ethernet_at(w, index); }

void print_ethertype_payload(PacketWalk& w, std::uint16_t type, std::size_t index, std::uint32_t length) {
  (void)length;
  if (index >= w.packet.layer_count) return;
  switch (w.packet.layers[index].kind) {
    case LayerKind::ipv4:
      return print_ipv4(w, index);
    case LayerKind::ipv6:
      return print_ipv6(w, index);
    case LayerKind::arp:
      return print_arp(w, index);
    case LayerKind::mpls:
      return print_mpls(w, index);
    case LayerKind::ethernet:
      print_ethernet_at(w, index);
      return;
    default:
      (void)type;
      return;
  }
}

void print_ppp_payload(PacketWalk& w, std::uint16_t proto, std::size_t index) {
  if (index >= w.packet.layer_count) {
    if (w.packet.status.code == decode::DecodeCode::truncated) return w.trunc("ppp");
    w.fmt("unknown PPP protocol (0x{:04x}) ", proto);
    // print_unknown_data(): the rest in hex, from the PPP payload on.
    const decode::Layer& ppp = w.packet.layers[index - 1];
    const std::uint32_t from = ppp.offset + ppp.length;
    if (from < w.frame.data.size()) append_hex(w.out, w.frame.data.subspan(from));
    return;
  }
  print_ethertype_payload(w, 0, index, w.packet.layers[index].pdu_len);
}

std::uint32_t print_link(PacketWalk& w) {
  const std::uint32_t caplen = static_cast<std::uint32_t>(w.frame.data.size());
  switch (w.frame.link_type) {
    case decode::dlt::en10mb:
      if (w.packet.layer_count == 0) {
        w.trunc("ether");
        return caplen;
      }
      return print_ethernet_at(w, 0);
    case decode::dlt::linux_sll:
      return print_sll(w, false);
    case decode::dlt::linux_sll2:
      return print_sll(w, true);
    case decode::dlt::null:
      return print_null_loop(w);
    case decode::dlt::loop:
      return print_null_loop(w);
    case decode::dlt::ppp:
    case decode::dlt::ppp_serial:
      return print_ppp_link(w);
    case decode::dlt::raw:
    case decode::dlt::raw_openbsd:
    case decode::dlt::raw_linktype:
    case decode::dlt::ipv4:
    case decode::dlt::ipv6:
      return print_raw(w);
    case decode::dlt::ipoib: {
      if (w.packet.layer_count == 0) {
        w.trunc("ipoib");
        return caplen;
      }
      const std::uint16_t type = load_be16(w.frame.data.data() + 40);
      if (w.options.link_header) {
        w.put("IPOIB, ");
        if (w.options.quiet) {
          const std::string_view name = ethertype_name(type);
          w.put("ethertype ");
          w.put(name.empty() ? std::string_view("Unknown") : name);
        } else {
          ethertype_text(w, type);
        }
        w.put(", length ");
        w.put_uint(w.frame.wire_len);
        w.put(": ");
      }
      if (w.packet.layer_count > 1) {
        print_ethertype_payload(w, type, 1, 0);
      } else {
        if (!w.options.link_header) {
          w.put(", ");
          ethertype_text(w, type);
          w.fmt(", length {}: ", w.frame.wire_len);
        }
        default_print(w, w.frame.data.data() + 44, caplen - 44);
      }
      return 44;
    }
    case decode::dlt::arcnet_linux: {
      if (w.packet.layer_count == 0) {
        w.trunc("arcnet_linux");
        return caplen;
      }
      const Layer& arc = w.packet.layers[0];
      if (w.options.link_header) {
        // tcpdump 4.99.3 prints the Linux header through the plain ARCNET layout,
        // so the "type" it shows is the first byte of the offset field.
        const std::uint8_t* p = w.frame.data.data();
        w.fmt("{:02x} {:02x}", p[0], p[1]);
        if (!w.options.quiet) {
          const std::string_view name = arcnet_type_name(p[2]);
          if (name.empty())
            w.fmt(" {:02x}", p[2]);
          else
            w.fmt(" {}", name);
        }
        w.fmt(" {}: ", w.frame.wire_len);
      }
      if (w.packet.layer_count > 1)
        print_ethertype_payload(w, 0, 1, 0);
      else
        default_print(w, w.frame.data.data() + arc.length, caplen - arc.length);
      return arc.length;
    }
    case decode::dlt::juniper_ether: {
      if (w.packet.layer_count == 0) {
        if (w.packet.status.code == decode::DecodeCode::malformed)
          w.put("no magic-number found!");
        else
          w.trunc("juniper_ether");
        return caplen;
      }
      const Layer& jh = w.packet.layers[0];
      if (w.options.link_header) w.fmt("{:>3} ", (jh.aux & 0x01) ? "In" : "Out");
      if (w.options.verbose > 1) print_juniper_extensions(w, jh);
      if (w.options.link_header) w.fmt("hlen {}, proto 0x0000, ", jh.length);
      const std::size_t eth = find_layer(w, 1, LayerKind::ethernet);
      // -x leaves out the Juniper header and the Ethernet header behind it.
      if (eth < w.packet.layer_count) return jh.length + print_ethernet_at(w, eth);
      if (w.packet.layer_count > 1) print_ethertype_payload(w, 0, 2, 0);
      return jh.length;
    }
    default:
      // tcpdump has no printer for this link type: it says so and dumps the frame.
      w.put("UNSUPPORTED");
      append_hex_ascii(w.out, w.frame.data);
      return 0;
  }
}

}  // namespace tcpscope::print::detail
