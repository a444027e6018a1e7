#include "cli/explain_session.hpp"

#include <malloc.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "cli/read_ahead.hpp"
#include "core/prefetch.hpp"

namespace tcpscope::cli {
namespace {

// keep_freed_memory(): the main heap's growth made at once (address space; big.pcap's explain
// peaks at ~330 MiB in all), and glibc's default M_MMAP_MAX, restored after it.
constexpr std::size_t kHeapAhead = 512u << 20;
constexpr int kDefaultMmapMax = 65536;

print::PrintOptions printer_options(bool compact) {
  print::PrintOptions o;
  o.numeric = 2;                // -nn
  o.absolute_seq = true;        // -S
  o.verbose = compact ? 0 : 3;  // -vvv (two lines), or one line each
  return o;
}

track::TrackerOptions tracker_options() {
  track::TrackerOptions o;
  o.keep_timeline = false;  // the builder keeps its own, only for the connections explained
  return o;
}

}  // namespace

TimelineWorker::TimelineWorker(Sink& sink) : sink_(sink) {
  filling_.reserve(kBatchSize);
  thread_ = std::thread([this] { run(); });
}

TimelineWorker::~TimelineWorker() { finish(); }

void TimelineWorker::push(track::ConnectionTimeline& timeline) {
  filling_.push_back(std::move(timeline));
  if (rendered_.empty()) {
    timeline = track::ConnectionTimeline();
  } else {
    timeline = std::move(rendered_.back());
    rendered_.pop_back();
  }
  if (filling_.size() >= kBatchSize) hand_over();
}

void TimelineWorker::hand_over() {
  if (filling_.empty()) return;
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queued_.size() < kMaxBatches; });
    queued_.push_back(std::move(filling_));
    for (Batch& batch : done_with_)
      for (track::ConnectionTimeline& timeline : batch) rendered_.push_back(std::move(timeline));
    done_with_.clear();
  }
  changed_.notify_all();
  filling_ = Batch();
  filling_.reserve(kBatchSize);
}

void TimelineWorker::finish() {
  if (!thread_.joinable()) return;
  hand_over();
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void TimelineWorker::run() {
  for (;;) {
    Batch batch;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return done_ || !queued_.empty(); });
      if (queued_.empty()) return;  // done_
      batch = std::move(queued_.front());
      queued_.pop_front();
    }
    changed_.notify_all();
    for (const track::ConnectionTimeline& timeline : batch) sink_(timeline);
    std::lock_guard lock(mutex_);  // back to the producer (at most the batches in flight)
    done_with_.push_back(std::move(batch));
  }
}

OrderedRenderPool::OrderedRenderPool(Render render, Write write, unsigned threads)
    : render_(std::move(render)), write_(std::move(write)) {
  filling_.timelines.reserve(kBatchSize);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

OrderedRenderPool::~OrderedRenderPool() { finish(); }

void OrderedRenderPool::push(track::ConnectionTimeline& timeline) {
  filling_segments_ += timeline.segments.size();
  filling_.timelines.push_back(std::move(timeline));
  if (rendered_.empty()) {
    timeline = track::ConnectionTimeline();
  } else {
    timeline = std::move(rendered_.back());
    rendered_.pop_back();
  }
  if (filling_.timelines.size() >= kBatchSize || filling_segments_ >= kBatchSegments) hand_over();
}

void OrderedRenderPool::hand_over() {
  if (filling_.timelines.empty()) return;
  filling_.seq = next_seq_++;
  filling_.first_index = next_index_;
  next_index_ += filling_.timelines.size();
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return queued_.size() < kMaxBatches; });
    queued_.push_back(std::move(filling_));
    for (track::ConnectionTimeline& timeline : done_with_) rendered_.push_back(std::move(timeline));
    done_with_.clear();
  }
  changed_.notify_all();
  filling_ = Batch();
  filling_.timelines.reserve(kBatchSize);
  filling_segments_ = 0;
}

