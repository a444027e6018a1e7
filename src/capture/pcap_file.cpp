// Offline capture files (pcap and pcapng) through libpcap, always opened with
// nanosecond time-stamp precision. The filter is applied here with
// pcap_offline_filter() rather than pcap_setfilter(), so that every record of
// the file passes through next() and the byte offset of a damaged record can be
// computed from the record sizes.
//
// Classic pcap files (µs or ns magic, either byte order, version 2.4) are read
// through PcapRecordReader (pread into a ring), which hands out the records in
// place, kept for its stable distance (or, when the consumer reads decoded facts
// only, expect_frames_read_until_next_call(), until the next record, in a ring small
// enough to stay in the cache); at the first record that is not the ordinary case it stops
// and libpcap carries on from that record's offset on the same FILE, so errors
// are libpcap's own. TCPSCOPE_READER=libpcap in the environment turns the
// record reader off (tests compare both paths).
#include <pcap/pcap.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "capture/bpf_text.hpp"
#include "capture/pcap_records.hpp"
#include "capture/source.hpp"

namespace tcpscope::capture {
namespace {

constexpr std::uint64_t kPcapFileHeaderBytes = 24;
constexpr std::uint64_t kPcapRecordHeaderBytes = 16;
// Alexey Kuznetzov's patched pcap format (magic 0xa1b2cd34) has 8 more bytes per record header.
constexpr std::uint64_t kPatchedPcapRecordHeaderBytes = 24;
constexpr std::uint32_t kPatchedPcapMagic = 0xa1b2cd34;
constexpr std::uint32_t kMicroPcapMagic = 0xa1b2c3d4;
constexpr std::uint32_t kNanoPcapMagic = 0xa1b23c4d;
constexpr std::size_t kFileBufferBytes = 1 << 20;
// libpcap's MAXIMUM_SNAPLEN: it rejects a longer record for most link types ("invalid
// packet capture length ..., bigger than maximum of 262144") and reads one of the few
// that allow more itself. The record reader takes records up to this length (or the
// file's snaplen, if less) and hands a longer one to libpcap; its ring is sized from it,
// not from a file header's snaplen, which may claim gigabytes.
constexpr std::uint32_t kLongestRecordRead = 262144;

// What the file header said, for choosing the reader.
struct FileKind {
  std::uint32_t magic = 0;  // in the file's byte order, read as little-endian and as big-endian
  std::uint32_t magic_swapped = 0;
  bool is(std::uint32_t m) const { return magic == m || magic_swapped == m; }
};

// Whether the record reader may read this file: libpcap's ordinary classic pcap
// case only. In byte-swapped files libpcap rewrites the pseudo-headers of some
// link types (USB, NFLOG, ...): those stay with libpcap.
bool record_reader_fits(pcap_t* handle, std::FILE* file, const FileKind& kind) {
  if (file == stdin) return false;
  if (const char* reader = std::getenv("TCPSCOPE_READER");
      reader != nullptr && std::strcmp(reader, "libpcap") == 0)
    return false;
  if (!kind.is(kMicroPcapMagic) && !kind.is(kNanoPcapMagic)) return false;
  if (pcap_major_version(handle) != 2 || pcap_minor_version(handle) != 4) return false;
  if (pcap_snapshot(handle) <= 0) return false;
  if (pcap_is_swapped(handle)) {
    switch (pcap_datalink(handle)) {
      case DLT_EN10MB:
      case DLT_RAW:
      case DLT_IPV4:
      case DLT_IPV6:
        break;
      default:
        return false;
    }
  }
  struct stat st {};
  return fstat(fileno(file), &st) == 0 && S_ISREG(st.st_mode);
}

class PcapFileSource final : public FrameSource {
 public:
  PcapFileSource(pcap_t* handle, std::FILE* file, std::string path, std::uint64_t record_header_bytes,
                 const FileKind& kind)
      : handle_(handle), file_(file), path_(std::move(path)), record_header_bytes_(record_header_bytes) {
    // pcapng files report major version 1; classic pcap files report 2.
    is_pcapng_ = pcap_major_version(handle_) == 1;
    if (record_reader_fits(handle_, file_, kind)) {
      nanosecond_ = kind.is(kNanoPcapMagic);
      records_ = make_record_reader(/*keep_records=*/true);
    }
  }
  ~PcapFileSource() override {
    if (has_filter_) pcap_freecode(&filter_);
    pcap_close(handle_);  // closes file_ as well
  }
  PcapFileSource(const PcapFileSource&) = delete;
  PcapFileSource& operator=(const PcapFileSource&) = delete;

