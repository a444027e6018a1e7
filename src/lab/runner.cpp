// The lab run: lock, signals, topology, trace, capture, server, client, cleanup.
#include "lab/runner.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "capture/pcap_writer.hpp"
#include "capture/source.hpp"
#include "lab/kernel_states.hpp"
#include "lab/netns.hpp"
#include "lab/pingpong.hpp"
#include "lab/temp_capture.hpp"

namespace tcpscope::lab {
namespace {

constexpr std::uint16_t kArticlePort = 1234;  // the article's port; private to the namespaces
constexpr int kStepWaitMs = 5000;
constexpr int kRunDeadlineMs = 30000;

// Set by SIGINT/SIGTERM/SIGHUP while a lab runs. A signal handler can only reach
// static storage; it is not on any packet path.
std::atomic<bool> g_interrupted{false};  // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
std::atomic<int> g_signal{0};            // NOLINT(cppcoreguidelines-avoid-non-const-global-variables)
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_lab_signal(int sig) {
  g_signal.store(sig);
  g_interrupted.store(true);
}

class SignalGuard {
 public:
  SignalGuard() {
    g_interrupted.store(false);
    g_signal.store(0);
    struct sigaction sa {};
    sa.sa_handler = on_lab_signal;
    sigemptyset(&sa.sa_mask);
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalGuard() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  std::array<struct sigaction, 3> old_{};
  IgnoredSigpipe ignored_sigpipe_;  // a closed stdout/stderr must not kill the lab before it cleans up
};

class LabLock {
 public:
  static std::unique_ptr<LabLock> acquire(const std::string& path, const std::string& what, Error& error) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      error = Error{ErrorCode::io,
                    std::string("cannot open the lock file ") + kLabLockPath + ": " + std::strerror(errno)};
      return nullptr;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
      char buf[256] = {};
      const ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
      std::string holder = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "unknown process";
      while (!holder.empty() && holder.back() == '\n') holder.pop_back();
      close(fd);
      error = Error{ErrorCode::io, "another tcpscope lab is running (" + holder + "; lock " + path +
                                       "); wait for it to finish"};
      return nullptr;
    }
    const std::string text = "pid " + std::to_string(getpid()) + ", " + what + "\n";
    if (ftruncate(fd, 0) == 0) (void)!pwrite(fd, text.data(), text.size(), 0);
    return std::unique_ptr<LabLock>(new LabLock(fd));
  }
  ~LabLock() {
    if (ftruncate(fd_, 0) != 0) {
    }
    close(fd_);  // releases the lock
  }
  LabLock(const LabLock&) = delete;
  LabLock& operator=(const LabLock&) = delete;

 private:
  explicit LabLock(int fd) : fd_(fd) {}
  int fd_;
};

std::int64_t now_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1000 + t.tv_nsec / 1'000'000;
}

