// The tracker: feed it every decoded packet in capture order; it finds or
// creates the connection (full 4-tuple, IPv4/IPv6, a new generation when a SYN
// reuses the tuple), updates it, runs Zeek's packet-time timers, and hands each
// connection that ends to a callback exactly once (timer, reuse, eviction under
// --max-conns, or the final flush). Memory is bounded by max_conns.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <vector>

#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "track/connection.hpp"
#include "track/flow_table.hpp"

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

  void feed(const Frame& frame, const decode::Packet& packet);
  // Runs the timers up to `now` (live capture without traffic).
  void advance_time(Timestamp now);
  // Ends every remaining connection (end of input, Ctrl-C), in order of creation.
  void flush();

  const TrackerStats& stats() const { return stats_; }
  std::size_t tracked() const { return table_.size(); }

 private:
  struct TimerEntry {
    std::int64_t at;
    std::uint32_t slot;
    std::uint32_t serial;
    bool operator>(const TimerEntry& o) const { return at > o.at; }
  };
  struct Slot {
    Connection conn;
    std::uint64_t hash = 0;
    std::int64_t scheduled_at = 0;  // time of this slot's live heap entry
    std::uint32_t serial = 0;       // bumped on each reuse of the slot
    bool live = false;
  };

  std::uint32_t create(const FourTuple& key, std::uint64_t hash, int side, const decode::TcpFacts& tcp,
                       Timestamp ts, std::uint32_t generation);
  void end(std::uint32_t slot, EndReason why);
  void schedule(std::uint32_t slot);
  void run_timers(std::int64_t now);
  void evict_one();

  TrackerOptions options_;
  EndedFn on_ended_;
  SegmentFn on_segment_;
  FlowTable table_;
  std::deque<Slot> slots_;  // chunked: stable, no doubling slack, no moves when it grows
  std::vector<std::uint32_t> free_slots_;
  std::vector<TimerEntry> heap_;  // min-heap on `at`, lazily invalidated
  std::uint64_t next_id_ = 1;
  TrackerStats stats_;
};

}  // namespace tcpscope::track
