#include "render/messages.hpp"

#include <algorithm>
#include <array>

namespace tcpscope::render {
namespace {

constexpr std::array<std::string_view, kMsgCount> kKeyNames = {
#define TCPSCOPE_MESSAGE_NAME(k) #k,
    TCPSCOPE_MESSAGE_KEYS(TCPSCOPE_MESSAGE_NAME)
#undef TCPSCOPE_MESSAGE_NAME
};

}  // namespace

std::string_view msg_key(Msg m) {
  const auto i = static_cast<std::size_t>(m);
  return i < kKeyNames.size() ? kKeyNames[i] : std::string_view("?");
}

Messages::Messages(Lang lang) : lang_(lang) {
  for (const MessageEntry& e : catalogue_en()) texts_[static_cast<std::size_t>(e.key)] = e.text;
  if (lang == Lang::zh)
    for (const MessageEntry& e : catalogue_zh()) texts_[static_cast<std::size_t>(e.key)] = e.text;
  // The pieces, cut exactly where append_numbered() cuts: at each '{', the digits after it
  // (the argument's number), and one more character (the '}').
  for (std::size_t k = 0; k < kMsgCount; ++k) {
    first_piece_[k] = static_cast<std::uint32_t>(pieces_.size());
    std::string_view text = texts_[k];
    for (;;) {
      const std::size_t open = text.find('{');
      if (open == std::string_view::npos) {
        if (!text.empty()) pieces_.push_back(MessagePiece{text, MessagePiece::kNoArg});
        break;
      }
      std::size_t i = open + 1;
      std::size_t index = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') index = index * 10 + (text[i++] - '0');
      pieces_.push_back(MessagePiece{text.substr(0, open), index < MessagePiece::kNoArg
                                                               ? static_cast<std::uint16_t>(index)
                                                               : MessagePiece::kNoArg});
      text.remove_prefix(std::min(i + 1, text.size()));
    }
  }
  first_piece_[kMsgCount] = static_cast<std::uint32_t>(pieces_.size());
}

}  // namespace tcpscope::render
