// One direction of a connection: what one endpoint sent, as tcpscope's own
// facts (independent of the Zeek model). Relative sequence numbers are offsets
// from the ISN (the SYN's sequence, or one before the first byte seen when the
// start was not captured), unwrapped as SeqUnwrapper does, so they survive
// wrap-around. The 64-bit values keep their low halves here; their high halves
// are the connection's (ConnectionHighWords, zeek_wide::*), so Connection reads
// them whole (Connection::payload_bytes() and the like).
#pragma once
#include <cstdint>

#include "core/seq.hpp"
#include "core/time.hpp"

namespace tcpscope::track {

// ACK-based RTT samples as Wireshark's tcp.analysis.ack_rtt defines them (time
// from a data/SYN/FIN segment to the first ACK equal to its end), taken one
// segment at a time: a segment is timed only when none is outstanding, and a
// retransmission cancels the timing (Karn), so every sample is one of Wireshark's.
struct AckRtt {
  SeqNum timed_end;  // end of the segment being timed (when it was sent: Connection::timed_ns())
  // (the number of samples is the connection's: Connection::rtt_samples())
  std::uint32_t min_us = 0;  // microseconds (what the outputs print)
  std::uint32_t max_us = 0;
  std::uint32_t sum_us_low = 0;  // low half of the sum (Connection::rtt_sum_us())

  // Counts one sample (`first`: there was none before); returns it in microseconds, for
  // the caller to add to the sum.
  std::uint32_t add(std::int64_t rtt_ns, bool first) {
    const std::int64_t us64 = rtt_ns < 0 ? 0 : (rtt_ns + 500) / 1000;
    const std::uint32_t us = us64 > 0xFFFFFFFF ? 0xFFFFFFFFu : static_cast<std::uint32_t>(us64);
    if (first || us < min_us) min_us = us;
    if (first || us > max_us) max_us = us;
    return us;
  }
};

struct Half {
  // Highest relative end (seq + len) seen (low half; never negative).
  std::uint32_t max_rel_end_low = 0;
  // (The bytes of payload sent, retransmissions included, are not kept: they are the
  // sequence space covered, without the SYN and FIN octets, plus the retransmitted
  // bytes, and a correction in the rare block when they are not (gaps, a new ISN, a
  // RST past the data): Connection::payload_bytes().)
  AckRtt ack_rtt;  // RTT of this side's segments, measured by the peer's ACKs
  SeqNum isn_seq;  // the ISN: relative sequence numbers count from it; valid once isn_known
  // (its segment count is the Zeek session's packets plus the segments Zeek did not
  // analyze: Connection::segments())
  // The unwrapping reference (SeqUnwrapper's last value: the highest relative start
  // seen) as its distance below max_rel_end, which is never more than a segment's length:
  // its low 16 bits (the high ones, for segments of 64 KiB and more, are the
  // connection's: zeek_wide::unwrap_below_end0; Connection reads it whole).
  std::uint16_t unwrap_below_end_low = 0;
  // Bytes of payload retransmitted: the low 16 bits (the rest is the connection's rare
  // block's, ZeekRare::retransmitted_bytes_above16: Connection::retransmitted_bytes()).
  std::uint16_t retransmitted_bytes_low = 0;
  std::uint16_t mss = 0;    // from its SYN; 0 when not seen
  std::int8_t wscale = -1;  // window scale shift offered in its SYN; -1 when none seen
  bool isn_known : 1 = false;
  bool isn_from_syn : 1 = false;  // false: assumed from the first segment (capture started mid-stream)
  bool sack_permitted : 1 = false;
  bool timestamps : 1 = false;  // it sent the timestamps option
  bool syn_seen : 1 = false;
  bool fin_seen : 1 = false;
  bool rst_seen : 1 = false;

  // The SYN's sequence number (or assumed, see isn_from_syn).
  SeqNum isn() const { return isn_seq; }
  // Offset of s from the ISN in 64 bits, across wrap-arounds, given the unwrapping
  // reference `last` (as SeqUnwrapper::unwrap; the caller keeps the highest as the reference).
  std::int64_t unwrap(SeqNum s, std::int64_t last) const {
    return last +
           s.since(SeqNum(static_cast<std::uint32_t>(isn_seq.raw() + static_cast<std::uint32_t>(last))));
  }
  // One past the highest sequence sent: the next expected from this side (the low half is enough).
  SeqNum next_seq() const { return isn() + max_rel_end_low; }
};

}  // namespace tcpscope::track
