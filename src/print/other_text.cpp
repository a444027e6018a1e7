// Summary lines for the non-TCP protocols tcpscope does not explain, so that no
// packet disappears: ICMP, ICMPv6 and ARP in tcpdump's basic forms.
#include "decode/checksum.hpp"
#include "print/addr_text.hpp"
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
  w.put("ARP, ");
  if (l.cap_len < 8) return w.trunc("arp");
  const std::uint16_t hrd = load_be16(p), pro = load_be16(p + 2), op = load_be16(p + 6);
  const std::uint8_t hln = p[4], pln = p[5];
  const std::uint32_t need = 8u + 2u * hln + 2u * pln;
  if (w.options.verbose) {
    w.fmt("{} (len {}), {} (len {}), ",
          hrd == 1 ? "Ethernet" : (hrd == 7 ? "ArcNet" : (hrd == 32 ? "InfiniBand" : "Unknown Hardware")),
          hln, pro == 0x0800 ? "IPv4" : "Unknown Protocol", pln);
  }
  if (l.cap_len < need || pro != 0x0800 || pln != 4) {
    w.fmt("{}, length {}", op == 1 ? "Request" : (op == 2 ? "Reply" : "Unknown"), l.pdu_len);
    return;
  }
  const std::uint8_t* sha = p + 8;
  const std::uint8_t* spa = sha + hln;
  const std::uint8_t* tpa = spa + pln + hln;
  if (op == 1) {
    w.put("Request who-has ");
    append_ipv4(w.out, tpa);
    const std::uint8_t* tha = spa + pln;
    bool nonzero = false;
    for (std::uint8_t k = 0; k < hln; ++k) nonzero |= tha[k] != 0;
    if (nonzero) {  // tcpdump shows a target hardware address that is filled in
      w.put(" (");
      append_mac(w, tha, hln);
      w.put(')');
    }
    w.put(" tell ");
    append_ipv4(w.out, spa);
  } else if (op == 2) {
    w.put("Reply ");
    append_ipv4(w.out, spa);
    w.put(" is-at ");
    append_mac(w, sha, hln);
  } else {
    w.fmt("opcode {}", op);
  }
  w.fmt(", length {}", l.pdu_len);
}

}  // namespace tcpscope::print::detail
