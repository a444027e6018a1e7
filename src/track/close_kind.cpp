#include "track/close_kind.hpp"

#include <array>

namespace tcpscope::track {
namespace {

struct KindText {
  std::string_view id;
  std::string_view meaning;
};

constexpr std::array<KindText, kCloseKindCount> kKindTexts = {{
    {"four_way_client_first", "four-way teardown, the client closed first"},
    {"four_way_server_first", "four-way teardown, the server closed first"},
    {"three_segment", "three-segment teardown: the second FIN carried the ACK of the first"},
    {"simultaneous_close", "simultaneous close: the FINs crossed and both sides went through CLOSING"},
    {"half_close_then_close",
     "half-close: data still flowed after the first FIN, then the other side closed"},
    {"reset_by_client", "reset by the client"},
    {"reset_by_server", "reset by the server"},
    {"reset_by_client_after_fin", "reset by the client after a FIN"},
    {"reset_by_server_after_fin", "reset by the server after a FIN"},
    {"refused", "refused: the SYN was answered by a RST"},
    {"syn_unanswered", "the SYN was never answered"},
    {"teardown_incomplete", "a FIN was sent but the close had not completed when the capture ended"},
    {"still_open", "still open at the end of the capture"},
    {"started_before_capture", "started before the capture and still open at its end"},
}};

}  // namespace

CloseKind close_kind(const CloseFacts& f) {
  // A RST answering the SYN, before any SYN,ACK: nobody was listening.
  if (f.rst_answered_syn) return CloseKind::refused;
  if (f.first_rst == Who::client) {
    return f.rst_after_fin ? CloseKind::reset_by_client_after_fin : CloseKind::reset_by_client;
  }
  if (f.first_rst == Who::server) {
    return f.rst_after_fin ? CloseKind::reset_by_server_after_fin : CloseKind::reset_by_server;
  }
  if (f.client_fin && f.server_fin) {
    if (f.fins_crossed) return CloseKind::simultaneous_close;
    if (f.data_after_first_fin) return CloseKind::half_close_then_close;
    if (f.second_fin_acked_first) return CloseKind::three_segment;
    return f.first_fin == Who::server ? CloseKind::four_way_server_first : CloseKind::four_way_client_first;
  }
  if (f.client_fin || f.server_fin) return CloseKind::teardown_incomplete;
  if (f.syn_from_client && !f.syn_ack_from_server && !f.server_sent_anything)
    return CloseKind::syn_unanswered;
  if (f.started_mid_stream) return CloseKind::started_before_capture;
  return CloseKind::still_open;
}

std::string_view close_kind_name(CloseKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindTexts.size() ? kKindTexts[i].id : std::string_view("?");
}

std::string_view close_kind_meaning(CloseKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  return i < kKindTexts.size() ? kKindTexts[i].meaning : std::string_view("?");
}

}  // namespace tcpscope::track
