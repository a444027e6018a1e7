#include "track/phases.hpp"

#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

constexpr std::array<std::string_view, kPhaseCount> kPhaseNames = {
    "before_capture", "handshake", "data_transfer", "teardown", "reset",
};

constexpr bool later(Phase a, Phase b) { return static_cast<int>(a) > static_cast<int>(b); }

}  // namespace

std::string_view phase_name(Phase p) {
  const auto i = static_cast<std::size_t>(p);
  return i < kPhaseNames.size() ? kPhaseNames[i] : std::string_view("?");
}

void PhaseTracker::add_to_span(Phase p, std::uint64_t frame) {
  if (span_count_ == 0 || spans_[span_count_ - 1].phase != p) {
    if (span_count_ == spans_.size()) return;  // cannot happen: phases only move forward
    spans_[span_count_++] = PhaseSpan{.phase = p, .first_frame = frame, .last_frame = frame, .segments = 0};
  }
  PhaseSpan& s = spans_[span_count_ - 1];
  s.last_frame = frame;
  ++s.segments;
}

SegmentPhase PhaseTracker::on_segment(const SegmentEvent& seg, bool rst_ignored) {
  const bool syn = (seg.flags & tcp_flag::syn) != 0;
  const bool ack = (seg.flags & tcp_flag::ack) != 0;
  const bool fin = (seg.flags & tcp_flag::fin) != 0;
  const bool rst = (seg.flags & tcp_flag::rst) != 0 && !rst_ignored;

  if (!started_) {
    started_ = true;
    if (syn) {
      current_ = Phase::handshake;
    } else {
      // Started before the capture: an empty before_capture span, then data transfer.
      spans_[span_count_++] = PhaseSpan{.phase = Phase::before_capture};
      current_ = Phase::data_transfer;
    }
  }

  Phase p = current_;
  if (rst) {
    p = Phase::reset;
  } else if (fin) {
    p = Phase::teardown;
  } else if (current_ == Phase::handshake) {
    if (syn) {
      if (!syn_seen_ && !ack) {
        syn_seen_ = true;
        syn_dir_ = seg.dir;
      }
      if (ack && !syn_ack_seen_) {
        syn_ack_seen_ = true;
        syn_ack_dir_ = seg.dir;
        syn_ack_seq_ = seg.seq;
      }
    } else if (ack) {
      // The first segment acknowledging the SYN,ACK (or, when the SYN,ACK was not captured,
      // the opener's first non-SYN segment) closes the handshake; it still belongs to it.
      const bool acks_syn_ack = syn_ack_seen_ && seg.dir != syn_ack_dir_ && seg.ack == syn_ack_seq_ + 1;
      const bool opener_moves_on = !syn_ack_seen_ && syn_seen_ && seg.dir == syn_dir_;
      if (acks_syn_ack || opener_moves_on) current_ = Phase::data_transfer;
    }
  }
  if (later(current_, p) && p != Phase::handshake) p = current_;  // reset, then a FIN: still reset
  if (later(p, current_)) current_ = p;
  add_to_span(p, seg.frame);
  return SegmentPhase{.phase = p, .carries_data = seg.payload_len > 0 && p != Phase::data_transfer};
}

}  // namespace tcpscope::track
