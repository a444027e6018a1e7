// Wireshark 4.0's TCP sequence analysis, reproduced segment by segment.
//
// A self-contained analyzer: it keeps its own conversations exactly as
// Wireshark's packet-tcp.c (4.0.17) does — tcp.stream numbering, flow1/flow2,
// the port-reuse rules, relative bases, the per-direction state and the checks
// in Wireshark's order (see ../shared/reference/tcp-semantics.md §2) — and
// returns, for each TCP segment fed in capture order, the analysis flags, the
// duplicate-ACK number and frame, the stream index, relative seq/ack and the
// iRTT once known. Pure logic: no I/O, no text. Memory is bounded: unacked
// segment lists are capped (Wireshark's own cap) and trimmed by ACKs, and
// conversations are evicted after an idle time or when the table is full
// (Wireshark keeps them all; evictions are counted so a caller can tell).
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

#include "core/addr.hpp"
#include "core/frame.hpp"
#include "core/seq.hpp"
#include "core/time.hpp"
#include "decode/packet.hpp"
#include "track/analysis_flags.hpp"
#include "track/flow_table.hpp"

namespace tcpscope::track {

struct WiresharkLimits {
  // Conversations kept at once; the least recently active one is evicted beyond it.
  std::size_t max_conversations = 1u << 20;
  // A conversation idle this long (capture time) is evicted; 0 disables. Only
  // while more than `idle_eviction_above` conversations are live, so ordinary
  // captures (and damaged ones whose clock jumps) keep Wireshark's numbering.
  DurationNs idle_timeout_ns = DurationNs{24} * 3600 * 1'000'000'000;
  std::size_t idle_eviction_above = 65536;
  // Unacknowledged segments remembered per direction (TCP_MAX_UNACKED_SEGMENTS).
  std::uint32_t max_unacked_segments = 10000;
};

// Wireshark's tcp.completeness bits.
namespace completeness {
inline constexpr std::uint8_t syn_sent = 1;
inline constexpr std::uint8_t syn_ack = 2;
inline constexpr std::uint8_t ack = 4;
inline constexpr std::uint8_t data = 8;
inline constexpr std::uint8_t fin = 16;
inline constexpr std::uint8_t rst = 32;
}  // namespace completeness

// What Wireshark shows for one TCP segment.
struct WiresharkSegment {
  bool is_tcp = false;       // the packet carried a TCP header; nothing else is valid otherwise
  bool analyzed = false;     // sequence analysis ran (not for IP fragments or short segments)
  std::uint32_t stream = 0;  // tcp.stream
  AnalysisFlags flags;
  std::uint32_t dupack_num = 0;    // tcp.analysis.duplicate_ack_num (when duplicate_ack)
  std::uint64_t dupack_frame = 0;  // tcp.analysis.duplicate_ack_frame (when duplicate_ack)
  std::uint32_t rel_seq = 0;       // tcp.seq
  std::uint32_t rel_ack = 0;       // tcp.ack: relative when ACK is set, else the raw field
  std::uint64_t acks_frame = 0;    // tcp.analysis.acks_frame; 0: none
  DurationNs ack_rtt_ns = 0;       // tcp.analysis.ack_rtt (when acks_frame)
  bool has_irtt = false;
  DurationNs irtt_ns = 0;          // tcp.analysis.initial_rtt
  std::uint8_t completeness = 0;   // tcp.completeness as shown (before this segment counts)
  std::int16_t window_scale = -1;  // sender's shift; -1 unknown, -2 not used
  std::uint32_t window_size = 0;   // tcp.window_size (scaled unless a SYN)
};

struct WiresharkStats {
  std::uint64_t segments = 0;               // TCP segments seen
  std::uint64_t conversations_created = 0;  // tcp.stream values handed out
  std::uint64_t evicted_idle = 0;
  std::uint64_t evicted_cap = 0;
  std::uint64_t unacked_dropped = 0;  // segments not remembered because a list was full
  std::size_t live_conversations = 0;
};

class WiresharkAnalyzer {
 public:
  explicit WiresharkAnalyzer(WiresharkLimits limits = {});

  // One decoded frame, in capture order. Non-TCP packets return is_tcp == false.
  WiresharkSegment analyze(const Frame& frame, const decode::Packet& packet);
  // The same, with a slot hint kept by the caller per connection (kNoSlot at first): when
  // `slot` still holds this segment's conversation the hash lookup is skipped; either way it
  // is left holding the conversation's slot for the connection's next segment. Same results.
  static constexpr std::uint32_t kNoSlot = 0xFFFFFFFFu;
  WiresharkSegment analyze(const Frame& frame, const decode::Packet& packet, std::uint32_t& slot);
  // The same from the TCP facts alone (frame number is 1-based, as tshark's).
  WiresharkSegment analyze(std::uint64_t frame_number, Timestamp ts, const decode::TcpFacts& tcp);

  const WiresharkStats& stats() const { return stats_; }
  const WiresharkLimits& limits() const { return limits_; }

