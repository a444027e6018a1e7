// decode(): the entry point. Sets up the cursor over the captured bytes and
// hands the frame to the link layer named by its DLT value.
#include "decode/layer_decoders.hpp"

namespace tcpscope::decode {

namespace detail {

Layer& push_layer(Packet& out, LayerKind kind, const Cursor& c, std::uint32_t header_len, std::uint8_t aux) {
  // The stack is bounded; a frame nesting deeper than kMaxLayers overwrites the last
  // entry rather than growing (decoders stop long before with real traffic).
  if (out.layer_count == kMaxLayers) --out.layer_count;
  Layer& l = out.layers[out.layer_count++];
  l.kind = kind;
  l.aux = aux;
  l.offset = c.off;
  l.length = header_len;
  l.cap_len = c.captured();
  l.pdu_len = c.length;
  return l;
}

void set_truncated(Packet& out, LayerKind layer, std::uint32_t need, std::uint32_t have) {
  out.status = DecodeStatus{DecodeCode::truncated, layer, need, have, "truncated"};
}

void set_malformed(Packet& out, LayerKind layer, const char* reason) {
  out.status = DecodeStatus{DecodeCode::malformed, layer, 0, 0, reason};
}

void set_unsupported(Packet& out, LayerKind layer, const char* reason) {
  out.status = DecodeStatus{DecodeCode::unsupported, layer, 0, 0, reason};
}

}  // namespace detail

void decode(const Frame& frame, Packet& out) {
  if (out.tcp_facts_only && out.skip_tcp_checksum && detail::decode_tcp_facts_fast(frame, out)) return;
  out.reset(frame);
  detail::Cursor c;
  c.base = frame.data.data();
  c.off = 0;
  c.end = static_cast<std::uint32_t>(frame.data.size());
  c.length = frame.wire_len;
  detail::decode_link(frame.link_type, c, out);
}

}  // namespace tcpscope::decode
