// libFuzzer target for the tcpdump printer (TcpdumpPrinter over decode()): byte 0
// picks the link type, bytes 1-2 the printing options, byte 3 the wire length's
// excess, bytes 4-7 the time stamp's seconds; then frames follow, each as a length
// byte and that many bytes, printed by one printer so that tcpdump's relative-seq
// table and the -ttt deltas carry state from frame to frame.
#include <fmt/format.h>

#include "decode/packet.hpp"
#include "fuzz_input.hpp"
#include "print/tcpdump_printer.hpp"

using namespace tcpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const int link_type = fuzz::link_type_from(in.u8());
  const std::uint16_t knobs = in.u16();
  const std::uint8_t extra = in.u8();
  const std::int64_t seconds = static_cast<std::int32_t>(in.u32());

  print::PrintOptions options;
  options.numeric = 2;  // -n: no name lookups (a fuzzer must not wait on DNS)
  options.absolute_seq = knobs & 1;
  options.verbose = (knobs >> 1) & 3;
  options.time = static_cast<print::TimeFormat>(((knobs >> 3) & 7) % 6);
  options.nano = (knobs >> 6) & 1;
  options.number = (knobs >> 7) & 1;
  options.quiet = (knobs >> 8) & 1;
  options.link_header = (knobs >> 9) & 1;
  options.hex = (knobs >> 10) & 3;
  options.hex_ascii = (knobs >> 12) & 3;
  options.ascii = (knobs >> 14) & 1;
  options.no_checksum = (knobs >> 15) & 1;

  print::TcpdumpPrinter printer(options);
  fmt::memory_buffer out;
  decode::Packet packet;
  for (std::uint64_t number = 1; in.remaining() > 0 && number <= 64; ++number) {
    const std::size_t len = number == 1 && in.remaining() < 256 ? in.remaining() : in.u8();
    const std::vector<std::uint8_t> bytes = in.bytes(len);
    Frame frame = fuzz::make_frame(bytes, link_type, extra, number);
    frame.ts.sec = seconds + static_cast<std::int64_t>(number);
    decode::decode(frame, packet);
    out.clear();
    printer.print(frame, packet, out);
    if (out.size() == 0 || out[out.size() - 1] != '\n') __builtin_trap();  // one complete line at least
  }
  return 0;
}
