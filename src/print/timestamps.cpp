#include "print/timestamps.hpp"

#include <cstring>
#include <ctime>

#include "print/text_writer.hpp"

namespace tcpscope::print {

namespace {

constexpr std::int64_t kSlot = 900;

// Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
void civil_from_days(std::int64_t z, int& y, unsigned& m, unsigned& d) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t yy = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int>(yy + (m <= 2));
}

void put2(char*& o, unsigned v) {
  *o++ = static_cast<char>('0' + v / 10 % 10);
  *o++ = static_cast<char>('0' + v % 10);
}

}  // namespace

std::int64_t TimestampFormatter::utc_offset(std::int64_t sec) {
  const std::int64_t slot = sec >= 0 ? sec / kSlot : (sec - kSlot + 1) / kSlot;
  if (slot != offset_slot_) {
    const std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    offset_ = localtime_r(&t, &tm) != nullptr ? tm.tm_gmtoff : 0;
    offset_slot_ = slot;
  }
  return offset_;
}

void TimestampFormatter::append_clock(fmt::memory_buffer& out, std::int64_t sec, std::int64_t frac,
                                      bool with_date, bool local) {
  if (static_cast<std::uint32_t>(sec) & 0x80000000u) {
    out.append(std::string_view("[Error converting time]"));
    return;
  }
  if (sec != prefix_sec_ || with_date != prefix_with_date_ || local != prefix_local_) {
    std::int64_t clock = local ? sec + utc_offset(sec) : sec;
    std::int64_t days = clock / 86400;
    std::int64_t rem = clock % 86400;
    if (rem < 0) {
      rem += 86400;
      --days;
    }
    char* o = prefix_;
    if (with_date) {
      int y;
      unsigned m, d;
      civil_from_days(days, y, m, d);
      o = fmt::format_to(o, "{:04}-", y);
      put2(o, m);
      *o++ = '-';
      put2(o, d);
      *o++ = ' ';
    }
    put2(o, static_cast<unsigned>(rem / 3600));
    *o++ = ':';
    put2(o, static_cast<unsigned>(rem / 60 % 60));
    *o++ = ':';
    put2(o, static_cast<unsigned>(rem % 60));
    *o++ = '.';
    prefix_len_ = static_cast<std::uint8_t>(o - prefix_);
    prefix_sec_ = sec;
    prefix_with_date_ = with_date;
    prefix_local_ = local;
  }
  char buf[64];
  std::memcpy(buf, prefix_, sizeof prefix_);
  char* o = buf + prefix_len_;
  const std::uint32_t f = static_cast<std::uint32_t>(frac);
  if (!nano_ && f < 1'000'000u) {  // the usual case: three digit pairs from the table
    six_digits(o, f);
    o += 6;
  } else if (nano_ && f < 1'000'000'000u) {  // fixed width, no formatter
    std::uint32_t v = f;
    for (int i = 8; i >= 0; --i) {
      o[i] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
    o += 9;
  } else {  // an invalid sub-second value is printed as it is, wider
    o = fmt::format_to(o, "{}", f);
  }
  append_bytes(out, buf, static_cast<std::size_t>(o - buf));
}

void TimestampFormatter::append(fmt::memory_buffer& out, const Timestamp& ts) {
  // The sub-second part as tcpdump holds it: microseconds unless --nano.
  const std::int64_t frac = nano_ ? ts.nsec : ts.nsec / 1000;
  switch (format_) {
    case TimeFormat::none:
      return;
    case TimeFormat::local_time:
      append_clock(out, ts.sec, frac, false, true);
      break;
    case TimeFormat::date_time:
      append_clock(out, ts.sec, frac, true, true);
      break;
    case TimeFormat::epoch:
      if (static_cast<std::uint32_t>(ts.sec) & 0x80000000u) {
        out.append(std::string_view("[Error converting time]"));
      } else if (nano_) {
        fmt::format_to(std::back_inserter(out), "{}.{:09}", static_cast<std::uint32_t>(ts.sec),
                       static_cast<std::uint32_t>(frac));
      } else {
        fmt::format_to(std::back_inserter(out), "{}.{:06}", static_cast<std::uint32_t>(ts.sec),
                       static_cast<std::uint32_t>(frac));
      }
      break;
    case TimeFormat::delta_previous:
    case TimeFormat::delta_first: {
      // tcpdump's timeval arithmetic, field by field: an invalid sub-second
      // part (>= 1 s) is carried through as it is, not normalised.
      if (!have_reference_) {
        reference_ = ts;
        have_reference_ = true;
      }
      const std::int64_t unit = nano_ ? 1'000'000'000 : 1'000'000;
      const std::int64_t ref_frac = nano_ ? reference_.nsec : reference_.nsec / 1000;
      const bool negative = ts.sec == reference_.sec ? frac < ref_frac : ts.sec < reference_.sec;
      std::int64_t d_sec = negative ? reference_.sec - ts.sec : ts.sec - reference_.sec;
      std::int64_t d_frac = negative ? ref_frac - frac : frac - ref_frac;
      if (d_frac < 0) {
        --d_sec;
        d_frac += unit;
      }
      out.push_back(negative ? '-' : ' ');
      append_clock(out, d_sec, d_frac, false, false);
      if (format_ == TimeFormat::delta_previous) reference_ = ts;
      break;
    }
  }
  out.push_back(' ');
}

}  // namespace tcpscope::print
