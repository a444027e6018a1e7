// Offline source and pcap writer against hand-built pcap files: time-stamp
// precision, filters, damage reports with packet number and byte offset, and
// writer round trips.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "capture/pcap_writer.hpp"
#include "capture/source.hpp"

namespace tcpscope::capture {
namespace {

constexpr std::uint32_t kMicroMagic = 0xa1b2c3d4;
constexpr std::uint32_t kNanoMagic = 0xa1b23c4d;
constexpr int kEthernet = 1;

struct Record {
  std::uint32_t sec;
  std::uint32_t subsec;  // micro- or nanoseconds, as the magic says
  std::vector<std::uint8_t> bytes;
};

void put32(std::string& out, std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); }
void put16(std::string& out, std::uint16_t v) { out.append(reinterpret_cast<const char*>(&v), 2); }

constexpr std::uint32_t kPatchedMagic = 0xa1b2cd34;  // Kuznetzov's format: 24-byte record headers

// A little-endian classic pcap file.
std::string pcap_bytes(std::uint32_t magic, const std::vector<Record>& records, int link_type = kEthernet) {
  std::string out;
  put32(out, magic);
  put16(out, 2);
  put16(out, 4);
  put32(out, 0);
  put32(out, 0);
  put32(out, 65535);
  put32(out, static_cast<std::uint32_t>(link_type));
  for (const auto& r : records) {
    put32(out, r.sec);
    put32(out, r.subsec);
    put32(out, static_cast<std::uint32_t>(r.bytes.size()));
    put32(out, static_cast<std::uint32_t>(r.bytes.size()));
    if (magic == kPatchedMagic) out.append(8, '\0');  // ifindex, protocol, pkt_type, pad
    out.append(r.bytes.begin(), r.bytes.end());
  }
  return out;
}

class TempFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tcpscope-capture-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write_file(const std::string& name, const std::string& content) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }
  std::string dir_;
};

std::vector<std::uint8_t> bytes_of(std::size_t n, std::uint8_t fill) {
  return std::vector<std::uint8_t>(n, fill);
}

std::vector<Frame> read_all(FrameSource& source, NextResult& last) {
  std::vector<Frame> frames;
  Frame frame;
  while ((last = source.next(frame)) == NextResult::frame) frames.push_back(frame);
  return frames;
}

using PcapFile = TempFiles;

TEST_F(PcapFile, MicrosecondFileGivesNanoseconds) {
  const auto path = write_file("micro.pcap", pcap_bytes(kMicroMagic, {{10, 123456, bytes_of(60, 1)}}));
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source) << opened.error.message;
  Frame frame;
  ASSERT_EQ(opened.source->next(frame), NextResult::frame);
  EXPECT_EQ(frame.ts.sec, 10);
  EXPECT_EQ(frame.ts.nsec, 123456000);
  EXPECT_EQ(frame.caplen, 60u);
  EXPECT_EQ(frame.link_type, kEthernet);
  EXPECT_EQ(opened.source->next(frame), NextResult::end);
  EXPECT_FALSE(opened.source->is_live());
  EXPECT_FALSE(opened.source->stats().has_value());
}

TEST_F(PcapFile, NanosecondFileKeepsNanoseconds) {
  const auto path = write_file("nano.pcap", pcap_bytes(kNanoMagic, {{10, 123456789, bytes_of(60, 1)}}));
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source);
  Frame frame;
  ASSERT_EQ(opened.source->next(frame), NextResult::frame);
  EXPECT_EQ(frame.ts.nsec, 123456789);
}

TEST_F(PcapFile, InvalidSubsecondValueIsKeptScaled) {
  // tcpdump prints such values as they are; the source must not normalise them.
  const auto path = write_file("bad-usec.pcap", pcap_bytes(kMicroMagic, {{10, 1500000, bytes_of(60, 1)}}));
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source);
  Frame frame;
  ASSERT_EQ(opened.source->next(frame), NextResult::frame);
  EXPECT_EQ(frame.ts.sec, 10);
  EXPECT_EQ(frame.ts.nsec, 1500000000);
}

TEST_F(PcapFile, FilterSelectsFramesAndOffsetsStillCountEveryRecord) {
  const auto path = write_file("mixed.pcap", pcap_bytes(kMicroMagic, {{1, 0, bytes_of(60, 1)},
                                                                      {2, 0, bytes_of(200, 2)},
                                                                      {3, 0, bytes_of(70, 3)},
                                                                      {4, 0, bytes_of(300, 4)}}) +
                                                 std::string("\x05\x00\x00\x00\x00", 5));  // a cut header
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source);
  ASSERT_FALSE(opened.source->set_filter("greater 100", true));
  NextResult last{};
  const auto frames = read_all(*opened.source, last);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].ts.sec, 2);
  EXPECT_EQ(frames[1].ts.sec, 4);
  ASSERT_EQ(last, NextResult::error);
  const Error& error = opened.source->error();
  EXPECT_EQ(error.code, ErrorCode::damaged_file);
  EXPECT_EQ(error.packet, 5u);  // the fifth record of the file, filtered or not
  EXPECT_EQ(error.byte_offset, 24u + 4 * 16 + 60 + 200 + 70 + 300);
  EXPECT_NE(error.message.find("packet 5"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("truncated dump file"), std::string::npos) << error.message;
}

