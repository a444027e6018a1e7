// libFuzzer target for decode::decode() on every link type: byte 0 picks the link
// type, byte 1 the wire length's excess over the capture, the rest is the frame.
#include "decode/packet.hpp"
#include "fuzz_input.hpp"

using namespace tcpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const int link_type = fuzz::link_type_from(in.u8());
  const std::uint8_t extra = in.u8();
  const std::vector<std::uint8_t> bytes = in.bytes(in.remaining());
  const Frame frame = fuzz::make_frame(bytes, link_type, extra, 1);
  decode::Packet packet;
  decode::decode(frame, packet);
  // The decoder's promises: the layer stack is bounded and inside the capture,
  // the TCP payload view lies inside the frame.
  if (packet.layer_count > decode::kMaxLayers) __builtin_trap();
  for (std::size_t i = 0; i < packet.layer_count; ++i)
    if (packet.layers[i].offset > frame.caplen) __builtin_trap();
  if (packet.has_tcp && !packet.tcp.payload.empty() &&
      (packet.tcp.payload.data() < bytes.data() ||
       packet.tcp.payload.data() + packet.tcp.payload.size() > bytes.data() + bytes.size()))
    __builtin_trap();
  return 0;
}
