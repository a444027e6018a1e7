// Bounded big-endian reads over a non-owning byte view. No exceptions: callers
// check has()/size first, then the loads cannot fail.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace tcpscope {

using ByteView = std::span<const std::uint8_t>;

constexpr std::uint16_t load_be16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
constexpr std::uint32_t load_be24(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
}
constexpr std::uint32_t load_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}
constexpr std::uint16_t load_le16(const std::uint8_t* p) {
  return static_cast<std::uint16_t>(p[0] | (p[1] << 8));
}
constexpr std::uint32_t load_le32(const std::uint8_t* p) {
  return std::uint32_t{p[0]} | (std::uint32_t{p[1]} << 8) | (std::uint32_t{p[2]} << 16) | (std::uint32_t{p[3]} << 24);
}

// A view with offset-checked accessors. at(o) etc. require has(o, n) to hold.
class ByteReader {
 public:
  constexpr ByteReader() = default;
  constexpr explicit ByteReader(ByteView v) : v_(v) {}
  constexpr std::size_t size() const { return v_.size(); }
  constexpr bool has(std::size_t off, std::size_t n) const { return off <= v_.size() && n <= v_.size() - off; }
  constexpr std::uint8_t u8(std::size_t off) const { return v_[off]; }
  constexpr std::uint16_t be16(std::size_t off) const { return load_be16(v_.data() + off); }
  constexpr std::uint32_t be32(std::size_t off) const { return load_be32(v_.data() + off); }
  constexpr ByteView sub(std::size_t off, std::size_t n) const { return v_.subspan(off, n); }
  constexpr ByteView from(std::size_t off) const { return off >= v_.size() ? ByteView{} : v_.subspan(off); }
  constexpr ByteView view() const { return v_; }

 private:
  ByteView v_{};
};

}  // namespace tcpscope