void OrderedRenderPool::finish() {
  if (threads_.empty()) return;
  hand_over();
  {
    std::lock_guard lock(mutex_);
    done_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

void OrderedRenderPool::write_ready(std::unique_lock<std::mutex>& lock) {
  if (writing_) return;  // that thread writes ours too when it is next
  writing_ = true;
  for (;;) {
    auto next = std::find_if(ready_.begin(), ready_.end(),
                             [this](const std::unique_ptr<Rendered>& r) { return r->seq == next_write_; });
    if (next == ready_.end()) break;
    std::unique_ptr<Rendered> rendered = std::move(*next);
    ready_.erase(next);
    lock.unlock();
    write_(std::string_view(rendered->text.data(), rendered->text.size()));
    rendered->text.clear();
    lock.lock();
    // A long connection's text (tens of MB) is not kept for the batches of short ones after it.
    if (rendered->text.capacity() <= kMaxKeptText) free_texts_.push_back(std::move(rendered));
    ++next_write_;
  }
  writing_ = false;
  changed_.notify_all();
}

void OrderedRenderPool::run() {
  for (;;) {
    Batch batch;
    std::unique_ptr<Rendered> rendered;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] {
        return (!queued_.empty() && queued_.front().seq < next_write_ + kMaxAhead) ||
               (done_ && queued_.empty());
      });
      if (queued_.empty()) return;  // done_
      batch = std::move(queued_.front());
      queued_.pop_front();
      if (free_texts_.empty()) {
        rendered = std::make_unique<Rendered>();
      } else {
        rendered = std::move(free_texts_.back());
        free_texts_.pop_back();
      }
    }
    changed_.notify_all();
    rendered->seq = batch.seq;
    // Room for the whole batch up front: a long connection's text (tens of MB) is not copied
    // again and again as the buffer grows (a reserve on the empty buffer copies nothing).
    std::size_t estimate = 0;
    for (const track::ConnectionTimeline& timeline : batch.timelines)
      estimate += kRenderedBytesPerConnection + timeline.text_bytes() +
                  timeline.segments.size() * kRenderedBytesPerSegment;
    if (rendered->text.capacity() < estimate) rendered->text.reserve(estimate);
    std::uint64_t index = batch.first_index;
    bool next_in_order = false;  // every earlier batch is written: this one may stream out
    for (std::size_t i = 0; i < batch.timelines.size(); ++i) {
      // The next timeline's first segments and texts, last written on the tracking thread, are
      // asked for while this one renders (a short connection's fit in these few kilobytes).
      if (i + 1 < batch.timelines.size()) {
        const track::ConnectionTimeline& next = batch.timelines[i + 1];
        if (!next.segments.empty())  // within the first chunk: contiguous
          prefetch_bytes(&next.segments[0],
                         std::min(next.segments.size() * sizeof(track::TimelineSegment), kPrefetchBytes));
        prefetch_bytes(next.texts.data(), std::min(next.texts.size(), kPrefetchBytes));
      }
      render_(batch.timelines[i], index++, rendered->text);
      if (rendered->text.size() < kStreamBytes) continue;
      if (!next_in_order) {
        std::lock_guard lock(mutex_);
        next_in_order = next_write_ == batch.seq;
      }
      if (next_in_order) {  // no other thread writes until this batch is in ready_
        write_(std::string_view(rendered->text.data(), rendered->text.size()));
        rendered->text.clear();
      }
    }
    std::unique_lock lock(mutex_);
    ready_.push_back(std::move(rendered));
    for (track::ConnectionTimeline& timeline : batch.timelines) done_with_.push_back(std::move(timeline));
    write_ready(lock);
  }
}

ExplainSession::ExplainSession(std::uint64_t only_conn, bool compact, bool live, Sink sink)
    : builder_(only_conn),
      text_options_(printer_options(compact)),
      printer_(text_options_),
      only_conn_(only_conn),
      tracker_(tracker_options(), [this](const track::Connection& c) { on_ended(c); }),
      live_(live),
      sink_(std::move(sink)) {
  tracker_.set_segment_observer([this](const track::Connection& c, int side, const Frame& f,
                                       const decode::Packet& p) { on_segment(c, side, f, p); });
}

void ExplainSession::on_flow_hashes(const ReadAhead& ahead) {
  ahead_hash_ = ahead.hash_ahead(0);
  ahead.prefetch_flow_ahead(tracker_);
}

void ExplainSession::on_packet(const Frame& frame, const decode::Packet& packet) {
  // The analyzer sees every TCP segment in capture order: those the tracker hands to
  // on_segment() are analyzed there (with the connection's slot hint), the others here.
  segment_analyzed_ = false;
  // The timeline builder copies the payload's first bytes and the segment's text, both last
  // touched on the reading thread: asking for them now overlaps the misses with the tracker's work.
  if (packet.has_tcp && !packet.tcp.payload.empty()) __builtin_prefetch(packet.tcp.payload.data());
  prefetch_bytes(ahead_text_.data(), ahead_text_.size());
  tracker_.feed(frame, packet, ahead_hash_);
  ahead_hash_ = 0;
  if (!segment_analyzed_ && packet.has_tcp) wireshark_.analyze(frame, packet);
}

