#include "render/messages.hpp"

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
  // The pieces, cut exactly where append_numbered() cuts (cut_numbered()).
  for (std::size_t k = 0; k < kMsgCount; ++k) {
    first_piece_[k] = static_cast<std::uint32_t>(pieces_.size());
    std::string_view text = texts_[k];
    while (!text.empty()) {
      const NumberedCut cut = cut_numbered(text);
      const bool numbered = cut.has_arg && cut.index < MessagePiece::kNoArg;
      pieces_.push_back(
          MessagePiece{cut.literal, numbered ? static_cast<std::uint16_t>(cut.index) : MessagePiece::kNoArg});
    }
  }
  first_piece_[kMsgCount] = static_cast<std::uint32_t>(pieces_.size());
}

}  // namespace tcpscope::render
