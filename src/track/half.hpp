// One direction of a connection: what one endpoint sent, as tcpscope's own
// facts (independent of the Zeek model). Relative sequence numbers are offsets
// from the ISN (the SYN's sequence, or one before the first byte seen when the
// start was not captured) through a SeqUnwrapper, so they survive wrap-around.
#pragma once
#include <cstdint>

#include "core/seq.hpp"
#include "core/time.hpp"

namespace tcpscope::track {

struct Half {
  SeqUnwrapper unwrap;              // valid once the ISN is known
  SeqNum isn;                       // the SYN's sequence number (or assumed, see isn_from_syn)
  SeqNum next_seq;                  // one past the highest sequence sent (the next expected from this side)
  SeqNum highest_ack;               // highest ACK this side sent (for the peer's data)
  SeqNum fin_seq;                   // sequence number of the FIN (valid when fin_seen)
  std::int64_t max_rel_end = 0;     // highest relative end (seq + len) seen
  std::uint64_t payload_bytes = 0;  // bytes of payload sent, retransmissions included
  std::uint64_t retransmitted_bytes = 0;
  std::uint64_t ip_bytes = 0;
  std::uint32_t segments = 0;
  std::uint32_t window = 0;  // last advertised window, unscaled value as sent
  std::uint32_t ts_val = 0;  // last timestamp value sent
  std::uint16_t mss = 0;     // from its SYN; 0 when not seen
  std::int8_t wscale = -1;   // window scale shift offered in its SYN; -1 when none seen
  bool isn_known = false;
  bool isn_from_syn = false;  // false: assumed from the first segment (capture started mid-stream)
  bool ack_seen = false;
  bool sack_permitted = false;
  bool timestamps = false;
  bool syn_seen = false;
  bool fin_seen = false;
  bool rst_seen = false;

  // Window scaling is in force only when both SYNs carried the option (RFC 7323).
  std::uint64_t scaled_window(const Half& peer) const {
    const int shift = (wscale >= 0 && peer.wscale >= 0) ? (wscale > 14 ? 14 : wscale) : 0;
    return std::uint64_t{window} << shift;
  }
};

}  // namespace tcpscope::track
