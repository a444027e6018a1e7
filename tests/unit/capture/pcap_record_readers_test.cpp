// The reader of classic pcap records (PcapRecordReader: pread() into a ring) on
// hand-built files: records in place with libpcap's time-stamp scaling, the cases it
// leaves to libpcap (and where), a clean end, a file that grows while it is read,
// records kept valid for the stable distance (or, without keeping records, until the
// next call); then what it does when the file is cut short under it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "capture/pcap_records.hpp"

namespace tcpscope::capture {
namespace {

constexpr std::uint64_t kFileHeader = 24;
using Step = RecordStep;

void put32(std::string& out, std::uint32_t v, bool big_endian = false) {
  if (big_endian) v = __builtin_bswap32(v);
  out.append(reinterpret_cast<const char*>(&v), 4);
}

std::string record(std::uint32_t sec, std::uint32_t subsec, std::uint32_t caplen, std::uint32_t wire_len,
                   char fill, bool big_endian = false) {
  std::string out;
  put32(out, sec, big_endian);
  put32(out, subsec, big_endian);
  put32(out, caplen, big_endian);
  put32(out, wire_len, big_endian);
  out.append(caplen, fill);
  return out;
}

class PcapRecords : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/tcpscope-records-test-XXXXXX";
    fd_ = mkstemp(pattern);
    ASSERT_GE(fd_, 0);
    path_ = pattern;
    append(std::string(kFileHeader, '\0'));  // the reader never looks at the file header
  }
  void TearDown() override {
    close(fd_);
    unlink(path_.c_str());
  }
  void append(const std::string& bytes) {
    ASSERT_EQ(pwrite(fd_, bytes.data(), bytes.size(), static_cast<off_t>(size_)),
              static_cast<ssize_t>(bytes.size()));
    size_ += bytes.size();
  }
  int fd_ = -1;
  std::string path_;
  std::uint64_t size_ = 0;
};

TEST_F(PcapRecords, RecordsInPlaceWithMicrosecondsScaledUp) {
  append(record(100, 250000, 3, 60, 'a'));
  append(record(0xfffffffe, 0xfffffff0, 0, 0, 'b'));  // signed fields, as libpcap's pcap_timeval
  PcapRecordReader reader(fd_, kFileHeader, false, false, 65535);
  PcapRecord r;
  ASSERT_EQ(reader.next(r), Step::record);
  EXPECT_EQ(r.sec, 100);
  EXPECT_EQ(r.nsec, 250000000);
  EXPECT_EQ(r.caplen, 3u);
  EXPECT_EQ(r.wire_len, 60u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(r.data), 3), "aaa");
  ASSERT_EQ(reader.next(r), Step::record);
  EXPECT_EQ(r.sec, -2);
  EXPECT_EQ(r.nsec, -16000);
  EXPECT_EQ(reader.next(r), Step::end);
  EXPECT_EQ(reader.offset(), size_);
}

TEST_F(PcapRecords, BigEndianNanosecondFile) {
  append(record(7, 123456789, 2, 2, 'x', true));
  PcapRecordReader reader(fd_, kFileHeader, true, true, 65535);
  PcapRecord r;
  ASSERT_EQ(reader.next(r), Step::record);
  EXPECT_EQ(r.sec, 7);
  EXPECT_EQ(r.nsec, 123456789);
  EXPECT_EQ(r.caplen, 2u);
  EXPECT_EQ(reader.next(r), Step::end);
}

TEST_F(PcapRecords, LeavesTheUnusualCasesToLibpcapAtTheirRecord) {
  append(record(1, 0, 10, 10, 'a'));
  const std::uint64_t second = size_;
  append(record(2, 0, 101, 101, 'b'));  // caplen above the snaplen of 100
  {
    PcapRecordReader reader(fd_, kFileHeader, false, false, 100);
    PcapRecord r;
    ASSERT_EQ(reader.next(r), Step::record);
    EXPECT_EQ(reader.next(r), Step::defer);
    EXPECT_EQ(reader.offset(), second);
  }
  {
    PcapRecordReader reader(fd_, second + 16 + 101, false, false, 200);  // nothing left: the end
    PcapRecord r;
    EXPECT_EQ(reader.next(r), Step::end);
  }
  const std::uint64_t third = size_;
  append(record(3, 0, 50, 50, 'c').substr(0, 30));  // a cut record
  {
    PcapRecordReader reader(fd_, second, false, false, 200);
    PcapRecord r;
    ASSERT_EQ(reader.next(r), Step::record);
    EXPECT_EQ(reader.next(r), Step::defer);
    EXPECT_EQ(reader.offset(), third);
  }
  append(std::string(5, 'x'));
  {
    PcapRecordReader reader(fd_, size_ - 5, false, false, 200);  // a cut record header
    PcapRecord r;
    EXPECT_EQ(reader.next(r), Step::defer);
  }
}

TEST_F(PcapRecords, FollowsAFileThatGrowsWhileRead) {
  append(record(1, 0, 4, 4, 'a'));
  PcapRecordReader reader(fd_, kFileHeader, false, false, 65535);
  PcapRecord r;
  ASSERT_EQ(reader.next(r), Step::record);
  append(record(2, 0, 5000, 5000, 'b'));
  ASSERT_EQ(reader.next(r), Step::record);  // seen at the end of what was known
  EXPECT_EQ(r.sec, 2);
  EXPECT_EQ(r.caplen, 5000u);
  EXPECT_EQ(r.data[4999], 'b');
  EXPECT_EQ(reader.next(r), Step::end);
}

