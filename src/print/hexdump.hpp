// tcpdump's packet dumps: -x/-xx (hex), -X/-XX (hex and ASCII), -A (ASCII).
#pragma once
#include <fmt/format.h>

#include "core/bytes.hpp"

namespace tcpscope::print {

// "\n\t0x0000:  4500 0034 ..." lines, 16 bytes each.
void append_hex(fmt::memory_buffer& out, ByteView data);
// The same with the printable characters on the right ("  E..4..@.").
void append_hex_ascii(fmt::memory_buffer& out, ByteView data);
// A newline, then the bytes as text as tcpdump -A prints them (non-printables as '.';
// a CR before LF or among the last two bytes dropped).
void append_ascii(fmt::memory_buffer& out, ByteView data);

}  // namespace tcpscope::print
