#include "render/conn_fields.hpp"

#include <fmt/format.h>

namespace tcpscope::render {

namespace {
// Deterministic Zeek-style uid ("C" + 17 base62 characters) from the connection id and tuple.
void make_uid(const track::Connection& c, std::array<char, 18>& uid) {
  static constexpr char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::uint64_t x = FourTupleHash{}(c.key()) ^ (c.id() * 0x9E3779B97F4A7C15ull);
  uid[0] = 'C';
  for (int i = 1; i <= 17; ++i) {
    x ^= x >> 29;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 32;
    uid[i] = kDigits[x % 62];
  }
}
}  // namespace

ZeekConnView zeek_view(const track::Connection& c) {
  ZeekConnView v;
  const int o = c.zeek.orig_side();
  v.orig = c.endpoint(o);
  v.resp = c.endpoint(1 - o);
  v.orig_ep = &c.zeek.orig();
  v.resp_ep = &c.zeek.resp();
  make_uid(c, v.uid_chars);
  return v;
}

std::string_view close_kind_text(const track::Connection& c) {
  if (!c.inference.started()) return "-";
  return track::close_kind_name(c.inference.finish().kind);
}

std::string final_states_text(const track::Connection& c) {
  if (!c.inference.started()) return "-";
  const track::InferenceEnd end = c.inference.finish();
  return fmt::format("{}/{}", to_string(end.client.state), to_string(end.server.state));
}

std::string endpoint_text(const Endpoint& e) {
  if (e.addr.is_v6()) return fmt::format("[{}]:{}", e.addr.to_string(), e.port);
  return fmt::format("{}:{}", e.addr.to_string(), e.port);
}

}  // namespace tcpscope::render
