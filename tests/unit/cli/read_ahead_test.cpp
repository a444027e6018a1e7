// ReadAhead hands the consumer every frame of its source in order, each with the
// packet the decoder gives it on one thread, and the source's end or error after
// the last one: with the decoding shared between the two threads (the printer's
// case), with a consumer slower or faster than the reading thread, with frames
// used in place or copied into the batches, and with the reading thread decoding
// alone (conns' flow hashes).
#include "cli/read_ahead.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "capture/source.hpp"
#include "unit/frame_builder.hpp"

namespace tcpscope::cli {
namespace {

using testing::Bytes;

// The frames of a made-up capture: TCP segments of a few connections, some cut short
// (malformed), some not TCP, of varied sizes (batches end on the frame count or on the
// arena's bytes).
std::vector<Bytes> made_up_capture(std::size_t count) {
  std::vector<Bytes> frames;
  frames.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Bytes payload(i % 7 == 0 ? 1400 + i % 300 : i % 50, static_cast<std::uint8_t>('a' + i % 26));
    if (i % 11 == 5) {
      frames.push_back(testing::ethernet(testing::ipv4(testing::udp(53, 5353, payload), {.proto = 17})));
      continue;
    }
    Bytes frame = testing::ethernet(testing::ipv4(
        testing::tcp(static_cast<std::uint16_t>(40000 + i % 13), 80, static_cast<std::uint32_t>(1000 + i * 7),
                     static_cast<std::uint8_t>(i % 3 == 0 ? 0x18 : 0x10), payload)));
    if (i % 17 == 3) frame.resize(14 + 20 + 9);  // the TCP header cut short
    frames.push_back(std::move(frame));
  }
  return frames;
}

// A source over frames kept in memory: valid for ever (`stable`: it says so, and
// ReadAhead uses them in place) or, as a live capture's, only until the next call
// (each frame is handed out from one reused buffer).
class MemorySource final : public capture::FrameSource {
 public:
  MemorySource(const std::vector<Bytes>& frames, bool stable, capture::NextResult last)
      : frames_(frames), stable_(stable), last_(last) {}
  capture::NextResult next(Frame& frame) override {
    if (at_ == frames_.size()) return last_;
    const Bytes& bytes = frames_[at_++];
    if (stable_) {
      frame = testing::frame_of(bytes);
    } else {
      buffer_ = bytes;
      frame = testing::frame_of(buffer_);
    }
    frame.ts = Timestamp{1700000000 + static_cast<std::int64_t>(at_), 0};
    return capture::NextResult::frame;
  }
  const Error& error() const override { return error_; }
  Error set_filter(const std::string&, bool) override { return {}; }
  Error filter_program_text(const std::string&, bool, int, std::string&) override { return {}; }
  int link_type() const override { return 1; }
  int snaplen() const override { return 262144; }
  bool is_live() const override { return false; }
  std::optional<capture::CaptureStats> stats() const override { return std::nullopt; }
  void request_stop() override {}
  std::uint64_t frame_stays_valid_for_bytes() const override {
    return stable_ ? std::numeric_limits<std::uint64_t>::max() / 2 : 0;
  }