  NextResult next(Frame& frame) override {
    if (records_ && !records_deferred_) return next_from_records(frame);
    return next_libpcap(frame);
  }

  void expect_frames_read_until_next_call() override {
    if (!records_ || records_read_ != 0) return;
    records_ = make_record_reader(/*keep_records=*/false);
  }

  // The record reader's bytes stay valid for stable_bytes() of the file read after a frame, but
  // a filter skips records: the frames handed out then lie arbitrarily far apart in the
  // file, so a consumer counting only the frames it got cannot keep that promise. With
  // a filter, frames are valid until the next call only (the consumer copies them).
  std::uint64_t frame_stays_valid_for_bytes() const override {
    if (records_deferred_ || has_filter_) return 0;
    return records_ ? records_->stable_bytes() : 0;
  }

  NextResult next_from_records(Frame& frame) {
    for (;;) {
      if (stop_requested_.load(std::memory_order_relaxed)) return NextResult::end;
      PcapRecord record;
      const RecordStep step = records_->next(record);
      if (step == RecordStep::end) return NextResult::end;
      if (step == RecordStep::defer) {
        // libpcap reads on from this record, on its own FILE. (The ring stays:
        // frames handed out before may still be in use, see frame_stays_valid_for_bytes.)
        const std::uint64_t offset = records_->offset();
        const bool positioned = fseeko(file_, static_cast<off_t>(offset), SEEK_SET) == 0;
        records_deferred_ = true;
        if (!positioned) {
          error_ = Error{ErrorCode::io, path_ + ": " + std::strerror(errno)};
          return NextResult::error;
        }
        return next_libpcap(frame);
      }
      ++records_read_;
      next_record_offset_ += kPcapRecordHeaderBytes + record.caplen;
      if (has_filter_) {
        pcap_pkthdr header{};
        header.ts.tv_sec = static_cast<time_t>(record.sec);
        header.ts.tv_usec = static_cast<suseconds_t>(record.nsec);
        header.caplen = record.caplen;
        header.len = record.wire_len;
        if (pcap_offline_filter(&filter_, &header, record.data) == 0) continue;
      }
      frame.ts.sec = record.sec;
      frame.ts.nsec = record.nsec;
      frame.caplen = record.caplen;
      frame.wire_len = record.wire_len;
      frame.link_type = link_type_;
      frame.data = ByteView(record.data, record.caplen);
      return NextResult::frame;
    }
  }

  NextResult next_libpcap(Frame& frame) {
    for (;;) {
      if (stop_requested_.load(std::memory_order_relaxed)) return NextResult::end;
      pcap_pkthdr* header = nullptr;
      const u_char* data = nullptr;
      const int rc = pcap_next_ex(handle_, &header, &data);
      if (rc == PCAP_ERROR_BREAK) return NextResult::end;
      if (rc != 1) return fail();
      ++records_read_;
      next_record_offset_ += record_header_bytes_ + header->caplen;
      // A record longer than the snaplen comes back cut to it (libpcap skipped the
      // rest): the stream position says where the next record starts.
      if (!is_pcapng_ && file_ != stdin &&
          header->caplen >= static_cast<bpf_u_int32>(pcap_snapshot(handle_))) {
        const off_t position = ftello(file_);
        if (position > 0) next_record_offset_ = static_cast<std::uint64_t>(position);
      }
      if (has_filter_ && pcap_offline_filter(&filter_, header, data) == 0) continue;
      frame.ts.sec = header->ts.tv_sec;
      frame.ts.nsec = header->ts.tv_usec;  // nanoseconds: the file was opened with nano precision
      frame.caplen = header->caplen;
      frame.wire_len = header->len;
      frame.link_type = link_type_;
      frame.data = ByteView(data, header->caplen);
      return NextResult::frame;
    }
  }

  const Error& error() const override { return error_; }

  Error set_filter(const std::string& expression, bool optimize) override {
    if (has_filter_) {
      pcap_freecode(&filter_);
      has_filter_ = false;
    }
    if (expression.empty()) return {};
    if (Error e = compile_filter(handle_, expression, optimize, filter_)) return e;
    has_filter_ = true;
    return {};
  }

