// Test helpers: build link/IP/TCP/UDP headers byte by byte (big-endian fields,
// real checksums) and wrap them in a Frame, for decoder and printer tests.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <vector>

#include "core/frame.hpp"
#include "decode/checksum.hpp"

namespace tcpscope::testing {

using Bytes = std::vector<std::uint8_t>;

inline void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
inline void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A TCP header (data offset from the options) plus payload; checksum left 0.
inline Bytes tcp(std::uint16_t sport, std::uint16_t dport, std::uint32_t seq, std::uint8_t flags,
                 const Bytes& payload = {}, const Bytes& options = {}) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put32(b, seq);
  put32(b, 0);
  b.push_back(static_cast<std::uint8_t>(((20 + options.size()) / 4) << 4));
  b.push_back(flags);
  put16(b, 65535);
  put16(b, 0);
  put16(b, 0);
  b.insert(b.end(), options.begin(), options.end());
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes udp(std::uint16_t sport, std::uint16_t dport, const Bytes& payload) {
  Bytes b;
  put16(b, sport);
  put16(b, dport);
  put16(b, static_cast<std::uint16_t>(8 + payload.size()));
  put16(b, 0);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

struct Ipv4Spec {
  std::uint8_t proto = 6;
  std::uint16_t frag = 0x4000;  // flags + offset field
  int total = -1;               // -1: header + payload
  std::uint8_t ttl = 64;
  std::uint8_t tos = 0;
  Bytes options;
};

// IPv4 10.0.0.1 > 10.0.0.2 with a correct header checksum.
inline Bytes ipv4(const Bytes& payload, const Ipv4Spec& s = {}) {
  Bytes b;
  const std::size_t hlen = 20 + s.options.size();
  b.push_back(static_cast<std::uint8_t>(0x40 | (hlen / 4)));
  b.push_back(s.tos);
  put16(b, static_cast<std::uint16_t>(s.total >= 0 ? s.total : static_cast<int>(hlen + payload.size())));
  put16(b, 1);
  put16(b, s.frag);
  b.push_back(s.ttl);
  b.push_back(s.proto);
  put16(b, 0);
  for (std::uint8_t x : {10, 0, 0, 1, 10, 0, 0, 2}) b.push_back(x);
  b.insert(b.end(), s.options.begin(), s.options.end());
  const std::uint16_t sum = decode::internet_checksum(ByteView(b.data(), hlen));
  b[10] = static_cast<std::uint8_t>(sum >> 8);
  b[11] = static_cast<std::uint8_t>(sum);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// IPv6 2001:db8::1 > 2001:db8::2; payload_len -1 means the real length.
inline Bytes ipv6(const Bytes& payload, std::uint8_t next_header = 6, int payload_len = -1) {
  Bytes b;
  put32(b, 0x60000000);
  put16(b, static_cast<std::uint16_t>(payload_len >= 0 ? payload_len : static_cast<int>(payload.size())));
  b.push_back(next_header);
  b.push_back(64);
  for (int k = 0; k < 2; ++k) {
    for (std::uint8_t x : {0x20, 0x01, 0x0d, 0xb8}) b.push_back(x);
    for (int i = 0; i < 11; ++i) b.push_back(0);
    b.push_back(static_cast<std::uint8_t>(k + 1));
  }
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

inline Bytes ethernet(const Bytes& payload, std::uint16_t type = 0x0800,
                      std::initializer_list<std::pair<std::uint16_t, std::uint16_t>> tags = {}) {
  Bytes b = {0x02, 0, 0, 0, 0, 0x02, 0x02, 0, 0, 0, 0, 0x01};
  for (const auto& [tpid, tci] : tags) {
    put16(b, tpid);
    put16(b, tci);
  }
  put16(b, type);
  b.insert(b.end(), payload.begin(), payload.end());
  return b;
}

// A Frame over `bytes` (which must outlive it), captured up to `caplen` bytes.
inline Frame frame_of(const Bytes& bytes, int link_type = 1, std::size_t caplen = SIZE_MAX,
                      std::uint32_t wire_len = 0) {
  Frame f;
  const std::size_t n = caplen < bytes.size() ? caplen : bytes.size();
  f.data = ByteView(bytes.data(), n);
  f.caplen = static_cast<std::uint32_t>(n);
  f.wire_len = wire_len ? wire_len : static_cast<std::uint32_t>(bytes.size());
  f.link_type = link_type;
  f.ts = Timestamp{1700000000, 123456000};
  f.number = 1;
  return f;
}

}  // namespace tcpscope::testing
