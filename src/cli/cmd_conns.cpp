// `tcpscope conns [-r FILE | -i IFACE] [filter] [--format table|json|ndjson|zeek] [--max-conns N]`:
// one row per TCP connection. Frames come from the capture sources (file or live);
// rows are printed as connections end (Zeek's order), the rest at end of input
// or on Ctrl-C.
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "capture/privileges.hpp"
#include "capture/source.hpp"
#include "capture/stop_signals.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/read_ahead.hpp"
#include "decode/packet.hpp"
#include "render/conns_table.hpp"
#include "render/json.hpp"
#include "render/zeek_log.hpp"
#include "track/tracker.hpp"

namespace tcpscope::cli {

struct ConnsOptions {
  std::string file;
  std::string iface;
  std::vector<std::string> filter_words;
  std::string format = "table";
  std::size_t max_conns = 0;
  bool validate_checksums = false;
  bool stats = false;
  bool quiet = false;
  std::string drop_user;  // -Z USER; as root without -Z: tcpdump (capture/privileges.hpp)
};

int run_conns(const ConnsOptions& options);

namespace {

enum class Format { table, json, ndjson, zeek };

class RowWriter {
 public:
  RowWriter(Format f, bool live) : format_(f), live_(live) {}
  void begin() {
    if (format_ == Format::zeek)
      render::zeek_log_header(buf_, std::time(nullptr));
    else if (format_ == Format::table)
      render::conns_table_header(buf_);
    else if (format_ == Format::json)
      buf_.push_back('[');
  }
  void row(const track::Connection& c) {
    render(buf_, c, rows_ != 0);
    ++rows_;
    if (live_ || buf_.size() > (1u << 16)) flush();
  }
  // The text row() appends for `c`, into `out`; `after_a_row`: rows came before it.
  // The same for every row but a JSON array's separator: any thread may render
  // rows this way, to be appended in order with append_rendered().
  void render(fmt::memory_buffer& out, const track::Connection& c, bool after_a_row) const {
    switch (format_) {
      case Format::zeek:
        render::zeek_log_row(out, c);
        break;
      case Format::table:
        render::conns_table_row(out, c);
        break;
      case Format::ndjson:
        render::conn_json(out, c);
        out.push_back('\n');
        break;
      case Format::json:
        if (after_a_row) out.push_back(',');
        out.append(std::string_view("\n  "));
        render::conn_json(out, c);
        break;
    }
  }
  // Appends `count` rows render() wrote into `text` (after at least one row).
  void append_rendered(const fmt::memory_buffer& text, std::size_t count) {
    buf_.append(text);
    rows_ += count;
    if (live_ || buf_.size() > (1u << 16)) flush();
  }
  void end() {
    if (format_ == Format::zeek)
      render::zeek_log_footer(buf_, std::time(nullptr));
    else if (format_ == Format::json)
      buf_.append(std::string_view(rows_ ? "\n]\n" : "]\n"));
    flush();
  }
  void flush() {
    std::fwrite(buf_.data(), 1, buf_.size(), stdout);
    std::fflush(stdout);
    buf_.clear();
  }

 private:
  Format format_;
  bool live_;
  std::size_t rows_ = 0;
  fmt::memory_buffer buf_;
};

// Rows rendered on the reading thread (a ReadAhead SideTask): the tracker's thread
// only copies each ended connection; the copies go over in file order at batch
// boundaries and are rendered there, in the same order, by the same RowWriter.
// (Handing references to held tracker slots instead was measured: no faster for the
// tracking thread, slower for the reading one, which then reads scattered slots.)
// The vectors keep their capacity: no allocation once they have grown (the
// copies' rare blocks aside, as in the tracker). They hold the rows that ended
// between two hand-overs: at most the live connections (a timer burst).
class RowHandOff final : public SideTask {
 public:
  RowHandOff(RowWriter& writer, bool two_threads) : writer_(writer), direct_(!two_threads) {}
  void add(const track::Connection& c) {
    if (direct_) {
      writer_.row(c);
    } else if (flushing_) {
      flushed_.push_back(&c);
      if (flushed_.size() == kFlushRound) {
        render_on_two_threads(flushed_);
        flushed_.clear();
      }
    } else {
      filling_.push_back(c);
    }
  }
  bool hand_over() override {
    if (filling_.empty()) return false;
    filling_.swap(handed_);
    return true;
  }
  void run_handed() override {
    for (const track::Connection& c : handed_) writer_.row(c);
    handed_.clear();
  }
  // Once the reading thread is gone: renders what it did not, in order, then ends
  // every remaining connection (Tracker::flush, which reuses no slot: its
  // references stay valid) and renders those rows a round at a time, on two
  // threads when there are many (as at the end of a large capture).
  void finish_with_flush(track::Tracker& tracker) {
    if (direct_) {
      tracker.flush();
      return;
    }
    run_handed();
    for (const track::Connection& c : filling_) writer_.row(c);
    std::vector<track::Connection>().swap(filling_);
    std::vector<track::Connection>().swap(handed_);
    flushing_ = true;
    tracker.flush();
    render_on_two_threads(flushed_);
    std::vector<const track::Connection*>().swap(flushed_);
    direct_ = true;
  }

