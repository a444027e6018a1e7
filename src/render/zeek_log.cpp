#include "render/zeek_log.hpp"

#include <fmt/compile.h>

#include <ctime>

#include "render/conn_fields.hpp"
#include "track/zeek_state.hpp"

namespace tcpscope::render {

namespace {

void append_time_stamp(fmt::memory_buffer& out, std::int64_t sec) {
  std::tm tm{};
  const std::time_t t = static_cast<std::time_t>(sec);
  gmtime_r(&t, &tm);
  fmt::format_to(fmt::appender(out), FMT_COMPILE("{:04}-{:02}-{:02}-{:02}-{:02}-{:02}"), tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

// Zeek prints time and interval values with six decimals.
void append_seconds(fmt::memory_buffer& out, std::int64_t ns) {
  const bool negative = ns < 0;
  std::uint64_t v = negative ? static_cast<std::uint64_t>(-ns) : static_cast<std::uint64_t>(ns);
  const std::uint64_t us = (v + 500) / 1000;  // round to microseconds
  fmt::format_to(fmt::appender(out), FMT_COMPILE("{}{}.{:06}"), negative ? "-" : "", us / 1'000'000,
                 us % 1'000'000);
}

}  // namespace

void zeek_log_header(fmt::memory_buffer& out, std::int64_t open_sec) {
  auto it = fmt::appender(out);
  fmt::format_to(
      it,
      "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tconn\n#open\t");
  append_time_stamp(out, open_sec);
  fmt::format_to(
      it,
      "\n#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tservice\tduration\t"
      "orig_bytes\tresp_bytes\tconn_state\tlocal_orig\tlocal_resp\tmissed_bytes\thistory\torig_pkts\t"
      "orig_ip_bytes\tresp_pkts\tresp_ip_bytes\ttunnel_parents\n"
      "#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tinterval\tcount\tcount\tstring\t"
      "bool\tbool\tcount\tstring\tcount\tcount\tcount\tcount\tset[string]\n");
}

void zeek_log_row(fmt::memory_buffer& out, const track::Connection& c) {
  const ZeekConnView v = zeek_view(c);
  const track::ZeekSession& z = c.zeek;
  auto it = fmt::appender(out);
  append_seconds(out, z.start_time().ns());
  fmt::format_to(it, FMT_COMPILE("\t{}\t{}\t{}\t{}\t{}\ttcp\t-\t"), v.uid, v.orig.addr.to_string(),
                 v.orig.port, v.resp.addr.to_string(), v.resp.port);
  if (z.has_duration()) {
    append_seconds(out, z.last_time() - z.start_time());
    fmt::format_to(it, FMT_COMPILE("\t{}\t{}\t"), z.orig_size(), z.resp_size());
  } else {
    fmt::format_to(it, FMT_COMPILE("-\t-\t-\t"));
  }
  const track::ZeekHistoryText letters = z.history();
  const std::string_view history = letters.view();
  fmt::format_to(it, FMT_COMPILE("{}\t-\t-\t{}\t{}\t{}\t{}\t{}\t{}\t-\n"),
                 track::zeek_conn_state_name(z.conn_state()), z.missed_bytes(),
                 history.empty() ? std::string_view("-") : history, z.orig_packets(), z.orig_ip_bytes(),
                 z.resp_packets(), z.resp_ip_bytes());
}

void zeek_log_footer(fmt::memory_buffer& out, std::int64_t close_sec) {
  fmt::format_to(fmt::appender(out), FMT_COMPILE("#close\t"));
  append_time_stamp(out, close_sec);
  out.push_back('\n');
}

}  // namespace tcpscope::render