 private:
  struct Unacked {
    SeqNum seq;
    SeqNum nextseq;
    std::uint64_t frame = 0;
    Timestamp ts;
    bool acked = false;  // scratch mark while trimming
  };
  // One direction of a conversation (Wireshark's tcp_flow_t + tcp_analyze_seq_flow_info_t).
  // Wireshark treats a sequence value of 0 as "unknown"; the same quirk is kept.
  struct Flow {
    bool base_seq_set = false;
    SeqNum base_seq;
    std::int16_t win_scale = -1;         // -1 unknown, -2 not used, else shift
    std::uint32_t window = 0xFFFFFFFFu;  // last raw window field
    bool is_first_ack = false;
    SeqNum nextseq;  // highest seq + len (+1 SYN/FIN); 0 = unknown
    Timestamp nextseqtime;
    std::uint64_t nextseqframe = 0;
    SeqNum maxseqtobeacked;  // 0 = unknown
    SeqNum lastack;
    Timestamp lastacktime;
    std::uint64_t lastnondupack = 0;
    std::uint32_t dupacknum = 0;  // kDupAckSilenced after an ACKed-unseen report
    AnalysisFlags lastsegmentflags;
    std::vector<Unacked> unacked;  // oldest first
  };
  struct Conversation {
    FourTuple key;
    std::uint32_t stream = 0;
    Flow flow1;  // sent by the greater address (or port when the addresses are equal)
    Flow flow2;
    std::uint8_t completeness = 0;
    Timestamp mru_syn;            // most recent SYN without ACK; zero = none
    DurationNs first_rtt_ns = 0;  // zero = not known
    Timestamp last_seen;
    std::uint64_t touched = 0;       // the order of activity (lru_ticks_ when last active)
    std::uint32_t lru_prev = kNone;  // the LRU list, once linked (link_lru())
    std::uint32_t lru_next = kNone;
    bool in_use = false;
  };
  static constexpr std::uint32_t kNone = 0xFFFFFFFFu;
  // Wireshark stores -1 in its unsigned duplicate-ACK counter; it then compares as huge.
  static constexpr std::uint32_t kDupAckSilenced = 0xFFFFFFFFu;

  std::uint32_t find_or_create(const FourTuple& key, Timestamp ts, bool& created, std::uint32_t hint);
  void reset_conversation(std::uint32_t slot, const FourTuple& key);
  void evict_idle(Timestamp now);
  void evict(std::uint32_t slot);
  void lru_unlink(std::uint32_t slot);
  void lru_push_front(std::uint32_t slot);
  // Builds the LRU list from the conversations' activity order; from then on it is kept as
  // they are active.
  void link_lru();
  // `slot` was active at `ts`: its last_seen and activity number, and the range of every last_seen.
  void mark_active(std::uint32_t slot, Timestamp ts) {
    const std::int64_t ns = ts.ns();
    if (!any_seen_ || ns < min_seen_ns_) min_seen_ns_ = ns;
    if (!any_seen_ || ns > max_seen_ns_) max_seen_ns_ = ns;
    any_seen_ = true;
    slots_[slot].last_seen = ts;
    slots_[slot].touched = ++lru_ticks_;
  }
  // Whether no live conversation can be idle at `now` (every now - last_seen, as evict_idle()
  // computes it, within the timeout): the list is then not needed yet.
  bool none_idle(Timestamp now) const;
  WiresharkSegment analyze_segment(std::uint64_t frame_number, Timestamp ts, const decode::TcpFacts& tcp,
                                   std::optional<std::uint32_t> seglen, std::uint32_t& slot_hint);
  void analyze_sequence(Conversation& c, Flow& fwd, Flow& rev, std::uint64_t frame, Timestamp ts,
                        const decode::TcpFacts& tcp, std::uint32_t seglen, WiresharkSegment& out);

  WiresharkLimits limits_;
  WiresharkStats stats_;
  std::uint32_t next_stream_ = 0;
  std::vector<Conversation> slots_;
  std::vector<std::uint32_t> free_slots_;
  FlowTable index_;  // conversation key -> slot (the key is compared in full)
  // index_'s hash of a slot's conversation (it keeps only a few of its bits).
  auto conversation_hash() const {
    return [this](std::uint32_t slot) { return flow_hash(slots_[slot].key); };
  }
  // The least recently active conversation matters only to evict one, which most captures never
  // do: until the first time an eviction may happen, activity is only numbered (`touched`, no
  // list to relink per segment, whose neighbours are other conversations' cold slots), and the
  // list is built from those numbers when it is first needed. Same evictions, in the same order.
  bool lru_linked_ = false;
  std::uint64_t lru_ticks_ = 0;
  bool any_seen_ = false;
  std::int64_t min_seen_ns_ = 0;  // the range of every last_seen ever set
  std::int64_t max_seen_ns_ = 0;
  std::uint32_t lru_head_ = kNone;  // most recently active (once linked)
  std::uint32_t lru_tail_ = kNone;  // least recently active (once linked)
};

}  // namespace tcpscope::track
