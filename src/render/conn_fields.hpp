// Values shared by the `conns` output formats, computed once from a Connection
// (no re-parsing): Zeek's orig/resp view of it and a few text helpers.
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "track/connection.hpp"

namespace tcpscope::render {

// Zeek's conn.log view of a connection (originator = Zeek's orig side).
struct ZeekConnView {
  Endpoint orig;
  Endpoint resp;
  const track::ZeekEndpoint* orig_ep = nullptr;
  const track::ZeekEndpoint* resp_ep = nullptr;
  std::array<char, 18> uid_chars{};  // "C" + 17 base62 characters
  std::string_view uid() const { return {uid_chars.data(), uid_chars.size()}; }
};
ZeekConnView zeek_view(const track::Connection& c);

// How the connection closed (track::close_kind_name of the inference's verdict).
std::string_view close_kind_text(const track::Connection& c);
// Final RFC 9293 states "client/server", e.g. "TIME-WAIT/CLOSED".
std::string final_states_text(const track::Connection& c);

// "1.2.3.4:80" or "[::1]:80".
std::string endpoint_text(const Endpoint& e);

}  // namespace tcpscope::render
