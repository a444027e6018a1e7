// A connection's 64-bit values keep their low halves inline and their high halves
// in a block allocated only when one is needed (compact_wide.hpp): a connection
// past 4 GiB, 2^32 microseconds of summed RTTs and a wrap of the sequence space
// must still give every counter exactly.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "core/tcp_flags.hpp"
#include "track/compact_wide.hpp"
#include "track/tracker.hpp"

namespace tcpscope::track {
namespace {

namespace f = tcp_flag;

IpAddr v4(const char* s) {
  std::uint8_t b[4];
  inet_pton(AF_INET, s, b);
  return IpAddr::v4(b);
}

struct Feeder {
  Endpoint client{v4("10.0.0.1"), 40000};
  Endpoint server{v4("10.0.0.2"), 7000};
  std::vector<Connection> ended;
  Tracker tracker{TrackerOptions{}, [this](const Connection& c) { ended.push_back(c); }};
  std::uint64_t frames = 0;
  std::uint64_t ip_bytes[2] = {0, 0};  // by client (0) / server (1)
  static inline std::array<std::uint8_t, 65536> zeros{};

  void feed(bool from_client, std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len,
            std::int64_t t_us) {
    Frame frame;
    frame.ts.sec = t_us / 1'000'000;
    frame.ts.nsec = (t_us % 1'000'000) * 1000;
    frame.number = ++frames;
    decode::Packet p;
    p.reset(frame);
    p.has_tcp = true;
    decode::TcpFacts& t = p.tcp;
    t.src = from_client ? client : server;
    t.dst = from_client ? server : client;
    t.seq = SeqNum(seq);
    t.ack = SeqNum(ack);
    t.flags = flags;
    t.window = 65535;
    t.header_len = 20;
    t.payload_len = len;
    t.ip_len = static_cast<std::uint16_t>(40 + len);
    t.checksum = decode::ChecksumStatus::unverifiable;
    t.payload = ByteView(zeros.data(), len);
    ip_bytes[from_client ? 0 : 1] += t.ip_len;
    tracker.feed(frame, p);
  }
};

TEST(WideValues, SlotsAreAllocatedOnlyWhenNeeded) {
  struct Rare {
    int x = 0;
  };
  RareBlock<4, Rare> b;
  std::uint32_t low = 0;
  b.set(low, 1, 0xFFFF'FFFFu);
  EXPECT_FALSE(b.allocated());
  EXPECT_EQ(b.get(low, 1), 0xFFFF'FFFFu);
  b.set(low, 1, 0x1'0000'0002u);  // past 2^32: the block appears
  EXPECT_TRUE(b.allocated());
  EXPECT_EQ(low, 2u);
  EXPECT_EQ(b.get(low, 1), 0x1'0000'0002u);
  EXPECT_EQ(b.word(0), 0u);
  const RareBlock<4, Rare> copy = b;  // a copy owns its own block
  b.set(low, 1, 5);
  EXPECT_EQ(copy.get(2, 1), 0x1'0000'0002u);
  EXPECT_EQ(b.get(low, 1), 5u);
}

TEST(WideValues, CountersPast32BitsStayExact) {
  Feeder h;
  constexpr std::uint32_t C = 0xF000'0000u;  // client ISN: its sequence space wraps early
  constexpr std::uint32_t S = 5000;
  constexpr std::uint32_t kLen = 65000;
  constexpr std::uint64_t kSegments = 66'100;  // 66,100 x 65,000 = 4,296,500,000 bytes > 2^32
  std::int64_t t = 1'700'000'000'000'000;      // microseconds
  h.feed(true, f::syn, C, 0, 0, t);
  h.feed(false, f::syn | f::ack, S, C + 1, 0, t + 1000);
  h.feed(true, f::ack, C + 1, S + 1, 0, t + 2000);
  std::uint32_t seq = C + 1;
  for (std::uint64_t i = 0; i < kSegments; ++i) {
    t += 100'000;
    h.feed(true, f::ack, seq, S + 1, kLen, t);
    seq += kLen;
    h.feed(false, f::ack, S + 1, seq, 0, t + 65'000);  // each RTT sample is 65 ms
  }
  t += 100'000;
  h.feed(true, f::fin | f::ack, seq, S + 1, 0, t);
  h.feed(false, f::fin | f::ack, S + 1, seq + 1, 0, t + 1000);
  h.feed(true, f::ack, seq + 1, S + 2, 0, t + 2000);
  h.tracker.flush();
  ASSERT_EQ(h.ended.size(), 1u);
  const Connection& c = h.ended[0];
  const int cs = c.client_side;
  const std::uint64_t bytes = kSegments * kLen;
  ASSERT_GT(bytes, 0xFFFF'FFFFull);
  EXPECT_EQ(c.payload_bytes(cs), bytes);
  EXPECT_EQ(c.retransmitted_bytes(cs), 0u);
  EXPECT_EQ(c.max_rel_end(cs), static_cast<std::int64_t>(1 + bytes + 1));  // SYN, data, FIN
  EXPECT_EQ(c.client_half().next_seq().raw(), seq + 1);
  // ACK RTTs: the SYN's and the FIN's (1 ms each) and every data segment's (65 ms).
  EXPECT_EQ(c.rtt_samples(cs), kSegments + 2);  // past 65,535: the high bits in the rare block
  EXPECT_EQ(c.rtt_sum_us(cs), 2000 + kSegments * 65'000);
  EXPECT_GT(c.rtt_sum_us(cs), 0xFFFF'FFFFull);
  EXPECT_EQ(c.payload_bytes(c.server_side()), 0u);
  // ConnSize and Zeek's sequence-space size.
  EXPECT_EQ(c.zeek.orig_packets(), kSegments + 4);  // SYN, ACK, data, FIN, ACK
  EXPECT_EQ(c.zeek.resp_packets(), kSegments + 2);
  EXPECT_EQ(c.zeek.orig_ip_bytes(), h.ip_bytes[0]);
  EXPECT_GT(c.zeek.orig_ip_bytes(), 0xFFFF'FFFFull);
  EXPECT_EQ(c.zeek.resp_ip_bytes(), h.ip_bytes[1]);
  EXPECT_EQ(c.zeek.orig_size(), bytes);
  EXPECT_EQ(c.zeek.resp_size(), 0u);
  EXPECT_EQ(c.zeek.missed_bytes(), 0u);
  EXPECT_EQ(c.zeek.conn_state(), ZeekConnState::SF);
  // Times more than 71 minutes after the first segment: 64-bit times.
  EXPECT_EQ(c.last_ns(), (t + 2000) * 1000);
}

TEST(WideValues, HoleBlocksAreAllocatedOnlyForAHole) {
  constexpr std::uint32_t C = 1000, S = 5000;
  constexpr std::int64_t t = 1'700'000'000'000'000;
  ZeekSession z;
  const auto seg = [](std::uint16_t flags, std::uint32_t seq, std::uint32_t ack, std::uint32_t len) {
    decode::TcpFacts tcp;
    tcp.flags = flags;
    tcp.seq = SeqNum(seq);
    tcp.ack = SeqNum(ack);
    tcp.window = 65535;
    tcp.payload_len = len;
    tcp.ip_len = static_cast<std::uint16_t>(40 + len);
    return tcp;
  };
  const auto at = [](int ms) {
    return Timestamp{(t + ms * 1000) / 1'000'000, ((t + ms * 1000) % 1'000'000) * 1000};
  };
  const ZeekOptions opts;
  z.start(0, seg(f::syn, C, 0, 0), at(0));
  z.deliver(0, seg(f::syn, C, 0, 0), 0, at(0), opts);
  z.deliver(1, seg(f::syn | f::ack, S, C + 1, 0), 0, at(1), opts);
  z.deliver(0, seg(f::ack, C + 1, S + 1, 0), 0, at(2), opts);
  z.deliver(0, seg(f::ack, C + 1, S + 1, 100), 100, at(3), opts);
  EXPECT_FALSE(z.high_words().allocated());
  z.deliver(0, seg(f::ack, C + 201, S + 1, 100), 100, at(4), opts);  // above a 100-byte hole
  EXPECT_TRUE(z.high_words().allocated());
  const ZeekSession copy = z;                                        // a copy owns its own blocks
  z.deliver(0, seg(f::ack, C + 101, S + 1, 100), 100, at(5), opts);  // fills the hole
  z.deliver(1, seg(f::ack, S + 1, C + 301, 0), 0, at(6), opts);
  EXPECT_EQ(z.missed_bytes(), 0u);
  EXPECT_EQ(z.orig_size(), 300u);
  // The copy still has the hole: the peer's ACK past it makes it a gap of 100 bytes there.
  ZeekSession gapped = copy;
  gapped.deliver(1, seg(f::ack, S + 1, C + 301, 0), 0, at(6), opts);
  EXPECT_EQ(gapped.missed_bytes(), 100u);
  EXPECT_EQ(z.missed_bytes(), 0u);
}

TEST(WideValues, RetransmittedBytesPast16BitsStayExact) {
  // 120,000 bytes, then `again` of them sent once more: the low 16 bits are inline,
  // the rest is the rare block's.
  const auto retransmit = [](std::uint32_t again) {
    auto h = std::make_unique<Feeder>();
    constexpr std::uint32_t kIsn = 1000;
    std::int64_t t = 1'700'000'000'000'000;
    h->feed(true, f::syn, kIsn, 0, 0, t += 10);
    h->feed(false, f::syn | f::ack, 9000, kIsn + 1, 0, t += 10);
    h->feed(true, f::ack, kIsn + 1, 9001, 0, t += 10);
    for (std::uint32_t i = 0; i < 3; ++i) h->feed(true, f::ack, kIsn + 1 + i * 40000, 9001, 40000, t += 10);
    for (std::uint32_t sent = 0; sent < again; sent += 40000)
      h->feed(true, f::ack, kIsn + 1 + sent, 9001, std::min(again - sent, 40000u), t += 10);
    h->tracker.flush();
    return h;
  };
  const auto few = retransmit(1000);
  ASSERT_EQ(few->ended.size(), 1u);
  const Connection& a = few->ended[0];
  EXPECT_EQ(a.retransmitted_bytes(a.client_side), 1000u);
  EXPECT_FALSE(a.zeek.high_words().allocated());
  const auto many = retransmit(81'000);  // past 2^16
  ASSERT_EQ(many->ended.size(), 1u);
  const Connection& b = many->ended[0];
  EXPECT_EQ(b.retransmitted_bytes(b.client_side), 81'000u);
  EXPECT_TRUE(b.zeek.high_words().allocated());
  EXPECT_EQ(b.payload_bytes(b.client_side), 201'000u);
}

}  // namespace
}  // namespace tcpscope::track
