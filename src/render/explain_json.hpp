// The explained timeline as JSON (`explain --format json`, `diagram --format
// json`): stable ids for flags, analysis flags, notes, rules and states.
// Schema: docs/json.md ("explain").
#pragma once
#include <fmt/format.h>

#include <string>
#include <string_view>

#include "track/timeline.hpp"

namespace tcpscope::render {

// One connection object, without a trailing newline.
void explain_json(fmt::memory_buffer& out, const track::ConnectionTimeline& tl);

// Appends `s` as a JSON string literal (quotes included).
void json_string(fmt::memory_buffer& out, std::string_view s);

}  // namespace tcpscope::render
