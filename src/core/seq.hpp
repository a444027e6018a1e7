// 32-bit TCP sequence numbers with wrap-safe comparison (RFC 9293 §3.4), and an
// unwrapper to a 64-bit offset from an initial sequence number.
#pragma once
#include <cstdint>

namespace tcpscope {

class SeqNum {
 public:
  constexpr SeqNum() = default;
  constexpr explicit SeqNum(std::uint32_t v) : v_(v) {}
  constexpr std::uint32_t raw() const { return v_; }
  // Signed distance b - a in modular arithmetic: positive when *this is after `a`.
  constexpr std::int32_t since(SeqNum a) const { return static_cast<std::int32_t>(v_ - a.v_); }
  constexpr SeqNum operator+(std::uint32_t n) const { return SeqNum(v_ + n); }
  constexpr SeqNum operator-(std::uint32_t n) const { return SeqNum(v_ - n); }
  constexpr SeqNum& operator+=(std::uint32_t n) { v_ += n; return *this; }
  constexpr bool operator==(const SeqNum&) const = default;
  friend constexpr bool operator<(SeqNum a, SeqNum b) { return a.since(b) < 0; }
  friend constexpr bool operator>(SeqNum a, SeqNum b) { return a.since(b) > 0; }
  friend constexpr bool operator<=(SeqNum a, SeqNum b) { return a.since(b) <= 0; }
  friend constexpr bool operator>=(SeqNum a, SeqNum b) { return a.since(b) >= 0; }

 private:
  std::uint32_t v_ = 0;
};

// Maps 32-bit sequence numbers to a monotone-ish 64-bit space anchored at a base
// (the ISN, or the first number seen). Values up to 2^31 behind the latest are
// placed before it, so retransmissions across a wrap unwrap correctly.
class SeqUnwrapper {
 public:
  constexpr SeqUnwrapper() = default;
  constexpr explicit SeqUnwrapper(SeqNum base) : last_(0), base_(base), valid_(true) {}
  constexpr bool valid() const { return valid_; }
  constexpr SeqNum base() const { return base_; }
  // Offset of s from the base, in 64 bits (may be negative for data before the base).
  constexpr std::int64_t unwrap(SeqNum s) {
    const std::int64_t guess = last_ + s.since(SeqNum(static_cast<std::uint32_t>(base_.raw() + static_cast<std::uint32_t>(last_))));
    if (guess > last_) last_ = guess;
    return guess;
  }

 private:
  std::int64_t last_ = 0;  // (largest member first: 16 bytes, not 24)
  SeqNum base_{};
  bool valid_ = false;
};

}  // namespace tcpscope
