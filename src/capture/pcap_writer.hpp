// The -w writer: a classic pcap file (micro- or nanosecond time stamps) written
// through a large stdio buffer. close() flushes and closes, so a capture stopped
// by a signal leaves a complete file as long as the caller closes on the way out.
#pragma once
#include <sys/types.h>

#include <cstdio>
#include <memory>
#include <string>

#include "core/frame.hpp"
#include "core/status.hpp"

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t

namespace tcpscope::capture {

class PcapWriter {
 public:
  struct Opened {
    std::unique_ptr<PcapWriter> writer;  // null when opening failed
    Error error;
  };
  // "-" writes to standard output.
  static Opened open(const std::string& path, int link_type, int snaplen, bool nano);

  ~PcapWriter();
  PcapWriter(const PcapWriter&) = delete;
  PcapWriter& operator=(const PcapWriter&) = delete;

  void write(const Frame& frame);
  // Hands the file to `uid`:`gid` (fchown) when it was created for a user the
  // process is about to become (-Z; see privileges.hpp). Standard output is left alone.
  Error set_owner(uid_t uid, gid_t gid);
  // Pushes buffered records to the file (-U does this after every packet).
  Error flush();
  // Flushes and closes; further writes are ignored. Called by the destructor too.
  Error close();

 private:
  PcapWriter(pcap* dead_handle, pcap_dumper* dumper, std::FILE* file, std::string path, bool nano);
  pcap* dead_handle_;  // describes the link type, snaplen and time-stamp precision
  pcap_dumper* dumper_;
  std::FILE* file_;
  std::string path_;
  bool nano_;
};

}  // namespace tcpscope::capture
