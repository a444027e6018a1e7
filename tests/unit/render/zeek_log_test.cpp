// conn.log text: Zeek's header lines, and the row layout rules (six-decimal
// times, unset duration/bytes when the duration is zero, "-" for unset fields).
#include "render/zeek_log.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/tcp_flags.hpp"
#include "render/json.hpp"
#include "track/tracker.hpp"

namespace {

using namespace tcpscope;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out(1);
  for (char c : s) {
    if (c == sep)
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

struct Rows {
  std::vector<std::string> zeek;
  std::vector<std::string> json;
};

// Feeds (from_client, flags, seq, ack, len, ns) segments between 192.0.2.1:51000 and 198.51.100.7:80.
Rows run(std::initializer_list<
         std::tuple<bool, std::uint16_t, std::uint32_t, std::uint32_t, std::uint32_t, std::int64_t>>
             segs) {
  Rows rows;
  track::Tracker tracker({}, [&rows](const track::Connection& c) {
    fmt::memory_buffer z, j;
    render::zeek_log_row(z, c);
    render::conn_json(j, c);
    rows.zeek.emplace_back(z.data(), z.size());
    rows.json.emplace_back(j.data(), j.size());
  });
  std::uint8_t a[4] = {192, 0, 2, 1}, b[4] = {198, 51, 100, 7};
  for (const auto& [from_client, flags, seq, ack, len, ns] : segs) {
    Frame frame;
    frame.ts = Timestamp{ns / 1'000'000'000, ns % 1'000'000'000};
    decode::Packet p;
    p.reset(frame);
    p.has_tcp = true;
    const Endpoint client{IpAddr::v4(a), 51000}, server{IpAddr::v4(b), 80};
    p.tcp.src = from_client ? client : server;
    p.tcp.dst = from_client ? server : client;
    p.tcp.seq = SeqNum(seq);
    p.tcp.ack = SeqNum(ack);
    p.tcp.flags = flags;
    p.tcp.window = 1000;
    p.tcp.header_len = 20;
    p.tcp.payload_len = len;
    p.tcp.ip_len = 40 + len;
    static constexpr std::uint8_t kPayload[64] = {};
    p.tcp.payload = ByteView(kPayload, len);  // captured (an uncaptured payload would be a content gap)
    tracker.feed(frame, p);
  }
  tracker.flush();
  return rows;
}

constexpr std::int64_t T0 = 1'700'000'000'123'456'789;

TEST(ZeekLog, HeaderHasZeeksLinesAndTwentyOneFields) {
  fmt::memory_buffer out;
  render::zeek_log_header(out, 0);
  const auto lines = split(std::string(out.data(), out.size()), '\n');
  ASSERT_GE(lines.size(), 8u);
  EXPECT_EQ(lines[0], "#separator \\x09");
  EXPECT_EQ(lines[1], "#set_separator\t,");
  EXPECT_EQ(lines[2], "#empty_field\t(empty)");
  EXPECT_EQ(lines[3], "#unset_field\t-");
  EXPECT_EQ(lines[4], "#path\tconn");
  EXPECT_EQ(lines[5], "#open\t1970-01-01-00-00-00");
  const auto fields = split(lines[6], '\t');
  const auto types = split(lines[7], '\t');
  ASSERT_EQ(fields.size(), 22u);
  ASSERT_EQ(types.size(), 22u);
  EXPECT_EQ(fields[1], "ts");
  EXPECT_EQ(types[1], "time");
  EXPECT_EQ(fields[12], "conn_state");
  EXPECT_EQ(fields[16], "history");
  EXPECT_EQ(types[21], "set[string]");
}

TEST(ZeekLog, CompleteConnectionRow) {
  using namespace tcp_flag;
  const Rows r = run({{true, syn, 100, 0, 0, T0},
                      {false, syn | ack, 900, 101, 0, T0 + 1'000'000},
                      {true, ack, 101, 901, 0, T0 + 2'000'000},
                      {true, ack | psh, 101, 901, 5, T0 + 3'000'000},
                      {true, fin | ack, 106, 901, 0, T0 + 4'000'000},
                      {false, fin | ack, 901, 107, 0, T0 + 5'000'000},
                      {true, ack, 107, 902, 0, T0 + 6'000'000}});
  ASSERT_EQ(r.zeek.size(), 1u);
  const auto f = split(r.zeek[0], '\t');
  ASSERT_EQ(f.size(), 21u);
  EXPECT_EQ(f[0], "1700000000.123457");  // rounded to microseconds
  EXPECT_EQ(f[1].size(), 18u);
  EXPECT_EQ(f[1][0], 'C');
  EXPECT_EQ(f[2], "192.0.2.1");
  EXPECT_EQ(f[3], "51000");
  EXPECT_EQ(f[4], "198.51.100.7");
  EXPECT_EQ(f[5], "80");
  EXPECT_EQ(f[6], "tcp");
  EXPECT_EQ(f[7], "-");
  EXPECT_EQ(f[8], "0.005000");  // the last ACK after both FINs does not count
  EXPECT_EQ(f[9], "5");
  EXPECT_EQ(f[10], "0");
  EXPECT_EQ(f[11], "SF");
  EXPECT_EQ(f[14], "0");
  EXPECT_EQ(f[15], "ShADFf");
  EXPECT_EQ(f[16], "5");
  EXPECT_EQ(f[17], "205");
  EXPECT_EQ(f[18], "2");
  EXPECT_EQ(f[19], "80");
  EXPECT_EQ(f[20], "-\n");
  EXPECT_NE(r.json[0].find("\"conn_state\":\"SF\",\"history\":\"ShADFf\""), std::string::npos) << r.json[0];
  EXPECT_NE(r.json[0].find("\"role_reason\":\"syn\""), std::string::npos);
  EXPECT_NE(r.json[0].find("\"irtt\":0.002000"), std::string::npos);
}

TEST(ZeekLog, ZeroDurationLeavesDurationAndBytesUnset) {
  const Rows r = run({{true, tcp_flag::syn, 100, 0, 0, T0}});
  const auto f = split(r.zeek[0], '\t');
  EXPECT_EQ(f[8], "-");
  EXPECT_EQ(f[9], "-");
  EXPECT_EQ(f[10], "-");
  EXPECT_EQ(f[11], "S0");
  EXPECT_EQ(f[15], "S");
  EXPECT_NE(r.json[0].find("\"duration\":null,\"orig_bytes\":null"), std::string::npos) << r.json[0];
  EXPECT_NE(r.json[0].find("\"irtt\":null"), std::string::npos);
}

}  // namespace
