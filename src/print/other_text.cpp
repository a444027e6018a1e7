// Summary lines for the non-TCP protocols tcpscope does not explain, so that no
// packet disappears: ICMP, ICMPv6 and ARP in tcpdump's basic forms.
#include "decode/checksum.hpp"
#include "print/addr_text.hpp"
#include "print/hexdump.hpp"
#include "print/packet_walk.hpp"

namespace tcpscope::print::detail {

using decode::Layer;
using decode::LayerKind;

void print_icmp(PacketWalk& w, std::size_t index, std::size_t ip_index) {
  (void)ip_index;
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  const std::uint32_t length = l.pdu_len;
  if (l.cap_len < 1) return w.trunc("icmp");
  const std::uint8_t type = p[0];
  w.put("ICMP ");
  switch (type) {
    case 0:
    case 8:
      if (l.cap_len < 8) {
        w.put(type == 0 ? "echo reply" : "echo request");
        return w.trunc("icmp");
      }
      w.fmt("{}, id {}, seq {}, length {}", type == 0 ? "echo reply" : "echo request", load_be16(p + 4),
            load_be16(p + 6), length);
      break;
    case 3:
      w.fmt("unreachable, length {}", length);
      break;
    case 11:
      w.fmt("time exceeded in-transit, length {}", length);
      break;
    case 5:
      w.fmt("redirect, length {}", length);
      break;
    default:
      w.fmt("type-#{}, length {}", type, length);
      break;
  }
  // -v: the checksum over the whole message, when all of it was captured.
  if (w.options.verbose && !w.options.no_checksum && l.cap_len >= length) {
    const std::uint16_t sum = decode::internet_checksum(ByteView(p, length));
    if (sum != 0) {
      if (l.cap_len < 4) return w.trunc("icmp");  // a message shorter than its checksum field
      const std::uint16_t stored = load_be16(p + 2);
      std::uint32_t shouldbe = std::uint32_t{stored} + sum;
      shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
      shouldbe = (shouldbe & 0xffff) + (shouldbe >> 16);
      w.fmt(" (wrong icmp cksum {:x} (->{:x})!)", stored, shouldbe);
    }
  }
}

void print_icmp6(PacketWalk& w, std::size_t index, std::size_t ip_index) {
  (void)ip_index;
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  const std::uint32_t length = l.pdu_len;
  if (l.cap_len < 1) return w.trunc("icmp6");
  const std::uint8_t type = p[0];
  w.put("ICMP6, ");
  switch (type) {
    case 128:
    case 129:
      if (l.cap_len < 8) {
        w.put(type == 128 ? "echo request" : "echo reply");
        return w.trunc("icmp6");
      }
      w.fmt("{}, id {}, seq {}, length {}", type == 128 ? "echo request" : "echo reply", load_be16(p + 4),
            load_be16(p + 6), length);
      return;
    case 133:
      w.fmt("router solicitation, length {}", length);
      return;
    case 134:
      w.fmt("router advertisement, length {}", length);
      return;
    case 135:
      w.fmt("neighbor solicitation, length {}", length);
      return;
    case 136:
      w.fmt("neighbor advertisement, length {}", length);
      return;
    case 1:
      w.fmt("destination unreachable, length {}", length);
      return;
    default:
      w.fmt("type-#{}, length {}", type, length);
      return;
  }
}

void print_arp(PacketWalk& w, std::size_t index) {
  const Layer& l = w.packet.layers[index];
  const std::uint8_t* p = w.bytes(l);
  if (l.cap_len < 8) return w.trunc("arp");
  const std::uint16_t hrd = load_be16(p), pro = load_be16(p + 2), op = load_be16(p + 6);
  const std::uint8_t hln = p[4], pln = p[5];
  const std::uint32_t need = 8u + 2u * hln + 2u * pln;
  if (l.cap_len < need) return w.trunc("arp");  // tcpdump checks the whole address block first
  if (!w.options.link_header) w.put("ARP, ");
  const bool plain = (pro == 0x0800 || pro == 0x1000) && pln == 4 && hln != 0;
  if (!plain || w.options.verbose) {
    switch (hrd) {
      case 1:
        w.put("Ethernet");
        break;
      case 6:
        w.put("IEEE 802");
        break;
      case 7:
        w.put("ArcNet");
        break;
      case 15:
        w.put("Frame Relay");
        break;
      case 32:
        w.put("InfiniBand");
        break;
      default:
        w.fmt("Unknown Hardware ({})", hrd);
        break;
    }
    w.fmt(" (len {}), ", hln);
    if (pro == 0x0800)
      w.put("IPv4");
    else
      w.fmt("Unknown Protocol (0x{:04x})", pro);
    w.fmt(" (len {})", pln);
    if (!w.options.verbose) {
      w.fmt(", length {}", l.pdu_len);
      return;
    }
    w.put(", ");
  }
  const std::uint8_t* sha = p + 8;
  const std::uint8_t* spa = sha + hln;
  const std::uint8_t* tha = spa + pln;
  const std::uint8_t* tpa = tha + hln;
  auto proto_addr = [&](const std::uint8_t* a) {
    if (pln == 4)
      w.address(a, false);
    else
      append_mac(w, a, pln);
  };
  switch (op) {
    case 1: {
      w.put("Request who-has ");
      proto_addr(tpa);
      bool nonzero = false;
      for (std::uint8_t k = 0; k < hln; ++k) nonzero |= tha[k] != 0;
      if (nonzero) {  // a target hardware address that is filled in
        w.put(" (");
        append_mac(w, tha, hln);
        w.put(')');
      }
      w.put(" tell ");
      proto_addr(spa);
      break;
    }
    case 2:
      w.put("Reply ");
      proto_addr(spa);
      w.put(" is-at ");
      append_mac(w, sha, hln);
      break;
    case 3:
      w.put("Reverse Request who-is ");
      append_mac(w, tha, hln);
      w.put(" tell ");
      append_mac(w, sha, hln);
      break;
    case 4:
      w.put("Reverse Reply ");
      append_mac(w, tha, hln);
      w.put(" at ");
      proto_addr(tpa);
      break;
    default:
      w.fmt("Unknown ({}) ", op);
      if (!(w.options.hex || w.options.hex_ascii || w.options.ascii || w.options.quiet))
        append_hex_ascii(w.out, ByteView(p, l.cap_len < l.pdu_len ? l.cap_len : l.pdu_len));
      return;
  }
  w.fmt(", length {}", l.pdu_len);
}

}  // namespace tcpscope::print::detail
