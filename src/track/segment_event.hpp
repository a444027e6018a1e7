// One TCP segment of one connection as the RFC-state inference sees it: who sent
// it (client or server, decided by the caller's flow table) and the header
// fields that drive the state machines. Built by the explain step from a
// connection's timeline, or directly from decoded packets by tools and tests.
#pragma once
#include <cstdint>

#include "core/seq.hpp"
#include "core/time.hpp"
#include "decode/packet.hpp"

namespace tcpscope::track {

// Which endpoint sent the segment.
enum class Direction : std::uint8_t { from_client, from_server };

constexpr Direction reverse(Direction d) {
  return d == Direction::from_client ? Direction::from_server : Direction::from_client;
}

struct SegmentEvent {
  Direction dir = Direction::from_client;
  std::uint16_t flags = 0;  // raw TCP flags (core/tcp_flags.hpp)
  SeqNum seq;
  SeqNum ack;
  std::uint32_t payload_len = 0;
  std::uint16_t window = 0;  // raw, unscaled
  Timestamp ts;
  std::uint64_t frame = 0;  // 1-based frame number in the capture
};

// The event for a decoded TCP segment; `dir` comes from the caller's roles.
inline SegmentEvent segment_event(Direction dir, const decode::TcpFacts& tcp, Timestamp ts,
                                  std::uint64_t frame) {
  return SegmentEvent{.dir = dir,
                      .flags = tcp.flags,
                      .seq = tcp.seq,
                      .ack = tcp.ack,
                      .payload_len = tcp.payload_len,
                      .window = tcp.window,
                      .ts = ts,
                      .frame = frame};
}

}  // namespace tcpscope::track
