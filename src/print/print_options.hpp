// tcpdump-compatible printing options, translated once from the command line.
#pragma once
#include <cstdint>

namespace tcpscope::print {

enum class TimeFormat : std::uint8_t {
  local_time,      // default: HH:MM:SS.ffffff in local time (TZ)
  none,            // -t
  epoch,           // -tt
  delta_previous,  // -ttt
  date_time,       // -tttt
  delta_first,     // -ttttt
};

struct PrintOptions {
  int numeric = 0;            // -n count (1: numeric addresses; 2: numeric ports too)
  bool strip_domain = false;  // -N: host names without their domain
  bool absolute_seq = false;  // -S
  int verbose = 0;            // -v count
  TimeFormat time = TimeFormat::local_time;
  bool nano = false;         // --nano / --time-stamp-precision=nano
  bool number = false;       // -#
  bool quiet = false;        // -q
  bool link_header = false;  // -e
  int hex = 0;               // -x count (1: from the network layer, 2: with the link header)
  int hex_ascii = 0;         // -X count
  bool ascii = false;        // -A
  bool no_checksum = false;  // -K
};

}  // namespace tcpscope::print
