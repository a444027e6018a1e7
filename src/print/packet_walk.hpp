// Internal to print/: the state one packet's printing walks through. The layer
// printers (link_text, ip_text, tunnel_text, other_text) each print their layer
// from the frame bytes at the decoded offsets and hand on to the next layer.
#pragma once
#include <fmt/format.h>

#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "print/host_names.hpp"
#include "print/print_options.hpp"
#include "print/tcp_text.hpp"
#include "print/text_writer.hpp"

namespace tcpscope::print::detail {

// Interface names by index for SLL2 lines: one lookup per index change, not
// one system call per packet.
class InterfaceNames {
 public:
  std::string_view name(std::uint32_t ifindex);

 private:
  std::uint32_t index_ = 0;
  bool valid_ = false;
  char name_[64] = {};
  std::size_t len_ = 0;
};

// UDP service names for printing without -n (tcpdump's udpport_string): the
// services database's "udp" entries, loaded on first use, first name of a port wins.
class UdpPortNames {
 public:
  std::string_view name(std::uint16_t port);

 private:
  std::vector<std::string> names_;
};

struct PacketWalk {
  const PrintOptions& options;
  const Frame& frame;
  const decode::Packet& packet;
  fmt::memory_buffer& out;
  TcpPrinter& tcp;
  InterfaceNames& interfaces;
  UdpPortNames& udp_ports;
  HostNames& hosts;

  // An address as tcpdump prints it: a host name without -n when one is known.
  void address(const std::uint8_t* p, bool v6);

  std::string_view interface_name(std::uint32_t ifindex) { return interfaces.name(ifindex); }

  const std::uint8_t* bytes(const decode::Layer& l) const { return frame.data.data() + l.offset; }
  // The layer after `index`, or nullptr when decoding stopped there.
  const decode::Layer* next(std::size_t index) const {
    return index + 1 < packet.layer_count ? &packet.layers[index + 1] : nullptr;
  }
  // Appends without fmt's out-of-line buffer::append (a generic copy loop).
  void put(std::string_view s) { append_text(out, s); }
  template <std::size_t N>
  void put(const char (&s)[N]) {
    append_text(out, std::string_view(s, N - 1));
  }
  void put(char c) { out.push_back(c); }
  template <typename... Args>
  void fmt(fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
  }
  // Decimal ("%u"), written in place.
  void put_uint(std::uint64_t v) {
    TextWriter w(out, 20);
    w.dec(v);
  }
  // Lower-case hex without leading zeros ("%x").
  void put_hex(std::uint64_t v) {
    TextWriter w(out, 16);
    w.hex(v);
  }
  // The names of the bits of `value` that are set, in `table` order, joined by
  // `separator`, or "none" when none is set (tcpdump's bittok2str, and
  // bittok2str_nosep with an empty separator).
  template <typename Bits, std::size_t N>
  void bit_names(Bits value, const std::pair<Bits, const char*> (&table)[N], std::string_view separator) {
    bool any = false;
    for (const auto& [bit, name] : table) {
      if ((value & bit) == 0) continue;
      if (any) put(separator);
      put(std::string_view(name));
      any = true;
    }
    if (!any) put("none");
  }
  void trunc(std::string_view proto) {
    put(" [|");
    put(proto);
    put(']');
  }
};

// Prints the link layer and everything behind it; returns the link-layer header
// length (what -x leaves out).
std::uint32_t print_link(PacketWalk& w);
// Prints the protocol named by an Ethernet type at layer `index` (nullptr-safe:
// `index` may be past the last layer when the decoder stopped).
void print_ethertype_payload(PacketWalk& w, std::uint16_t type, std::size_t index, std::uint32_t length);
void print_ethernet(PacketWalk& w, std::size_t index);  // an inner Ethernet frame (VXLAN, Geneve, GRE)
void print_ipv4(PacketWalk& w, std::size_t index);
void print_ipv6(PacketWalk& w, std::size_t index);
void print_ip_payload(PacketWalk& w, std::size_t index, std::uint8_t proto, std::uint32_t length);
void print_mpls(PacketWalk& w, std::size_t index);
void print_ppp_payload(PacketWalk& w, std::uint16_t proto, std::size_t index);
void print_udp(PacketWalk& w, std::size_t index, std::size_t ip_index);
void print_gre(PacketWalk& w, std::size_t index, std::uint32_t length);
void print_icmp(PacketWalk& w, std::size_t index, std::size_t ip_index);
void print_icmp6(PacketWalk& w, std::size_t index, std::size_t ip_index);
void print_arp(PacketWalk& w, std::size_t index);
void print_tcp(PacketWalk& w, std::size_t index, std::size_t ip_index, bool fragmented);

// Name tables shared by the layer printers.
std::string_view ethertype_name(std::uint16_t type);  // "" when tcpdump has none
std::string_view ipproto_name(std::uint8_t proto);    // "" when tcpdump has none
void append_mac(PacketWalk& w, const std::uint8_t* p, std::size_t n = 6);

}  // namespace tcpscope::print::detail