 private:
  static constexpr std::size_t kFlushRound = 4096;

  // Rows in order: a helper thread renders (and writes) the first half while this
  // one renders the second half into a buffer, appended once the helper is done.
  void render_on_two_threads(const std::vector<const track::Connection*>& rows) {
    constexpr std::size_t kWorthASecondThread = 256;
    if (rows.size() < kWorthASecondThread) {
      for (const track::Connection* c : rows) writer_.row(*c);
      return;
    }
    const std::size_t middle = rows.size() / 2;
    std::thread helper([this, &rows, middle] {
      for (std::size_t i = 0; i < middle; ++i) writer_.row(*rows[i]);
    });
    tail_.clear();
    for (std::size_t i = middle; i < rows.size(); ++i) writer_.render(tail_, *rows[i], /*after_a_row=*/true);
    helper.join();
    writer_.append_rendered(tail_, rows.size() - middle);
  }

  RowWriter& writer_;
  std::vector<track::Connection> filling_;         // consumer thread
  std::vector<track::Connection> handed_;          // reading thread while handed over
  std::vector<const track::Connection*> flushed_;  // a round of the final flush's rows
  fmt::memory_buffer tail_;                        // render_on_two_threads()'s second half
  bool flushing_ = false;                          // in finish_with_flush()
  bool direct_;                                    // one thread, or after finish_with_flush()
};

// Whether reading and decoding may run on a second thread (ReadAhead), as
// pipeline.cpp decides for print: a capture file other than standard input, no
// progress line (it asks the source how far it got), two cores or more.
// TCPSCOPE_THREADS=1 in the environment keeps everything on one thread.
bool use_read_ahead(const ConnsOptions& options, const capture::FrameSource& source,
                    const ProgressMeter& progress) {
  if (progress.enabled() || source.is_live() || options.file.empty() || options.file == "-") return false;
  if (const char* threads = std::getenv("TCPSCOPE_THREADS");
      threads != nullptr && std::strcmp(threads, "1") == 0)
    return false;
  return std::thread::hardware_concurrency() >= 2;
}

}  // namespace

int run_conns(const ConnsOptions& options) {
  Format format = Format::table;
  if (options.format == "json")
    format = Format::json;
  else if (options.format == "ndjson")
    format = Format::ndjson;
  else if (options.format == "zeek")
    format = Format::zeek;
  else if (options.format != "table") {
    std::fprintf(stderr, "tcpscope: conns: unknown --format '%s' (table, json, ndjson, zeek)\n",
                 options.format.c_str());
    return 2;
  }
  if (options.file.empty() == options.iface.empty()) {
    std::fprintf(stderr, "tcpscope: conns: give exactly one of -r FILE or -i IFACE\n");
    return 2;
  }

  const bool live = !options.iface.empty();
  capture::OpenedSource opened;
  if (live) {
    capture::LiveOptions lo;
    lo.interface = options.iface;
    lo.immediate = true;
    lo.timeout_ms = 200;
    opened = capture::open_live(lo);
  } else {
    opened = capture::open_capture_file(options.file);
  }
  if (!opened.source) {
    std::fprintf(stderr, "tcpscope: conns: %s\n", opened.error.message.c_str());
    return 1;
  }
  if (!opened.warning.empty()) std::fprintf(stderr, "tcpscope: conns: warning: %s\n", opened.warning.c_str());
  capture::FrameSource& source = *opened.source;

  std::string filter;
  for (const auto& w : options.filter_words) filter += (filter.empty() ? "" : " ") + w;
  if (!filter.empty()) {
    if (const Error e = source.set_filter(filter, /*optimize=*/true)) {
      std::fprintf(stderr, "tcpscope: conns: %s\n", e.message.c_str());
      return 2;
    }
  }

  // Root gives up root once the source is open, as tcpdump and the other commands do;
  // the stop signals are caught before that (see run_pipeline()).
  capture::StopOnSignals stop_on_signals(source);
  ProgressMeter progress(options.file, options.quiet);  // stat()s the file: before the drop
  if (const Error e = capture::drop_root_after_opening(options.drop_user)) {
    std::fprintf(stderr, "tcpscope: conns: %s\n", e.message.c_str());
    return 1;
  }

  RowWriter writer(format, live);
  writer.begin();
  track::TrackerOptions topt;
  topt.max_conns = options.max_conns;
  topt.zeek.validate_checksums = options.validate_checksums;
  const bool two_threads = use_read_ahead(options, source, progress);
  // The frames' bytes are read where and while they are decoded only (the tracker
  // reads the decoded facts): a classic pcap file is read into a small buffer of the
  // reader's own, reused at once.
  source.expect_frames_read_until_next_call();
  RowHandOff hand_off(writer, two_threads);
  track::Tracker tracker(topt, [&hand_off](const track::Connection& c) { hand_off.add(c); });

  const auto connections_seen = [&tracker] { return tracker.stats().connections; };
  decode::Packet packet;
  packet.skip_tcp_checksum = !options.validate_checksums;  // only Zeek's checksum validation reads it
  packet.tcp_facts_only = true;                            // the tracker reads has_tcp, status and tcp only
  Frame frame;
  std::uint64_t number = 0;
  int status = 0;
  std::optional<ReadAhead> ahead;
  if (two_threads)
    ahead.emplace(source, packet.skip_tcp_checksum, /*flow_hashes=*/true, &hand_off, nullptr,
                  /*tcp_facts_only=*/true);
  // How far ahead in time a due timer's connection is prefetched.
  constexpr std::int64_t kTimerAheadNs = 20'000;
  for (bool reading = true; reading;) {
    Frame* current = &frame;
    const decode::Packet* decoded = nullptr;  // already decoded by ReadAhead
    switch (ahead ? ahead->next(current, decoded) : source.next(frame)) {
      case capture::NextResult::frame: {
        progress.on_packet(source, connections_seen);
        std::uint64_t known_hash = 0;  // segment_flow_hash(*decoded), from the reading thread
        if (decoded == nullptr) {
          current->number = ++number;  // ReadAhead numbers its frames itself
          decode::decode(*current, packet);
          decoded = &packet;
        } else {
          known_hash = ahead->hash_ahead(0);
          ahead->prefetch_flow_ahead(tracker);
          // The timers the packet a few ahead runs; its time is a guess (this
          // packet's plus a little), good enough for a hint.
          tracker.prefetch_due_timer(current->ts.ns() + kTimerAheadNs);
          ahead->prefetch_tcp_facts_ahead();
        }
        tracker.feed(*current, *decoded, known_hash);
        break;
      }
      case capture::NextResult::timeout: {  // live, no traffic: packet-time timers follow the clock
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        tracker.advance_time(Timestamp{now.tv_sec, now.tv_nsec});
        break;
      }
      case capture::NextResult::end:
        reading = false;
        break;
      case capture::NextResult::error:
        progress.clear();
        std::fprintf(stderr, "tcpscope: conns: %s\n", source.error().message.c_str());
        status = 1;
        reading = false;
        break;
    }
  }
  ahead.reset();  // the reading thread is done with the source (and with the rows)
  progress.clear();
  hand_off.finish_with_flush(tracker);
  writer.end();
  if (options.stats) {
    const auto& s = tracker.stats();
    std::fprintf(
        stderr,
        "tcpscope: conns: %llu packets, %llu TCP segments, %llu connections, %llu port reuses, %llu evicted "
        "(max-conns), peak %zu tracked\n",
        static_cast<unsigned long long>(s.packets), static_cast<unsigned long long>(s.tcp_segments),
        static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.port_reuses),
        static_cast<unsigned long long>(s.evicted), s.peak_tracked);
  } else if (tracker.stats().evicted) {
    std::fprintf(stderr, "tcpscope: conns: %llu connections evicted early by --max-conns\n",
                 static_cast<unsigned long long>(tracker.stats().evicted));
  }
  return status;
}

void add_conns_command(CLI::App& app, int& exit_status) {
  auto options = std::make_shared<ConnsOptions>();
  auto* cmd = app.add_subcommand("conns", "one row per TCP connection (table, json, ndjson, Zeek conn.log)");
  cmd->add_option("-r", options->file, "read packets from a pcap/pcapng file");
  cmd->add_option("-i", options->iface, "capture live from an interface");
  cmd->add_option("--format", options->format, "table | json | ndjson | zeek")->capture_default_str();
  cmd->add_option("--max-conns", options->max_conns, "track at most N connections at once (0: no cap)");
  cmd->add_flag("--validate-checksums", options->validate_checksums,
                "drop segments with a bad TCP checksum as Zeek does by default (history C)");
  cmd->add_flag("--stats", options->stats, "print tracking statistics to stderr");
  cmd->add_flag("--quiet", options->quiet, "no progress line on stderr while reading a large file");
  cmd->add_option(
      "-Z,--relinquish-privileges", options->drop_user,
      "as root, become this user once the capture is open (default: tcpdump; \"root\": stay root)");
  cmd->add_option("filter", options->filter_words, "BPF filter expression");
  cmd->callback([options, &exit_status] { exit_status = run_conns(*options); });
}

}  // namespace tcpscope::cli
