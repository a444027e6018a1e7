// The terminal ladder: a Client column, a Server column, arrows labelled with
// flags/seq/ack/len between them, each endpoint's state on its side where it
// changes (from ladder_layout).
#pragma once
#include <fmt/format.h>

#include "render/ladder_layout.hpp"
#include "render/messages.hpp"
#include "render/text_util.hpp"

namespace tcpscope::render {

// Rows [first_row, end_row) of the layout; `with_initial` adds the header and the
// states before the first of those rows. `indent` spaces before each line.
void ladder_text(fmt::memory_buffer& out, const LadderLayout& layout, std::size_t first_row,
                 std::size_t end_row, const Messages& msgs, bool color, std::size_t indent);
// The same, through the caller's appender (explain writes a connection with one).
void ladder_text(FastAppender& out, const LadderLayout& layout, std::size_t first_row, std::size_t end_row,
                 const Messages& msgs, bool color, std::size_t indent);

}  // namespace tcpscope::render
