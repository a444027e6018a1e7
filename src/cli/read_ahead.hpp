// Reading and decoding on a second thread, a few batches ahead of the consumer:
// on two cores the file walk and the decoder run while the printer formats the
// previous batch. Each frame's bytes are copied into its batch (a source's frame
// is valid only until its next read) unless the source keeps them valid long
// enough (the pcap record reader), then decoded; the consumer
// gets the frames in file order with the same end or error the source gave.
// Batches are allocated once: nothing is allocated per packet.
//
// Two optional helpers for a consumer that is the slower side (conns' tracker):
// - with `flow_hashes`, the reading thread also computes each TCP segment's flow
//   hash, which the consumer reads a few packets ahead (hash_ahead()) to prefetch
//   its flow-table slot and connection;
// - with `text_options`, the reading thread also prints each TCP segment's tcpdump
//   text (into an arena per batch), which the consumer reads with text() instead of
//   printing it (explain's tracking thread is the slower side). Only for options
//   whose text depends on the packet alone (-S: no relative-seq state; no -#: the
//   frame number is given on the consumer's side);
// - a SideTask takes work off the consumer (conns renders its rows there): at each
//   batch boundary the consumer may hand work over, which the reading thread does
//   before reading on. Handing over rides on the lock the batch hand-off takes
//   anyway: no extra wake-up.
// Without any of these (the printer, whose consumer is the faster side), the
// decoding is shared: the reading thread walks a batch's records, publishes it, then
// decodes its frames in small claims; a consumer that gets to the batch first
// decodes the frames not yet claimed, waits for the claims in flight, and only then
// reads the batch. Each thread decodes what the other has not got to, so the two
// cores stay busy.
#pragma once
#include <fmt/format.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "capture/source.hpp"
#include "core/frame.hpp"
#include "core/prefetch.hpp"
#include "decode/packet.hpp"
#include "print/print_options.hpp"
#include "print/tcpdump_printer.hpp"
#include "track/tracker.hpp"

namespace tcpscope::cli {

// Work handed from the consumer to the reading thread, in order. hand_over() runs
// on the consumer thread with ReadAhead's lock held, only while no handed work is
// pending; run_handed() runs on the reading thread without the lock. Once the
// reading thread has stopped (the ReadAhead destroyed), the owner finishes what
// is left itself (run_handed() then its own remaining work, on its thread).
class SideTask {
 public:
  virtual ~SideTask() = default;
  // Moves the consumer's new work to the handed side; false when there was none.
  virtual bool hand_over() = 0;
  virtual void run_handed() = 0;
};

class ReadAhead {
 public:
  // Starts the reading thread. `source` must outlive this object and is not to be
  // read by anyone else meanwhile (request_stop() stays allowed).
  // `tcp_facts_only`: the consumer reads only has_tcp, status and tcp of each packet
  // (decode::Packet::tcp_facts_only), and no frame's bytes (of tcp.payload its size
  // only). Without text_options, a frame is then decoded where the source has it and
  // never copied, whatever the source promises: its bytes are read before the next
  // source read only (the source may reuse them; see
  // FrameSource::expect_frames_read_until_next_call).
  ReadAhead(capture::FrameSource& source, bool skip_tcp_checksum, bool flow_hashes = false,
            SideTask* side_task = nullptr, const print::PrintOptions* text_options = nullptr,
            bool tcp_facts_only = false);
  ~ReadAhead();  // stops and joins the thread
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next frame and its decoded packet (valid until the next call), or the
  // source's end/error (source.error() may then be read). The frame's number is
  // its 1-based position among the frames next() returned.
  capture::NextResult next(Frame*& frame, const decode::Packet*& packet);

  // With text_options: the tcpdump text of the packet next() returned last (final
  // newline included; valid until the next call), or "" when it is not a TCP segment
  // with its fixed header (track::has_fixed_tcp_header). Without: always "".
  bool has_text() const { return printer_ != nullptr; }
  std::string_view text() const {
    if (reading_ == nullptr || reading_->text_ends.empty() || next_in_batch_ == 0) return {};
    const std::size_t i = next_in_batch_ - 1;
    const std::size_t begin = i == 0 ? 0 : reading_->text_ends[i - 1];
    return std::string_view(reading_->text.data() + begin, reading_->text_ends[i] - begin);
  }

