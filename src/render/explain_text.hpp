// `tcpscope explain` as text: the article's three-phase analysis for one
// connection, in English or Chinese (strings from the message catalogues only).
#pragma once
#include <fmt/format.h>

#include <string>

#include "render/messages.hpp"
#include "track/timeline.hpp"

namespace tcpscope::render {

struct ExplainTextOptions {
  Lang lang = Lang::en;
  bool color = false;
  bool relative = false;  // seq/ack relative to each side's ISN in the tables and the ladder
  // The catalogue of `lang`, built once by the caller (else each call builds its own);
  // read-only, so renderers on several threads may share it.
  const Messages* messages = nullptr;
};

void explain_text(fmt::memory_buffer& out, const track::ConnectionTimeline& tl,
                  const ExplainTextOptions& options);

// "36.825 ms" below one second, "2.073 s" from there.
std::string duration_text(std::int64_t ns);

}  // namespace tcpscope::render
