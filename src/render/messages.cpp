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
}

}  // namespace tcpscope::render
