// The records of a classic pcap file, read with pread() in chunks of a few hundred
// KiB into a ring buffer and handed out in place: no copy into stdio's buffer and
// then into libpcap's, no page-table work per page of the file, and each chunk is
// still in this core's cache when the records in it are decoded. (An mmap window,
// this reader's predecessor for print and explain, touches only the lines it reads,
// but each of them is a miss the hardware prefetcher does not cover, on top of the
// window's population and unmapping: see docs/performance-history.md, "read13".)
// Only the ordinary case is handled here: a complete record whose captured length
// is within the snapshot length. At anything else (a truncated or oversized record,
// a failed read) the reader stops and says where, and the caller hands that record
// and everything after it to libpcap, so errors and their text are libpcap's own.
//
// The ring is a few MiB, so memory stays flat whatever the file size. A record's
// bytes stay valid until the reader has moved stable_bytes() past it (a reading
// thread can hand records to another one without copying them: print, explain), or,
// for a caller that reads them only until its next call (conns: keep_records
// false), in a ring of one read and one largest record (512 KiB at a 262,144-byte
// snaplen) that stays in the core's cache. A file that grows while it is read
// (another process's -w) is followed: at the end of what was read, the next read
// sees the new bytes, as libpcap's next fread() would. A file cut short by another
// process while read: the records read before are handed out as they were, and at
// the first one the file no longer holds libpcap takes over, which then sees the
// shorter file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>

namespace tcpscope::capture {

struct PcapRecord {
  std::int64_t sec = 0;
  std::int64_t nsec = 0;  // nanoseconds, scaled up from microseconds as libpcap does
  std::uint32_t caplen = 0;
  std::uint32_t wire_len = 0;
  const std::uint8_t* data = nullptr;  // valid until the reader is stable_bytes() past it
};

// A classic pcap record header: time stamp (2 x 32 bits), captured and wire lengths.
inline constexpr std::uint64_t kRecordHeaderBytes = 16;

// A 32-bit header field in the file's byte order.
inline std::uint32_t load_record_field(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

// Fills `record` from the header at `h`, the captured bytes following it, as libpcap
// does: its pcap_timeval holds signed 32-bit fields; microseconds are scaled up in 64
// bits, so a damaged sub-second value stays as it is, only scaled.
inline void decode_record_header(const std::uint8_t* h, std::uint32_t caplen, bool swapped, bool nanosecond,
                                 PcapRecord& record) {
  record.sec = static_cast<std::int32_t>(load_record_field(h, swapped));
  const std::int64_t subsec = static_cast<std::int32_t>(load_record_field(h + 4, swapped));
  record.nsec = nanosecond ? subsec : subsec * 1000;
  record.caplen = caplen;
  record.wire_len = load_record_field(h + 12, swapped);
  record.data = h + kRecordHeaderBytes;
}

// What the record reader's next() found.
enum class RecordStep : std::uint8_t {
  record,  // `record` holds the next record
  end,     // clean end of file: no byte after the last record
  defer,   // not the ordinary case: libpcap must read from offset() on
};

class PcapRecordReader {
 public:
  using Step = RecordStep;

  // `fd` stays owned by the caller and open while this reader is used.
  // `first_record` is the offset just after the file header.
  // `keep_records` false: the caller reads a record's bytes only until its next call
  // of next() (stable_bytes() is then 0). The ring is then one chunk and one largest
  // record, small enough to stay in this core's cache: the kernel's copy writes
  // into lines already there instead of taking a few MiB of fresh lines a lap.
  PcapRecordReader(int fd, std::uint64_t first_record, bool swapped, bool nanosecond, std::uint32_t snaplen,
                   bool keep_records = true);
  ~PcapRecordReader();
  PcapRecordReader(const PcapRecordReader&) = delete;
  PcapRecordReader& operator=(const PcapRecordReader&) = delete;

  // How far past a record's start the reader may move before its bytes go away:
  // at least 2 MiB, and at least 8 of the largest records the snaplen allows (with
  // 24 bytes each on top): ReadAhead's batches in flight then hold any record in place.
  // 0 without keep_records: until the next call of next() only.
  std::uint64_t stable_bytes() const { return stable_bytes_; }

  // (Inline: the caller then keeps the record in registers; filled through memory by a
  // call, the caller's wider loads of its fields cannot be forwarded from the narrower
  // stores and wait for them.)
  Step next(PcapRecord& record);
  // Offset of the next record not yet handed out (where libpcap resumes after `defer`).
  std::uint64_t offset() const { return offset_; }

 private:
  bool fill(std::uint64_t need);

  int fd_;
  bool swapped_;
  bool nanosecond_;
  std::uint32_t snaplen_;
  std::uint64_t offset_;          // file offset of ring_[begin_]
  std::uint64_t largest_record_;  // header and snaplen
  std::uint64_t stable_bytes_;
  std::uint64_t ring_bytes_;
  std::unique_ptr<std::uint8_t[]> ring_;  // not zeroed: only bytes read are handed out
  std::uint64_t begin_ = 0;               // the next record not handed out
  std::uint64_t end_ = 0;                 // the end of the bytes read
  bool read_failed_ = false;              // the last read failed (libpcap reports the error)
};

inline PcapRecordReader::Step PcapRecordReader::next(PcapRecord& record) {
  if (end_ - begin_ < kRecordHeaderBytes && !fill(kRecordHeaderBytes))
    return end_ == begin_ && !read_failed_ ? Step::end : Step::defer;  // nothing more, or a cut header
  const std::uint8_t* h = ring_.get() + begin_;
  const std::uint32_t caplen = load_record_field(h + 8, swapped_);
  if (caplen > snaplen_) return Step::defer;  // libpcap cuts it to the snaplen, or rejects it
  const std::uint64_t size = kRecordHeaderBytes + caplen;
  if (end_ - begin_ < size) {
    if (!fill(size)) return Step::defer;  // a cut record
    h = ring_.get() + begin_;
  }
  decode_record_header(h, caplen, swapped_, nanosecond_, record);
  begin_ += size;
  offset_ += size;
  return Step::record;
}

}  // namespace tcpscope::capture
