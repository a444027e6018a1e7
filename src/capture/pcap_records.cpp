#include "capture/pcap_records.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tcpscope::capture {
namespace {

// Bytes asked of the kernel at a time. Measured on big.pcap (2 cores, 1 MiB of L2
// each): 256 KiB beat 128 KiB, 512 KiB and 1 MiB, and the mmap window (its page
// faults and unmapping) by 5-7 % of the reading thread's time.
constexpr std::uint64_t kChunkBytes = 256u << 10;
constexpr std::uint64_t kMinStableBytes = 2u << 20;
// stable_bytes() covers at least this many of the largest records, 24 bytes each
// on top (see the header).
constexpr std::uint64_t kMinStableRecords = 8;

}  // namespace

// The ring's size: fill() reads into it at end_ (the reader's position plus less
// than one record) at most max(kChunkBytes, largest record) bytes, and wraps when
// that would pass the ring's end, moving less than one record to the start. So a
// byte at ring position p is overwritten only once the reader, back at the start,
// is near p again: past the rest of the old lap and the start of the new one,
// less the wrap's unused end and the moved tail. The two extra
// max(chunk, largest record) and two largest records cover those. Without
// keep_records only the bytes read at a wrap must fit: the moved tail (less than
// one record) and one read (at most max(chunk, largest record)).
PcapRecordReader::PcapRecordReader(int fd, std::uint64_t first_record, bool swapped, bool nanosecond,
                                   std::uint32_t snaplen, bool keep_records)
    : fd_(fd),
      swapped_(swapped),
      nanosecond_(nanosecond),
      snaplen_(snaplen),
      offset_(first_record),
      largest_record_(kRecordHeaderBytes + snaplen),
      stable_bytes_(keep_records ? std::max(kMinStableBytes, kMinStableRecords * (largest_record_ + 24)) : 0),
      ring_bytes_(keep_records
                      ? stable_bytes_ + 2 * std::max(kChunkBytes, largest_record_) + 2 * largest_record_
                      : largest_record_ + std::max(kChunkBytes, largest_record_)),
      ring_(new std::uint8_t[ring_bytes_]) {}

PcapRecordReader::~PcapRecordReader() = default;

// Reads on until `need` bytes from offset_ are in the ring, or the file (as it is
// now: a file that grows is followed) has no more.
bool PcapRecordReader::fill(std::uint64_t need) {
  for (;;) {
    const std::uint64_t have = end_ - begin_;
    if (have >= need) return true;
    const std::uint64_t room = std::max(kChunkBytes, need - have);
    if (end_ + room > ring_bytes_) {
      std::memmove(ring_.get(), ring_.get() + begin_, have);
      begin_ = 0;
      end_ = have;
    }
    const ssize_t got = pread(fd_, ring_.get() + end_, room, static_cast<off_t>(offset_ + have));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {  // the end of the file as it is now, or an error libpcap will report
      read_failed_ = got < 0;
      return false;
    }
    end_ += static_cast<std::uint64_t>(got);
  }
}

}  // namespace tcpscope::capture
