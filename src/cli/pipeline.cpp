#include "cli/pipeline.hpp"

#include <pcap/pcap.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <thread>

#include "capture/interfaces.hpp"
#include "capture/pcap_writer.hpp"
#include "capture/privileges.hpp"
#include "capture/stop_signals.hpp"
#include "cli/progress.hpp"
#include "cli/read_ahead.hpp"

namespace tcpscope::cli {
namespace {

// Whether reading and decoding may run on a second thread (ReadAhead): a capture
// file other than standard input, a consumer that allows it, nothing written with
// -w, no progress line (it asks the source how far it got), two cores or more.
// TCPSCOPE_THREADS=1 in the environment keeps everything on one thread.
bool use_read_ahead(const SourceOptions& options, const capture::FrameSource& source,
                    const PacketConsumer* consumer, bool writing, const ProgressMeter& progress) {
  if (consumer == nullptr || !consumer->allows_read_ahead() || writing || progress.enabled()) return false;
  if (source.is_live() || options.read_file.empty() || options.read_file == "-") return false;
  if (const char* threads = std::getenv("TCPSCOPE_THREADS");
      threads != nullptr && std::strcmp(threads, "1") == 0)
    return false;
  return std::thread::hardware_concurrency() >= 2;
}

int exit_status_for(const Error& error) { return error.code == ErrorCode::usage ? 2 : 1; }

const char* plural(std::uint64_t n) { return n == 1 ? "" : "s"; }

std::string default_interface(Error& error) {
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_if_t* devices = nullptr;
  if (pcap_findalldevs(&devices, errbuf) != 0 || devices == nullptr) {
    error = Error{ErrorCode::not_found, std::string("no capture interface found") +
                                            (errbuf[0] ? std::string(" (") + errbuf + ")" : "")};
    if (devices) pcap_freealldevs(devices);
    return {};
  }
  std::string name = devices->name;
  pcap_freealldevs(devices);
  return name;
}

capture::OpenedSource open_source(const SourceOptions& options, std::string& interface) {
  if (!options.read_file.empty()) return capture::open_capture_file(options.read_file);
  capture::LiveOptions live = options.live;
  Error error;
  live.interface = options.interface.empty() ? default_interface(error)
                                             : capture::resolve_interface(options.interface, error);
  if (error) return {nullptr, std::move(error), {}};
  interface = live.interface;
  return capture::open_live(live);
}

void print_banner(const SourceOptions& options, const std::string& interface,
                  const capture::FrameSource& source, bool writing) {
  const std::string link = capture::link_type_text(source.link_type());
  if (!source.is_live()) {
    std::fprintf(stderr, "reading from file %s, link-type %s, snapshot length %d\n",
                 options.read_file.c_str(), link.c_str(), source.snaplen());
    return;
  }
  if (!options.verbose && !writing)
    std::fputs("tcpscope: verbose output suppressed, use -v[v]... for full protocol decode\n", stderr);
  else
    std::fputs("tcpscope: ", stderr);
  std::fprintf(stderr, "listening on %s, link-type %s, snapshot length %d bytes\n", interface.c_str(),
               link.c_str(), source.snaplen());
}

// -w and -Z as Debian's tcpdump does them (capture/privileges.hpp): run as root, the
// -w file is created while still root, handed to the user to become (by default
// `tcpdump`, unless -Z says otherwise), then the process becomes that user. The
// user is looked up first, so a wrong -Z leaves no file behind.
Error open_writer_then_drop_root(const SourceOptions& options, const capture::FrameSource& source,
                                 std::unique_ptr<capture::PcapWriter>& writer) {
  Error error;
  const std::optional<capture::CaptureUser> user = capture::resolve_capture_user(options.drop_user, error);
  if (error) return error;
  if (!options.write_file.empty()) {
    auto opened_writer = capture::PcapWriter::open(options.write_file, source.link_type(), source.snaplen(),
                                                   options.write_nano);
    if (!opened_writer.writer) return opened_writer.error;
    writer = std::move(opened_writer.writer);
  }
  if (!user) return {};
  if (writer) error = writer->set_owner(user->uid, user->gid);
  if (!error) error = capture::drop_privileges(*user);
  if (error && writer) {  // never leave a root-owned file behind: remove what was created
    writer.reset();
    if (options.write_file != "-") ::unlink(options.write_file.c_str());
  }
  return error;
}

void print_statistics(const capture::FrameSource& source, std::uint64_t captured) {
  std::fprintf(stderr, "%llu packet%s captured\n", static_cast<unsigned long long>(captured),
               plural(captured));
  const auto stats = source.stats();
  if (!stats) {
    std::fputs("tcpscope: capture statistics are unavailable\n", stderr);
    return;
  }
  std::fprintf(stderr, "%llu packet%s received by filter\n",
               static_cast<unsigned long long>(stats->received_by_filter), plural(stats->received_by_filter));
  std::fprintf(stderr, "%llu packet%s dropped by kernel\n",
               static_cast<unsigned long long>(stats->dropped_by_kernel), plural(stats->dropped_by_kernel));
  if (stats->dropped_by_interface != 0)
    std::fprintf(stderr, "%llu packet%s dropped by interface\n",
                 static_cast<unsigned long long>(stats->dropped_by_interface),
                 plural(stats->dropped_by_interface));
}

}  // namespace

void report_error(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "tcpscope: %s\n", message.c_str());
}

