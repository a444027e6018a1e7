// The records of a classic pcap file read through a sliding read-only mmap window
// (for consumers that read the record bytes on another core: print, explain; conns
// reads through PcapRecordReader):
// no copy from the page cache into stdio's buffer and then into libpcap's, and
// the record bytes handed out in place. Only the ordinary case is handled here:
// a complete record whose captured length is within the snapshot length. At
// anything else (a truncated or oversized record, a damaged header, a failed
// mapping) the reader stops and says where, and the caller hands that record
// and everything after it to libpcap, so errors and their text are libpcap's own.
//
// The window is a few MiB, so memory stays flat whatever the file size. A window
// left behind is unmapped only once the reader is kStableBytes past its end, so a
// record's bytes stay valid until the reader has moved that far past it (a reading
// thread can hand records to another one without copying them). A file
// that grows while it is read (another process's -w) is followed: at the end of
// what was known, the size is looked up again, as libpcap's next fread() would
// see the new bytes. A file cut short by another process while mapped would raise
// SIGBUS on the vanished pages: a handler puts zero pages there instead and every
// mapped reader hands over to libpcap at its next record, which then sees the
// shorter file (records already handed out may read zeros where the file went).
#pragma once
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "capture/pcap_records.hpp"

namespace tcpscope::capture {

// Its `data` is valid until the reader is kStableBytes past it.
using MappedRecord = PcapRecord;

class MappedPcapRecords {
 public:
  using Step = RecordStep;

  // `fd` stays owned by the caller and open while this reader is used.
  // `first_record` is the offset just after the file header.
  MappedPcapRecords(int fd, std::uint64_t first_record, bool swapped, bool nanosecond, std::uint32_t snaplen);
  ~MappedPcapRecords();
  MappedPcapRecords(const MappedPcapRecords&) = delete;
  MappedPcapRecords& operator=(const MappedPcapRecords&) = delete;

  // How far past a record's start the reader may move before its bytes go away.
  static constexpr std::uint64_t kStableBytes = 6u << 20;
  std::uint64_t stable_bytes() const { return kStableBytes; }

  Step next(MappedRecord& record);
  // True once a page of this reader's mapping vanished (the file was cut short).
  bool file_shrank() const { return file_shrank_.load(std::memory_order_relaxed); }
  // Offset of the next record not yet handed out (where libpcap resumes after `defer`).
  std::uint64_t offset() const { return offset_; }

 private:
  bool covers(std::uint64_t from, std::uint64_t to) const {
    return from >= map_offset_ && to <= map_offset_ + map_len_;
  }
  bool map_from(std::uint64_t from, std::uint64_t to);
  bool refresh_size();
  void unmap();
  static void release(const std::uint8_t* map, std::uint64_t len);

  int fd_;
  bool swapped_;
  bool nanosecond_;
  std::uint32_t snaplen_;
  std::uint64_t offset_;
  std::uint64_t file_size_ = 0;
  const std::uint8_t* map_ = nullptr;
  std::uint64_t map_offset_ = 0;
  std::uint64_t map_len_ = 0;
  struct Retired {  // a window left behind, unmapped once kStableBytes behind the reader
    const std::uint8_t* map = nullptr;
    std::uint64_t offset = 0;
    std::uint64_t len = 0;
  };
  std::array<Retired, 4> retired_{};
  std::uint64_t window_len_;
  std::atomic<bool> file_shrank_{false};  // set by the SIGBUS handler (see the .cpp)
};

}  // namespace tcpscope::capture
