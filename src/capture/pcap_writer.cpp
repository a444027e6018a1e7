#include "capture/pcap_writer.hpp"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace tcpscope::capture {
namespace {
constexpr std::size_t kWriteBufferBytes = 1 << 20;
constexpr off_t kFileHeaderBytes = 24;
constexpr off_t kRecordHeaderBytes = 16;

// After a write error (disk full, quota), cuts the file back to its last complete
// record so that what is left is a valid capture rather than one ending in a torn
// record; a file without a complete file header is removed. Regular files only.
// Works on `fd` (a duplicate of the writer's descriptor, closed here), not on a new
// open of `path`: after a drop of root (privileges.hpp) the process may no longer
// reach the file by its path.
void keep_complete_records(int fd, const std::string& path) {
  if (fd < 0) return;
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (fcntl(fd, F_GETFL) & O_ACCMODE) != O_RDWR) {
    ::close(fd);
    return;
  }
  if (st.st_size < kFileHeaderBytes) {
    ::close(fd);
    ::unlink(path.c_str());
    return;
  }
  off_t complete = kFileHeaderBytes;
  unsigned char header[kRecordHeaderBytes];
  while (complete + kRecordHeaderBytes <= st.st_size &&
         pread(fd, header, sizeof header, complete) == static_cast<ssize_t>(sizeof header)) {
    std::uint32_t caplen = 0;  // pcap_dump() writes record headers in host byte order
    std::memcpy(&caplen, header + 8, sizeof caplen);
    if (complete + kRecordHeaderBytes + static_cast<off_t>(caplen) > st.st_size) break;
    complete += kRecordHeaderBytes + static_cast<off_t>(caplen);
  }
  if (complete < st.st_size) (void)ftruncate(fd, complete);
  ::close(fd);
}

// fopen(path, "wb"), except that a regular file (or a new one) is opened read-write
// when permitted, so that keep_complete_records() can read the record headers back
// through the writer's own descriptor. FIFOs and devices stay write-only, as in
// tcpdump (a reader end of our own would hide the other side's going away).
std::FILE* open_for_writing(const std::string& path) {
  struct stat st {};
  const bool regular_or_new = ::stat(path.c_str(), &st) != 0 ? errno == ENOENT : S_ISREG(st.st_mode);
  constexpr int kCreate = O_CREAT | O_TRUNC | O_CLOEXEC;
  int fd = regular_or_new ? ::open(path.c_str(), O_RDWR | kCreate, 0666) : -1;
  if (fd < 0 && (!regular_or_new || errno == EACCES)) fd = ::open(path.c_str(), O_WRONLY | kCreate, 0666);
  if (fd < 0) return nullptr;
  std::FILE* file = fdopen(fd, "wb");
  if (file == nullptr) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
  }
  return file;
}
}  // namespace

PcapWriter::Opened PcapWriter::open(const std::string& path, int link_type, int snaplen, bool nano) {
  pcap_t* dead = pcap_open_dead_with_tstamp_precision(
      link_type, snaplen, nano ? PCAP_TSTAMP_PRECISION_NANO : PCAP_TSTAMP_PRECISION_MICRO);
  if (dead == nullptr) return {nullptr, Error{ErrorCode::io, path + ": cannot create a pcap writer"}};
  std::FILE* file = path == "-" ? stdout : open_for_writing(path);
  if (file == nullptr) {
    const int saved = errno;
    pcap_close(dead);
    return {nullptr, Error{saved == EACCES ? ErrorCode::permission : ErrorCode::io,
                           path + ": " + std::strerror(saved)}};
  }
  if (file != stdout) std::setvbuf(file, nullptr, _IOFBF, kWriteBufferBytes);
  pcap_dumper_t* dumper = pcap_dump_fopen(dead, file);
  if (dumper == nullptr) {
    Error error{ErrorCode::io, path + ": " + pcap_geterr(dead)};
    if (file != stdout) std::fclose(file);
    pcap_close(dead);
    return {nullptr, std::move(error)};
  }
  return {std::unique_ptr<PcapWriter>(new PcapWriter(dead, dumper, file, path, nano)), {}};
}

PcapWriter::PcapWriter(pcap* dead_handle, pcap_dumper* dumper, std::FILE* file, std::string path, bool nano)
    : dead_handle_(dead_handle), dumper_(dumper), file_(file), path_(std::move(path)), nano_(nano) {}

PcapWriter::~PcapWriter() { close(); }

void PcapWriter::write(const Frame& frame) {
  if (dumper_ == nullptr) return;
  pcap_pkthdr header{};
  header.ts.tv_sec = static_cast<time_t>(frame.ts.sec);
  header.ts.tv_usec = static_cast<suseconds_t>(nano_ ? frame.ts.nsec : frame.ts.nsec / 1000);
  header.caplen = frame.caplen;
  header.len = frame.wire_len;
  pcap_dump(reinterpret_cast<u_char*>(dumper_), &header, frame.data.data());
}

Error PcapWriter::set_owner(uid_t uid, gid_t gid) {
  if (file_ == nullptr || file_ == stdout) return {};
  if (fchown(fileno(file_), uid, gid) != 0)
    return Error{ErrorCode::permission,
                 path_ + ": cannot hand the file to its user: " + std::strerror(errno)};
  return {};
}

Error PcapWriter::flush() {
  if (dumper_ == nullptr) return {};
  if (pcap_dump_flush(dumper_) != 0 || std::ferror(file_))
    return Error{ErrorCode::io, path_ + ": write error: " + std::strerror(errno)};
  return {};
}

Error PcapWriter::close() {
  if (dumper_ == nullptr) return {};
  Error error = flush();
  pcap_dumper_t* dumper = dumper_;
  dumper_ = nullptr;
  if (file_ == stdout) {
    // pcap_dump_close would fclose stdout; flush only.
    std::fflush(stdout);
  } else {
    const int kept_fd = error ? ::dup(fileno(file_)) : -1;
    pcap_dump_close(dumper);  // fclose()s file_
    if (error) keep_complete_records(kept_fd, path_);
  }
  file_ = nullptr;
  pcap_close(dead_handle_);
  dead_handle_ = nullptr;
  return error;
}

}  // namespace tcpscope::capture