  Error filter_program_text(const std::string& expression, bool optimize, int level,
                            std::string& text) override {
    return capture::filter_program_text(handle_, expression, optimize, level, text);
  }

  int link_type() const override { return link_type_; }
  int snaplen() const override { return pcap_snapshot(handle_); }
  bool is_live() const override { return false; }
  std::optional<CaptureStats> stats() const override { return std::nullopt; }
  void request_stop() override { stop_requested_.store(true, std::memory_order_relaxed); }
  std::uint64_t bytes_read() const override {
    if (!is_pcapng_) return next_record_offset_;
    const long position = file_ != stdin ? std::ftell(file_) : -1;
    return position > 0 ? static_cast<std::uint64_t>(position) : 0;
  }

 private:
  NextResult fail() {
    const std::uint64_t packet = records_read_ + 1;
    std::string message = path_ + ": damaged file: packet " + std::to_string(packet);
    std::uint64_t offset = 0;
    if (!is_pcapng_) {
      offset = next_record_offset_;
      message += " (record at byte offset " + std::to_string(offset) + ")";
    } else {
      const long position = file_ != stdin ? std::ftell(file_) : -1;
      if (position >= 0) {
        offset = static_cast<std::uint64_t>(position);
        message += " (reading stopped at byte offset " + std::to_string(offset) + ")";
      }
    }
    message += ": ";
    message += pcap_geterr(handle_);
    error_ = Error{ErrorCode::damaged_file, std::move(message), packet, offset};
    return NextResult::error;
  }

  // The record reader of this file, taking records up to its snaplen or kLongestRecordRead.
  std::unique_ptr<PcapRecordReader> make_record_reader(bool keep_records) const {
    const std::uint32_t longest =
        std::min(static_cast<std::uint32_t>(pcap_snapshot(handle_)), kLongestRecordRead);
    return std::make_unique<PcapRecordReader>(fileno(file_), kPcapFileHeaderBytes, pcap_is_swapped(handle_),
                                              nanosecond_, longest, keep_records);
  }

  pcap_t* handle_;
  std::FILE* file_;
  std::string path_;
  std::uint64_t record_header_bytes_;
  int link_type_ = pcap_datalink(handle_);
  bool is_pcapng_ = false;
  bool has_filter_ = false;
  bpf_program filter_{};
  std::uint64_t records_read_ = 0;
  std::uint64_t next_record_offset_ = kPcapFileHeaderBytes;
  std::atomic<bool> stop_requested_{false};
  Error error_;
  // The record reader of a classic pcap file that fits (record_reader_fits); null: libpcap reads.
  std::unique_ptr<PcapRecordReader> records_;
  bool nanosecond_ = false;
  bool records_deferred_ = false;  // libpcap reads on from where the record reader stopped
};

}  // namespace

OpenedSource open_capture_file(const std::string& path) {
  std::FILE* file = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const ErrorCode code = errno == ENOENT ? ErrorCode::not_found : ErrorCode::io;
    return {nullptr, Error{code, path + ": " + std::strerror(errno)}};
  }
  std::uint64_t record_header_bytes = kPcapRecordHeaderBytes;
  FileKind kind;
  if (file != stdin) {
    std::setvbuf(file, nullptr, _IOFBF, kFileBufferBytes);
    // Peek at the magic number (libpcap does not tell which pcap variant it found).
    unsigned char magic[4] = {};
    if (std::fread(magic, 1, 4, file) == 4) {
      const std::uint32_t le =
          magic[0] | (magic[1] << 8) | (magic[2] << 16) | (std::uint32_t{magic[3]} << 24);
      const std::uint32_t be =
          magic[3] | (magic[2] << 8) | (magic[1] << 16) | (std::uint32_t{magic[0]} << 24);
      kind.magic = le;
      kind.magic_swapped = be;
      if (kind.is(kPatchedPcapMagic)) record_header_bytes = kPatchedPcapRecordHeaderBytes;
    }
    std::rewind(file);
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_fopen_offline_with_tstamp_precision(file, PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (handle == nullptr) {
    if (file != stdin) std::fclose(file);
    std::string why = errbuf;
    if (why == "unknown file format") why = "not a pcap or pcapng capture file (unknown file format)";
    return {nullptr, Error{ErrorCode::damaged_file, path + ": " + why}};
  }
  return {std::make_unique<PcapFileSource>(handle, file, path, record_header_bytes, kind), {}};
}

}  // namespace tcpscope::capture
