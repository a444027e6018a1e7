// How a connection ended, as a pure function of the final facts the inference
// collected (so it is table-testable, like Zeek's conn_state()).
#pragma once
#include <cstdint>
#include <string_view>

#include "core/tcp_state.hpp"

namespace tcpscope::track {

// Which endpoint did something; `none` when nobody did.
enum class Who : std::uint8_t { none, client, server };

// The facts close_kind() decides from. Filled by ConnectionInference::finish().
struct CloseFacts {  // (a tracked connection keeps it in 2 bytes: ConnectionInference::StoredCloseFacts)
  bool syn_from_client : 1 = false;  // a SYN without ACK from the client was captured
  bool syn_ack_from_server : 1 =
      false;  // a SYN,ACK from the server was captured (or SYN from it: simultaneous open)
  bool started_mid_stream : 1 = false;  // the first captured segment had no SYN
  bool server_sent_anything : 1 = false;
  bool client_fin : 1 = false;  // each side sent a FIN
  bool server_fin : 1 = false;
  bool fins_crossed : 1 = false;  // the second FIN did not acknowledge the first: simultaneous close
  bool second_fin_acked_first : 1 =
      false;  // the second FIN carried the first ACK of the first FIN (FIN+ACK combined)
  bool data_after_first_fin : 1 = false;  // the second closer sent new data after receiving the first FIN
  bool rst_after_fin : 1 = false;         // a FIN had been sent before that RST
  bool rst_answered_syn : 1 = false;      // the RST answered a SYN before any SYN,ACK: refused
  Who first_fin = Who::none;              // who sent the first FIN
  Who first_rst = Who::none;              // who sent the first (acceptable) RST
  TcpState final_client = TcpState::Closed;
  TcpState final_server = TcpState::Closed;
};

enum class CloseKind : std::uint8_t {
  four_way_client_first,  // FIN, ACK, FIN, ACK; the client closed first
  four_way_server_first,  // the same, server first
  three_segment,          // FIN, FIN+ACK, ACK: the second FIN carried the first ACK
  simultaneous_close,     // crossing FINs: both went through CLOSING
  half_close_then_close,  // FIN, then data the other way, then the other FIN
  reset_by_client,        // the client sent RST (no FIN before)
  reset_by_server,
  reset_by_client_after_fin,  // the client sent RST after a FIN had been exchanged
  reset_by_server_after_fin,
  refused,              // RST answering the SYN
  syn_unanswered,       // SYN(s) and nothing back
  teardown_incomplete,  // a FIN was sent but the connection had not finished closing when the capture ended
  still_open,           // open at the end of the capture
  started_before_capture,  // started before the capture and neither closed nor reset in it
};

inline constexpr std::size_t kCloseKindCount =
    static_cast<std::size_t>(CloseKind::started_before_capture) + 1;

CloseKind close_kind(const CloseFacts& facts);

// Stable snake_case id ("four_way_client_first", "refused", ...), used by JSON, Zeek-log columns and tests.
std::string_view close_kind_name(CloseKind kind);

// A one-line English meaning of each kind (render/ has the translated texts).
std::string_view close_kind_meaning(CloseKind kind);

}  // namespace tcpscope::track
