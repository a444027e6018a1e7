// Reading and decoding on a second thread, a few batches ahead of the consumer:
// on two cores the file walk and the decoder run while the printer formats the
// previous batch. Each frame's bytes are copied into its batch (a source's frame
// is valid only until its next read) unless the source keeps them valid long
// enough (the mapped pcap reader), then decoded; the consumer
// gets the frames in file order with the same end or error the source gave.
// Batches are allocated once: nothing is allocated per packet.
#pragma once
#include <array>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "capture/source.hpp"
#include "core/frame.hpp"
#include "decode/packet.hpp"

namespace tcpscope::cli {

class ReadAhead {
 public:
  // Starts the reading thread. `source` must outlive this object and is not to be
  // read by anyone else meanwhile (request_stop() stays allowed).
  ReadAhead(capture::FrameSource& source, bool skip_tcp_checksum);
  ~ReadAhead();  // stops and joins the thread
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next frame and its decoded packet (valid until the next call), or the
  // source's end/error (source.error() may then be read).
  capture::NextResult next(Frame*& frame, const decode::Packet*& packet);

 private:
  static constexpr std::size_t kBatches = 4;
  static constexpr std::size_t kFramesPerBatch = 512;
  static constexpr std::size_t kArenaBytes = 1 << 20;
  // A source frame may be used in place when it stays valid this long: the batches
  // in flight (at most kBatches) hold at most kArenaBytes of frame bytes each, plus
  // their record headers (24 bytes at most per frame).
  static constexpr std::uint64_t kStableBytesNeeded = kBatches * (kArenaBytes + kFramesPerBatch * 24);

  struct Batch {
    std::vector<Frame> frames;
    std::vector<decode::Packet> packets;
    std::vector<std::uint8_t> arena;  // the frames' bytes
    std::size_t count = 0;
    // What the source said after the last frame of this batch: `frame` when more follow.
    capture::NextResult last = capture::NextResult::frame;
  };

  void produce();
  // Waits until the producer may fill another batch; false when told to stop.
  bool wait_for_free_batch();

  capture::FrameSource& source_;
  std::array<Batch, kBatches> batches_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::uint64_t produced_ = 0;  // batches published so far (guarded by mutex_)
  std::uint64_t consumed_ = 0;  // batches released by the consumer (guarded by mutex_)
  bool stop_ = false;           // guarded by mutex_
  // Consumer side only.
  Batch* reading_ = nullptr;
  std::size_t next_in_batch_ = 0;
  std::thread thread_;
};

}  // namespace tcpscope::cli
