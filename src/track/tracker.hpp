// The tracker: feed it every decoded packet in capture order; it finds or
// creates the connection (full 4-tuple, IPv4/IPv6, a new generation when a SYN
// reuses the tuple), updates it, runs Zeek's packet-time timers, and hands each
// connection that ends to a callback exactly once (timer, reuse, eviction under
// --max-conns, or the final flush). Memory is bounded by max_conns.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "core/frame.hpp"
#include "core/prefetch.hpp"
#include "decode/packet.hpp"
#include "track/compact_times.hpp"
#include "track/connection.hpp"
#include "track/flow_table.hpp"
#include "track/timer_heap.hpp"

namespace tcpscope::track {

struct TrackerOptions {
  std::size_t max_conns = 0;   // 0: unlimited
  bool keep_timeline = false;  // per-connection segment records (explain/diagram ask for them)
  ZeekOptions zeek;
};

struct TrackerStats {
  std::uint64_t packets = 0;       // packets fed
  std::uint64_t tcp_segments = 0;  // with a complete TCP header
  std::uint64_t skipped = 0;       // not TCP, or the TCP header was not fully captured
  std::uint64_t connections = 0;   // created
  std::uint64_t port_reuses = 0;   // connections ended because a SYN started a new one
  std::uint64_t evicted = 0;       // connections ended early by the max_conns cap
  std::size_t peak_tracked = 0;
};

// Whether feed() tracks this packet: a TCP header that was fully captured, or
// at least its fixed 20 bytes (a segment whose options the snapshot length cut).
inline bool has_fixed_tcp_header(const decode::Packet& packet) {
  return packet.has_tcp || (packet.status.code == decode::DecodeCode::truncated &&
                            packet.status.layer == decode::LayerKind::tcp && packet.status.have >= 20 &&
                            packet.tcp.header_len >= 20);
}

// The flow-table hash feed() computes for this packet's connection, or 0 when
// feed() skips the packet. For look-ahead prefetching (Tracker::prefetch_*).
inline std::uint64_t segment_flow_hash(const decode::Packet& packet) {
  if (!has_fixed_tcp_header(packet)) return 0;
  const decode::TcpFacts& tcp = packet.tcp;
  return endpoint_less(tcp.dst, tcp.src) ? flow_hash(tcp.dst, tcp.src) : flow_hash(tcp.src, tcp.dst);
}

class Tracker {
 public:
  // Called for each connection when it ends; the reference is valid during the call.
  using EndedFn = std::function<void(const Connection&)>;
  // Called after each segment updated its connection (for per-segment analyses
  // such as endpoint-state inference or Wireshark's flags); `side` is the sender
  // (0: key.a, 1: key.b).
  using SegmentFn = std::function<void(const Connection&, int side, const Frame&, const decode::Packet&)>;

  Tracker(TrackerOptions options, EndedFn on_ended);
  void set_segment_observer(SegmentFn fn) { on_segment_ = std::move(fn); }

  // `known_hash`: segment_flow_hash(packet) when the caller has it already (0: feed
  // computes it).
  void feed(const Frame& frame, const decode::Packet& packet, std::uint64_t known_hash = 0);
  // Hints for a packet a few ahead (hash from segment_flow_hash, 0: none): pull its
  // flow-table bucket into the cache, then (closer to its turn, once the bucket is
  // there) the connection the bucket points at. No effect on results.
  [[gnu::always_inline]] void prefetch_bucket(std::uint64_t hash) const {
    if (hash != 0) table_.prefetch(hash);
  }
  [[gnu::always_inline]] void prefetch_connection(std::uint64_t hash) const {
    if (hash == 0) return;
    const std::uint32_t slot = table_.first_candidate(hash);
    if (slot == FlowTable::kNone) return;
    prefetch_slot(slot);
  }
  // A hint for a packet a few ahead at time `ahead_ns`: when the earliest timer is
  // due by then, pull in the connection it ends or re-arms. No effect on results.
  [[gnu::always_inline]] void prefetch_due_timer(std::int64_t ahead_ns) const {
    if (heap_.due(ahead_ns)) prefetch_slot(heap_.front_slot());
  }
  // Runs the timers up to `now` (live capture without traffic).
  void advance_time(Timestamp now);
  // Ends every remaining connection (end of input, Ctrl-C), in order of creation.
  // Their slots are reused by no one before the next feed(): the references given
  // to the ended callback stay valid until then.
  void flush();

  const TrackerStats& stats() const { return stats_; }
  // The inference result of the segment being observed (valid during the segment observer):
  // shared so that an observer need not run a second ConnectionInference.
  const SegmentInference& segment_inference() const { return segment_inference_; }
  std::size_t tracked() const { return table_.size(); }
  // Connection slots allocated (live, free or waiting for their timer entries): what
  // the memory tests bound.
  std::size_t slots_allocated() const { return slots_.size(); }
  // Bytes of one connection slot (the connection plus the tracker's bookkeeping),
  // for the memory budget test; the flow table adds about 8 bytes per connection (4-byte
  // entries, at most half full) and the timer heap 8.
  static constexpr std::size_t bytes_per_slot();

