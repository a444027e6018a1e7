// JSON and NDJSON for `tcpscope conns`: one object per connection with stable
// field names (see docs in json.cpp). `json` wraps the objects in an array.
#pragma once
#include <fmt/format.h>

#include "track/connection.hpp"

namespace tcpscope::render {

// One connection object, without a trailing newline.
void conn_json(fmt::memory_buffer& out, const track::Connection& c);

}  // namespace tcpscope::render