 private:
  const std::vector<Bytes>& frames_;
  bool stable_;
  capture::NextResult last_;
  std::size_t at_ = 0;
  Bytes buffer_;
  Error error_{ErrorCode::io, "made-up read error"};
};

// What the consumer keeps of each packet, to compare with the one-thread decode once
// all are read (a consumer that does little per frame waits for each batch, and so
// reaches it while the reading thread is still decoding it).
struct Seen {
  std::uint64_t number = 0;
  bool packet_of_frame = false;
  std::size_t size = 0;
  std::uint8_t last_byte = 0;
  decode::DecodeCode code = decode::DecodeCode::ok;
  std::uint8_t layer_count = 0;
  bool has_tcp = false;
  std::uint16_t port = 0;
  SeqNum seq;
  std::uint16_t flags = 0;
  std::uint32_t payload_len = 0;
  std::size_t captured_payload = 0;
  decode::ChecksumStatus checksum = decode::ChecksumStatus::unverifiable;
};

Seen seen_of(const Frame& frame, const decode::Packet& packet) {
  Seen s;
  s.number = frame.number;
  s.packet_of_frame = packet.frame == &frame;
  s.size = frame.data.size();
  s.last_byte = frame.data.empty() ? 0 : frame.data[frame.data.size() - 1];
  s.code = packet.status.code;
  s.layer_count = packet.layer_count;
  s.has_tcp = packet.has_tcp;
  if (packet.has_tcp) {
    s.port = packet.tcp.src.port;
    s.seq = packet.tcp.seq;
    s.flags = packet.tcp.flags;
    s.payload_len = packet.tcp.payload_len;
    s.captured_payload = packet.tcp.payload.size();
    s.checksum = packet.tcp.checksum;
  }
  return s;
}

struct Case {
  bool stable;            // frames used in place, or copied into the batches
  bool flow_hashes;       // the reading thread decodes alone (hashes need the packet)
  int consumer_pause_us;  // every 64th frame: a consumer slower than the reading thread
};

void read_all(const Case& c, capture::NextResult last) {
  const std::vector<Bytes> frames = made_up_capture(20000);  // about forty batches
  MemorySource source(frames, c.stable, last);
  std::vector<Seen> seen;
  seen.reserve(frames.size());
  {
    ReadAhead ahead(source, /*skip_tcp_checksum=*/false, c.flow_hashes);
    for (;;) {
      Frame* frame = nullptr;
      const decode::Packet* packet = nullptr;
      const capture::NextResult result = ahead.next(frame, packet);
      if (result != capture::NextResult::frame) {
        EXPECT_EQ(result, last);
        break;
      }
      seen.push_back(seen_of(*frame, *packet));
      if (c.consumer_pause_us > 0 && seen.size() % 64 == 0)
        std::this_thread::sleep_for(std::chrono::microseconds(c.consumer_pause_us));
    }
  }
  ASSERT_EQ(seen.size(), frames.size());
  decode::Packet want;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    Frame copy = testing::frame_of(frames[i]);
    copy.number = i + 1;
    decode::decode(copy, want);
    const Seen expected = seen_of(copy, want);
    const Seen& got = seen[i];
    ASSERT_EQ(got.number, expected.number) << i;
    ASSERT_TRUE(got.packet_of_frame) << i;
    ASSERT_EQ(got.size, expected.size) << i;
    ASSERT_EQ(got.last_byte, expected.last_byte) << i;
    ASSERT_EQ(got.code, expected.code) << i;
    ASSERT_EQ(got.layer_count, expected.layer_count) << i;
    ASSERT_EQ(got.has_tcp, expected.has_tcp) << i;
    ASSERT_EQ(got.port, expected.port) << i;
    ASSERT_EQ(got.seq, expected.seq) << i;
    ASSERT_EQ(got.flags, expected.flags) << i;
    ASSERT_EQ(got.payload_len, expected.payload_len) << i;
    ASSERT_EQ(got.captured_payload, expected.captured_payload) << i;
    ASSERT_EQ(got.checksum, expected.checksum) << i;
  }
}

TEST(ReadAhead, SharedDecodingGivesEveryFrameItsOwnPacketInOrder) {
  // (Rounds: a consumer that read a frame before its decoding was done shows only when
  // it reached the batch during the other thread's claim.)
  for (int round = 0; round < 4; ++round) {
    for (const Case& c : {Case{true, false, 0}, Case{false, false, 0}, Case{true, false, 200},
                          Case{false, false, 200}, Case{true, true, 0}, Case{false, true, 200}}) {
      SCOPED_TRACE(::testing::Message() << "round " << round << " stable " << c.stable << " flow_hashes "
                                        << c.flow_hashes << " pause " << c.consumer_pause_us);
      read_all(c, capture::NextResult::end);
    }
  }
}

TEST(ReadAhead, TheSourcesErrorComesAfterItsLastFrame) {
  read_all(Case{true, false, 0}, capture::NextResult::error);
  read_all(Case{false, false, 0}, capture::NextResult::error);
}

TEST(ReadAhead, AnEmptySourceEndsAtOnce) {
  const std::vector<Bytes> none;
  MemorySource source(none, true, capture::NextResult::end);
  ReadAhead ahead(source, false);
  Frame* frame = nullptr;
  const decode::Packet* packet = nullptr;
  EXPECT_EQ(ahead.next(frame, packet), capture::NextResult::end);
}

}  // namespace
}  // namespace tcpscope::cli
