// libFuzzer target for the TCP option parser: byte 0 is the option area length the
// data offset announces (0..40 in a real header, any byte here), the rest is the
// captured option bytes. Walks them with TcpOptionIter and summarize_tcp_options.
#include "decode/tcp_options.hpp"
#include "fuzz_input.hpp"

using namespace tcpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint32_t declared = in.u8();
  const std::vector<std::uint8_t> bytes = in.bytes(in.remaining());
  const ByteView captured(bytes.data(), bytes.size());

  decode::TcpOptionIter it(captured, declared);
  decode::TcpOption option;
  std::uint32_t last_end = 0;
  std::size_t count = 0;
  while (it.next(option)) {
    // Each option lies inside the captured bytes and the declared area, in order.
    const std::uint32_t end = option.offset + option.len;
    if (option.offset < last_end || end > declared || end > captured.size()) __builtin_trap();
    if (option.len >= 2 && option.data.size() != option.len - 2u) __builtin_trap();
    last_end = end;
    if (++count > 256) __builtin_trap();  // every option consumes at least one byte
  }
  decode::TcpOptionSummary summary;
  const decode::TcpOptionStatus status = decode::summarize_tcp_options(captured, declared, summary);
  if (status != it.status()) __builtin_trap();
  if (summary.sack_count > summary.sack.size()) __builtin_trap();
  return 0;
}
