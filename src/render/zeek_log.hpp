// Zeek conn.log (ASCII TSV) with Zeek's header lines, readable by zeek-cut.
#pragma once
#include <fmt/format.h>

#include <cstdint>

#include "track/connection.hpp"

namespace tcpscope::render {

// "#separator ... #types" lines; `open_sec` is the wall time printed in #open.
void zeek_log_header(fmt::memory_buffer& out, std::int64_t open_sec);
// One conn.log row (the 21 default conn.log fields).
void zeek_log_row(fmt::memory_buffer& out, const track::Connection& c);
// "#close" line.
void zeek_log_footer(fmt::memory_buffer& out, std::int64_t close_sec);

}  // namespace tcpscope::render
