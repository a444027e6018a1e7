// Temporary stand-in until the TCP decoder lands.
#include "decode/tcp.hpp"

namespace tcpscope::decode {
DecodeStatus decode_tcp(ByteView, const TcpIpContext&, Packet&) { return {}; }
}  // namespace tcpscope::decode
