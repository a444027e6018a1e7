// The TCP part of tcpdump's line ("src.sport > dst.dport: Flags [S.], cksum ...,
// seq ..., ack ..., win ..., options [...], length N" and its markers), with
// tcpdump's relative-sequence tables as members.
#pragma once
#include <fmt/format.h>

#include <memory>

#include "core/addr.hpp"
#include "core/bytes.hpp"
#include "decode/packet.hpp"
#include "print/print_options.hpp"

namespace tcpscope::print {

class TextWriter;
class HostNames;

struct TcpPrintContext {
  IpAddr src;
  IpAddr dst;
  bool print_addresses =
      true;  // false when the IP layer already printed the addresses (IPv6 extension headers)
  std::uint32_t segment_len = 0;  // TCP header + payload according to the IP header
  bool ip_fragment = false;       // first fragment: checksum is not verified
  // Optional: decode_tcp()'s facts for these same bytes. When their checksum was
  // verified, the printer reuses it instead of summing the segment again.
  const decode::TcpFacts* decoded = nullptr;
};

class TcpPrinter {
 public:
  TcpPrinter();
  ~TcpPrinter();
  TcpPrinter(const TcpPrinter&) = delete;
  TcpPrinter& operator=(const TcpPrinter&) = delete;

  // Appends the TCP part for the TCP bytes actually captured (`captured` starts at
  // the TCP header). No trailing newline.
  void print(fmt::memory_buffer& out, const PrintOptions& options, ByteView captured,
             const TcpPrintContext& ctx);

 private:
  struct SeqTables;
  struct PortNames;
  struct EndpointTexts;
  void append_host(TextWriter& w, const PrintOptions& options, const IpAddr& addr);
  void append_port(TextWriter& w, const PrintOptions& options, std::uint16_t port);
  std::unique_ptr<SeqTables> tables_;
  std::unique_ptr<EndpointTexts> endpoint_texts_;      // -n, IPv4: "a.b.c.d.p > e.f.g.h.q" per 4-tuple
  std::unique_ptr<PortNames> port_names_;              // loaded on first use without -n
  std::unique_ptr<HostNames> host_names_;              // filled as addresses appear, without -n
  HostNames& host_names(const PrintOptions& options);  // created on first use
};

}  // namespace tcpscope::print