 private:
  // (The flow-table hash is not kept: end() computes it again from the tuple.)
  struct Slot {
    Connection conn;  // (4-byte aligned: 276 bytes a slot)
    // Time of this slot's live heap entry, as scheduled_code() encodes it: 0 none, else
    // 1 + microseconds after the connection's first segment, or kWideSchedule (the time
    // in the connection's rare block: a nanosecond or far-off time, whose connection keeps
    // its times there already). 4 bytes instead of 8.
    std::uint32_t scheduled = 0;
    // It holds a connection: one that has not ended (every slot below slots_.size() has
    // held one; end() and flush() set the end reason).
    bool live() const { return conn.end_reason == EndReason::none; }
  };
  // Per slot, what tells its connection's timer heap entries from a previous one's
  // without a 32-bit serial in the slot and in every entry: an 8-bit serial, bumped for each
  // connection the slot holds (the heap entries carry it), and the count of the heap's
  // entries naming the slot (stale ones included). A slot whose serial is about to wrap is
  // not reused while it has entries in the heap, so no pending entry ever carries the serial
  // of a later connection of that slot. The count is exact however large it gets: from
  // kCountedAside on (a 4-tuple reused hundreds of times while the ended connections'
  // timers are still pending) it is kept in entries_aside_ instead.
  struct SlotTimers {
    std::uint8_t serial = 0;
    std::uint8_t heap_entries = 0;  // kCountedAside: the count is in entries_aside_
  };
  static constexpr std::uint8_t kCountedAside = 0xFF;
  static constexpr std::uint8_t kLastSerial = 0xFF;
  std::vector<SlotTimers> slot_timers_;
  std::unordered_map<std::uint32_t, std::uint32_t>
      entries_aside_;  // slot -> heap entries, when >= kCountedAside
  static constexpr std::uint32_t kWideSchedule = 0xFFFF'FFFFu;
  // The slot's scheduled time (0: none).
  static std::int64_t scheduled_at(const Slot& s) {
    if (s.scheduled == 0) return 0;
    if (s.scheduled == kWideSchedule) return s.conn.zeek.high_words().rare()->scheduled_timer_ns;
    return s.conn.first_ns() + (std::int64_t{s.scheduled} - 1) * 1000;
  }
  static void set_scheduled_at(Slot& s, std::int64_t at) {
    if (const std::optional<std::uint32_t> us =
            microseconds_after(at, s.conn.first_ns(), kWideSchedule - 2)) {
      s.scheduled = *us + 1;
    } else {
      s.conn.zeek.high_words().rare_for_write().scheduled_timer_ns = at;
      s.scheduled = kWideSchedule;
    }
  }
  // Slots in fixed chunks of kChunk: stable addresses, at most one chunk of slack,
  // no per-slot heap node (std::deque allocates one node per element this large).
  class SlotStore {
   public:
    static constexpr std::uint32_t kChunkBits = 10;
    static constexpr std::uint32_t kChunk = 1u << kChunkBits;
    std::uint32_t size() const { return size_; }
    Slot& operator[](std::uint32_t i) { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
    const Slot& operator[](std::uint32_t i) const { return chunks_[i >> kChunkBits][i & (kChunk - 1)]; }
    std::uint32_t add() {
      if ((size_ & (kChunk - 1)) == 0) chunks_.push_back(std::make_unique<Slot[]>(kChunk));
      return size_++;
    }

   private:
    std::vector<std::unique_ptr<Slot[]>> chunks_;
    std::uint32_t size_ = 0;
  };

  // The flow table's hash of a slot's connection (the table keeps only a few of its bits).
  auto slot_hash() const {
    return [this](std::uint32_t slot) { return flow_hash(slots_[slot].conn.key()); };
  }
  [[gnu::always_inline]] void prefetch_slot(std::uint32_t slot) const {
    prefetch_bytes(&slots_[slot], sizeof(Slot));
  }
  std::uint32_t create(const FourTuple& key, std::uint64_t hash, int side, const decode::TcpFacts& tcp,
                       Timestamp ts, std::uint32_t generation);
  void end(std::uint32_t slot, EndReason why);
  void schedule(std::uint32_t slot);
  void run_timers(std::int64_t now);
  void evict_one();
  // Counts a heap entry pushed for `slot`.
  void entry_pushed(std::uint32_t slot);
  // Takes `e` out of its slot's count; a slot that ended waits for its last entry to be free.
  void entry_popped(const TimerHeap::Entry& e);

  TrackerOptions options_;
  EndedFn on_ended_;
  SegmentFn on_segment_;
  FlowTable table_;
  SlotStore slots_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::vector<SegmentRecord>> timelines_;  // by slot, only with keep_timeline
  TimerHeap heap_;                                     // min-heap on the time, lazily invalidated
  std::uint64_t next_id_ = 1;
  TrackerStats stats_;
  SegmentInference segment_inference_;
};

constexpr std::size_t Tracker::bytes_per_slot() { return sizeof(Slot); }

}  // namespace tcpscope::track
