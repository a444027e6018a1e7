// The explained timeline of one connection: every segment with its facts
// (frame, time, direction, flags, absolute and relative seq/ack, payload length
// and a short preview), Wireshark's analysis flags, its phase, both endpoints'
// RFC 9293 states after it (with confidence), the rules applied and the notes,
// plus the connection-wide summary (roles, bytes, iRTT, close kind, Zeek
// conn_state/history, the handshake's options). Assembled from the tracker, the
// inference, the phase tracker and the Wireshark analyzer; renderers read only
// this and never re-parse packets.
//
// The tcpdump text of each segment is handed in by the caller as a string (cli
// renders it with print::TcpdumpPrinter): track and render may not depend on
// print, and stored text keeps the timeline self-contained for every renderer
// (text, JSON, HTML). All of a connection's texts share one buffer (an offset
// and a length per segment), so a segment costs no allocation of its own.
//
// Memory: timelines are kept only for the connections the builder was asked to
// explain (one with `only_conn`), and each is handed out and forgotten when its
// connection ends.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/addr.hpp"
#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "track/analysis_flags.hpp"
#include "track/connection.hpp"
#include "track/inference.hpp"
#include "track/phases.hpp"
#include "track/wireshark_analysis.hpp"

namespace tcpscope::track {

// What one side's SYN offered (RFC 9293 §3.7.1, RFC 7323, RFC 2018).
struct SynOptions {
  bool seen = false;
  std::int32_t mss = -1;     // -1: absent
  std::int16_t wscale = -1;  // -1: absent
  bool sack_permitted = false;
  bool timestamps = false;
};

struct TimelineSegment {
  static constexpr std::size_t kPreviewMax = 24;

  // Provided (not defaulted): segments.emplace_back() then sets each member's default below
  // instead of first zeroing the whole record.
  TimelineSegment() {}

  // Members ordered by alignment (8, 4, 2, 1 bytes), so the record has no padding inside: 216
  // bytes, written once per segment on the tracking thread and read on a render thread.
  std::uint64_t frame = 0;  // 1-based frame number in the capture
  Timestamp ts;
  std::int64_t rel_seq = 0;             // from the sender's ISN
  std::int64_t rel_ack = 0;             // from the receiver's ISN (0 when no ACK or unknown)
  std::uint64_t retransmits_frame = 0;  // for a retransmission: the frame of the original (0: not found)
  DurationNs retransmit_delay_ns = 0;
  std::uint32_t index = 0;  // 1-based segment number within the connection
  SeqNum seq;
  SeqNum ack;
  std::uint32_t payload_len = 0;
  std::uint32_t retransmits_index = 0;  // its segment number within the connection
  // tcpdump's lines for this segment (final newline removed): ConnectionTimeline::tcpdump_text(segment).
  std::uint32_t text_chunk = 0;   // 0: ConnectionTimeline::texts, n: more_texts[n - 1]
  std::uint32_t text_offset = 0;  // within that chunk
  std::uint32_t text_len = 0;
  SegmentInference inference;
  std::uint16_t flags = 0;
  std::uint16_t window = 0;
  AnalysisFlags analysis;
  SegmentPhase phase;
  Direction dir = Direction::from_client;
  std::uint8_t preview_len = 0;
  bool preview_printable = false;  // every previewed byte is printable ASCII (or \r \n \t)
  decode::ChecksumStatus checksum = decode::ChecksumStatus::unverifiable;
  bool loopback = false;  // both addresses are loopback: checksums are offloaded (never computed)
  // The first captured payload bytes: only the first preview_len are set (the record is written
  // once per segment on the tracking thread; zeroing bytes nobody reads costs there).
  std::array<char, kPreviewMax> preview;

  std::string_view preview_view() const { return {preview.data(), preview_len}; }
};

// A connection's segment records, in order. The first kFirstChunk live in one buffer that grows as
// a vector does (a short connection's), the rest in chunks of kChunk records allocated once each:
// a long connection's records are never copied to a larger buffer as it grows.
class SegmentList {
 public:
  static constexpr std::size_t kChunkShift = 10;
  static constexpr std::size_t kChunk = std::size_t{1} << kChunkShift;  // 1,024 records (216 KiB)
  static constexpr std::size_t kFirstChunk = kChunk;

