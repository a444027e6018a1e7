// Per-segment TCP analysis flags in Wireshark's vocabulary (packet-tcp.c TCP_A_*).
// The ids are stable snake_case names used by JSON, explain text and golden
// tests, so tests assert sets of ids, never prose.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace tcpscope::track {

enum class AnalysisFlag : std::uint8_t {
  retransmission,
  fast_retransmission,
  spurious_retransmission,
  out_of_order,
  lost_segment,
  ack_lost_segment,
  duplicate_ack,
  zero_window,
  zero_window_probe,
  zero_window_probe_ack,
  window_full,
  window_update,
  keep_alive,
  keep_alive_ack,
  reused_ports,
};

inline constexpr std::size_t kAnalysisFlagCount = 15;

struct AnalysisFlagInfo {
  AnalysisFlag flag;
  std::string_view id;            // stable snake_case id
  std::string_view tshark_field;  // the tshark field that carries it
  std::string_view meaning;       // one line, for people
};

// In the order of the enum (which is also the order ids are listed in text).
inline constexpr std::array<AnalysisFlagInfo, kAnalysisFlagCount> kAnalysisFlagTable{{
    {AnalysisFlag::retransmission, "retransmission", "tcp.analysis.retransmission",
     "the segment resends sequence space already sent"},
    {AnalysisFlag::fast_retransmission, "fast_retransmission", "tcp.analysis.fast_retransmission",
     "a retransmission answering two or more duplicate ACKs within 20 ms"},
    {AnalysisFlag::spurious_retransmission, "spurious_retransmission", "tcp.analysis.spurious_retransmission",
     "resends data the receiver had already acknowledged"},
    {AnalysisFlag::out_of_order, "out_of_order", "tcp.analysis.out_of_order",
     "older sequence space arriving soon after newer data (within the iRTT)"},
    {AnalysisFlag::lost_segment, "lost_segment", "tcp.analysis.lost_segment",
     "previous segment not captured: the sequence jumps past the next expected byte"},
    {AnalysisFlag::ack_lost_segment, "ack_lost_segment", "tcp.analysis.ack_lost_segment",
     "ACKs a segment that was not captured"},
    {AnalysisFlag::duplicate_ack, "duplicate_ack", "tcp.analysis.duplicate_ack",
     "a pure ACK repeating the previous ACK number and window"},
    {AnalysisFlag::zero_window, "zero_window", "tcp.analysis.zero_window",
     "the sender advertises a zero receive window"},
    {AnalysisFlag::zero_window_probe, "zero_window_probe", "tcp.analysis.zero_window_probe",
     "one byte sent into a zero window to probe it"},
    {AnalysisFlag::zero_window_probe_ack, "zero_window_probe_ack", "tcp.analysis.zero_window_probe_ack",
     "the ACK answering a zero-window probe, window still zero"},
    {AnalysisFlag::window_full, "window_full", "tcp.analysis.window_full",
     "the segment fills the receiver's advertised window exactly"},
    {AnalysisFlag::window_update, "window_update", "tcp.analysis.window_update",
     "a pure ACK that only changes the advertised window"},
    {AnalysisFlag::keep_alive, "keep_alive", "tcp.analysis.keep_alive",
     "a keep-alive: zero or one byte one below the next expected sequence number"},
    {AnalysisFlag::keep_alive_ack, "keep_alive_ack", "tcp.analysis.keep_alive_ack",
     "the ACK answering a keep-alive"},
    {AnalysisFlag::reused_ports, "reused_ports", "tcp.analysis.reused_ports",
     "a new connection on the 4-tuple of an earlier one (new initial sequence number)"},
}};

constexpr const AnalysisFlagInfo& info(AnalysisFlag f) {
  return kAnalysisFlagTable[static_cast<std::size_t>(f)];
}
constexpr std::string_view to_id(AnalysisFlag f) { return info(f).id; }

constexpr std::optional<AnalysisFlag> analysis_flag_from_id(std::string_view id) {
  for (const auto& row : kAnalysisFlagTable)
    if (row.id == id) return row.flag;
  return std::nullopt;
}

// A set of AnalysisFlag values, one bit each.
class AnalysisFlags {
 public:
  constexpr AnalysisFlags() = default;
  constexpr AnalysisFlags(std::initializer_list<AnalysisFlag> flags) {
    for (auto f : flags) set(f);
  }
  constexpr void set(AnalysisFlag f) { bits_ |= bit(f); }
  constexpr void clear(AnalysisFlag f) { bits_ &= static_cast<std::uint16_t>(~bit(f)); }
  constexpr bool has(AnalysisFlag f) const { return (bits_ & bit(f)) != 0; }
  constexpr bool any() const { return bits_ != 0; }
  constexpr bool none() const { return bits_ == 0; }
  constexpr std::uint16_t bits() const { return bits_; }
  constexpr bool operator==(const AnalysisFlags&) const = default;

  // Calls fn(AnalysisFlag) for each set flag, in table order.
  template <class Fn>
  constexpr void for_each(Fn&& fn) const {
    for (const auto& row : kAnalysisFlagTable)
      if (has(row.flag)) fn(row.flag);
  }

 private:
  static constexpr std::uint16_t bit(AnalysisFlag f) {
    return static_cast<std::uint16_t>(1u << static_cast<unsigned>(f));
  }
  std::uint16_t bits_ = 0;
};

static_assert(kAnalysisFlagCount <= 16, "AnalysisFlags holds 16 bits");

}  // namespace tcpscope::track
