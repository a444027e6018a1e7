// The time-stamp column in every -t form, micro and nano, and local time that
// follows TZ (including a DST change) without a system call per packet.
#include "print/timestamps.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace tcpscope::print {
namespace {

std::string stamp(TimestampFormatter& f, std::int64_t sec, std::int64_t nsec) {
  fmt::memory_buffer out;
  f.append(out, Timestamp{sec, nsec});
  return fmt::to_string(out);
}

TimestampFormatter formatter(TimeFormat t, bool nano = false) {
  PrintOptions o;
  o.time = t;
  o.nano = nano;
  return TimestampFormatter(o);
}

class TimestampTest : public ::testing::Test {
 protected:
  void SetUp() override { set_tz("UTC"); }
  void TearDown() override { set_tz("UTC"); }
  static void set_tz(const char* tz) {
    setenv("TZ", tz, 1);
    tzset();
  }
};

TEST_F(TimestampTest, EveryForm) {
  auto local = formatter(TimeFormat::local_time);
  EXPECT_EQ(stamp(local, 1700000000, 123456789), "22:13:20.123456 ");
  auto none = formatter(TimeFormat::none);
  EXPECT_EQ(stamp(none, 1700000000, 123456789), "");
  auto epoch = formatter(TimeFormat::epoch);
  EXPECT_EQ(stamp(epoch, 1700000000, 123456789), "1700000000.123456 ");
  auto date = formatter(TimeFormat::date_time);
  EXPECT_EQ(stamp(date, 1700000000, 123456789), "2023-11-14 22:13:20.123456 ");
  auto nano = formatter(TimeFormat::local_time, true);
  EXPECT_EQ(stamp(nano, 1700000000, 123456789), "22:13:20.123456789 ");
}

TEST_F(TimestampTest, DeltaToPreviousAndToFirst) {
  auto prev = formatter(TimeFormat::delta_previous);
  EXPECT_EQ(stamp(prev, 100, 500'000'000), " 00:00:00.000000 ");
  EXPECT_EQ(stamp(prev, 101, 0), " 00:00:00.500000 ");
  EXPECT_EQ(stamp(prev, 3701, 250'000'000), " 01:00:00.250000 ");
  EXPECT_EQ(stamp(prev, 3700, 0), "-00:00:01.250000 ");  // time went backwards
  auto first = formatter(TimeFormat::delta_first);
  EXPECT_EQ(stamp(first, 100, 0), " 00:00:00.000000 ");
  EXPECT_EQ(stamp(first, 102, 0), " 00:00:02.000000 ");
  EXPECT_EQ(stamp(first, 103, 0), " 00:00:03.000000 ");
}

TEST_F(TimestampTest, InvalidSubSecondPartIsCarriedAsTcpdumpDoes) {
  // timestamp_invalid_micro.pcap in the corpus: tcpdump prints the raw microseconds.
  auto local = formatter(TimeFormat::local_time);
  EXPECT_EQ(stamp(local, 0, 2148483648000LL), "00:00:00.2148483648 ");
  auto prev = formatter(TimeFormat::delta_previous);
  stamp(prev, 10, 2'000'000'000'000LL);
  EXPECT_EQ(stamp(prev, 10, 1'000'000'000LL), "-00:00:00.1999000000 ");
}

TEST_F(TimestampTest, SecondsWithTheTopBitSet) {
  auto local = formatter(TimeFormat::local_time);
  EXPECT_EQ(stamp(local, 0x80000000LL, 0), "[Error converting time] ");
}

TEST_F(TimestampTest, PacketsOfOneSecondShareTheClockTextButNotTheirDigits) {
  auto local = formatter(TimeFormat::local_time);
  EXPECT_EQ(stamp(local, 1700000000, 7'000), "22:13:20.000007 ");
  EXPECT_EQ(stamp(local, 1700000000, 999'999'000), "22:13:20.999999 ");
  EXPECT_EQ(stamp(local, 1700000000, 100'000'000), "22:13:20.100000 ");
  EXPECT_EQ(stamp(local, 1700000001, 10'000), "22:13:21.000010 ");
  EXPECT_EQ(stamp(local, 1700000000, 0), "22:13:20.000000 ");  // back to the previous second
  auto date = formatter(TimeFormat::date_time);
  EXPECT_EQ(stamp(date, 1700000000, 54'321'000), "2023-11-14 22:13:20.054321 ");
  EXPECT_EQ(stamp(date, 1700006400, 54'321'000), "2023-11-15 00:00:00.054321 ");
}

TEST_F(TimestampTest, LocalTimeFollowsTzAcrossADstChange) {
  set_tz("EST5EDT,M3.2.0,M11.1.0");
  auto local = formatter(TimeFormat::date_time);
  // 2023-03-12 06:59:59 UTC is 01:59:59 EST; one second later it is 03:00:00 EDT.
  EXPECT_EQ(stamp(local, 1678604399, 0), "2023-03-12 01:59:59.000000 ");
  EXPECT_EQ(stamp(local, 1678604400, 0), "2023-03-12 03:00:00.000000 ");
  EXPECT_EQ(stamp(local, 1678604399, 0), "2023-03-12 01:59:59.000000 ");
  // And back in November: 2023-11-05 06:00:00 UTC is 01:00:00 EST again.
  EXPECT_EQ(stamp(local, 1699163999, 0), "2023-11-05 01:59:59.000000 ");
  EXPECT_EQ(stamp(local, 1699164000, 0), "2023-11-05 01:00:00.000000 ");
}

}  // namespace
}  // namespace tcpscope::print
