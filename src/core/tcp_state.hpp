// The eleven RFC 9293 connection states (§3.3.2), one bit each so that a set of
// states is a plain mask: `in(state, TcpState::FinWait1 | TcpState::Closing)`.
// Shared by track/ (inference), lab/ (kernel events mapped onto them) and render/.
#pragma once
#include <array>
#include <bit>
#include <cstdint>
#include <string_view>

namespace tcpscope {

enum class TcpState : std::uint16_t {
  Closed = 1u << 0,
  Listen = 1u << 1,
  SynSent = 1u << 2,
  SynReceived = 1u << 3,
  Established = 1u << 4,
  FinWait1 = 1u << 5,
  FinWait2 = 1u << 6,
  CloseWait = 1u << 7,
  Closing = 1u << 8,
  LastAck = 1u << 9,
  TimeWait = 1u << 10,
};

inline constexpr std::size_t kTcpStateCount = 11;

// All states in RFC order (CLOSED first), for tables and tests.
inline constexpr std::array<TcpState, kTcpStateCount> kAllTcpStates = {
    TcpState::Closed,      TcpState::Listen,   TcpState::SynSent,  TcpState::SynReceived,
    TcpState::Established, TcpState::FinWait1, TcpState::FinWait2, TcpState::CloseWait,
    TcpState::Closing,     TcpState::LastAck,  TcpState::TimeWait,
};

// A set of states as a bit mask.
class TcpStateSet {
 public:
  constexpr TcpStateSet() = default;
  constexpr TcpStateSet(TcpState s) : bits_(static_cast<std::uint16_t>(s)) {}  // NOLINT: implicit on purpose
  constexpr explicit TcpStateSet(std::uint16_t bits) : bits_(bits) {}
  constexpr std::uint16_t bits() const { return bits_; }
  constexpr bool contains(TcpState s) const { return (bits_ & static_cast<std::uint16_t>(s)) != 0; }
  constexpr bool empty() const { return bits_ == 0; }
  friend constexpr TcpStateSet operator|(TcpStateSet a, TcpStateSet b) {
    return TcpStateSet(static_cast<std::uint16_t>(a.bits_ | b.bits_));
  }
  constexpr bool operator==(const TcpStateSet&) const = default;

 private:
  std::uint16_t bits_ = 0;
};

constexpr TcpStateSet operator|(TcpState a, TcpState b) { return TcpStateSet(a) | TcpStateSet(b); }
constexpr bool in(TcpState s, TcpStateSet set) { return set.contains(s); }

// States in which both sides have exchanged SYNs (RFC 9293 "synchronized states").
inline constexpr TcpStateSet kSynchronizedStates = TcpState::Established | TcpState::FinWait1 |
                                                   TcpState::FinWait2 | TcpState::CloseWait |
                                                   TcpState::Closing | TcpState::LastAck | TcpState::TimeWait;

// Index 0..10 in RFC order.
constexpr std::size_t index_of(TcpState s) {
  const auto bits = static_cast<std::uint16_t>(s);
  return bits > 1 ? static_cast<std::size_t>(std::bit_width(bits)) - 1 : 0;  // the highest bit set
}

// The names to_string() returns, by index_of() (a constant table: not rebuilt per call).
inline constexpr std::array<std::string_view, kTcpStateCount> kTcpStateNames = {
    "CLOSED",     "LISTEN",     "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED", "FIN-WAIT-1",
    "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING",  "LAST-ACK",     "TIME-WAIT",
};

// RFC 9293 spelling: "SYN-RECEIVED", "FIN-WAIT-1", ...
constexpr std::string_view to_string(TcpState s) {
  const std::size_t i = index_of(s);
  return i < kTcpStateNames.size() ? kTcpStateNames[i] : std::string_view("?");
}

}  // namespace tcpscope