int run_filter_dump(const SourceOptions& options, int level) {
  std::string text;
  Error error;
  if (options.read_file.empty() && options.interface.empty()) {
    // As tcpdump: no capture is opened, the program is for Ethernet.
    std::fputs("tcpscope: warning: assuming Ethernet\n", stderr);
    error = capture::filter_program_text_for(DLT_EN10MB, options.live.snaplen, options.filter,
                                             options.optimize_filter, level, text);
  } else {
    std::string interface;
    capture::OpenedSource opened = open_source(options, interface);
    if (!opened.source) {
      report_error(opened.error.message);
      return exit_status_for(opened.error);
    }
    if (!opened.source->is_live()) print_banner(options, interface, *opened.source, false);
    error = opened.source->filter_program_text(options.filter, options.optimize_filter, level, text);
  }
  if (error) {
    report_error(error.message);
    return exit_status_for(error);
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  if (std::fflush(stdout) != 0) {
    std::fprintf(stderr, "tcpscope: cannot write to standard output: %s\n", std::strerror(errno));
    return 1;
  }
  return 0;
}

int run_pipeline(const SourceOptions& options, PacketConsumer* consumer) {
  std::string interface;
  capture::OpenedSource opened = open_source(options, interface);
  if (!opened.source) {
    report_error(opened.error.message);
    return exit_status_for(opened.error);
  }
  capture::FrameSource& source = *opened.source;
  if (!opened.warning.empty()) std::fprintf(stderr, "tcpscope: WARNING: %s\n", opened.warning.c_str());
  if (Error error = source.set_filter(options.filter, options.optimize_filter)) {
    report_error(error.message);
    return exit_status_for(error);
  }
  // The stop signals are caught from here on, before root is given up: a SIGINT sent
  // once the process runs as the capture user (its uid is what a script can watch)
  // ends the capture with the statistics, never with the default action.
  capture::StopOnSignals stop_on_signals(source);
  ProgressMeter progress(options.read_file, options.quiet);  // stat()s the file: before the drop
  std::unique_ptr<capture::PcapWriter> writer;
  if (Error error = open_writer_then_drop_root(options, source, writer)) {
    report_error(error.message);
    return exit_status_for(error);
  }
  print_banner(options, interface, source, writer != nullptr);

  const auto connections_seen = [consumer] { return consumer ? consumer->connections_seen() : 0; };
  Frame frame;
  decode::Packet packet;
  packet.skip_tcp_checksum = consumer != nullptr && !consumer->needs_tcp_checksum();
  std::uint64_t passed_filter = 0;  // numbers the packets as -# shows them
  std::uint64_t processed = 0;      // packets after --skip, limited by -c
  int status = 0;
  std::optional<ReadAhead> ahead;
  if (use_read_ahead(options, source, consumer, writer != nullptr, progress))
    ahead.emplace(source, packet.skip_tcp_checksum, consumer->wants_flow_hashes(), nullptr,
                  consumer->read_ahead_text_options());
  for (;;) {
    Frame* current = &frame;
    const decode::Packet* decoded = nullptr;  // already decoded by ReadAhead
    const capture::NextResult result = ahead ? ahead->next(current, decoded) : source.next(frame);
    if (result == capture::NextResult::frame) {
      current->number = ++passed_filter;
      progress.on_packet(source, connections_seen);
      if (passed_filter <= options.skip) continue;
      if (writer) {
        writer->write(*current);
        if (options.write_flush_each) (void)writer->flush();
      }
      if (consumer) {
        if (decoded == nullptr) {
          decode::decode(*current, packet);
          decoded = &packet;
        }
        if (ahead) {
          // (explain's tracker reads each packet on this core right after the reading one wrote it)
          ahead->prefetch_tcp_facts_ahead();
          if (ahead->has_text()) consumer->on_packet_text(ahead->text());
          consumer->on_flow_hashes(*ahead);
        }
        consumer->on_packet(*current, *decoded);
        if (consumer->failed()) break;
      }
      ++processed;
      if (options.count != 0 && processed >= options.count) break;
      continue;
    }
    if (result == capture::NextResult::timeout) {
      if (consumer) consumer->flush();
      continue;
    }
    if (result == capture::NextResult::error) {
      progress.clear();
      if (consumer) consumer->flush();
      report_error(source.error().message);
      status = 1;
    }
    break;
  }
  ahead.reset();  // the reading thread is done with the source
  progress.clear();
  if (consumer) {
    if (source.is_live() && capture::StopOnSignals::received_signal() != 0) consumer->on_interrupted();
    consumer->flush();
  }
  if (writer) {
    if (Error error = writer->close()) {
      report_error(error.message);
      status = 1;
    }
  }
  if (source.is_live()) print_statistics(source, processed);
  return status;
}

}  // namespace tcpscope::cli
