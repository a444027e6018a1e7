// libFuzzer target for the capture-file reading path: the input is a whole pcap or
// pcapng file, written to a memory file and read with the project's own file
// source (capture::open_capture_file, libpcap underneath), every frame decoded,
// printed as tcpdump would (-n -v) and fed to the connection tracker, as
// `tcpscope print` and `tcpscope conns` do. Seeds: the corpus captures themselves.
#include <fmt/format.h>
#include <sys/mman.h>
#include <unistd.h>

#include <string>

#include "capture/source.hpp"
#include "decode/packet.hpp"
#include "print/tcpdump_printer.hpp"
#include "render/json.hpp"
#include "track/tracker.hpp"

using namespace tcpscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const int fd = memfd_create("pcap_file_fuzz", MFD_CLOEXEC);
  if (fd < 0) return 0;
  std::size_t written = 0;
  while (written < size) {
    const ssize_t n = write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  capture::OpenedSource opened = capture::open_capture_file(path);
  close(fd);  // the source holds its own descriptor from here on
  if (!opened.source) {
    if (opened.error.message.empty()) __builtin_trap();  // a failure always says why
    return 0;
  }
  print::PrintOptions print_options;
  print_options.numeric = 2;
  print_options.verbose = 1;
  print::TcpdumpPrinter printer(print_options);
  fmt::memory_buffer out;
  track::TrackerOptions track_options;
  track_options.max_conns = 64;
  track_options.keep_timeline = true;
  track::Tracker tracker(track_options, [&out](const track::Connection& c) {
    out.clear();
    render::conn_json(out, c);
  });
  Frame frame;
  decode::Packet packet;
  for (std::uint64_t number = 1; number <= 5000; ++number) {
    const capture::NextResult result = opened.source->next(frame);
    if (result == capture::NextResult::error) {
      if (opened.source->error().message.empty()) __builtin_trap();
      break;
    }
    if (result != capture::NextResult::frame) break;
    if (frame.data.size() != frame.caplen) __builtin_trap();
    frame.number = number;
    decode::decode(frame, packet);
    out.clear();
    printer.print(frame, packet, out);
    tracker.feed(frame, packet);
  }
  tracker.flush();
  return 0;
}
