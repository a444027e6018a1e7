#include "track/timeline.hpp"

#include <algorithm>

#include "core/prefetch.hpp"
#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

bool is_loopback(const IpAddr& a) {
  if (a.is_v4()) return a.bytes[0] == 127;
  if (!a.is_v6()) return false;
  for (std::size_t i = 0; i < 15; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[15] == 1;
}

bool printable(char c) { return (c >= 0x20 && c < 0x7f) || c == '\r' || c == '\n' || c == '\t'; }

// Retransmissions searched for their original among at most this many earlier segments.
constexpr std::size_t kRetransmitLookback = 512;

// Room made when a connection starts: a short connection (a handshake, a request, a
// reply, a teardown) then never grows its buffers.
constexpr std::size_t kInitialSegments = 10;
constexpr std::size_t kTypicalTextBytes = 300;  // tcpdump -vvv: two lines of a segment with options

}  // namespace

TimelineBuilder::Open* TimelineBuilder::find(std::uint64_t conn_id) const {
  if (conn_id < window_base_ || conn_id - window_base_ >= window_.size()) return nullptr;
  return window_[conn_id - window_base_].get();
}

TimelineBuilder::Open& TimelineBuilder::find_or_create(std::uint64_t conn_id, bool& created) {
  if (window_.empty()) {
    window_base_ = conn_id;
  } else if (conn_id < window_base_) {  // not the tracker's order (tests): widen at the front
    for (; window_base_ > conn_id; --window_base_) window_.emplace_front();
  }
  const std::uint64_t i = conn_id - window_base_;
  if (i >= window_.size()) window_.resize(i + 1);
  std::unique_ptr<Open>& slot = window_[i];
  created = slot == nullptr;
  if (created) {
    if (spare_opens_.empty()) {
      slot = std::make_unique<Open>();
    } else {
      slot = std::move(spare_opens_.back());
      spare_opens_.pop_back();
    }
    ConnectionTimeline& tl = slot->timeline;
    if (!spare_timelines_.empty()) {
      tl = std::move(spare_timelines_.back());
      spare_timelines_.pop_back();
    } else {
      tl = ConnectionTimeline();  // a new Open's, or one left moved-from by finish()
      tl.segments.reserve(kInitialSegments);
      tl.texts.reserve(kInitialSegments * kTypicalTextBytes);
    }
    ++open_count_;
  }
  return *slot;
}

void TimelineBuilder::recycle(ConnectionTimeline& used) {
  if (spare_timelines_.size() >= kMaxSpare || used.segments.capacity() > kMaxSpareSegments) {
    used = ConnectionTimeline();
    return;
  }
  ConnectionTimeline& kept = spare_timelines_.emplace_back();
  kept.segments = std::move(used.segments);
  kept.segments.clear();
  kept.texts = std::move(used.texts);
  kept.texts.clear();
  kept.more_texts = std::move(used.more_texts);
  kept.more_texts.clear();
  kept.phases = std::move(used.phases);
  kept.phases.clear();
  used = ConnectionTimeline();
}

void TimelineBuilder::on_segment(const Connection& conn, int side, const Frame& frame,
                                 const decode::Packet& packet, const WiresharkSegment& wireshark,
                                 const SegmentInference& inference, std::string_view tcpdump_text) {
  if (!wants(conn.id())) return;
  bool created = false;
  Open& open = find_or_create(conn.id(), created);
  append(open, created, conn, side, frame, packet, wireshark, inference, tcpdump_text);
}

void TimelineBuilder::on_segment(const Connection& conn, int side, const Frame& frame,
                                 const decode::Packet& packet, WiresharkAnalyzer& analyzer,
                                 const SegmentInference& inference, std::string_view tcpdump_text) {
  if (!wants(conn.id())) {
    analyzer.analyze(frame, packet);
    return;
  }
  bool created = false;
  Open& open = find_or_create(conn.id(), created);
  const WiresharkSegment wireshark = analyzer.analyze(frame, packet, open.wireshark_slot);
  append(open, created, conn, side, frame, packet, wireshark, inference, tcpdump_text);
}

