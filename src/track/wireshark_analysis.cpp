// Wireshark 4.0.17's TCP sequence analysis (epan/dissectors/packet-tcp.c),
// reimplemented from the behaviour described in tcp-semantics.md §2 and
// checked against tshark 4.0.17. Step numbers in comments refer to §2.5.
#include "track/wireshark_analysis.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

#include "core/tcp_flags.hpp"

namespace tcpscope::track {
namespace {

namespace tf = tcp_flag;

// Wireshark uses the value 0 to mean "not seen yet" for nextseq, maxseqtobeacked
// and lastack, even though 0 is a valid sequence number. The quirk is kept.
constexpr bool known(SeqNum s) { return s.raw() != 0; }

constexpr bool is_zero(Timestamp t) { return t.sec == 0 && t.nsec == 0; }

// Elapsed time as packet-tcp.c computes it: in unsigned 64 bits, so a clock
// that goes backwards yields a huge value (never "within" a threshold).
constexpr std::uint64_t elapsed_unsigned(Timestamp now, Timestamp then) {
  return static_cast<std::uint64_t>(now - then);
}

constexpr std::uint64_t kFastRetransmissionWindowNs = 20'000'000;  // 20 ms
constexpr std::uint64_t kDefaultOutOfOrderWindowNs = 3'000'000;    // 3 ms without an iRTT
constexpr std::int16_t kMaxWindowShift = 14;                       // RFC 7323 §2.3

// Wireshark's cmp_address(): family, then the address bytes.
int compare_addresses(const IpAddr& a, const IpAddr& b) {
  if (a.family != b.family) return a.family < b.family ? -1 : 1;
  const std::size_t n = a.is_v6() ? 16 : 4;
  return std::memcmp(a.bytes.data(), b.bytes.data(), n);
}

}  // namespace

WiresharkAnalyzer::WiresharkAnalyzer(WiresharkLimits limits) : limits_(limits) {
  if (limits_.max_conversations == 0) limits_.max_conversations = 1;
}

WiresharkSegment WiresharkAnalyzer::analyze(const Frame& frame, const decode::Packet& packet) {
  std::uint32_t slot = kNoSlot;
  return analyze(frame, packet, slot);
}

WiresharkSegment WiresharkAnalyzer::analyze(const Frame& frame, const decode::Packet& packet,
                                            std::uint32_t& slot) {
  if (!packet.has_tcp) return {};
  // Wireshark's segment length is the TCP part of the IP length, cut to what the
  // frame held on the wire (an IP length beyond the frame is not believed).
  const decode::TcpFacts& tcp = packet.tcp;
  std::optional<std::uint32_t> seglen = tcp.payload_len;
  for (std::size_t i = packet.layer_count; i-- > 0;) {
    const decode::Layer& layer = packet.layers[i];
    if (layer.kind != decode::LayerKind::tcp) continue;
    const std::uint32_t on_wire = frame.wire_len > layer.offset ? frame.wire_len - layer.offset : 0;
    if (on_wire < tcp.header_len)
      seglen.reset();
    else
      seglen = std::min(tcp.payload_len, on_wire - tcp.header_len);
    break;
  }
  return analyze_segment(frame.number, frame.ts, tcp, seglen, slot);
}

WiresharkSegment WiresharkAnalyzer::analyze(std::uint64_t frame_number, Timestamp ts,
                                            const decode::TcpFacts& tcp) {
  std::uint32_t slot = kNoSlot;
  return analyze_segment(frame_number, ts, tcp, tcp.payload_len, slot);
}

void WiresharkAnalyzer::lru_unlink(std::uint32_t slot) {
  Conversation& c = slots_[slot];
  if (c.lru_prev != kNone)
    slots_[c.lru_prev].lru_next = c.lru_next;
  else
    lru_head_ = c.lru_next;
  if (c.lru_next != kNone)
    slots_[c.lru_next].lru_prev = c.lru_prev;
  else
    lru_tail_ = c.lru_prev;
  c.lru_prev = c.lru_next = kNone;
}

void WiresharkAnalyzer::lru_push_front(std::uint32_t slot) {
  Conversation& c = slots_[slot];
  c.lru_prev = kNone;
  c.lru_next = lru_head_;
  if (lru_head_ != kNone) slots_[lru_head_].lru_prev = slot;
  lru_head_ = slot;
  if (lru_tail_ == kNone) lru_tail_ = slot;
}

void WiresharkAnalyzer::link_lru() {
  if (lru_linked_) return;
  lru_linked_ = true;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> order;  // (touched, slot), least recent first
  order.reserve(stats_.live_conversations);
  for (std::uint32_t slot = 0; slot < slots_.size(); ++slot)
    if (slots_[slot].in_use) order.emplace_back(slots_[slot].touched, slot);
  std::sort(order.begin(), order.end());
  for (const auto& [touched, slot] : order) lru_push_front(slot);
}

bool WiresharkAnalyzer::none_idle(Timestamp now) const {
  if (!any_seen_) return true;
  // In exact arithmetic every last_seen x is in [min, max], so now - x is in [now - max, now - min];
  // when that whole range fits in 64 bits, evict_idle()'s wrapping difference is the exact one.
  const __int128 now_ns = now.ns();
  const __int128 longest = now_ns - min_seen_ns_;
  const __int128 shortest = now_ns - max_seen_ns_;
  return longest <= limits_.idle_timeout_ns && shortest >= INT64_MIN;
}

void WiresharkAnalyzer::evict(std::uint32_t slot) {
  Conversation& c = slots_[slot];
  index_.erase(flow_hash(c.key), slot, conversation_hash());
  lru_unlink(slot);
  c.in_use = false;
  std::vector<Unacked>().swap(c.flow1.unacked);
  std::vector<Unacked>().swap(c.flow2.unacked);
  free_slots_.push_back(slot);
  --stats_.live_conversations;
}

void WiresharkAnalyzer::evict_idle(Timestamp now) {
  if (limits_.idle_timeout_ns <= 0 || stats_.live_conversations <= limits_.idle_eviction_above) return;
  if (!lru_linked_) {
    if (none_idle(now)) return;
    link_lru();
  }
  while (lru_tail_ != kNone && now - slots_[lru_tail_].last_seen > limits_.idle_timeout_ns) {
    evict(lru_tail_);
    ++stats_.evicted_idle;
  }
}

// A fresh conversation in `slot` with the next stream index (Wireshark's
// init_tcp_conversation_data). The slot keeps its place in the LRU list.
void WiresharkAnalyzer::reset_conversation(std::uint32_t slot, const FourTuple& key) {
  Conversation& c = slots_[slot];
  const std::uint32_t prev = c.lru_prev;
  const std::uint32_t next = c.lru_next;
  const Timestamp last_seen = c.last_seen;
  const std::uint64_t touched = c.touched;
  std::vector<Unacked> keep1 = std::move(c.flow1.unacked);
  std::vector<Unacked> keep2 = std::move(c.flow2.unacked);
  c = Conversation{};
  keep1.clear();
  keep2.clear();
  c.flow1.unacked = std::move(keep1);
  c.flow2.unacked = std::move(keep2);
  c.key = key;
  c.stream = next_stream_++;
  c.in_use = true;
  c.lru_prev = prev;
  c.lru_next = next;
  c.last_seen = last_seen;
  c.touched = touched;
  ++stats_.conversations_created;
}

std::uint32_t WiresharkAnalyzer::find_or_create(const FourTuple& key, Timestamp ts, bool& created,
                                                std::uint32_t hint) {
  created = false;
  // A live slot holding this key is the one the index would find: keys are unique among them.
  const bool hinted = hint < slots_.size() && slots_[hint].in_use && same_tuple(slots_[hint].key, key);
  const std::uint64_t hash = hinted ? 0 : flow_hash(key);
  if (const std::uint32_t slot =
          hinted ? hint
                 : index_.find_if(hash,
                                  [this, &key](std::uint32_t i) { return same_tuple(slots_[i].key, key); });
      slot != FlowTable::kNone) {
    if (lru_linked_ && lru_head_ != slot) {
      lru_unlink(slot);
      lru_push_front(slot);
    }
    mark_active(slot, ts);
    return slot;
  }
  if (stats_.live_conversations >= limits_.max_conversations) {
    link_lru();
    if (lru_tail_ != kNone) {
      evict(lru_tail_);
      ++stats_.evicted_cap;
    }
  }
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back();
  }
  reset_conversation(slot, key);
  mark_active(slot, ts);
  if (lru_linked_) lru_push_front(slot);
  index_.insert(hash, slot, conversation_hash());
  ++stats_.live_conversations;
  created = true;
  return slot;
}

