// BSD loopback headers: DLT_NULL (address family in the capturing host's byte
// order) and DLT_LOOP (network byte order).
#include "decode/layer_decoders.hpp"
#include "decode/link_types.hpp"

namespace tcpscope::decode {

std::uint32_t null_loop_family(const std::uint8_t* p, bool loop) {
  if (loop) return load_be32(p);
  std::uint32_t family = load_le32(p);
  // Written on a big-endian host: the family then sits in the top bytes.
  if (family & 0xffff0000u)
    family = ((family & 0xff) << 24) | ((family & 0xff00) << 8) | ((family >> 8) & 0xff00) | (family >> 24);
  return family;
}

namespace detail {

void decode_null_loop(const Cursor& c, Packet& out, bool loop) {
  constexpr std::uint32_t kHeader = 4;
  if (!c.has(kHeader)) return set_truncated(out, LayerKind::null_loop, kHeader, c.captured());
  push_layer(out, LayerKind::null_loop, c, kHeader, loop ? 1 : 0);
  // tcpdump 4.99.3 reads DLT_LOOP's family like DLT_NULL's; so does the decoder, to agree.
  const std::uint32_t family = null_loop_family(c.at(), false);
  const Cursor next = c.after(kHeader);
  switch (family) {
    case 2:
      return decode_ipv4(next, out);
    case 24:  // NetBSD, OpenBSD
    case 28:  // FreeBSD
    case 30:  // macOS
      return decode_ipv6(next, out);
    default:
      return set_unsupported(out, LayerKind::null_loop, "unknown address family");
  }
}

}  // namespace detail
}  // namespace tcpscope::decode
