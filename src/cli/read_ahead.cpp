#include "cli/read_ahead.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "track/tracker.hpp"

namespace tcpscope::cli {
namespace {

// One turn of a short busy wait (the x86 pause hint: lets the sibling hyperthread run).
inline void spin_pause() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

ReadAhead::ReadAhead(capture::FrameSource& source, bool skip_tcp_checksum, bool flow_hashes,
                     SideTask* side_task, const print::PrintOptions* text_options, bool tcp_facts_only)
    : source_(source),
      side_task_(side_task),
      frames_read_at_decode_only_(tcp_facts_only && text_options == nullptr),
      share_decoding_(!frames_read_at_decode_only_ && !flow_hashes && side_task == nullptr &&
                      text_options == nullptr) {
  if (text_options != nullptr) printer_ = std::make_unique<print::TcpdumpPrinter>(*text_options);
  for (Batch& batch : batches_) {
    if (flow_hashes) batch.hashes.resize(kFramesPerBatch);
    if (printer_) batch.text_ends.resize(kFramesPerBatch);
    batch.frames.resize(kFramesPerBatch);
    batch.packets.resize(kFramesPerBatch);
    for (decode::Packet& packet : batch.packets) {
      packet.skip_tcp_checksum = skip_tcp_checksum;
      packet.tcp_facts_only = tcp_facts_only;
    }
    batch.arena.resize(kArenaBytes);
  }
  thread_ = std::thread([this] { produce(); });
}

ReadAhead::~ReadAhead() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

bool ReadAhead::wait_for_free_batch() {
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return stop_ || side_pending_ || produced_ - consumed_ < kBatches; });
    if (stop_) return false;
    if (!side_pending_) return true;
    lock.unlock();
    side_task_->run_handed();
    lock.lock();
    side_pending_ = false;
  }
}

void ReadAhead::produce() {
  Frame frame;
  bool pending = false;  // `frame` was read but did not fit in the previous batch
  std::uint64_t frames_read = 0;
  for (;;) {
    if (!wait_for_free_batch()) return;
    Batch& batch = batches_[produced_ % kBatches];  // produced_ changes only on this thread
    batch.count = 0;
    batch.last = capture::NextResult::frame;
    batch.text.clear();
    std::size_t used = 0;
    while (batch.count < kFramesPerBatch) {
      // The source writes straight into the batch's frame: a copy of a frame it has just
      // written would load the fields wider than they were stored, which cannot be
      // forwarded from the stores and waits for them (a stall on every frame).
      Frame& in_batch = batch.frames[batch.count];
      if (pending) {
        in_batch = frame;
        pending = false;
      } else {
        const capture::NextResult result = source_.next(in_batch);
        if (result != capture::NextResult::frame) {
          batch.last = result;
          break;
        }
      }
      const std::size_t size = in_batch.data.size();
      // Frames the source keeps valid long enough are used in place: the batches in
      // flight (at most kBatches) then span at most that many bytes of the file:
      // frame bytes up to in_place_bytes each, and record headers (24 bytes at most
      // per frame). Asked for each frame: a source may stop promising (the record
      // reader handing over to libpcap). A larger frame is copied (the record
      // reader's promise covers its largest record: none is). A frame whose bytes
      // are read here only (decoded before the next source read) is used in place.
      const std::uint64_t per_batch = source_.frame_stays_valid_for_bytes() / kBatches;
      const std::uint64_t in_place_bytes =
          frames_read_at_decode_only_                            ? std::numeric_limits<std::uint64_t>::max()
          : per_batch >= kMinInPlaceBytes + kFramesPerBatch * 24 ? per_batch - kFramesPerBatch * 24
                                                                 : 0;
      const bool in_place = size <= in_place_bytes;
      if (in_place ? used + size > in_place_bytes : size > batch.arena.size() - used) {
        if (batch.count != 0) {  // next batch
          frame = in_batch;
          pending = true;
          break;
        }
        batch.arena.resize(size);  // a frame larger than the arena (huge snaplens only)
      }
      in_batch.number = ++frames_read;  // the consumer need not write into the batch
      if (!in_place) {
        if (size != 0) std::memcpy(batch.arena.data() + used, in_batch.data.data(), size);
        in_batch.data = ByteView(batch.arena.data() + used, size);
      }
      used += size;
      ++batch.count;
      if (share_decoding_) continue;  // decoded once the batch is published
      decode::decode(in_batch, batch.packets[batch.count - 1]);
      const decode::Packet& packet = batch.packets[batch.count - 1];
      if (!batch.hashes.empty()) batch.hashes[batch.count - 1] = track::segment_flow_hash(packet);
      if (printer_) {
        if (track::has_fixed_tcp_header(packet)) printer_->print(in_batch, packet, batch.text);
        batch.text_ends[batch.count - 1] = batch.text.size();
      }
    }
    if (share_decoding_) {  // (published by the lock below)
      batch.decode_claimed.store(0, std::memory_order_relaxed);
      batch.decoded.store(0, std::memory_order_relaxed);
    }
    {
      std::lock_guard lock(mutex_);
      ++produced_;
    }
    changed_.notify_all();
    if (share_decoding_) decode_claims(batch);  // (the consumer may be taking claims of it too)
    if (batch.last != capture::NextResult::frame) return;
  }
}

void ReadAhead::decode_claims(Batch& batch) {
  const auto count = static_cast<std::uint32_t>(batch.count);
  for (;;) {
    const std::uint32_t first = batch.decode_claimed.fetch_add(kDecodeClaim, std::memory_order_relaxed);
    if (first >= count) return;
    const std::uint32_t end = std::min(first + kDecodeClaim, count);
    for (std::uint32_t i = first; i < end; ++i) decode::decode(batch.frames[i], batch.packets[i]);
    batch.decoded.fetch_add(end - first, std::memory_order_release);
  }
}

capture::NextResult ReadAhead::next(Frame*& frame, const decode::Packet*& packet) {
  for (;;) {
    if (reading_ != nullptr) {
      if (next_in_batch_ < reading_->count) {
        frame = &reading_->frames[next_in_batch_];
        packet = &reading_->packets[next_in_batch_];
        ++next_in_batch_;
        return capture::NextResult::frame;
      }
      if (reading_->last != capture::NextResult::frame) return reading_->last;
      // A reading thread waiting for a free batch is woken once half of them are
      // free, not at every batch: it then fills them in one go (one wake-up, a
      // system call on each side, per kBatches / 2 batches). Handed work rides on
      // the same wake-ups.
      bool wake = false;
      {
        std::lock_guard lock(mutex_);
        ++consumed_;
        wake = produced_ - consumed_ <= kBatches / 2;
        if (wake && side_task_ != nullptr && !side_pending_) side_pending_ = side_task_->hand_over();
      }
      if (wake) changed_.notify_all();
      reading_ = nullptr;
    }
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return produced_ > consumed_; });
    reading_ = &batches_[consumed_ % kBatches];
    next_in_batch_ = 0;
    lock.unlock();
    if (share_decoding_) {
      decode_claims(*reading_);
      // The other thread's claims in flight: a few frames' decoding at most.
      for (unsigned spins = 0; reading_->decoded.load(std::memory_order_acquire) != reading_->count;
           ++spins) {
        if (spins < 64)
          spin_pause();
        else
          std::this_thread::yield();
      }
    }
  }
}

}  // namespace tcpscope::cli