WiresharkSegment WiresharkAnalyzer::analyze_segment(std::uint64_t frame_number, Timestamp ts,
                                                    const decode::TcpFacts& tcp,
                                                    std::optional<std::uint32_t> seglen,
                                                    std::uint32_t& slot_hint) {
  WiresharkSegment out;
  out.is_tcp = true;
  ++stats_.segments;
  evict_idle(ts);

  bool reversed = false;
  const FourTuple key = FourTuple::canonical(tcp.src, tcp.dst, reversed);
  bool created = false;
  const std::uint32_t slot = find_or_create(key, ts, created, slot_hint);
  slot_hint = slot;
  Conversation& c = slots_[slot];

  // flow1 carries the segments sent by the greater address (ports break a tie).
  int direction = compare_addresses(tcp.src.addr, tcp.dst.addr);
  if (direction == 0) direction = tcp.src.port > tcp.dst.port ? 1 : -1;
  Flow& fwd = direction >= 0 ? c.flow1 : c.flow2;
  Flow& rev = direction >= 0 ? c.flow2 : c.flow1;

  const std::uint16_t flags = tcp.flags;
  const bool syn = (flags & tf::syn) != 0;
  const bool ack_set = (flags & tf::ack) != 0;
  const bool pure_syn = (flags & (tf::syn | tf::ack)) == tf::syn;
  const bool syn_ack = (flags & (tf::syn | tf::ack)) == (tf::syn | tf::ack);

  // §2.2 port reuse. A SYN with a new ISN starts a new conversation in place;
  // the same ISN stays and only restores nextseq (a RST may have moved it).
  if (pure_syn && fwd.base_seq_set) {
    if (tcp.seq != fwd.base_seq) {
      reset_conversation(slot, key);
      out.flags.set(AnalysisFlag::reused_ports);
      c.completeness = completeness::syn_sent;
    } else {
      fwd.nextseq = fwd.maxseqtobeacked;
    }
  }
  // A SYN-ACK with a new ISN replaces the base in the same conversation.
  if (syn_ack && fwd.base_seq_set && tcp.seq != fwd.base_seq) {
    fwd.base_seq = tcp.seq;
    out.flags.set(AnalysisFlag::reused_ports);
  }
  out.stream = c.stream;
  out.completeness = c.completeness;

  out.rel_seq = tcp.seq.raw();
  out.rel_ack = tcp.ack.raw();
  out.window_size = tcp.window;
  if (!tcp.ip_fragment && seglen.has_value()) {
    // §2.3 relative bases, set by the first segment of each direction.
    if (!fwd.base_seq_set) {
      fwd.base_seq = syn ? tcp.seq : tcp.seq - 1;
      fwd.base_seq_set = true;
    }
    if (!rev.base_seq_set && ack_set) {
      rev.base_seq = tcp.ack - 1;
      rev.base_seq_set = true;
    }
    analyze_sequence(c, fwd, rev, frame_number, ts, tcp, *seglen, out);
    out.analyzed = true;
    out.rel_seq = static_cast<std::uint32_t>(tcp.seq.since(fwd.base_seq));
    if (ack_set) out.rel_ack = static_cast<std::uint32_t>(tcp.ack.since(rev.base_seq));
    if (!syn && fwd.win_scale >= 0) out.window_size = std::uint32_t{tcp.window} << fwd.win_scale;
  }
  if (tcp.header_len < 20) {  // Wireshark stops here for a bogus header length
    out.window_scale = fwd.win_scale;
    return out;
  }

  // §2.7 completeness.
  if (created) {
    if (pure_syn) {
      c.completeness |= completeness::syn_sent;
      if (seglen.value_or(0) > 0) c.completeness |= completeness::data;  // TCP Fast Open
    }
  } else {
    if (syn_ack) c.completeness |= completeness::syn_ack;
    if ((flags & (tf::syn | tf::ack)) == tf::ack)
      c.completeness |= seglen.value_or(0) > 0 ? completeness::data : completeness::ack;
    if ((flags & (tf::fin | tf::ack)) == (tf::fin | tf::ack)) c.completeness |= completeness::fin;
    if (flags & tf::rst) c.completeness |= completeness::rst;
  }

  if (syn) {
    if (!ack_set) c.mru_syn = ts;
    fwd.is_first_ack = true;
  }
  // §2.8 iRTT: the first ACK without SYN after the most recent SYN.
  if ((flags & (tf::syn | tf::ack)) == tf::ack) {
    if (!is_zero(c.mru_syn) && c.first_rtt_ns == 0) c.first_rtt_ns = ts - c.mru_syn;
    fwd.is_first_ack = false;
  }
  // §2.9 window scale: stored from any segment carrying the option.
  if (tcp.options.wscale >= 0) fwd.win_scale = std::min<std::int16_t>(tcp.options.wscale, kMaxWindowShift);
  if (syn) {
    // Scaling is used only when both SYNs carry the option.
    if (fwd.win_scale == -1) {
      fwd.win_scale = -2;
      rev.win_scale = -2;
    } else if (syn_ack && rev.win_scale == -2) {
      fwd.win_scale = -2;
    }
  }
  out.window_scale = fwd.win_scale;
  out.has_irtt = c.first_rtt_ns != 0;
  out.irtt_ns = c.first_rtt_ns;
  return out;
}

