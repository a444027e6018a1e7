// The wiring shared by `explain` and `diagram`: packets -> tracker -> Wireshark
// analyzer (its slot kept per connection) + timeline builder (with each segment's
// tcpdump text from the printer) -> a sink called with each connection's timeline when it ends (live:
// as soon as it ends; the rest at the end of input or on Ctrl-C). Reading a
// file on two cores or more, the sink runs on a second thread (the timelines
// are moved there in batches, in order): rendering overlaps tracking.
#pragma once
#include <fmt/format.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include "cli/pipeline.hpp"
#include "print/tcpdump_printer.hpp"
#include "track/timeline.hpp"
#include "track/tracker.hpp"
#include "track/wireshark_analysis.hpp"

namespace tcpscope::cli {

// Calls a sink with finished timelines on its own thread, in the order they were pushed.
// The producer hands them over in batches (one lock per batch, not per connection) and
// waits when kMaxBatches are queued: memory stays bounded.
class TimelineWorker {
 public:
  using Sink = std::function<void(const track::ConnectionTimeline&)>;
  explicit TimelineWorker(Sink& sink);
  ~TimelineWorker();  // finish()es
  TimelineWorker(const TimelineWorker&) = delete;
  TimelineWorker& operator=(const TimelineWorker&) = delete;

  // Takes `timeline`'s contents and leaves in it one the sink is done with (or an empty one),
  // for TimelineBuilder::recycle(): buffers are reused and freed on the producer's thread.
  void push(track::ConnectionTimeline& timeline);
  // Hands over the last batch, waits until the sink has seen every timeline, joins the thread.
  void finish();

 private:
  static constexpr std::size_t kBatchSize = 64;
  static constexpr std::size_t kMaxBatches = 8;
  using Batch = std::vector<track::ConnectionTimeline>;
  void hand_over();
  void run();

  Sink& sink_;
  Batch filling_;  // producer side only
  std::mutex mutex_;
  std::condition_variable changed_;
  Batch rendered_;            // producer side only: timelines the sink is done with, handed back by push()
  std::deque<Batch> queued_;  // guarded by mutex_
  std::vector<Batch> done_with_;  // guarded by mutex_: batches the sink has seen
  bool done_ = false;             // guarded by mutex_: no more batches will come
  std::thread thread_;
};

// Renders finished timelines on several threads and writes the results in the order the
// timelines were pushed: each batch is rendered into a buffer of its own, and whichever thread
// finds the next batch in order ready writes it. Same output as one sink, byte for byte, as long
// as `render` depends only on the timeline and its index. Memory stays bounded: the producer
// waits when kMaxBatches are queued, and no batch is started more than kMaxAhead batches ahead of
// the next one to write.
class OrderedRenderPool {
 public:
  // Appends timeline number `index` (0-based, in push order) to `out`.
  using Render =
      std::function<void(const track::ConnectionTimeline&, std::uint64_t index, fmt::memory_buffer& out)>;
  // Writes rendered output: called in order, by one thread at a time.
  using Write = std::function<void(std::string_view)>;
  OrderedRenderPool(Render render, Write write, unsigned threads);
  ~OrderedRenderPool();  // finish()es
  OrderedRenderPool(const OrderedRenderPool&) = delete;
  OrderedRenderPool& operator=(const OrderedRenderPool&) = delete;

  // As TimelineWorker::push().
  void push(track::ConnectionTimeline& timeline);
  // Hands over the last batch, waits until everything is written, joins the threads.
  void finish();

 private:
  static constexpr std::size_t kBatchSize = 64;
  static constexpr std::size_t kBatchSegments = 2048;  // a batch is handed over at this many segments
  static constexpr std::size_t kMaxBatches = 8;
  static constexpr std::uint64_t kMaxAhead = 4;
  static constexpr std::size_t kMaxKeptText = 4u << 20;  // a larger rendered buffer is freed once written
  // The batch next in order writes its text in pieces of this size as it goes (cache-warm,
  // and a long connection's text is never whole in memory); the others keep theirs until then.
  static constexpr std::size_t kStreamBytes = 64u << 10;
  // A batch's rendered size, guessed from its timelines (their tcpdump texts, plus this much per
  // segment and per connection) to size its buffer once.
  static constexpr std::size_t kRenderedBytesPerSegment = 512;
  static constexpr std::size_t kRenderedBytesPerConnection = 4096;
  // Of the next timeline's segments and of its texts, prefetched while one renders.
  static constexpr std::size_t kPrefetchBytes = 4096;
  struct Batch {
    std::uint64_t seq = 0;          // batches in push order, from 0
    std::uint64_t first_index = 0;  // the index of timelines.front()
    std::vector<track::ConnectionTimeline> timelines;
  };
  struct Rendered {
    std::uint64_t seq = 0;
    fmt::memory_buffer text;
  };
  void hand_over();
  void run();
  // Writes the rendered batches that are next in order, unless another thread does. Lock held.
  void write_ready(std::unique_lock<std::mutex>& lock);

