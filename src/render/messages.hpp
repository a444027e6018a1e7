// The message catalogues of `explain` and the diagrams: one per language
// (messages_en.cpp, messages_zh.cpp), each a list of {key, text} pairs over the
// same keys. Texts are fmt format strings with numbered arguments ({0}, {1});
// a test checks that both catalogues have every key exactly once and the same
// arguments in each text.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace tcpscope::render {

enum class Lang : std::uint8_t { en, zh };

// clang-format off
#define TCPSCOPE_MESSAGE_KEYS(X) \
  X(conn_header) X(conn_summary) X(conn_closed) X(conn_zeek) \
  X(conn_rtt) X(conn_rtt_unknown) X(role_syn) X(role_syn_ack) \
  X(role_port) X(role_contradicted) X(client) X(server) \
  X(phase_header) X(phase_handshake_done) X(phase_handshake_simultaneous) X(phase_handshake_open) \
  X(phase_handshake_unanswered) X(phase_data) X(phase_data_none) X(phase_teardown) \
  X(phase_reset) X(phase_refused) X(phase_before_capture) X(phase_segments) \
  X(phase_segment_one) X(phase_teardown_aborted) X(table_title_absolute) X(table_title_relative) \
  X(ladder_title) X(negotiated_title) X(opt_mss) X(opt_mss_missing) \
  X(opt_wscale_on) X(opt_wscale_off) X(opt_sack_on) X(opt_sack_off) \
  X(opt_ts_on) X(opt_ts_off) X(flag_combo) X(flag_syn) \
  X(flag_ack) X(flag_psh) X(flag_fin) X(flag_rst) \
  X(flag_urg) X(flag_ece) X(flag_cwr) X(flag_ae) \
  X(ack_syn_plus_one) X(ack_fin_plus_one) X(payload_text) X(payload_binary) \
  X(payload_more) X(retransmits) X(cksum_loopback) X(cksum_bad) \
  X(cksum_bad_again) X(rst_unread) X(state_change) X(summary_title) X(summary_client) \
  X(summary_server) X(timer_pending) X(assumed) X(conn_notes) \
  X(af_retransmission) X(af_fast_retransmission) X(af_spurious_retransmission) X(af_out_of_order) \
  X(af_lost_segment) X(af_ack_lost_segment) X(af_duplicate_ack) X(af_zero_window) \
  X(af_zero_window_probe) X(af_zero_window_probe_ack) X(af_window_full) X(af_window_update) \
  X(af_keep_alive) X(af_keep_alive_ack) X(af_reused_ports) X(note_started_mid_stream) \
  X(note_syn_not_captured) X(note_syn_ack_not_captured) X(note_retransmitted_syn) X(note_retransmitted_syn_ack) \
  X(note_retransmitted_fin) X(note_syn_ack_not_received) X(note_final_ack_not_received) X(note_simultaneous_open) \
  X(note_simultaneous_close) X(note_refused) X(note_rst_out_of_window) X(note_rst_after_fin) \
  X(note_ack_of_uncaptured_fin) X(note_ack_of_unseen_data) X(note_data_after_fin) X(note_data_in_half_close) \
  X(note_keep_alive) X(note_segment_after_close) X(note_syn_in_synchronized_state) X(note_unexpected_flags) \
  X(note_fin_not_acked) X(note_syn_unanswered) X(close_four_way_client_first) X(close_four_way_server_first) \
  X(close_three_segment) X(close_simultaneous_close) X(close_half_close_then_close) X(close_reset_by_client) \
  X(close_reset_by_server) X(close_reset_by_client_after_fin) X(close_reset_by_server_after_fin) X(close_refused) \
  X(close_syn_unanswered) X(close_teardown_incomplete) X(close_still_open) X(close_started_before_capture)
// clang-format on

enum class Msg : std::uint16_t {
#define TCPSCOPE_MESSAGE_ENUM(k) k,
  TCPSCOPE_MESSAGE_KEYS(TCPSCOPE_MESSAGE_ENUM)
#undef TCPSCOPE_MESSAGE_ENUM
};

#define TCPSCOPE_MESSAGE_COUNT(k) +1
inline constexpr std::size_t kMsgCount = 0 TCPSCOPE_MESSAGE_KEYS(TCPSCOPE_MESSAGE_COUNT);
#undef TCPSCOPE_MESSAGE_COUNT

// The key's name ("conn_header").
std::string_view msg_key(Msg m);

struct MessageEntry {
  Msg key;
  std::string_view text;
};

// The raw catalogues, as written (tests check them).
std::span<const MessageEntry> catalogue_en();
std::span<const MessageEntry> catalogue_zh();

// A text cut at its arguments: `literal`, then argument number `arg` (kNoArg: none).
struct MessagePiece {
  static constexpr std::uint16_t kNoArg = 0xFFFF;
  std::string_view literal;
  std::uint16_t arg = kNoArg;
};

// One cut of a text with numbered arguments ("{0} bytes, {1} segments"): the literal up to the
// next '{' and the number written after it; `text` then starts past the '}' (the character after
// the digits). Without a '{', the whole text is the literal and `has_arg` is false.
struct NumberedCut {
  std::string_view literal;
  std::size_t index = 0;
  bool has_arg = false;
};
inline NumberedCut cut_numbered(std::string_view& text) {
  const std::size_t open = text.find('{');
  if (open == std::string_view::npos) {
    const NumberedCut cut{text, 0, false};
    text = {};
    return cut;
  }
  NumberedCut cut{text.substr(0, open), 0, true};
  std::size_t i = open + 1;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9')
    cut.index = cut.index * 10 + static_cast<std::size_t>(text[i++] - '0');
  text.remove_prefix(i < text.size() ? i + 1 : text.size());
  return cut;
}

// A language's texts indexed by key (a missing key falls back to English).
class Messages {
 public:
  explicit Messages(Lang lang);
  std::string_view operator[](Msg m) const { return texts_[static_cast<std::size_t>(m)]; }
  // The text cut once into pieces, as append_numbered() reads it (render/text_util.hpp:
  // append_message() writes the same without searching the text for its arguments again).
  std::span<const MessagePiece> pieces(Msg m) const {
    const auto i = static_cast<std::size_t>(m);
    return std::span<const MessagePiece>(pieces_).subspan(first_piece_[i],
                                                          first_piece_[i + 1] - first_piece_[i]);
  }
  Lang lang() const { return lang_; }

 private:
  Lang lang_;
  std::string_view texts_[kMsgCount];
  std::vector<MessagePiece> pieces_;
  std::uint32_t first_piece_[kMsgCount + 1] = {};
};

}  // namespace tcpscope::render
