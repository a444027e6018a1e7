#include "track/tracker.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>

namespace tcpscope::track {

Tracker::Tracker(TrackerOptions options, EndedFn on_ended)
    : options_(options), on_ended_(std::move(on_ended)) {}

std::uint32_t Tracker::create(const FourTuple& key, std::uint64_t hash, int side, const decode::TcpFacts& tcp,
                              Timestamp ts, std::uint32_t generation) {
  if (options_.max_conns != 0 && table_.size() >= options_.max_conns) evict_one();
  std::uint32_t slot;
  if (!free_slots_.empty()) {
    slot = free_slots_.back();
    free_slots_.pop_back();
  } else {
    slot = slots_.add();
  }
  if (slot_timers_.size() <= slot) slot_timers_.resize(slot + 1);
  ++slot_timers_[slot].serial;
  Slot& s = slots_[slot];
  // Rebuilt in place: no temporary Connection copied over the old one.
  std::destroy_at(&s.conn);
  std::construct_at(&s.conn);
  s.conn.tuple = key;
  s.conn.set_id(next_id_++);
  s.conn.set_generation(generation);
  if (options_.keep_timeline) {
    if (timelines_.size() <= slot) timelines_.resize(slot + 1);
    timelines_[slot].clear();
  }
  s.conn.zeek.start(side, tcp, ts);  // first: it keeps the connection's times
  s.conn.start(side, tcp, ts);
  s.scheduled = 0;
  table_.insert(hash, slot, slot_hash());
  ++stats_.connections;
  stats_.peak_tracked = std::max(stats_.peak_tracked, table_.size());
  return slot;
}

void Tracker::end(std::uint32_t slot, EndReason why) {
  Slot& s = slots_[slot];
  s.conn.end_reason = why;
  table_.erase(flow_hash(s.conn.key()), slot, slot_hash());
  if (on_ended_) on_ended_(s.conn);
  if (options_.keep_timeline) std::vector<SegmentRecord>().swap(timelines_[slot]);
  // At its serial's wrap, a slot with entries in the heap waits for the last one to be popped.
  if (const SlotTimers& t = slot_timers_[slot]; t.serial != kLastSerial || t.heap_entries == 0)
    free_slots_.push_back(slot);
}

void Tracker::entry_pushed(std::uint32_t slot) {
  SlotTimers& t = slot_timers_[slot];
  if (t.heap_entries == kCountedAside)
    ++entries_aside_[slot];
  else if (++t.heap_entries == kCountedAside)
    entries_aside_[slot] = kCountedAside;
}

void Tracker::entry_popped(const TimerHeap::Entry& e) {
  SlotTimers& t = slot_timers_[e.slot];
  if (t.heap_entries == kCountedAside) {
    const auto aside = entries_aside_.find(e.slot);
    if (--aside->second < kCountedAside) {
      t.heap_entries = static_cast<std::uint8_t>(aside->second);
      entries_aside_.erase(aside);
    }
  } else {
    --t.heap_entries;
  }
  if (t.heap_entries == 0 && t.serial == kLastSerial && !slots_[e.slot].live())
    free_slots_.push_back(e.slot);  // waiting since it ended (end())
}

void Tracker::schedule(std::uint32_t slot) {
  Slot& s = slots_[slot];
  const std::int64_t next = s.conn.zeek.next_timer_ns();
  if (next == std::numeric_limits<std::int64_t>::max()) return;
  if (s.scheduled != 0 && scheduled_at(s) <= next) return;  // the pending entry fires first and reschedules
  set_scheduled_at(s, next);
  heap_.push(next, slot, slot_timers_[slot].serial);
  entry_pushed(slot);
}

void Tracker::run_timers(std::int64_t now) {
  while (heap_.due(now)) {
    const TimerHeap::Entry e = heap_.pop();
    // Timers due at once come in bursts: the next one's connection is fetched
    // while this one is handled.
    if (heap_.due(now)) prefetch_slot(heap_.front_slot());
    entry_popped(e);
    Slot& s = slots_[e.slot];
    if (!s.live() || slot_timers_[e.slot].serial != e.serial || scheduled_at(s) != e.at) continue;  // stale
    s.scheduled = 0;
    const ZeekRemoval why = s.conn.zeek.run_timers(now);
    if (why != ZeekRemoval::none)
      end(e.slot, why);
    else
      schedule(e.slot);
  }
}

void Tracker::evict_one() {
  // The connection whose next timer is the earliest is the one closest to ending.
  while (!heap_.empty()) {
    const TimerHeap::Entry e = heap_.pop();
    entry_popped(e);
    Slot& s = slots_[e.slot];
    if (!s.live() || slot_timers_[e.slot].serial != e.serial || scheduled_at(s) != e.at) continue;
    ++stats_.evicted;
    end(e.slot, EndReason::evicted);
    return;
  }
}

void Tracker::advance_time(Timestamp now) { run_timers(now.ns()); }

void Tracker::feed(const Frame& frame, const decode::Packet& packet, std::uint64_t known_hash) {
  ++stats_.packets;
  if (const std::int64_t now = frame.ts.ns(); heap_.due(now)) run_timers(now);
  // A segment whose options were cut by the snapshot length still has its fixed
  // header: it counts for tcpscope's own facts (and creates the connection, as
  // in Zeek), but Zeek's analysis drops it ("truncated_header").
  const bool header_complete = packet.has_tcp;
  if (!has_fixed_tcp_header(packet)) {
    ++stats_.skipped;
    return;
  }
  ++stats_.tcp_segments;
  const decode::TcpFacts& tcp = packet.tcp;
  const bool reversed = endpoint_less(tcp.dst, tcp.src);  // as FourTuple::canonical decides
  const FourTuple key = reversed ? FourTuple{tcp.dst, tcp.src} : FourTuple{tcp.src, tcp.dst};
  const int side = reversed ? 1 : 0;
  const std::uint64_t hash = known_hash != 0 ? known_hash : flow_hash(key);
  const auto matches = [this, &key](std::uint32_t slot) { return slots_[slot].conn.tuple.equals(key); };

  std::uint32_t slot = table_.find_if(hash, matches);
  if (slot != FlowTable::kNone && slots_[slot].conn.zeek.is_reuse(side, tcp)) {
    const std::uint32_t generation = slots_[slot].conn.generation() + 1;
    ++stats_.port_reuses;
    end(slot, EndReason::port_reuse);
    slot = create(key, hash, side, tcp, frame.ts, generation);
  } else if (slot == FlowTable::kNone) {
    slot = create(key, hash, side, tcp, frame.ts, 0);
  }

  Connection& c = slots_[slot].conn;
  const std::uint32_t captured =
      static_cast<std::uint32_t>(std::min<std::size_t>(tcp.payload.size(), tcp.payload_len));
  if (header_complete)
    c.zeek.deliver(side, tcp, captured, frame.ts, options_.zeek);
  else
    c.zeek.count_unanalyzed(side);  // (Connection::segments() counts it)
  segment_inference_ =
      c.observe(side, tcp, frame.ts, frame.number, options_.keep_timeline ? &timelines_[slot] : nullptr);
  if (on_segment_) on_segment_(c, side, frame, packet);
  schedule(slot);
}

void Tracker::flush() {
  // The heap goes first: the list of live slots below takes the memory it gave back
  // (4 bytes a connection less at the peak).
  heap_.release();
  table_ = FlowTable{};  // every connection ends: its memory goes back too (the list below reuses it)
  std::vector<std::uint32_t> live;
  for (std::uint32_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i].live()) {
      live.push_back(i);
    } else if (slot_timers_[i].serial == kLastSerial && slot_timers_[i].heap_entries != 0) {
      free_slots_.push_back(i);  // ended, waiting for entries the heap no longer has
    }
    slot_timers_[i].heap_entries = 0;
  }
  entries_aside_.clear();
  std::sort(live.begin(), live.end(),
            [this](std::uint32_t a, std::uint32_t b) { return slots_[a].conn.id() < slots_[b].conn.id(); });
  for (std::uint32_t slot : live) {
    Slot& s = slots_[slot];
    s.conn.end_reason = EndReason::end_of_input;
    if (on_ended_) on_ended_(s.conn);
    if (options_.keep_timeline) std::vector<SegmentRecord>().swap(timelines_[slot]);
    free_slots_.push_back(slot);  // not reused before the next feed()
  }
}

}  // namespace tcpscope::track