  SegmentList() = default;
  SegmentList(const SegmentList& other) {
    reserve(other.size_);
    for (std::size_t i = 0; i < other.size_; ++i) emplace_back() = other[i];
  }
  SegmentList& operator=(const SegmentList& other) {
    if (this != &other) *this = SegmentList(other);
    return *this;
  }
  SegmentList(SegmentList&& other) noexcept
      : first_(std::move(other.first_)),
        more_(std::move(other.more_)),
        size_(std::exchange(other.size_, 0)) {}
  SegmentList& operator=(SegmentList&& other) noexcept {
    first_ = std::move(other.first_);
    more_ = std::move(other.more_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  SegmentList(std::initializer_list<TimelineSegment> segments) {
    for (const TimelineSegment& s : segments) emplace_back() = s;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Records held without allocating.
  std::size_t capacity() const { return first_.capacity() + more_.size() * kChunk; }
  void reserve(std::size_t n) { first_.reserve(std::min(n, kFirstChunk)); }

  TimelineSegment& operator[](std::size_t i) {
    return i < kFirstChunk ? first_[i] : more_[(i >> kChunkShift) - 1][i & (kChunk - 1)];
  }
  const TimelineSegment& operator[](std::size_t i) const {
    return i < kFirstChunk ? first_[i] : more_[(i >> kChunkShift) - 1][i & (kChunk - 1)];
  }
  TimelineSegment& back() { return (*this)[size_ - 1]; }
  const TimelineSegment& back() const { return (*this)[size_ - 1]; }

  // The record the next emplace_back() returns, when it needs no allocation (else nullptr).
  TimelineSegment* next_room() {
    if (size_ < kFirstChunk) return size_ < first_.capacity() ? first_.data() + size_ : nullptr;
    return size_ < capacity() ? &(*this)[size_] : nullptr;
  }

  // A new record at the end, its members at their defaults.
  TimelineSegment& emplace_back() {
    if (size_ < kFirstChunk) {
      if (first_.size() == first_.capacity())
        first_.reserve(std::min(kFirstChunk, std::max<std::size_t>(16, 2 * first_.capacity())));
      ++size_;
      return first_.emplace_back();
    }
    if (size_ == capacity()) more_.push_back(std::make_unique<TimelineSegment[]>(kChunk));
    return *std::construct_at(&(*this)[size_++]);
  }

  // Forgets every record; keeps the first chunk's buffer, frees the others.
  void clear() {
    first_.clear();
    more_.clear();
    size_ = 0;
  }

 private:
  std::vector<TimelineSegment> first_;
  std::vector<std::unique_ptr<TimelineSegment[]>> more_;
  std::size_t size_ = 0;
};

struct ConnectionTimeline {
  std::uint64_t id = 0;
  Endpoint client;
  Endpoint server;
  RoleReason role_reason = RoleReason::port_heuristic;
  bool role_contradicted = false;
  Timestamp first_ts;
  Timestamp last_ts;
  std::uint64_t client_bytes = 0;  // payload bytes sent, retransmissions included
  std::uint64_t server_bytes = 0;
  std::uint32_t client_segments = 0;
  std::uint32_t server_segments = 0;
  std::int64_t irtt_ns = -1;  // Wireshark's iRTT; -1 unknown
  std::int64_t irtt_server_ns = -1;
  std::int64_t irtt_client_ns = -1;
  std::string zeek_conn_state;
  std::string zeek_history;
  SynOptions client_syn;
  SynOptions server_syn;
  EndpointView client_initial;  // states before the first segment
  EndpointView server_initial;
  SegmentList segments;
  // Every segment's tcpdump text, one after the other: in `texts` while it stays small (a short
  // connection's), then in chunks of at least kTextChunkBytes, so a long connection's texts are
  // never copied to a larger buffer as they grow. A segment's text is always within one chunk.
  static constexpr std::size_t kTextChunkBytes = 256u << 10;
  std::string texts;
  std::vector<std::string> more_texts;
  std::vector<PhaseSpan> phases;  // in order
  InferenceEnd end;
  EndReason end_reason = EndReason::none;

  DurationNs duration() const { return last_ts - first_ts; }
  std::string_view tcpdump_text(const TimelineSegment& s) const {
    const std::string& chunk = s.text_chunk == 0 ? texts : more_texts[s.text_chunk - 1];
    return std::string_view(chunk).substr(s.text_offset, s.text_len);
  }
  // The bytes of every segment's text.
  std::size_t text_bytes() const {
    std::size_t n = texts.size();
    for (const std::string& chunk : more_texts) n += chunk.size();
    return n;
  }
};

class TimelineBuilder {
 public:
  // only_conn: explain only the connection with this id (0: every connection).
  explicit TimelineBuilder(std::uint64_t only_conn = 0) : only_conn_(only_conn) {}

  bool wants(std::uint64_t conn_id) const { return only_conn_ == 0 || conn_id == only_conn_; }

  // One segment, after the tracker updated `conn` (from its segment observer);
  // `side` is the sender (0: key.a). `wireshark` is the analyzer's result for the frame;
  // `inference` is what the segment did to both endpoints' states, as the connection's own
  // ConnectionInference computed it (Tracker::segment_inference): it is not run twice.
  void on_segment(const Connection& conn, int side, const Frame& frame, const decode::Packet& packet,
                  const WiresharkSegment& wireshark, const SegmentInference& inference,
                  std::string_view tcpdump_text);

  // The same, running `analyzer` on the segment first (every TCP segment must reach the analyzer,
  // in capture order: the caller analyzes those it does not hand here). The analyzer's slot of the
  // connection is kept with its timeline, so the analyzer needs no lookup of its own.
  void on_segment(const Connection& conn, int side, const Frame& frame, const decode::Packet& packet,
                  WiresharkAnalyzer& analyzer, const SegmentInference& inference,
                  std::string_view tcpdump_text);

  // The connection ended (from the tracker's ended callback): returns its
  // timeline and forgets it. Returns false when it was not being explained.
  bool finish(const Connection& conn, ConnectionTimeline& out);

  // Gives back a timeline finish() handed out, once rendered: its buffers (cleared) serve a
  // later connection instead of being freed and allocated again. `used` is left empty.
  void recycle(ConnectionTimeline& used);

  // Both endpoints have closed (CLOSED or TIME-WAIT; a refused SYN's listener stays LISTEN)
  // after a FIN or RST: nothing but repeats can follow, so a live explanation need not wait
  // for the tracker's timers.
  bool closed(std::uint64_t conn_id) const;

  std::size_t open_timelines() const { return open_count_; }

 private:
  struct Open {
    ConnectionTimeline timeline;
    PhaseTracker phases;
    std::uint32_t wireshark_slot = WiresharkAnalyzer::kNoSlot;  // the analyzer's hint for this connection
  };
  // Spare buffers kept: about the connections in flight between finish() and recycle();
  // a timeline with more segments than this is freed rather than kept.
  static constexpr std::size_t kMaxSpare = 1024;
  static constexpr std::size_t kMaxSpareSegments = 1024;

  Open* find(std::uint64_t conn_id) const;
  Open& find_or_create(std::uint64_t conn_id, bool& created);
  void append(Open& open, bool created, const Connection& conn, int side, const Frame& frame,
              const decode::Packet& packet, const WiresharkSegment& wireshark,
              const SegmentInference& inference, std::string_view tcpdump_text);

  std::uint64_t only_conn_;
  // The open timelines by connection id. The tracker numbers connections in order and most
  // are short, so a window of pointers from the oldest open id down to the newest replaces a
  // hash map (no hashing per segment); a long connection keeps 8 bytes per later one open.
  std::deque<std::unique_ptr<Open>> window_;
  std::uint64_t window_base_ = 0;  // the id of window_.front()
  std::size_t open_count_ = 0;
  std::vector<std::unique_ptr<Open>> spare_opens_;
  std::vector<ConnectionTimeline> spare_timelines_;  // cleared, with their buffers
};

}  // namespace tcpscope::track