void TimelineBuilder::append(Open& open, bool created, const Connection& conn, int side, const Frame& frame,
                             const decode::Packet& packet, const WiresharkSegment& wireshark,
                             const SegmentInference& inference, std::string_view tcpdump_text) {
  const decode::TcpFacts& tcp = packet.tcp;
  ConnectionTimeline& tl = open.timeline;
  if (created) {
    tl.id = conn.id();
    tl.first_ts = frame.ts;
  }
  // Directions follow the roles as the tracker has them when the segment arrives (decided by
  // the first SYN or SYN,ACK, else by ports; a later contradiction is only marked, never flipped).
  const bool from_client = side == conn.client_side;
  const Direction dir = from_client ? Direction::from_client : Direction::from_server;

  TimelineSegment& s = tl.segments.emplace_back();
  s.frame = frame.number;
  s.index = static_cast<std::uint32_t>(tl.segments.size());
  s.ts = frame.ts;
  s.dir = dir;
  s.flags = tcp.flags;
  s.seq = tcp.seq;
  s.ack = tcp.ack;
  const Half& own = conn.half[static_cast<std::size_t>(side)];
  const Half& peer = conn.half[static_cast<std::size_t>(1 - side)];
  if (own.isn_known) s.rel_seq = tcp.seq.since(own.isn());
  if ((tcp.flags & tcp_flag::ack) && peer.isn_known) s.rel_ack = tcp.ack.since(peer.isn());
  s.payload_len = tcp.payload_len;
  s.window = tcp.window;
  const std::size_t n = std::min(tcp.payload.size(), TimelineSegment::kPreviewMax);
  bool all_printable = n > 0;
  for (std::size_t i = 0; i < n; ++i) {
    s.preview[i] = static_cast<char>(tcp.payload[i]);
    all_printable = all_printable && printable(s.preview[i]);
  }
  s.preview_len = static_cast<std::uint8_t>(n);
  s.preview_printable = all_printable;
  s.checksum = tcp.checksum;
  s.loopback = is_loopback(tcp.src.addr) && is_loopback(tcp.dst.addr);
  s.analysis = wireshark.flags;
  if (s.analysis.has(AnalysisFlag::retransmission) || s.analysis.has(AnalysisFlag::fast_retransmission) ||
      s.analysis.has(AnalysisFlag::spurious_retransmission)) {
    const std::size_t last = tl.segments.size() - 1;
    const std::size_t stop = last > kRetransmitLookback ? last - kRetransmitLookback : 0;
    for (std::size_t i = last; i-- > stop;) {
      const TimelineSegment& o = tl.segments[i];
      if (o.dir == dir && o.seq == s.seq) {
        s.retransmits_frame = o.frame;
        s.retransmits_index = o.index;
        s.retransmit_delay_ns = s.ts - o.ts;
        if (o.retransmits_frame == 0) break;  // the first transmission
      }
    }
  }

  const SegmentEvent event = segment_event(dir, tcp, frame.ts, frame.number);
  // (Read below from `inference`, not from the copy just written: a field of the copy would be
  // loaded before the copy's wide stores are done.)
  s.inference = inference;
  if (created) {  // the builder sees every segment of a connection it explains, from the first
    tl.client_initial = inference.client_before;
    tl.server_initial = inference.server_before;
  }
  s.phase = open.phases.on_segment(event, inference.notes.has(InferenceNote::rst_out_of_window));

  if ((tcp.flags & tcp_flag::syn) != 0) {
    SynOptions& o = from_client ? tl.client_syn : tl.server_syn;
    if (!o.seen) {
      o.seen = true;
      o.mss = tcp.options.mss;
      o.wscale = tcp.options.wscale;
      o.sack_permitted = tcp.options.sack_permitted;
      o.timestamps = tcp.options.has_timestamps;
    }
  }
  std::string_view text = tcpdump_text;
  while (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  // The first chunk grows as a string does up to kTextChunkBytes; past that, a text that does not
  // fit in the last chunk's room starts a new chunk (nothing already stored is copied again).
  std::string* chunk = tl.more_texts.empty() ? &tl.texts : &tl.more_texts.back();
  if (chunk->size() + text.size() > chunk->capacity() &&
      chunk->size() + text.size() > ConnectionTimeline::kTextChunkBytes) {
    chunk = &tl.more_texts.emplace_back();
    chunk->reserve(std::max(text.size(), ConnectionTimeline::kTextChunkBytes));
  }
  s.text_chunk = static_cast<std::uint32_t>(tl.more_texts.size());
  s.text_offset = static_cast<std::uint32_t>(chunk->size());
  s.text_len = static_cast<std::uint32_t>(text.size());
  chunk->append(text);
  // The next segment's record and text go right after these, in memory last written by a render
  // thread (recycled buffers): asking for it now, for writing, takes the misses off its append.
  if (const TimelineSegment* next = tl.segments.next_room(); next != nullptr)
    prefetch_bytes_for_write(next, sizeof(TimelineSegment));
  if (chunk->size() + kTypicalTextBytes <= chunk->capacity())
    prefetch_bytes_for_write(chunk->data() + chunk->size(), kTypicalTextBytes);
}

bool TimelineBuilder::closed(std::uint64_t conn_id) const {
  const Open* open = find(conn_id);
  if (open == nullptr || open->timeline.segments.empty()) return false;
  const TimelineSegment& last = open->timeline.segments.back();
  bool fin_or_rst = false;
  const SegmentList& segments = open->timeline.segments;
  for (std::size_t i = 0; i < segments.size(); ++i)
    fin_or_rst = fin_or_rst || (segments[i].flags & (tcp_flag::fin | tcp_flag::rst)) != 0;
  const TcpState c = last.inference.client.state;
  const TcpState v = last.inference.server.state;
  return fin_or_rst && in(c, TcpState::Closed | TcpState::TimeWait) &&
         in(v, TcpState::Closed | TcpState::TimeWait | TcpState::Listen);
}

bool TimelineBuilder::finish(const Connection& conn, ConnectionTimeline& out) {
  Open* found = find(conn.id());
  if (found == nullptr) return false;
  Open& open = *found;
  // Last touched at the connection's last segment, often long ago (Zeek's close delay): every
  // line of it is asked for at once rather than missed one after another below.
  prefetch_bytes_for_write(&open, sizeof(Open));
  ConnectionTimeline& tl = open.timeline;
  tl.client = conn.client();
  tl.server = conn.server();
  tl.role_reason = conn.role_reason;
  tl.role_contradicted = conn.role_contradicted;
  tl.first_ts = conn.first_ts();
  tl.last_ts = conn.last_ts();
  tl.client_bytes = conn.payload_bytes(conn.client_side);
  tl.server_bytes = conn.payload_bytes(conn.server_side());
  tl.client_segments = conn.segments(conn.client_side);
  tl.server_segments = conn.segments(conn.server_side());
  tl.irtt_ns = conn.irtt_ns();
  tl.irtt_server_ns = conn.irtt_server_ns();
  tl.irtt_client_ns = conn.irtt_client_ns();
  tl.zeek_conn_state.assign(zeek_conn_state_name(conn.zeek.conn_state()));
  tl.zeek_history.assign(conn.zeek.history().view());
  tl.end = conn.inference.finish();
  tl.end_reason = conn.end_reason;
  tl.phases.clear();
  for (std::size_t i = 0; i < open.phases.span_count(); ++i) tl.phases.push_back(open.phases.span(i));
  out = std::move(tl);  // tl is reset when its Open serves another connection (find_or_create)
  open.phases = PhaseTracker();
  open.wireshark_slot = WiresharkAnalyzer::kNoSlot;
  std::unique_ptr<Open>& slot = window_[conn.id() - window_base_];
  if (spare_opens_.size() < kMaxSpare) spare_opens_.push_back(std::move(slot));
  slot.reset();
  --open_count_;
  while (!window_.empty() && window_.front() == nullptr) {
    window_.pop_front();
    ++window_base_;
  }
  return true;
}

}  // namespace tcpscope::track
