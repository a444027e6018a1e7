// `tcpscope conns [-r FILE | -i IFACE] [filter] [--format table|json|ndjson|zeek] [--max-conns N]`:
// one row per TCP connection. Reading is libpcap directly (offline or live);
// rows are printed as connections end (Zeek's order), the rest at end of input
// or on Ctrl-C.
#include <fmt/format.h>
#include <pcap/pcap.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.hpp"
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
};

int run_conns(const ConnsOptions& options);

namespace {

// The live capture to stop on SIGINT/SIGTERM; a signal handler can reach nothing else.
std::atomic<pcap_t*> g_live_capture{nullptr};

extern "C" void stop_live_capture(int) {
  if (pcap_t* p = g_live_capture.load()) pcap_breakloop(p);
}

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
    switch (format_) {
      case Format::zeek:
        render::zeek_log_row(buf_, c);
        break;
      case Format::table:
        render::conns_table_row(buf_, c);
        break;
      case Format::ndjson:
        render::conn_json(buf_, c);
        buf_.push_back('\n');
        break;
      case Format::json:
        if (rows_) buf_.push_back(',');
        buf_.append(std::string_view("\n  "));
        render::conn_json(buf_, c);
        break;
    }
    ++rows_;
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

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};

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
    std::fprintf(stderr, "tcpscope conns: unknown --format '%s' (table, json, ndjson, zeek)\n",
                 options.format.c_str());
    return 2;
  }
  if (options.file.empty() == options.iface.empty()) {
    std::fprintf(stderr, "tcpscope conns: give exactly one of -r FILE or -i IFACE\n");
    return 2;
  }

  char errbuf[PCAP_ERRBUF_SIZE] = {};
  const bool live = !options.iface.empty();
  std::unique_ptr<pcap_t, PcapCloser> pcap;
  if (live) {
    pcap.reset(pcap_create(options.iface.c_str(), errbuf));
    if (pcap) {
      pcap_set_snaplen(pcap.get(), 262144);
      pcap_set_promisc(pcap.get(), 1);
      pcap_set_timeout(pcap.get(), 200);
      pcap_set_immediate_mode(pcap.get(), 1);
      const int rc = pcap_activate(pcap.get());
      if (rc < 0) {
        std::fprintf(stderr, "tcpscope conns: %s: %s\n", options.iface.c_str(), pcap_geterr(pcap.get()));
        return 1;
      }
    }
  } else {
    pcap.reset(
        pcap_open_offline_with_tstamp_precision(options.file.c_str(), PCAP_TSTAMP_PRECISION_NANO, errbuf));
  }
  if (!pcap) {
    std::fprintf(stderr, "tcpscope conns: %s\n", errbuf);
    return 1;
  }

  std::string filter;
  for (const auto& w : options.filter_words) filter += (filter.empty() ? "" : " ") + w;
  if (!filter.empty()) {
    bpf_program program{};
    if (pcap_compile(pcap.get(), &program, filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0 ||
        pcap_setfilter(pcap.get(), &program) != 0) {
      std::fprintf(stderr, "tcpscope conns: bad filter '%s': %s\n", filter.c_str(), pcap_geterr(pcap.get()));
      pcap_freecode(&program);
      return 2;
    }
    pcap_freecode(&program);
  }

  RowWriter writer(format, live);
  writer.begin();
  track::TrackerOptions topt;
  topt.max_conns = options.max_conns;
  topt.zeek.validate_checksums = options.validate_checksums;
  track::Tracker tracker(topt, [&writer](const track::Connection& c) { writer.row(c); });

  const int link_type = pcap_datalink(pcap.get());
  if (live) {
    g_live_capture.store(pcap.get());
    std::signal(SIGINT, stop_live_capture);
    std::signal(SIGTERM, stop_live_capture);
  }

  decode::Packet packet;
  Frame frame;
  std::uint64_t number = 0;
  int status = 0;
  for (;;) {
    pcap_pkthdr* hdr = nullptr;
    const u_char* data = nullptr;
    const int rc = pcap_next_ex(pcap.get(), &hdr, &data);
    if (rc == 1) {
      frame.ts.sec = hdr->ts.tv_sec;
      frame.ts.nsec = live ? std::int64_t{hdr->ts.tv_usec} * 1000 : hdr->ts.tv_usec;
      frame.caplen = hdr->caplen;
      frame.wire_len = hdr->len;
      frame.link_type = link_type;
      frame.data = ByteView(data, hdr->caplen);
      frame.number = ++number;
      decode::decode(frame, packet);
      tracker.feed(frame, packet);
    } else if (rc == 0) {  // live timeout: let packet-time timers follow the clock
      timespec now{};
      clock_gettime(CLOCK_REALTIME, &now);
      tracker.advance_time(Timestamp{now.tv_sec, now.tv_nsec});
    } else if (rc == PCAP_ERROR_BREAK) {
      break;
    } else {
      if (rc != PCAP_ERROR_BREAK && !live && rc == PCAP_ERROR) {
        std::fprintf(stderr, "tcpscope conns: %s: damaged after packet %llu: %s\n", options.file.c_str(),
                     static_cast<unsigned long long>(number), pcap_geterr(pcap.get()));
        status = 1;
      }
      break;
    }
  }
  if (live) g_live_capture.store(nullptr);
  tracker.flush();
  writer.end();
  if (options.stats) {
    const auto& s = tracker.stats();
    std::fprintf(
        stderr,
        "tcpscope conns: %llu packets, %llu TCP segments, %llu connections, %llu port reuses, %llu evicted "
        "(max-conns), peak %zu tracked\n",
        static_cast<unsigned long long>(s.packets), static_cast<unsigned long long>(s.tcp_segments),
        static_cast<unsigned long long>(s.connections), static_cast<unsigned long long>(s.port_reuses),
        static_cast<unsigned long long>(s.evicted), s.peak_tracked);
  } else if (tracker.stats().evicted) {
    std::fprintf(stderr, "tcpscope conns: %llu connections evicted early by --max-conns\n",
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
  cmd->add_option("filter", options->filter_words, "BPF filter expression");
  cmd->callback([options, &exit_status] { exit_status = run_conns(*options); });
}

}  // namespace tcpscope::cli
