#include "track/zeek_state.hpp"

#include <algorithm>
#include <array>

namespace tcpscope::track {

std::string_view zeek_endpoint_state_name(ZeekEndpointState s) {
  switch (s) {
    case ZeekEndpointState::inactive:
      return "INACTIVE";
    case ZeekEndpointState::syn_sent:
      return "SYN_SENT";
    case ZeekEndpointState::syn_ack_sent:
      return "SYN_ACK_SENT";
    case ZeekEndpointState::partial:
      return "PARTIAL";
    case ZeekEndpointState::established:
      return "ESTABLISHED";
    case ZeekEndpointState::closed:
      return "CLOSED";
    case ZeekEndpointState::reset:
      return "RESET";
  }
  return "?";
}

std::string_view zeek_conn_state_name(ZeekConnState s) {
  switch (s) {
    case ZeekConnState::S0:
      return "S0";
    case ZeekConnState::S1:
      return "S1";
    case ZeekConnState::SF:
      return "SF";
    case ZeekConnState::REJ:
      return "REJ";
    case ZeekConnState::S2:
      return "S2";
    case ZeekConnState::S3:
      return "S3";
    case ZeekConnState::RSTO:
      return "RSTO";
    case ZeekConnState::RSTR:
      return "RSTR";
    case ZeekConnState::RSTOS0:
      return "RSTOS0";
    case ZeekConnState::RSTRH:
      return "RSTRH";
    case ZeekConnState::SH:
      return "SH";
    case ZeekConnState::SHR:
      return "SHR";
    case ZeekConnState::OTH:
      return "OTH";
  }
  return "OTH";
}

bool zeek_history_is_rstos0(std::string_view h) {
  std::size_t i = 0;
  if (i < h.size() && h[i] == '^') ++i;
  if (i >= h.size() || h[i] != 'S') return false;
  for (++i; i < h.size(); ++i) {
    const char c = h[i];
    if (c == 'R') return true;  // ".*" accepts whatever follows
    if (c == 'H' || c == 'A' || c == 'F' || c == 'G' || c == 'I' || c == 'Q') return false;
  }
  return false;
}

namespace {
bool inactive_like(ZeekEndpointState s) {
  return s == ZeekEndpointState::inactive || s == ZeekEndpointState::partial;
}
}  // namespace

ZeekConnState zeek_conn_state(const ZeekConnFacts& f) {
  using S = ZeekEndpointState;
  const S os = f.orig;
  const S rs = f.resp;
  if (rs == S::reset) {
    if (os == S::syn_sent || os == S::syn_ack_sent ||
        (os == S::reset && f.orig_size == 0 && f.resp_size == 0))
      return ZeekConnState::REJ;
    if (inactive_like(os)) return ZeekConnState::RSTRH;
    return ZeekConnState::RSTR;
  }
  if (os == S::reset) {
    if (inactive_like(rs))
      return zeek_history_is_rstos0(f.history) ? ZeekConnState::RSTOS0 : ZeekConnState::OTH;
    return ZeekConnState::RSTO;
  }
  if (rs == S::closed && os == S::closed) return ZeekConnState::SF;
  if (os == S::closed) return inactive_like(rs) ? ZeekConnState::SH : ZeekConnState::S2;
  if (rs == S::closed) return inactive_like(os) ? ZeekConnState::SHR : ZeekConnState::S3;
  if (os == S::syn_sent && rs == S::inactive) return ZeekConnState::S0;
  if (os == S::established && rs == S::established) return ZeekConnState::S1;
  return ZeekConnState::OTH;
}

bool zeek_likely_server_port(std::uint16_t port) {
  // Sorted; from scripts/base/protocols/*/main.zeek (tcp-semantics.md §1.2).
  constexpr auto kPorts = std::to_array<std::uint16_t>(
      {21,   22,   25,   53,   79,   80,   81,   88,   135,  139,  143,  389,  443,  445,  465,  502,  514,
       563,  585,  587,  614,  631,  636,  989,  990,  992,  993,  995,  1080, 1434, 1883, 2811, 3128, 3268,
       3306, 3389, 5222, 5223, 5269, 5432, 6379, 6666, 6667, 6668, 6669, 8000, 8080, 8888, 20000});
  return std::binary_search(kPorts.begin(), kPorts.end(), port);
}

}  // namespace tcpscope::track