TEST_F(PcapRecords, RecordsAcrossRingLapsStayValidForTheStableDistance) {
  // 21 MiB of 60000-byte records: several laps of the ring, records straddling
  // them. Every record handed out is checked again once the reader is almost
  // stable_bytes() past it (an overwritten record would read another letter).
  const int count = 350;
  const std::uint32_t size = 60000;
  std::string all;
  for (int i = 0; i < count; ++i)
    all += record(static_cast<std::uint32_t>(i), 0, size, size, static_cast<char>('A' + i % 26));
  append(all);
  PcapRecordReader reader(fd_, kFileHeader, false, false, 65535);
  PcapRecord r;
  const int behind = static_cast<int>(reader.stable_bytes() / (size + 16)) - 1;
  ASSERT_GE(reader.stable_bytes(), 2u << 20);
  std::vector<const std::uint8_t*> seen;
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(reader.next(r), Step::record) << i;
    ASSERT_EQ(r.sec, i);
    ASSERT_EQ(r.data[0], 'A' + i % 26);
    ASSERT_EQ(r.data[size - 1], 'A' + i % 26);
    seen.push_back(r.data);
    if (i >= behind) {
      const int old = i - behind;
      ASSERT_EQ(seen[static_cast<std::size_t>(old)][size - 1], 'A' + old % 26) << old;
    }
  }
  EXPECT_EQ(reader.next(r), Step::end);
}

TEST_F(PcapRecords, ARecordLargerThanAReadChunk) {
  // Records of the largest snaplen cross several reads and the ring's end.
  const std::uint32_t size = 262144;
  std::string all;
  for (int i = 0; i < 30; ++i)
    all += record(static_cast<std::uint32_t>(i), 0, size, size, static_cast<char>('A' + i));
  append(all);
  PcapRecordReader reader(fd_, kFileHeader, false, false, size);
  PcapRecord r;
  for (int i = 0; i < 30; ++i) {
    ASSERT_EQ(reader.next(r), Step::record) << i;
    ASSERT_EQ(r.caplen, size);
    ASSERT_EQ(r.data[0], 'A' + i);
    ASSERT_EQ(r.data[size - 1], 'A' + i);
  }
  EXPECT_EQ(reader.next(r), Step::end);
}

TEST_F(PcapRecords, AFileCutShortWhileReadHandsOverToLibpcapWhereTheBytesEnd) {
  // Another process truncates the file while it is read (logrotate's copytruncate):
  // the records read before stay as they were; at the first record the reads no
  // longer reach, libpcap takes over (and sees the shorter file).
  const std::uint32_t size = 60000;
  std::string all;
  for (int i = 0; i < 40; ++i)
    all += record(static_cast<std::uint32_t>(i), 0, size, size, static_cast<char>('a' + i));
  append(all);
  PcapRecordReader reader(fd_, kFileHeader, false, false, 65535);
  PcapRecord r;
  ASSERT_EQ(reader.next(r), Step::record);
  ASSERT_EQ(reader.next(r), Step::record);
  const std::uint8_t* second = r.data;
  ASSERT_EQ(ftruncate(fd_, static_cast<off_t>(kFileHeader + 100)), 0);
  int handed_out = 2;
  while (reader.next(r) == Step::record) {
    EXPECT_EQ(r.data[size - 1], 'a' + handed_out);
    ++handed_out;
  }
  EXPECT_LT(handed_out, 40);  // the reads stopped reaching records
  EXPECT_EQ(second[size - 1], 'b');
  EXPECT_EQ(reader.offset(), kFileHeader + static_cast<std::uint64_t>(handed_out) * (16 + size));
  EXPECT_EQ(reader.next(r), Step::defer);  // a cut record: libpcap's error
}

TEST_F(PcapRecords, WithoutKeepingRecordsEachRecordIsWholeUntilTheNextCall) {
  // keep_records false (conns): the ring is one chunk and one largest record, so it
  // wraps every few records here; each record must still arrive whole, in order,
  // including those larger than a chunk and those cut across a read.
  const std::uint32_t sizes[] = {60000, 3, 262144, 100, 200000, 0, 70000, 262144, 5};
  std::string all;
  int count = 0;
  for (int lap = 0; lap < 6; ++lap)
    for (const std::uint32_t size : sizes) {
      all +=
          record(static_cast<std::uint32_t>(count), 0, size, size + 1, static_cast<char>('a' + count % 26));
      ++count;
    }
  append(all);
  PcapRecordReader reader(fd_, kFileHeader, false, false, 262144, /*keep_records=*/false);
  EXPECT_EQ(reader.stable_bytes(), 0u);
  PcapRecord r;
  for (int i = 0; i < count; ++i) {
    ASSERT_EQ(reader.next(r), Step::record) << i;
    const std::uint32_t size = sizes[i % std::size(sizes)];
    ASSERT_EQ(r.sec, i);
    ASSERT_EQ(r.caplen, size);
    ASSERT_EQ(r.wire_len, size + 1);
    const std::string expected(size, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(std::string(reinterpret_cast<const char*>(r.data), size) == expected) << i;
  }
  EXPECT_EQ(reader.next(r), Step::end);
  EXPECT_EQ(reader.offset(), kFileHeader + all.size());
}

}  // namespace
}  // namespace tcpscope::capture
