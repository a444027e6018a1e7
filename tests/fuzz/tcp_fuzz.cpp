// libFuzzer target for the TCP decoder and printer: the first two bytes pick the
// printing options and the segment length the IP layer announces, the rest is the
// captured TCP segment. Build with clang: see tests/fuzz/tcp_fuzz.cmake.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "decode/tcp.hpp"
#include "print/tcp_text.hpp"

using namespace tcpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::uint8_t knobs = data[0];
  const std::uint8_t extra = data[1];
  // An exact-size copy, so that any read past the capture is outside the allocation.
  const std::vector<std::uint8_t> captured(data + 2, data + size);
  static constexpr std::uint8_t kV4[4] = {192, 0, 2, 1};
  static constexpr std::uint8_t kV6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  const IpAddr addr = (knobs & 0x80) ? IpAddr::v6(kV6) : IpAddr::v4(kV4);
  // The announced segment is the capture plus or minus a little (truncated or padded).
  std::uint32_t segment_len = static_cast<std::uint32_t>(captured.size());
  if (extra & 0x80)
    segment_len += extra & 0x7f;
  else if ((extra & 0x7f) <= segment_len)
    segment_len -= extra & 0x7f;

  print::PrintOptions options;
  options.numeric = 2;
  options.verbose = knobs & 3;
  options.absolute_seq = (knobs & 4) != 0;
  options.quiet = (knobs & 8) != 0;
  options.no_checksum = (knobs & 16) != 0;
  print::TcpPrintContext ctx;
  ctx.src = addr;
  ctx.dst = addr;
  ctx.segment_len = segment_len;
  ctx.ip_fragment = (knobs & 32) != 0;
  ctx.print_addresses = (knobs & 64) == 0;
  static print::TcpPrinter printer;  // kept across inputs so the relative-seq table fills up
  fmt::memory_buffer out;
  printer.print(out, options, ByteView(captured.data(), captured.size()), ctx);

  decode::TcpIpContext ip;
  ip.src = addr;
  ip.dst = addr;
  ip.segment_len = segment_len;
  ip.ip_fragment = ctx.ip_fragment;
  decode::Packet packet;
  decode::decode_tcp(ByteView(captured.data(), captured.size()), ip, packet);
  return 0;
}
