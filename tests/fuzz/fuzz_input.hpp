// Helpers shared by the fuzz targets: split the fuzzer's bytes into knobs and an
// exact-size frame (so that any read past the capture leaves the allocation and
// AddressSanitizer sees it), and the link types the decoder dispatches on.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/frame.hpp"
#include "decode/link_types.hpp"

namespace tcpscope::fuzz {

// Every DLT the decoder and printer handle, plus one they do not (an "unknown link type" path).
inline constexpr int kLinkTypes[] = {decode::dlt::null,          decode::dlt::en10mb,
                                     decode::dlt::ppp,           decode::dlt::raw,
                                     decode::dlt::raw_openbsd,   decode::dlt::ppp_serial,
                                     decode::dlt::raw_linktype,  decode::dlt::loop,
                                     decode::dlt::linux_sll,     decode::dlt::arcnet_linux,
                                     decode::dlt::juniper_ether, decode::dlt::ipv4,
                                     decode::dlt::ipv6,          decode::dlt::ipoib,
                                     decode::dlt::linux_sll2,    147 /* DLT_USER0: unknown */};
inline constexpr std::size_t kLinkTypeCount = sizeof(kLinkTypes) / sizeof(kLinkTypes[0]);

inline int link_type_from(std::uint8_t knob) { return kLinkTypes[knob % kLinkTypeCount]; }

// Reads the fuzzer's bytes front to back; past the end every read yields 0.
class InputReader {
 public:
  InputReader(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t u8() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint16_t u16() { return static_cast<std::uint16_t>((u8() << 8) | u8()); }
  std::uint32_t u32() { return (std::uint32_t{u16()} << 16) | u16(); }
  std::size_t remaining() const { return size_ - pos_; }
  // The next `n` bytes (fewer at the end), as an exact-size copy.
  std::vector<std::uint8_t> bytes(std::size_t n) {
    if (n > remaining()) n = remaining();
    std::vector<std::uint8_t> out(data_ + pos_, data_ + pos_ + n);
    pos_ += n;
    return out;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

// A frame over `bytes` whose wire length is the capture length plus `extra`
// (a snapped capture) or, when `extra` is 0xff, shorter than the capture (an
// invalid record header, which the printer must reject cleanly).
inline Frame make_frame(const std::vector<std::uint8_t>& bytes, int link_type, std::uint8_t extra,
                        std::uint64_t number) {
  Frame frame;
  frame.ts =
      Timestamp{1700000000 + static_cast<std::int64_t>(number), static_cast<std::int64_t>(number * 1000)};
  frame.caplen = static_cast<std::uint32_t>(bytes.size());
  frame.wire_len = extra == 0xff ? frame.caplen / 2 : frame.caplen + extra;
  frame.link_type = link_type;
  frame.data = ByteView(bytes.data(), bytes.size());
  frame.number = number;
  return frame;
}

}  // namespace tcpscope::fuzz