void WiresharkAnalyzer::analyze_sequence(Conversation& c, Flow& fwd, Flow& rev, std::uint64_t frame,
                                         Timestamp ts, const decode::TcpFacts& tcp, std::uint32_t seglen,
                                         WiresharkSegment& out) {
  AnalysisFlags& f = out.flags;
  const std::uint16_t flags = tcp.flags;
  const SeqNum seq = tcp.seq;
  const SeqNum ack = tcp.ack;
  const std::uint32_t window = tcp.window;
  const bool syn_fin_rst = (flags & (tf::syn | tf::fin | tf::rst)) != 0;
  const bool syn_or_fin = (flags & (tf::syn | tf::fin)) != 0;

  const bool repeats_ack = seq == fwd.nextseq && ack == fwd.lastack && !syn_fin_rst;

  // 1. Zero-window probe: one byte at the next expected seq into a zero window.
  if (seglen == 1 && seq == fwd.nextseq && rev.window == 0) {
    f.set(AnalysisFlag::zero_window_probe);
    goto finished_fwd;
  }
  // 2. Zero window.
  if (window == 0 && !syn_fin_rst) f.set(AnalysisFlag::zero_window);
  // 3. Previous segment not captured.
  if (known(fwd.nextseq) && seq > fwd.nextseq && (flags & tf::rst) == 0) f.set(AnalysisFlag::lost_segment);
  // 4. Keep-alive: 0 or 1 byte, one below the next expected seq.
  if ((seglen == 0 || seglen == 1) && seq == fwd.nextseq - 1 && !syn_fin_rst) f.set(AnalysisFlag::keep_alive);
  // 5. Window update.
  if (seglen == 0 && window != 0 && window != fwd.window && repeats_ack) f.set(AnalysisFlag::window_update);
  // 6. Window full: data reaching exactly the right edge of the peer's window.
  if (seglen > 0 && rev.win_scale != -1 && !syn_fin_rst) {
    const int shift = (rev.is_first_ack || rev.win_scale == -2) ? 0 : rev.win_scale;
    if (seq + seglen == rev.lastack + (rev.window << shift)) f.set(AnalysisFlag::window_full);
  }
  // 7. Keep-alive ACK.
  if (seglen == 0 && window != 0 && window == fwd.window && repeats_ack &&
      rev.lastsegmentflags.has(AnalysisFlag::keep_alive)) {
    f.set(AnalysisFlag::keep_alive_ack);
    goto finished_fwd;
  }
  // 8. Zero-window-probe ACK.
  if (seglen == 0 && window == 0 && window == fwd.window && repeats_ack &&
      rev.lastsegmentflags.has(AnalysisFlag::zero_window_probe)) {
    f.set(AnalysisFlag::zero_window_probe_ack);
    goto finished_fwd;
  }
  // 9. Duplicate ACK.
  if (seglen == 0 && window != 0 && window == fwd.window && repeats_ack) {
    fwd.dupacknum = fwd.dupacknum == kDupAckSilenced ? 1 : fwd.dupacknum + 1;
    f.set(AnalysisFlag::duplicate_ack);
    out.dupack_num = fwd.dupacknum;
    out.dupack_frame = fwd.lastnondupack;
  }

finished_fwd:
  // 10. A new ack number restarts the duplicate count.
  if (ack != fwd.lastack) {
    fwd.lastnondupack = frame;
    fwd.dupacknum = 0;
  }
  // 11. ACKed unseen segment.
  if (known(rev.maxseqtobeacked) && ack > rev.maxseqtobeacked && (flags & tf::ack) != 0) {
    if (rev.maxseqtobeacked < rev.nextseq) {
      rev.maxseqtobeacked = rev.nextseq;
      f.set(AnalysisFlag::ack_lost_segment);
    } else {
      if (rev.dupacknum == 0) f.set(AnalysisFlag::ack_lost_segment);
      rev.dupacknum = kDupAckSilenced;  // report one lost segment once
    }
  }
  // 12. Retransmission family.
  if (seglen > 0 || syn_or_fin) {
    bool not_advanced = known(fwd.nextseq) && seq < fwd.nextseq;
    if (f.has(AnalysisFlag::keep_alive)) goto finished_retransmission;
    // Data following a zero-window probe starts one below nextseq.
    if (seglen > 1 && fwd.nextseq - 1 == seq) not_advanced = false;
    if (seglen > 0 && known(rev.lastack) && seq + seglen <= rev.lastack) {
      f.set(AnalysisFlag::spurious_retransmission);
      goto finished_retransmission;
    }
    // Fast retransmission takes precedence over out-of-order (tcp.fastrt_supersedes_ooo).
    // The counter is unsigned, so the "silenced" value after an ACKed-unseen segment
    // counts as many duplicate ACKs, as in tshark.
    if (not_advanced && rev.dupacknum >= 2 && rev.lastack == seq &&
        elapsed_unsigned(ts, rev.lastacktime) < kFastRetransmissionWindowNs) {
      f.set(AnalysisFlag::fast_retransmission);
      goto finished_retransmission;
    }
    if (not_advanced) {
      const std::uint64_t threshold =
          c.first_rtt_ns == 0 ? kDefaultOutOfOrderWindowNs : static_cast<std::uint64_t>(c.first_rtt_ns);
      if (elapsed_unsigned(ts, fwd.nextseqtime) < threshold) {
        // tshark 4.0.17 has no "highest segment was a pure ACK" case here (newer
        // releases flag that as out-of-order too): an exact resend is a retransmission.
        if (fwd.nextseq != seq + seglen + (syn_or_fin ? 1u : 0u)) {
          f.set(AnalysisFlag::out_of_order);
          goto finished_retransmission;
        }
      }
      f.set(AnalysisFlag::retransmission);
    }
  }

finished_retransmission : {
  // 14. Bookkeeping.
  SeqNum nextseq = seq + seglen;
  if (seglen > 0 || syn_or_fin) {
    if (fwd.unacked.size() < limits_.max_unacked_segments) {
      if (syn_or_fin) nextseq += 1;  // only here, as in Wireshark
      fwd.unacked.push_back(Unacked{seq, nextseq, frame, ts});
    } else {
      ++stats_.unacked_dropped;
    }
  }
  const bool probe = f.has(AnalysisFlag::zero_window_probe);
  if ((nextseq > fwd.nextseq || !known(fwd.nextseq)) && !probe) {
    fwd.nextseq = nextseq;
    fwd.nextseqframe = frame;
    fwd.nextseqtime = ts;
  }
  if ((seq == fwd.maxseqtobeacked || !known(fwd.maxseqtobeacked)) && !probe)
    fwd.maxseqtobeacked = fwd.nextseq;
  fwd.window = window;
  fwd.lastack = ack;  // stored even without the ACK bit
  fwd.lastacktime = ts;
  fwd.lastsegmentflags = f;

  // 15. ACK matching against the other direction's unacked segments, newest
  // first as in Wireshark's list; fully acknowledged ones are dropped.
  auto& list = rev.unacked;
  std::size_t keep = list.size();
  for (std::size_t i = list.size(); i-- > 0;) {
    Unacked& u = list[i];
    bool remove = false;
    if (ack == u.nextseq) {
      out.acks_frame = u.frame;
      out.ack_rtt_ns = ts - u.ts;
      remove = true;
    } else if (ack > u.seq && ack <= u.nextseq) {
      u.seq = ack;  // partially acknowledged
    } else if (!(u.nextseq > ack)) {
      remove = true;
    }
    if (remove) {
      u.acked = true;
      --keep;
    }
  }
  if (keep != list.size()) std::erase_if(list, [](const Unacked& u) { return u.acked; });
}
}

}  // namespace tcpscope::track
