// The `conns` table for people: one aligned line per connection.
#pragma once
#include <fmt/format.h>

#include "track/connection.hpp"

namespace tcpscope::render {

void conns_table_header(fmt::memory_buffer& out);
void conns_table_row(fmt::memory_buffer& out, const track::Connection& c);

}  // namespace tcpscope::render
