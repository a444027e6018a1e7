#include "capture/mapped_pcap.hpp"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "core/prefetch.hpp"

namespace tcpscope::capture {
namespace {

// Mapped (and populated) at once; a record never needs more than one remap.
constexpr std::uint64_t kWindowBytes = 4u << 20;
// The bytes of a record next() asks for ahead: its first 100 bytes hold the record
// header and the usual Ethernet, IPv4 and TCP headers (two or three cache lines).
constexpr std::uintptr_t kPrefetchRecordBytes = 100;
constexpr std::uintptr_t kPrefetchPageAhead = 4096;

[[gnu::always_inline]] inline void prefetch_record(std::uintptr_t record) {
  prefetch_bytes(reinterpret_cast<const void*>(record), kPrefetchRecordBytes);
}

// A file cut short by another process while it is mapped (logrotate's copytruncate,
// a writer starting over) turns reads of the vanished pages into SIGBUS. The
// windows of every reader are listed here; the handler puts zero-filled pages over
// a vanished page inside one of them, so the read that faulted completes, and
// tells the reader owning that window, which stops using its mapping at its next
// record and hands over to libpcap, which sees the shorter file as it would have
// with read(). A SIGBUS anywhere else keeps its default action.
struct GuardedWindow {  // [begin, end) of one mapped window; begin 0 = free slot
  std::atomic<std::uintptr_t> begin{0};
  std::atomic<std::uintptr_t> end{0};
  std::atomic<std::atomic<bool>*> shrank{nullptr};  // the owning reader's flag
};

class MappedWindows {
 public:
  static constexpr std::size_t kSlots = 64;

  static void add(const void* start, std::uint64_t len, std::atomic<bool>* shrank) {
    install_handler();
    const auto begin = reinterpret_cast<std::uintptr_t>(start);
    for (GuardedWindow& slot : slots_) {
      std::uintptr_t expected = 0;
      if (slot.begin.compare_exchange_strong(expected, begin)) {
        slot.shrank.store(shrank);
        slot.end.store(begin + len);
        return;
      }
    }
    // No slot left (64 windows at once): this window stays unguarded.
  }
  static void remove(const void* start) {
    const auto begin = reinterpret_cast<std::uintptr_t>(start);
    for (GuardedWindow& slot : slots_) {
      if (slot.begin.load() == begin) {
        slot.end.store(0);
        slot.begin.store(0);
        return;
      }
    }
  }

 private:
  static void install_handler() {
    static std::once_flag once;
    std::call_once(once, [] {
      struct sigaction action {};
      action.sa_sigaction = &on_sigbus;
      action.sa_flags = SA_SIGINFO;
      sigemptyset(&action.sa_mask);
      sigaction(SIGBUS, &action, nullptr);
    });
  }
  static void on_sigbus(int signo, siginfo_t* info, void*) {
    const auto at = reinterpret_cast<std::uintptr_t>(info->si_addr);
    for (const GuardedWindow& slot : slots_) {
      const std::uintptr_t begin = slot.begin.load();
      if (begin != 0 && at >= begin && at < slot.end.load()) {
        const std::uintptr_t page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
        void* page_start = reinterpret_cast<void*>(at & ~(page - 1));
        if (mmap(page_start, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
          if (std::atomic<bool>* shrank = slot.shrank.load()) shrank->store(true);
          return;  // the faulting read runs again and reads zeros
        }
        break;
      }
    }
    signal(signo, SIG_DFL);  // not ours: the default action when the read runs again
  }

  static inline GuardedWindow slots_[kSlots];
};

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
    if (r.map != nullptr) release(r.map, r.len);
    r = Retired{};
  }
  if (map_ != nullptr) release(map_, map_len_);
  map_ = nullptr;
  map_len_ = 0;
}

void MappedPcapRecords::release(const std::uint8_t* map, std::uint64_t len) {
  MappedWindows::remove(map);
  munmap(const_cast<std::uint8_t*>(map), len);
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
      release(r.map, r.len);
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
  MappedWindows::add(p, len, &file_shrank_);
  map_ = static_cast<const std::uint8_t*>(p);
  map_offset_ = start;
  map_len_ = len;
  return true;
}

MappedPcapRecords::Step MappedPcapRecords::next(MappedRecord& record) {
  const std::uint64_t at = offset_;
  if (file_shrank_.load(std::memory_order_relaxed)) return Step::defer;  // libpcap sees the file as it is now
  if (at + kRecordHeaderBytes > file_size_) {
    // The end of what was known: has the file grown since (another process's -w)?
    if (!refresh_size()) return Step::defer;
    if (at == file_size_) return Step::end;
    if (at + kRecordHeaderBytes > file_size_) return Step::defer;  // a cut record header
  }
  if (!covers(at, at + kRecordHeaderBytes) && !map_from(at, at + kRecordHeaderBytes)) return Step::defer;
  const std::uint8_t* h = map_ + (at - map_offset_);
  const std::uint32_t caplen = load_record_field(h + 8, swapped_);
  if (caplen > snaplen_) return Step::defer;  // libpcap cuts it to the snaplen, or rejects it
  const std::uint64_t end = at + kRecordHeaderBytes + caplen;
  if (end > file_size_ && (!refresh_size() || end > file_size_)) return Step::defer;  // a cut record
  if (!covers(at, end)) {
    if (!map_from(at, end)) return Step::defer;
    h = map_ + (at - map_offset_);
  }
  decode_record_header(h, caplen, swapped_, nanosecond_, record);
  // The next record's header and the first bytes of its frame (link, IP and TCP
  // headers): the hardware prefetcher stops at page boundaries, and the reader's
  // and decoder's first reads of each record would otherwise wait for memory. (A
  // prefetch never faults, inside the window or past it.)
  // Two records ahead: the next record's header was asked for by the previous call,
  // so its length is (usually) in the cache by now and gives the one after it.
  const std::uintptr_t next_record = reinterpret_cast<std::uintptr_t>(h) + kRecordHeaderBytes + caplen;
  prefetch_record(next_record);
  const std::uint64_t next_at = end;
  if (covers(next_at, next_at + kRecordHeaderBytes)) {
    const std::uintptr_t after_next =
        next_record + kRecordHeaderBytes + load_record_field(map_ + (next_at - map_offset_) + 8, swapped_);
    prefetch_record(after_next);  // a bogus length makes a useless hint, never a fault
  }
  __builtin_prefetch(
      reinterpret_cast<const void*>((next_record + kPrefetchPageAhead) & ~(kPrefetchPageAhead - 1)));
  offset_ = end;
  return Step::record;
}

}  // namespace tcpscope::capture