TEST_F(PcapFile, PatchedPcapOffsetsCountItsLongerRecordHeaders) {
  const auto path = write_file(
      "patched.pcap",
      pcap_bytes(kPatchedMagic, {{1, 0, bytes_of(60, 1)}, {2, 0, bytes_of(80, 2)}}) + std::string(10, '\0'));
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source) << opened.error.message;
  NextResult last{};
  EXPECT_EQ(read_all(*opened.source, last).size(), 2u);
  ASSERT_EQ(last, NextResult::error);
  EXPECT_EQ(opened.source->error().packet, 3u);
  EXPECT_EQ(opened.source->error().byte_offset, 24u + 2 * 24 + 60 + 80);
}

TEST_F(PcapFile, BadFilterIsAUsageError) {
  const auto path = write_file("one.pcap", pcap_bytes(kMicroMagic, {{1, 0, bytes_of(60, 1)}}));
  auto opened = open_capture_file(path);
  ASSERT_TRUE(opened.source);
  const Error error = opened.source->set_filter("tcp port", true);
  EXPECT_EQ(error.code, ErrorCode::usage);
  EXPECT_NE(error.message.find("bad filter expression 'tcp port'"), std::string::npos) << error.message;
}

TEST_F(PcapFile, OpeningErrors) {
  auto missing = open_capture_file(dir_ + "/none.pcap");
  EXPECT_FALSE(missing.source);
  EXPECT_EQ(missing.error.code, ErrorCode::not_found);
  auto text = open_capture_file(write_file("text.pcap", std::string(100, 'x')));
  EXPECT_FALSE(text.source);
  EXPECT_NE(text.error.message.find("not a pcap or pcapng capture file"), std::string::npos);
}

TEST(LinkTypeText, NameAndDescriptionOrNumber) {
  EXPECT_EQ(link_type_text(kEthernet), "EN10MB (Ethernet)");
  EXPECT_EQ(link_type_text(113), "LINUX_SLL (Linux cooked v1)");
  EXPECT_EQ(link_type_text(4000), "4000");
}

using Writer = TempFiles;

TEST_F(Writer, MicrosecondRoundTripTruncatesNanoseconds) {
  const std::string path = dir_ + "/out.pcap";
  const auto payload = bytes_of(64, 7);
  {
    auto opened = PcapWriter::open(path, kEthernet, 262144, /*nano=*/false);
    ASSERT_TRUE(opened.writer) << opened.error.message;
    Frame frame;
    frame.ts = {100, 987654321};
    frame.caplen = 64;
    frame.wire_len = 1500;
    frame.data = ByteView(payload.data(), payload.size());
    opened.writer->write(frame);
    EXPECT_FALSE(opened.writer->close());
  }
  auto reread = open_capture_file(path);
  ASSERT_TRUE(reread.source) << reread.error.message;
  EXPECT_EQ(reread.source->snaplen(), 262144);
  Frame frame;
  ASSERT_EQ(reread.source->next(frame), NextResult::frame);
  EXPECT_EQ(frame.ts.sec, 100);
  EXPECT_EQ(frame.ts.nsec, 987654000);
  EXPECT_EQ(frame.wire_len, 1500u);
  EXPECT_EQ(std::vector<std::uint8_t>(frame.data.begin(), frame.data.end()), payload);
  EXPECT_EQ(reread.source->next(frame), NextResult::end);
}

TEST_F(Writer, NanosecondRoundTripKeepsNanoseconds) {
  const std::string path = dir_ + "/nano.pcap";
  const auto payload = bytes_of(20, 9);
  {
    auto opened = PcapWriter::open(path, kEthernet, 96, /*nano=*/true);
    ASSERT_TRUE(opened.writer);
    Frame frame;
    frame.ts = {5, 123456789};
    frame.caplen = 20;
    frame.wire_len = 20;
    frame.data = ByteView(payload.data(), payload.size());
    opened.writer->write(frame);
    // No explicit close: the destructor flushes and closes.
  }
  auto reread = open_capture_file(path);
  ASSERT_TRUE(reread.source);
  Frame frame;
  ASSERT_EQ(reread.source->next(frame), NextResult::frame);
  EXPECT_EQ(frame.ts.nsec, 123456789);
}

TEST_F(Writer, UnwritablePathIsAnError) {
  auto opened = PcapWriter::open(dir_ + "/missing-dir/out.pcap", kEthernet, 65535, false);
  EXPECT_FALSE(opened.writer);
  EXPECT_NE(opened.error.message.find("No such file or directory"), std::string::npos);
}

}  // namespace
}  // namespace tcpscope::capture
