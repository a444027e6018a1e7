#include "capture/mapped_pcap.hpp"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

namespace tcpscope::capture {
namespace {

constexpr std::uint64_t kRecordHeaderBytes = 16;
// Mapped (and populated) at once; a record never needs more than one remap.
constexpr std::uint64_t kWindowBytes = 4u << 20;

std::uint32_t load32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return swapped ? __builtin_bswap32(v) : v;
}

}  // namespace

MappedPcapRecords::MappedPcapRecords(int fd, std::uint64_t first_record, bool swapped, bool nanosecond,
                                     std::uint32_t snaplen)
    : fd_(fd),
      swapped_(swapped),
      nanosecond_(nanosecond),
      snaplen_(snaplen),
      offset_(first_record),
      window_len_(kWindowBytes + kRecordHeaderBytes + snaplen) {
  refresh_size();
}

MappedPcapRecords::~MappedPcapRecords() { unmap(); }

void MappedPcapRecords::unmap() {
  for (Retired& r : retired_) {
    if (r.map != nullptr) munmap(const_cast<std::uint8_t*>(r.map), r.len);
    r = Retired{};
  }
  if (map_ != nullptr) munmap(const_cast<std::uint8_t*>(map_), map_len_);
  map_ = nullptr;
  map_len_ = 0;
}

bool MappedPcapRecords::refresh_size() {
  struct stat st {};
  if (fstat(fd_, &st) != 0 || st.st_size < 0) return false;
  file_size_ = static_cast<std::uint64_t>(st.st_size);
  return true;
}

// Maps a window starting at the page holding `from` and reaching at least `to`
// (which is within the file).
// The current window is retired, not unmapped: windows whose end is kStableBytes
// or more behind `from` are unmapped. With no free slot (a file growing by small
// steps), nothing is mapped and the caller defers to libpcap.
bool MappedPcapRecords::map_from(std::uint64_t from, std::uint64_t to) {
  Retired* free_slot = nullptr;
  for (Retired& r : retired_) {
    if (r.map != nullptr && r.offset + r.len + kStableBytes <= from) {
      munmap(const_cast<std::uint8_t*>(r.map), r.len);
      r = Retired{};
    }
    if (r.map == nullptr) free_slot = &r;
  }
  if (map_ != nullptr) {
    if (free_slot == nullptr) return false;
    *free_slot = Retired{map_, map_offset_, map_len_};
    map_ = nullptr;
    map_len_ = 0;
  }
  const std::uint64_t page = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));
  const std::uint64_t start = from & ~(page - 1);
  std::uint64_t len = window_len_ + (from - start);
  if (start + len > file_size_) len = file_size_ - start;
  if (to > start + len) return false;
  void* p = mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd_, static_cast<off_t>(start));
  if (p == MAP_FAILED) return false;
  map_ = static_cast<const std::uint8_t*>(p);
  map_offset_ = start;
  map_len_ = len;
  return true;
}

MappedPcapRecords::Step MappedPcapRecords::next(MappedRecord& record) {
  const std::uint64_t at = offset_;
  if (at + kRecordHeaderBytes > file_size_) {
    // The end of what was known: has the file grown since (another process's -w)?
    if (!refresh_size()) return Step::defer;
    if (at == file_size_) return Step::end;
    if (at + kRecordHeaderBytes > file_size_) return Step::defer;  // a cut record header
  }
  if (!covers(at, at + kRecordHeaderBytes) && !map_from(at, at + kRecordHeaderBytes)) return Step::defer;
  const std::uint8_t* h = map_ + (at - map_offset_);
  const std::uint32_t caplen = load32(h + 8, swapped_);
  if (caplen > snaplen_) return Step::defer;  // libpcap cuts it to the snaplen, or rejects it
  const std::uint64_t end = at + kRecordHeaderBytes + caplen;
  if (end > file_size_ && (!refresh_size() || end > file_size_)) return Step::defer;  // a cut record
  if (!covers(at, end)) {
    if (!map_from(at, end)) return Step::defer;
    h = map_ + (at - map_offset_);
  }
  // libpcap's pcap_timeval holds signed 32-bit fields; microseconds are scaled
  // up in 64 bits, so a damaged sub-second value stays as it is, only scaled.
  record.sec = static_cast<std::int32_t>(load32(h, swapped_));
  const std::int64_t subsec = static_cast<std::int32_t>(load32(h + 4, swapped_));
  record.nsec = nanosecond_ ? subsec : subsec * 1000;
  record.caplen = caplen;
  record.wire_len = load32(h + 12, swapped_);
  record.data = h + kRecordHeaderBytes;
  offset_ = end;
  return Step::record;
}

}  // namespace tcpscope::capture
