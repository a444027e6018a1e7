// The phase of each segment of one connection (tcp-semantics.md §5.2):
//   handshake      from the first SYN to the first segment acknowledging the SYN,ACK
//                  (the final ACK, or the first data);
//   data_transfer  between the handshake and the first FIN or RST;
//   teardown       from the first FIN on;
//   reset          from the first RST on;
//   before_capture the part of a connection that started before the capture: it has
//                  no segments and only opens the phase list of such a connection,
//                  whose segments start in data transfer.
// Phases only move forward, so each forms one contiguous span. Every segment gets
// exactly one phase; data piggybacked on the handshake's third segment or on a FIN
// also counts as data transfer (`carries_data`).
#pragma once
#include <array>
#include <cstdint>
#include <string_view>

#include "core/seq.hpp"
#include "track/segment_event.hpp"

namespace tcpscope::track {

enum class Phase : std::uint8_t { before_capture, handshake, data_transfer, teardown, reset };
inline constexpr std::size_t kPhaseCount = 5;

std::string_view phase_name(Phase p);  // "handshake", "data_transfer", ...

struct SegmentPhase {
  Phase phase = Phase::data_transfer;
  bool carries_data = false;  // payload in a handshake or teardown segment: also data transfer
  constexpr bool counts_as(Phase p) const {
    return phase == p || (p == Phase::data_transfer && carries_data);
  }
};

struct PhaseSpan {
  Phase phase = Phase::before_capture;
  std::uint64_t first_frame = 0;  // 0 for before_capture
  std::uint64_t last_frame = 0;
  std::uint32_t segments = 0;
};

class PhaseTracker {
 public:
  // `rst_ignored`: the segment is a RST the receiver would not accept (the inference's
  // rst_out_of_window note); it does not start the reset phase.
  SegmentPhase on_segment(const SegmentEvent& seg, bool rst_ignored = false);

  // The spans so far, in order (at most kPhaseCount).
  std::size_t span_count() const { return span_count_; }
  const PhaseSpan& span(std::size_t i) const { return spans_[i]; }

 private:
  void add_to_span(Phase p, std::uint64_t frame);

  bool started_ = false;
  Phase current_ = Phase::handshake;
  bool syn_seen_ = false;
  Direction syn_dir_ = Direction::from_client;
  bool syn_ack_seen_ = false;
  Direction syn_ack_dir_ = Direction::from_server;
  SeqNum syn_ack_seq_;
  std::array<PhaseSpan, kPhaseCount> spans_{};
  std::size_t span_count_ = 0;
};

}  // namespace tcpscope::track
