// tcpdump's time-stamp column in all its forms (-t .. -ttttt, micro or nano),
// local time from a cached UTC offset: no system call per packet. The offset is
// looked up again only when a packet leaves the 15-minute slot it was computed
// for, which follows DST changes (they fall on quarter-hour boundaries).
#pragma once
#include <fmt/format.h>

#include <cstdint>

#include "core/time.hpp"
#include "print/print_options.hpp"

namespace tcpscope::print {

class TimestampFormatter {
 public:
  explicit TimestampFormatter(const PrintOptions& options) : format_(options.time), nano_(options.nano) {}

  // Appends the time stamp and its trailing space (nothing for -t).
  void append(fmt::memory_buffer& out, const Timestamp& ts);

  // Seconds east of UTC for `sec` in the zone of TZ (cached per 15-minute slot).
  std::int64_t utc_offset(std::int64_t sec);

 private:
  void append_clock(fmt::memory_buffer& out, std::int64_t sec, std::int64_t frac, bool with_date, bool local);

  TimeFormat format_;
  bool nano_;
  bool have_reference_ = false;
  Timestamp reference_{};  // previous (-ttt) or first (-ttttt) packet
  std::int64_t offset_slot_ = INT64_MIN;
  std::int64_t offset_ = 0;
  // The text before the sub-second digits ("HH:MM:SS." or "YYYY-MM-DD HH:MM:SS.") of
  // the last second printed: the packets of one second share it.
  std::int64_t prefix_sec_ = INT64_MIN;
  bool prefix_with_date_ = false;
  bool prefix_local_ = false;
  std::uint8_t prefix_len_ = 0;
  char prefix_[40] = {};
};

}  // namespace tcpscope::print
