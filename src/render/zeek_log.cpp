#include "render/zeek_log.hpp"

#include <fmt/compile.h>

#include <ctime>

#include "render/conn_fields.hpp"
#include "render/row_text.hpp"
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
  const track::ZeekHistoryText letters = z.history();
  const std::string_view history = letters.view().empty() ? std::string_view("-") : letters.view();
  const std::string_view conn_state = track::zeek_conn_state_name(z.conn_state());
  // About 60 bytes of separators and constant fields, 11 numbers of at most 28
  // characters, two addresses and the texts of varying length; with a margin.
  const std::size_t bound = 1024 + history.size() + conn_state.size() + 2 * RowCursor::kMaxIpText;
  RowCursor t(out, bound);
  // Zeek prints time and interval values with six decimals.
  t.seconds(z.start_time().ns()).ch('\t').text(v.uid()).ch('\t').ip(v.orig.addr).ch('\t').num(v.orig.port);
  t.ch('\t').ip(v.resp.addr).ch('\t').num(v.resp.port).lit("\ttcp\t-\t");
  if (z.has_duration()) {
    t.seconds(z.last_time() - z.start_time())
        .ch('\t')
        .num(z.orig_size())
        .ch('\t')
        .num(z.resp_size())
        .ch('\t');
  } else {
    t.lit("-\t-\t-\t");
  }
  t.text(conn_state).lit("\t-\t-\t").num(z.missed_bytes()).ch('\t');
  t.text(history).ch('\t').num(z.orig_packets()).ch('\t');
  t.num(z.orig_ip_bytes()).ch('\t').num(z.resp_packets()).ch('\t').num(z.resp_ip_bytes()).lit("\t-\n");
}

void zeek_log_footer(fmt::memory_buffer& out, std::int64_t close_sec) {
  fmt::format_to(fmt::appender(out), FMT_COMPILE("#close\t"));
  append_time_stamp(out, close_sec);
  out.push_back('\n');
}

}  // namespace tcpscope::render
