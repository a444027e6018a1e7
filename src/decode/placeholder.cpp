// Temporary: the decoder is being written. decode() leaves the packet empty.
#include "decode/packet.hpp"
namespace tcpscope::decode {
void decode(const Frame& frame, Packet& out) { out.reset(frame); }
}  // namespace tcpscope::decode