  // With flow_hashes: the flow hash (track::segment_flow_hash) of the packet
  // `distance` (>= 1) after the one next() returned last, when it is in the same
  // batch and is a TCP segment; 0 otherwise. A hint only: for prefetching.
  // Distance 0: the hash of the packet next() returned last (0 when not TCP).
  std::uint64_t hash_ahead(std::size_t distance) const {
    const std::size_t i = next_in_batch_ - 1 + distance;
    return reading_ != nullptr && i < reading_->count && !reading_->hashes.empty() ? reading_->hashes[i] : 0;
  }
  // The decoded packet `distance` (>= 1) after the one next() returned last, when it
  // is in the same batch; nullptr otherwise. A hint only: for prefetching.
  const decode::Packet* packet_ahead(std::size_t distance) const {
    const std::size_t i = next_in_batch_ - 1 + distance;
    return reading_ != nullptr && i < reading_->count ? &reading_->packets[i] : nullptr;
  }
  // Hints for a tracking consumer (no effect on results). For the packet a few ahead: the
  // cache lines a tracker reads of it (its status and TCP facts, and its frame's time and
  // number), which the reading thread's core wrote.
  [[gnu::always_inline]] void prefetch_tcp_facts_ahead() const {
    const decode::Packet* packet = packet_ahead(kPacketAhead);
    if (packet == nullptr) return;
    const auto* first = reinterpret_cast<const char*>(&packet->status);
    prefetch_bytes(first, static_cast<std::size_t>(reinterpret_cast<const char*>(&packet->tcp + 1) - first));
    __builtin_prefetch(packet->frame);
  }
  // With flow_hashes: the tracker's flow-table bucket of a packet a few ahead, then (closer to
  // its turn, once the bucket is there) its connection.
  [[gnu::always_inline]] void prefetch_flow_ahead(const track::Tracker& tracker) const {
    tracker.prefetch_bucket(hash_ahead(kBucketAhead));
    tracker.prefetch_connection(hash_ahead(kConnectionAhead));
  }

 private:
  static constexpr std::size_t kBatches = 4;
  // How far ahead the hints above reach: the decoded packet, the flow-table bucket, the connection.
  static constexpr std::size_t kPacketAhead = 6;
  static constexpr std::size_t kBucketAhead = 8;
  static constexpr std::size_t kConnectionAhead = 4;
  static constexpr std::size_t kFramesPerBatch = 512;
  // Frames one claim of shared decoding takes: small enough that a consumer waits
  // for the other thread's claim in flight only briefly.
  static constexpr std::uint32_t kDecodeClaim = 16;
  static constexpr std::size_t kArenaBytes = 1 << 20;
  // Source frames are used in place when the source keeps them valid long enough
  // for batches of at least this many frame bytes (see produce()).
  static constexpr std::uint64_t kMinInPlaceBytes = 64 << 10;

  struct Batch {
    std::vector<Frame> frames;
    std::vector<decode::Packet> packets;
    std::vector<std::uint8_t> arena;     // the frames' bytes
    std::vector<std::uint64_t> hashes;   // with flow_hashes: per frame, 0 when not TCP
    fmt::memory_buffer text;             // with text_options: the frames' texts, one after another
    std::vector<std::size_t> text_ends;  // with text_options: per frame, where its text ends
    std::size_t count = 0;
    // What the source said after the last frame of this batch: `frame` when more follow.
    capture::NextResult last = capture::NextResult::frame;
    // With shared decoding: the first frame no thread has claimed yet, and the frames
    // decoded (written with release: the consumer reads the packets once it is count).
    // On their own line: both threads write them while the batch is shared.
    alignas(64) std::atomic<std::uint32_t> decode_claimed{0};
    std::atomic<std::uint32_t> decoded{0};
  };

  void produce();
  // With shared decoding: decodes frames of `batch` not yet claimed, a claim at a time.
  void decode_claims(Batch& batch);
  // Waits until the producer may fill another batch; false when told to stop.
  bool wait_for_free_batch();

  capture::FrameSource& source_;
  SideTask* side_task_;
  bool frames_read_at_decode_only_;                 // tcp_facts_only without text_options
  bool share_decoding_;                             // see the comment at the top
  std::unique_ptr<print::TcpdumpPrinter> printer_;  // with text_options; used on the reading thread
  std::array<Batch, kBatches> batches_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t produced_ = 0;  // batches published so far (guarded by mutex_)
  std::uint64_t consumed_ = 0;  // batches released by the consumer (guarded by mutex_)
  bool stop_ = false;           // guarded by mutex_
  bool side_pending_ = false;   // handed work the reading thread has not done yet (guarded by mutex_)
  // Consumer side only.
  Batch* reading_ = nullptr;
  std::size_t next_in_batch_ = 0;
  std::thread thread_;
};

}  // namespace tcpscope::cli