// Waits until `done` or the deadline, passing a signal on to `stop`.
bool wait_done(const std::atomic<bool>& done, std::atomic<bool>& stop, std::int64_t deadline_ms) {
  while (!done.load()) {
    if (g_interrupted.load()) stop.store(true);
    if (now_ms() >= deadline_ms) return false;
    usleep(20'000);
  }
  return true;
}

// Both closers meet here so that they close at the same instant (bounded wait).
class Rendezvous {
 public:
  void arrive() {
    std::unique_lock lk(mu_);
    ++arrived_;
    cv_.notify_all();
    cv_.wait_for(lk, std::chrono::seconds(3), [this] { return arrived_ >= 2; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
};

IpAddr parse_ip(const std::string& text) {
  std::uint8_t buf[16] = {};
  if (inet_pton(AF_INET, text.c_str(), buf) == 1) return IpAddr::v4(buf);
  if (inet_pton(AF_INET6, text.c_str(), buf) == 1) return IpAddr::v6(buf);
  return {};
}

// `to_server`: the rule sits in the server namespace (segments to the port);
// otherwise in the client namespace (segments from the port).
std::string nft_ruleset(const std::string& table, DropRule drop, bool ipv6, std::uint16_t server_port,
                        bool to_server = true) {
  const std::string type = ipv6 ? "ipv6_addr" : "ipv4_addr";
  const std::string saddr = ipv6 ? "ip6 saddr" : "ip saddr";
  const std::string port = std::string(to_server ? "tcp dport " : "tcp sport ") + std::to_string(server_port);
  std::string match;
  if (drop == DropRule::first_syn)
    match = port + " tcp flags & (syn | ack) == syn";
  else if (drop == DropRule::first_fins)
    match = port + " tcp flags & fin == fin";
  else
    match = port + " tcp flags & psh == psh";
  return "table inet " + table + " {\n  set seen { type " + type + "; flags dynamic; }\n  chain pre {\n" +
         "    type filter hook prerouting priority -300; policy accept;\n    " + match + " " + saddr +
         " != @seen add @seen { " + saddr + " } counter drop\n  }\n}\n";
}

std::string random_tag() {
  std::random_device rd;
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x%03x", static_cast<unsigned>(getpid()) % 0x10000u, rd() % 0x1000u);
  return buf;
}

// The two hosts: namespaces (empty: the current namespace, loopback fallback).
struct Hosts {
  std::string client_ns, server_ns, server_if, client_addr, server_addr;
  std::uint16_t port = kArticlePort;
};

Error enter_host_netns(const std::string& ns) { return ns.empty() ? Error{} : enter_netns(ns); }

// A free port on loopback (the loopback fallback shares the host's ports).
std::uint16_t free_loopback_port(bool ipv6) {
  const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_storage ss{};
  socklen_t len = ipv6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in);
  if (ipv6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  std::uint16_t port = 0;
  if (fd >= 0 && bind(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) == 0)
    port = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                      : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (fd >= 0) close(fd);
  return port;
}

class NoteLog {
 public:
  void add(const std::string& line) {
    std::lock_guard lk(mu_);
    lines_.push_back(line);
  }
  std::vector<std::string> take() {
    std::lock_guard lk(mu_);
    return std::move(lines_);
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

}  // namespace

namespace {
std::uint64_t effective_capabilities() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("CapEff:", 0) == 0) return std::strtoull(line.c_str() + 7, nullptr, 16);
  return geteuid() == 0 ? ~0ull : 0;
}
}  // namespace

bool has_lab_privileges() {
  constexpr std::uint64_t kNetAdmin = 1ull << 12;
  constexpr std::uint64_t kSysAdmin = 1ull << 21;
  const std::uint64_t caps = effective_capabilities();
  return (caps & kNetAdmin) != 0 && (caps & kSysAdmin) != 0;
}

bool has_capture_privileges() {
  constexpr std::uint64_t kNetRaw = 1ull << 13;
  return (effective_capabilities() & kNetRaw) != 0;
}

IgnoredSigpipe::IgnoredSigpipe() {
  struct sigaction ignore {};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGPIPE, &ignore, &previous_);
}

void IgnoredSigpipe::restore() {
  if (restored_) return;
  restored_ = true;
  sigaction(SIGPIPE, &previous_, nullptr);
}

Error cleanup_lab(std::vector<std::string>& removed) {
  if (!has_lab_privileges())
    return Error{ErrorCode::permission, "lab --cleanup needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN)"};
  Error error;
  const auto lock = LabLock::acquire(kLabLockPath, "lab --cleanup", error);
  if (!lock) return error;
  removed = cleanup_leftovers();
  return {};
}

Error run_lab(const LabOptions& options, LabResult& result) {
  const Scenario& sc = *options.scenario;
  auto progress = [&options](const std::string& s) {
    if (options.progress) options.progress(s);
  };
  if (!options.loopback && !has_lab_privileges())
    return Error{ErrorCode::permission,
                 "the lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces, a veth "
                 "pair and nftables rules, and to read tracefs"};
  if (options.loopback && sc.drop != DropRule::none)
    return Error{ErrorCode::unsupported,
                 "scenario " + std::string(sc.name) +
                     " needs an nftables rule in a namespace: not possible over loopback"};
  Error error;
  const std::string lock_path =
      geteuid() == 0 ? std::string(kLabLockPath) : "/tmp/tcpscope-lab-" + std::to_string(geteuid()) + ".lock";
  const auto lock = LabLock::acquire(lock_path, "scenario " + std::string(sc.name), error);
  if (!lock) return error;
  SignalGuard signals;
  if (const auto left = list_leftovers(); !left.empty() && !options.loopback)
    progress("note: " + std::to_string(left.size()) + " leftover(s) of a killed lab exist (e.g. " +
             left.front() + "); `tcpscope lab --cleanup` removes them");

  const std::string tag = random_tag();
  Hosts hosts;
  std::unique_ptr<Topology> topo;
  if (options.loopback) {
    hosts.server_if = "lo";
    hosts.client_addr = hosts.server_addr = sc.ipv6 ? "::1" : "127.0.0.1";
    hosts.port = free_loopback_port(sc.ipv6);
    if (hosts.port == 0) return Error{ErrorCode::io, "no free port on loopback"};
    progress("over loopback in the current namespace, port " + std::to_string(hosts.port));
  } else {
    progress("creating network namespaces " + std::string(kLabPrefix) + "-" + tag + "-{c,s} and a veth pair");
    topo = Topology::create(tag, TopologyConfig{.ipv6 = sc.ipv6}, error);
    if (!topo) return error;
    hosts.client_ns = topo->client_ns();
    hosts.server_ns = topo->server_ns();
    hosts.server_if = topo->server_if();
    hosts.client_addr = topo->client_addr();
    hosts.server_addr = topo->server_addr();
  }
  result.server_namespace = hosts.server_ns.empty() ? "the current namespace" : hosts.server_ns;
  result.client_namespace = hosts.client_ns.empty() ? "the current namespace" : hosts.client_ns;
  result.capture_interface = hosts.server_if;
  result.client_addr = parse_ip(hosts.client_addr);
  result.server_addr = parse_ip(hosts.server_addr);
  result.server_port = hosts.port;

  std::unique_ptr<TraceSession> trace =
      TraceSession::start(std::string(kLabPrefix) + "_" + tag, hosts.port, hosts.port, error);
  if (!trace) {
    result.kernel_unavailable_reason = error.message;
    error = {};
  }
  result.kernel_available = trace != nullptr;

  if (sc.drop != DropRule::none) {
    const std::string table = std::string(kLabPrefix) + "_" + tag;
    progress("nftables table inet " + table + " in " + result.server_namespace + " drops the " +
             (sc.drop == DropRule::first_syn ? "client's first SYN"
              : sc.drop == DropRule::first_fins
                  ? "client's first FIN (and one in " + result.client_namespace + " the server's first FIN)"
                  : "client's first data segment"));
    if ((error = topo->load_nft(nft_ruleset(table, sc.drop, sc.ipv6, hosts.port)))) return error;
    if (sc.drop == DropRule::first_fins &&
        (error = topo->load_client_nft(nft_ruleset(table, sc.drop, sc.ipv6, hosts.port, false))))
      return error;
  }

  // Capture, as the article's tcpdump on the server host.
  if (options.write_path.empty()) {
    result.pcap_path = create_temp_capture(tag, error);
    if (result.pcap_path.empty()) return error;
    result.pcap_is_temporary = true;
  } else {
    result.pcap_path = options.write_path;
  }
  std::atomic<bool> capture_stop{false};
  std::atomic<bool> capture_done{false};
  std::mutex live_mu;  // guards live_source: the thread clears it before closing the source
  capture::FrameSource* live_source = nullptr;
  std::promise<Error> capture_ready;
  auto capture_ready_future = capture_ready.get_future();
  std::thread capture_thread([&] {
    Error e = enter_host_netns(hosts.server_ns);
    capture::OpenedSource opened;
    std::unique_ptr<capture::PcapWriter> writer;
    if (!e) {
      capture::LiveOptions lo;
      lo.interface = hosts.server_if;
      lo.immediate = true;
      lo.timeout_ms = 50;
      lo.promiscuous = false;
      lo.buffer_size_kib = 8192;  // a burst after a zero window must not overflow the ring
      opened = capture::open_live(lo);
      if (!opened.source) e = opened.error;
    }
    if (!e) e = opened.source->set_filter("tcp port " + std::to_string(hosts.port), /*optimize=*/true);
    if (!e) {
      auto w = capture::PcapWriter::open(result.pcap_path, opened.source->link_type(),
                                         opened.source->snaplen(), false);
      if (!w.writer) e = w.error;
      writer = std::move(w.writer);
    }
    const bool ok = !e;
    if (ok) {
      std::lock_guard lk(live_mu);
      live_source = opened.source.get();
      if (capture_stop.load()) live_source->request_stop();
    }
    capture_ready.set_value(std::move(e));
    if (ok) {
      Frame frame;
      for (bool reading = true; reading;) {
        switch (opened.source->next(frame)) {
          case capture::NextResult::frame:
            writer->write(frame);
            break;
          case capture::NextResult::timeout:
            (void)writer->flush();
            if (capture_stop.load()) reading = false;
            break;
          case capture::NextResult::end:
          case capture::NextResult::error:
            reading = false;
            break;
        }
      }
      (void)writer->close();
    }
    {
      std::lock_guard lk(live_mu);
      live_source = nullptr;
    }
    capture_done.store(true);
  });
  // Stops the capture: request_stop() wakes a blocked pcap_next_ex (pcap_breakloop).
  auto stop_capture = [&] {
    std::lock_guard lk(live_mu);
    capture_stop.store(true);
    if (live_source != nullptr) live_source->request_stop();
  };
  struct Joiner {
    std::thread& t;
    std::function<void()> stop;
    ~Joiner() {
      stop();
      if (t.joinable()) t.join();
    }
  } capture_joiner{capture_thread, stop_capture};

  if (capture_ready_future.wait_for(std::chrono::milliseconds(kStepWaitMs)) != std::future_status::ready)
    return Error{ErrorCode::io, "the capture did not start within 5 s"};
  if ((error = capture_ready_future.get())) return error;
  progress("capturing on " + hosts.server_if + " in " + result.server_namespace +
           " (libpcap), filter 'tcp port " + std::to_string(hosts.port) + "'");

  NoteLog notes;
  Rendezvous rendezvous;
  const auto deadline = now_ms() + kRunDeadlineMs;

  // The server host.
  std::atomic<bool> server_stop{false};
  std::atomic<bool> server_done{!sc.listen};
  std::promise<void> listening;
  auto listening_future = listening.get_future();
  std::thread server_thread;
  if (sc.listen) {
    server_thread = std::thread([&] {
      if (Error e = enter_host_netns(hosts.server_ns)) {
        notes.add("server: " + e.message);
        listening.set_value();
        server_done.store(true);
        return;
      }
      ServerOptions so;
      so.bind = hosts.server_addr;
      so.port = hosts.port;
      so.hold_ms = sc.server_hold_ms;
      so.close = sc.server_close;
      so.max_connections = sc.connections;
      so.accept_timeout_ms = 10000;
      so.read_until_eof = sc.server_read_until_eof;
      so.delay_before_read_ms = sc.server_delay_before_read_ms;
      so.receive_buffer = sc.server_receive_buffer;
      bool announced = false;
      so.on_listening = [&] {
        announced = true;
        listening.set_value();
      };
      if (sc.close_together) so.before_close = [&] { rendezvous.arrive(); };
      so.log = [&](const std::string& l) { notes.add(l); };
      so.stop = &server_stop;
      if (Error e = run_server(so)) notes.add("server: " + e.message);
      if (!announced) listening.set_value();
      server_done.store(true);
    });
  }
  struct ThreadJoiner {
    std::thread& t;
    std::atomic<bool>& stop;
    ~ThreadJoiner() {
      stop.store(true);
      if (t.joinable()) t.join();
    }
  } server_joiner{server_thread, server_stop};
  if (sc.listen) {
    if (listening_future.wait_for(std::chrono::milliseconds(kStepWaitMs)) != std::future_status::ready)
      return Error{ErrorCode::io, "the server did not start within 5 s"};
    progress("server listening on " + hosts.server_addr + " port " + std::to_string(hosts.port) + " in " +
             result.server_namespace);
  }

  // The client host.
  std::atomic<bool> client_stop{false};
  std::atomic<bool> client_done{false};
  std::thread client_thread([&] {
    if (Error e = enter_host_netns(hosts.client_ns)) {
      notes.add("client: " + e.message);
      client_done.store(true);
      return;
    }
    std::random_device rd;
    const auto local_port = static_cast<std::uint16_t>(sc.connections > 1 ? 40000 + rd() % 20000 : 0);
    for (int i = 0; i < sc.connections && !client_stop.load(); ++i) {
      if (i > 0) usleep(200'000);
      ClientOptions co;
      co.host = hosts.server_addr;
      co.port = hosts.port;
      co.close = sc.client_close;
      co.local_port = local_port;
      co.read_until_eof = sc.client_read_until_eof;
      co.hold_before_close_ms = sc.client_hold_ms;
      co.message_repeat = sc.message_repeat;
      co.keepalive_idle_s = sc.keepalive_idle_s;
      if (sc.close_together) co.before_close = [&] { rendezvous.arrive(); };
      co.log = [&](const std::string& l) { notes.add(l); };
      co.stop = &client_stop;
      if (Error e = run_client(co)) notes.add("client: " + e.message);
    }
    client_done.store(true);
  });
  struct ThreadJoiner client_joiner {
    client_thread, client_stop
  };
  progress("client connecting from " + hosts.client_addr + " in " + result.client_namespace);

  if (!wait_done(client_done, client_stop, deadline)) client_stop.store(true);
  if (!wait_done(server_done, server_stop, now_ms() + (sc.server_hold_ms + 3000))) server_stop.store(true);
  // Let the last ACK (and a delayed one) reach the capture.
  const std::int64_t grace_end = now_ms() + 300;
  while (now_ms() < grace_end && !g_interrupted.load()) usleep(20'000);
  // Let the capture thread drain what is still queued (it ends at its first idle timeout),
  // then force it: pcap_breakloop() would drop frames still in the ring.
  capture_stop.store(true);
  {
    std::atomic<bool> unused{false};
    (void)wait_done(capture_done, unused, now_ms() + 1000);
  }
  stop_capture();
  client_stop.store(true);
  server_stop.store(true);
  if (client_thread.joinable()) client_thread.join();
  if (server_thread.joinable()) server_thread.join();
  if (capture_thread.joinable()) capture_thread.join();

  if (trace) {
    Error te;
    auto events = trace->read_events(te);
    trace->stop();
    if (te) {
      result.kernel_available = false;
      result.kernel_unavailable_reason = te.message;
    }
    // Keep the events of this lab's sockets (IPv4 events carry addresses; IPv6 ones do not).
    for (const auto& e : events) {
      const bool ours = sc.ipv6
                            ? !e.local.addr.is_v4()
                            : e.local.addr == result.client_addr || e.local.addr == result.server_addr ||
                                  e.remote.addr == result.client_addr || e.remote.addr == result.server_addr;
      if (ours) result.kernel_events.push_back(e);
    }
  }
  result.notes = notes.take();
  if (g_interrupted.load()) {
    return Error{ErrorCode::io, std::string("interrupted by ") + strsignal(g_signal.load()) +
                                    "; namespaces, trace instance and capture thread were cleaned up"};
  }
  return {};
}

}  // namespace tcpscope::lab