  Render render_;
  Write write_;
  Batch filling_;  // producer side only
  std::size_t filling_segments_ = 0;
  std::uint64_t next_seq_ = 0;                       // producer side only
  std::uint64_t next_index_ = 0;                     // producer side only
  std::vector<track::ConnectionTimeline> rendered_;  // producer side only, as TimelineWorker's

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Batch> queued_;                           // guarded by mutex_
  std::vector<std::unique_ptr<Rendered>> ready_;       // guarded by mutex_: rendered, not yet written
  std::vector<std::unique_ptr<Rendered>> free_texts_;  // guarded by mutex_: buffers to reuse
  std::vector<track::ConnectionTimeline> done_with_;   // guarded by mutex_: rendered timelines
  std::uint64_t next_write_ = 0;                       // guarded by mutex_
  bool writing_ = false;                               // guarded by mutex_: a thread is writing
  bool done_ = false;                                  // guarded by mutex_
  std::vector<std::thread> threads_;
};

class ExplainSession : public PacketConsumer {
 public:
  using Sink = TimelineWorker::Sink;

  // only_conn: 0 for every connection. compact: one-line tcpdump text (no -v).
  ExplainSession(std::uint64_t only_conn, bool compact, bool live, Sink sink);

  void on_packet(const Frame& frame, const decode::Packet& packet) override;
  void flush() override;
  // Every segment's facts and text are copied out of the Frame and Packet during on_packet().
  bool allows_read_ahead() const override { return !live_; }
  // Set by print_text_ahead(): the reading thread prints each segment's text.
  const print::PrintOptions* read_ahead_text_options() const override {
    return text_ahead_ ? &text_options_ : nullptr;
  }
  void on_packet_text(std::string_view text) override { ahead_text_ = text; }
  // The tracker's flow-table bucket and connection a few packets ahead are prefetched (as conns does).
  bool wants_flow_hashes() const override { return true; }
  void on_flow_hashes(const ReadAhead& ahead) override;

  // File input explaining every connection, on two cores or more (and TCPSCOPE_THREADS not 1):
  // each segment's tcpdump text is printed on the pipeline's reading thread (ReadAhead), off
  // the tracking thread. Otherwise (--conn N: most texts would be wasted) nothing changes.
  void print_text_ahead();

  // Calls the sink on a second thread from now on (file input: nothing is shown before the end),
  // unless TCPSCOPE_THREADS=1 or the machine has one core.
  void sink_on_second_thread();

  // File input on two cores or more (and TCPSCOPE_THREADS not 1): renders on two threads in
  // parallel and writes in order, instead of calling the sink (returns true). Otherwise returns
  // false and nothing changes: call sink_on_second_thread() then. `render` and `write` must not
  // touch what the sink touches.
  bool render_on_worker_threads(OrderedRenderPool::Render render, OrderedRenderPool::Write write);

  // Ends every remaining connection (hands them to the sink; waits for the sink's thread).
  // Call once, after the pipeline.
  void finish();
  std::uint64_t connections() const { return tracker_.stats().connections; }
  std::uint64_t connections_seen() const override { return connections(); }  // for the progress line
  std::uint64_t explained() const { return explained_; }

 private:
  void on_segment(const track::Connection& conn, int side, const Frame& frame, const decode::Packet& packet);
  void on_ended(const track::Connection& conn);
  void deliver();  // finished_ to the sink (or its thread)

  track::TimelineBuilder builder_;
  track::WiresharkAnalyzer wireshark_;
  bool segment_analyzed_ = false;  // on_segment() ran the analyzer on the current packet
  print::PrintOptions text_options_;
  print::TcpdumpPrinter printer_;
  fmt::memory_buffer text_;
  bool text_ahead_ = false;       // print_text_ahead() took effect
  std::string_view ahead_text_;   // the current packet's text from the reading thread
  std::uint64_t ahead_hash_ = 0;  // the current packet's flow hash from the reading thread (0: none)
  std::uint64_t only_conn_;
  track::Tracker tracker_;
  track::ConnectionTimeline finished_;
  bool live_;
  Sink sink_;
  std::unique_ptr<TimelineWorker> worker_;  // declared after sink_: destroyed (joined) first
  std::unique_ptr<OrderedRenderPool> pool_;
  std::unordered_set<std::uint64_t>
      done_early_;  // live: explained at their close, before the tracker ended them
  std::uint64_t explained_ = 0;
};

// File input: freed memory stays in the process (malloc neither trims the heap's top nor maps
// large blocks of its own) so that the timelines and rendered texts of later connections reuse
// pages already faulted in instead of having the kernel clear new ones (about a third of the
// tracking thread's time on a large capture went to page faults). Process-wide; call once,
// before any thread starts.
void keep_freed_memory();

// "--conn N is out of range ..." when only_conn was given and not found, else "".
std::string conn_range_error(std::uint64_t only_conn, const ExplainSession& session);

// --color auto|always|never -> whether to colour standard output.
bool use_color(const std::string& mode);

}  // namespace tcpscope::cli
