// TCP options (RFC 9293 §3.2 and the option registry): a lazy iterator over the
// option bytes of one header, and the fixed-capacity summary tracking needs.
// Never allocates, never reads past the captured bytes.
#pragma once
#include <cstdint>

#include "core/bytes.hpp"
#include "decode/packet.hpp"

namespace tcpscope::decode {

// Option kinds by their IANA numbers (the names tcpdump prints are in print/).
namespace tcp_option_kind {
inline constexpr std::uint8_t eol = 0;
inline constexpr std::uint8_t nop = 1;
inline constexpr std::uint8_t mss = 2;
inline constexpr std::uint8_t wscale = 3;
inline constexpr std::uint8_t sack_permitted = 4;
inline constexpr std::uint8_t sack = 5;
inline constexpr std::uint8_t echo = 6;
inline constexpr std::uint8_t echo_reply = 7;
inline constexpr std::uint8_t timestamps = 8;
inline constexpr std::uint8_t cc = 11;
inline constexpr std::uint8_t cc_new = 12;
inline constexpr std::uint8_t cc_echo = 13;
inline constexpr std::uint8_t md5_signature = 19;
inline constexpr std::uint8_t scps = 20;
inline constexpr std::uint8_t user_timeout = 28;
inline constexpr std::uint8_t tcp_ao = 29;
inline constexpr std::uint8_t mptcp = 30;
inline constexpr std::uint8_t fast_open = 34;
inline constexpr std::uint8_t experiment1 = 253;
inline constexpr std::uint8_t experiment2 = 254;
}  // namespace tcp_option_kind

// One option as it sits in the header. For EOL and NOP `len` is 1 and `data` is empty.
struct TcpOption {
  std::uint8_t kind = 0;
  std::uint8_t len = 0;      // the length byte (total length including kind and length)
  ByteView data;             // len - 2 bytes following the length byte
  std::uint32_t offset = 0;  // offset of the kind byte from the start of the option area
};

enum class TcpOptionStatus : std::uint8_t {
  ok,          // more options may follow (or the list ended cleanly)
  bad_length,  // a length byte < 2 or larger than the option space left
  truncated,   // the option area continues past the captured bytes
};

// Walks the option area of one TCP header: `captured` holds the captured option bytes,
// `declared_len` is header length - 20 (what the data offset announces).
// Iteration ends after EOL, at the end of the area, or at the first bad/truncated option.
class TcpOptionIter {
 public:
  constexpr TcpOptionIter(ByteView captured, std::uint32_t declared_len)
      : bytes_(captured), declared_(declared_len) {}

  // Fills `out` and returns true while an option is available.
  constexpr bool next(TcpOption& out) {
    if (done_) return false;
    if (pos_ >= declared_) return finish(TcpOptionStatus::ok);
    if (pos_ >= bytes_.size()) return finish(TcpOptionStatus::truncated);
    const std::uint8_t kind = bytes_[pos_];
    if (kind == tcp_option_kind::eol || kind == tcp_option_kind::nop) {
      out = TcpOption{kind, 1, ByteView{}, pos_};
      pos_ += 1;
      if (kind == tcp_option_kind::eol) done_ = true;
      return true;
    }
    if (pos_ + 1 >= declared_) return finish(TcpOptionStatus::bad_length);
    if (pos_ + 1 >= bytes_.size()) return finish(TcpOptionStatus::truncated);
    const std::uint8_t len = bytes_[pos_ + 1];
    if (len < 2 || len > declared_ - pos_) return finish(TcpOptionStatus::bad_length);
    if (len > bytes_.size() - pos_) return finish(TcpOptionStatus::truncated);
    out = TcpOption{kind, len, bytes_.subspan(pos_ + 2, len - 2u), pos_};
    pos_ += len;
    return true;
  }

  constexpr TcpOptionStatus status() const { return status_; }
  // Offset just past the last option returned (where a bad or truncated option starts).
  constexpr std::uint32_t offset() const { return pos_; }

 private:
  constexpr bool finish(TcpOptionStatus s) {
    status_ = s;
    done_ = true;
    return false;
  }

  ByteView bytes_;
  std::uint32_t declared_ = 0;
  std::uint32_t pos_ = 0;
  TcpOptionStatus status_ = TcpOptionStatus::ok;
  bool done_ = false;
};

// Fills `summary` from the option area (see TcpOptionIter for the arguments) and
// returns the iterator's final status. Options with a length other than their
// specified one are ignored; summary.malformed is set unless the status is ok.
TcpOptionStatus summarize_tcp_options(ByteView captured, std::uint32_t declared_len,
                                      TcpOptionSummary& summary);

}  // namespace tcpscope::decode
