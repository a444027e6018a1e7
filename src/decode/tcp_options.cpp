#include "decode/tcp_options.hpp"

namespace tcpscope::decode {

TcpOptionStatus summarize_tcp_options(ByteView captured, std::uint32_t declared_len,
                                      TcpOptionSummary& summary) {
  // Field by field, straight into `summary` (assigning a TcpOptionSummary{} built a
  // temporary on the stack and copied it: a stalled store-forward on every segment).
  static_assert(sizeof(TcpOptionSummary) == 56, "a new field of TcpOptionSummary: reset it here too");
  summary.mss = -1;
  summary.wscale = -1;
  summary.sack_permitted = false;
  summary.has_timestamps = false;
  summary.ts_val = 0;
  summary.ts_ecr = 0;
  summary.sack_count = 0;
  summary.sack.fill({});
  summary.malformed = false;
  // The layout of nearly every segment of a connection that negotiated timestamps
  // (Linux's): NOP, NOP, timestamps. Same summary as the general walk below.
  if (declared_len == 12 && captured.size() == 12 && load_be32(captured.data()) == 0x0101080Au) {
    summary.has_timestamps = true;
    summary.ts_val = load_be32(captured.data() + 4);
    summary.ts_ecr = load_be32(captured.data() + 8);
    return TcpOptionStatus::ok;
  }
  TcpOptionIter it(captured, declared_len);
  TcpOption opt;
  while (it.next(opt)) {
    const std::uint8_t* d = opt.data.data();
    switch (opt.kind) {
      case tcp_option_kind::mss:
        if (opt.len == 4) summary.mss = load_be16(d);
        break;
      case tcp_option_kind::wscale:
        if (opt.len == 3) summary.wscale = d[0];
        break;
      case tcp_option_kind::sack_permitted:
        if (opt.len == 2) summary.sack_permitted = true;
        break;
      case tcp_option_kind::sack:
        if ((opt.len - 2u) % 8 == 0) {
          summary.sack_count = 0;
          for (std::size_t i = 0; i + 8 <= opt.data.size() && summary.sack_count < summary.sack.size();
               i += 8) {
            summary.sack[summary.sack_count++] = {SeqNum(load_be32(d + i)), SeqNum(load_be32(d + i + 4))};
          }
        }
        break;
      case tcp_option_kind::timestamps:
        if (opt.len == 10) {
          summary.has_timestamps = true;
          summary.ts_val = load_be32(d);
          summary.ts_ecr = load_be32(d + 4);
        }
        break;
      default:
        break;
    }
  }
  summary.malformed = it.status() != TcpOptionStatus::ok;
  return it.status();
}

}  // namespace tcpscope::decode