void ExplainSession::on_segment(const track::Connection& conn, int side, const Frame& frame,
                                const decode::Packet& packet) {
  segment_analyzed_ = true;
  if (!builder_.wants(conn.id()) || (live_ && done_early_.count(conn.id()) != 0)) {
    wireshark_.analyze(frame, packet);
    return;
  }
  std::string_view text = ahead_text_;
  if (!text_ahead_ || text.empty()) {
    text_.clear();
    printer_.print(frame, packet, text_);
    text = std::string_view(text_.data(), text_.size());
  }
  builder_.on_segment(conn, side, frame, packet, wireshark_, tracker_.segment_inference(), text);
  // Live: explain a connection as soon as both ends have closed, not after Zeek's close delay.
  if (live_ && builder_.closed(conn.id()) && builder_.finish(conn, finished_)) {
    done_early_.insert(conn.id());
    ++explained_;
    deliver();
  }
}

void ExplainSession::on_ended(const track::Connection& conn) {
  if (live_ && done_early_.erase(conn.id()) != 0)
    return;  // late repeats (a retransmitted FIN) are not explained again
  if (!builder_.finish(conn, finished_)) return;
  ++explained_;
  deliver();
}

void ExplainSession::deliver() {
  if (pool_)
    pool_->push(finished_);
  else if (worker_)
    worker_->push(finished_);  // finished_ now holds a timeline the sink is done with, or none
  else
    sink_(finished_);
  builder_.recycle(finished_);
}

namespace {

bool one_thread() {
  if (const char* threads = std::getenv("TCPSCOPE_THREADS");
      threads != nullptr && std::strcmp(threads, "1") == 0)
    return true;
  return std::thread::hardware_concurrency() < 2;
}

}  // namespace

void ExplainSession::print_text_ahead() { text_ahead_ = !live_ && only_conn_ == 0 && !one_thread(); }

void ExplainSession::sink_on_second_thread() {
  if (worker_ || pool_ || live_ || one_thread()) return;
  worker_ = std::make_unique<TimelineWorker>(sink_);
}

bool ExplainSession::render_on_worker_threads(OrderedRenderPool::Render render,
                                              OrderedRenderPool::Write write) {
  if (worker_ || live_ || one_thread()) return false;
  if (!pool_) pool_ = std::make_unique<OrderedRenderPool>(std::move(render), std::move(write), 2);
  return true;
}

void ExplainSession::flush() {
  if (!live_) return;
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  tracker_.advance_time(Timestamp{now.tv_sec, now.tv_nsec});
}

void ExplainSession::finish() {
  tracker_.flush();
  if (pool_) pool_->finish();
  if (worker_) worker_->finish();
}

void keep_freed_memory() {
#if defined(__SANITIZE_ADDRESS__)
  return;  // AddressSanitizer's allocator replaces glibc's: no heap to grow or keep
#endif
  // 32 MiB: the largest mmap threshold glibc accepts; setting it also stops glibc's dynamic
  // adjustment of both thresholds.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  // The main heap (the tracking thread's: its timelines) grown ahead in one step and marked for
  // transparent huge pages: its first touches then fault 2 MiB at a time instead of 4 KiB (a
  // page fault costs microseconds in a virtual machine; they were a sixth of the tracking
  // thread's time on big.pcap). Only address space is taken: pages come as they are touched,
  // and the block, freed at once, stays the heap's top (the trim threshold above).
  constexpr std::size_t kHugePage = 2u << 20;
  mallopt(M_MMAP_MAX, 0);  // this block from the heap, not a mapping of its own
  void* block = std::malloc(kHeapAhead);
  mallopt(M_MMAP_MAX, kDefaultMmapMax);
  if (block == nullptr) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(block) + kHugePage - 1) & ~(kHugePage - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(block) + kHeapAhead) & ~(kHugePage - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);  // advice only
  std::free(block);
}

std::string conn_range_error(std::uint64_t only_conn, const ExplainSession& session) {
  if (only_conn == 0 || session.explained() > 0) return {};
  const std::uint64_t n = session.connections();
  if (n == 0) return fmt::format("--conn {} is out of range: the input has no TCP connection", only_conn);
  return fmt::format("--conn {} is out of range: valid connections are 1 to {}", only_conn, n);
}

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  return isatty(fileno(stdout)) != 0;
}

}  // namespace tcpscope::cli
