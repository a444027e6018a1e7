// server.php and client.php as bounded, poll-driven socket code (IPv4 and IPv6).
#include "lab/pingpong.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

namespace tcpscope::lab {
namespace {

constexpr int kSliceMs = 100;  // how often a blocked wait looks at the stop flag

std::int64_t now_ms() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return std::int64_t{t.tv_sec} * 1000 + t.tv_nsec / 1'000'000;
}

bool stopped(const std::atomic<bool>* stop) { return stop != nullptr && stop->load(); }

// Sleeps `ms`, waking early on a stop request.
void sleep_ms(int ms, const std::atomic<bool>* stop) {
  const std::int64_t end = now_ms() + ms;
  for (std::int64_t left = ms; left > 0 && !stopped(stop); left = end - now_ms()) {
    const std::int64_t slice = left < kSliceMs ? left : kSliceMs;
    timespec t{static_cast<time_t>(slice / 1000), static_cast<long>(slice % 1000) * 1'000'000};
    nanosleep(&t, nullptr);
  }
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(o.release()) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  int release() {
    const int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

enum class WaitResult { ready, timeout, stopped, error };

// Waits for `events` on `fd` for at most `timeout_ms` (0: no limit), in slices.
WaitResult wait_for(int fd, short events, int timeout_ms, const std::atomic<bool>* stop) {
  const std::int64_t end = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
  for (;;) {
    if (stopped(stop)) return WaitResult::stopped;
    int slice = kSliceMs;
    if (timeout_ms > 0) {
      const std::int64_t left = end - now_ms();
      if (left <= 0) return WaitResult::timeout;
      if (left < slice) slice = static_cast<int>(left);
    }
    pollfd p{fd, events, 0};
    const int rc = poll(&p, 1, slice);
    if (rc < 0 && errno != EINTR) return WaitResult::error;
    if (rc > 0) return WaitResult::ready;
  }
}

std::string errno_text(int e) { return std::strerror(e); }

void emit(const LogFn& log, const std::string& line) {
  if (log) {
    log(line);
  } else {
    std::fprintf(stdout, "%s\n", line.c_str());
    std::fflush(stdout);
  }
}

std::string peer_text(const sockaddr_storage& ss) {
  char host[INET6_ADDRSTRLEN] = {};
  std::uint16_t port = 0;
  if (ss.ss_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
    port = ntohs(a->sin6_port);
    return std::string("[") + host + "]:" + std::to_string(port);
  }
  const auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
  inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
  port = ntohs(a->sin_port);
  return std::string(host) + ":" + std::to_string(port);
}

// Numeric address (v4 or v6) or a name, into a socket address with `port`.
Error resolve(const std::string& host, std::uint16_t port, bool passive, sockaddr_storage& out,
              socklen_t& len) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = passive ? AI_PASSIVE | AI_NUMERICHOST : AI_ADDRCONFIG;
  addrinfo* res = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0 || res == nullptr) {
    // AI_ADDRCONFIG hides loopback-only hosts (namespaces without other addresses): try without it.
    if (!passive) {
      hints.ai_flags = 0;
      if (getaddrinfo(host.c_str(), service.c_str(), &hints, &res) == 0 && res != nullptr) goto found;
    }
    return Error{ErrorCode::usage, "cannot resolve '" + host + "': " + gai_strerror(rc)};
  }
found:
  std::memcpy(&out, res->ai_addr, res->ai_addrlen);
  len = res->ai_addrlen;
  freeaddrinfo(res);
  return {};
}

void set_linger_zero(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
}

// Writes all of `data`, bounded in time.
Error write_all(int fd, std::string_view data, int timeout_ms, const std::atomic<bool>* stop) {
  std::size_t done = 0;
  while (done < data.size()) {
    const WaitResult w = wait_for(fd, POLLOUT, timeout_ms, stop);
    if (w == WaitResult::timeout)
      return Error{ErrorCode::io, "write timed out after " + std::to_string(timeout_ms) + " ms"};
    if (w != WaitResult::ready) return Error{ErrorCode::io, "write interrupted"};
    const ssize_t n = send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Error{ErrorCode::io, "write failed: " + errno_text(errno)};
    }
    done += static_cast<std::size_t>(n);
  }
  return {};
}

// Reads once (up to `limit` bytes) or, with `until_eof`, until the peer's FIN.
// A reset by the peer ends the read without an error (the scenario may expect it).
Error read_some(int fd, std::size_t limit, bool until_eof, int timeout_ms, const std::atomic<bool>* stop,
                std::string& out, bool& reset) {
  char buf[4096];
  for (;;) {
    const WaitResult w = wait_for(fd, POLLIN, timeout_ms, stop);
    if (w == WaitResult::timeout)
      return Error{ErrorCode::io, "read timed out after " + std::to_string(timeout_ms) + " ms"};
    if (w != WaitResult::ready) return Error{ErrorCode::io, "read interrupted"};
    const std::size_t want = until_eof ? sizeof buf : std::min(sizeof buf, limit - out.size());
    const ssize_t n = recv(fd, buf, want, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      if (errno == ECONNRESET) {
        reset = true;
        return {};
      }
      return Error{ErrorCode::io, "read failed: " + errno_text(errno)};
    }
    if (n == 0) return {};
    out.append(buf, static_cast<std::size_t>(n));
    if (!until_eof) return {};
  }
}

std::string preview(const std::string& data) {
  if (data.size() <= 64) return data;
  return data.substr(0, 32) + "... (" + std::to_string(data.size()) + " bytes)";
}

}  // namespace

std::optional<CloseMode> parse_close_mode(std::string_view text) {
  if (text == "normal") return CloseMode::normal;
  if (text == "abort") return CloseMode::abort;
  if (text == "shutdown") return CloseMode::shutdown;
  return std::nullopt;
}

std::string_view close_mode_name(CloseMode mode) {
  switch (mode) {
    case CloseMode::normal:
      return "normal";
    case CloseMode::abort:
      return "abort";
    case CloseMode::shutdown:
      return "shutdown";
  }
  return "?";
}

std::optional<int> parse_duration_ms(std::string_view text) {
  double scale = 1000.0;
  if (text.ends_with("ms")) {
    scale = 1.0;
    text.remove_suffix(2);
  } else if (text.ends_with("s")) {
    text.remove_suffix(1);
  }
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 86400.0 * 1000)
    return std::nullopt;
  return static_cast<int>(value * scale + 0.5);
}

Error run_server(const ServerOptions& o) {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (Error e = resolve(o.bind, o.port, true, addr, addr_len)) return e;
  Fd listener(socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (listener.get() < 0) return Error{ErrorCode::io, "socket: " + errno_text(errno)};
  const int one = 1;
  setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (o.receive_buffer > 0)
    setsockopt(listener.get(), SOL_SOCKET, SO_RCVBUF, &o.receive_buffer, sizeof o.receive_buffer);
  const std::string where =
      (addr.ss_family == AF_INET6 ? "[" + o.bind + "]" : o.bind) + ":" + std::to_string(o.port);
  if (bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0) {
    const int e = errno;
    if (e == EADDRINUSE)
      return Error{ErrorCode::io, "cannot listen on " + where + ": the port is already in use"};
    if (e == EACCES)
      return Error{ErrorCode::permission, "cannot listen on " + where + ": ports below 1024 need root"};
    return Error{ErrorCode::io, "cannot bind " + where + ": " + errno_text(e)};
  }
  if (listen(listener.get(), o.backlog) != 0) return Error{ErrorCode::io, "listen: " + errno_text(errno)};
  if (o.on_listening) o.on_listening();
  for (int served = 0; o.max_connections == 0 || served < o.max_connections; ++served) {
    const WaitResult w = wait_for(listener.get(), POLLIN, o.accept_timeout_ms, o.stop);
    if (w == WaitResult::stopped) return {};
    if (w == WaitResult::timeout)
      return Error{ErrorCode::io,
                   "no client connected within " + std::to_string(o.accept_timeout_ms) + " ms"};
    if (w == WaitResult::error) return Error{ErrorCode::io, "poll: " + errno_text(errno)};
    sockaddr_storage peer{};
    socklen_t peer_len = sizeof peer;
    Fd conn(accept4(listener.get(), reinterpret_cast<sockaddr*>(&peer), &peer_len, SOCK_CLOEXEC));
    if (conn.get() < 0) {
      if (errno == EINTR || errno == ECONNABORTED) {
        --served;
        continue;
      }
      return Error{ErrorCode::io, "accept: " + errno_text(errno)};
    }
    if (o.delay_before_read_ms > 0) sleep_ms(o.delay_before_read_ms, o.stop);
    std::string received;
    bool reset = false;
    if (Error e = read_some(conn.get(), 1024, o.read_until_eof, o.io_timeout_ms, o.stop, received, reset)) {
      emit(o.log, "server: " + peer_text(peer) + ": " + e.message);
      continue;
    }
    emit(o.log, "server: received from client " + peer_text(peer) + ": " + preview(received) +
                    (reset ? " (connection reset by the client)" : ""));
    if (!reset) {
      if (Error e = write_all(conn.get(), o.reply, o.io_timeout_ms, o.stop))
        emit(o.log, "server: " + peer_text(peer) + ": " + e.message);
    }
    sleep_ms(o.hold_ms, o.stop);
    if (o.before_close) o.before_close();
    switch (o.close) {
      case CloseMode::normal:
        break;
      case CloseMode::abort:
        set_linger_zero(conn.get());
        break;
      case CloseMode::shutdown: {
        ::shutdown(conn.get(), SHUT_WR);
        std::string rest;
        bool rest_reset = false;
        (void)read_some(conn.get(), 0, true, o.io_timeout_ms, o.stop, rest, rest_reset);
        break;
      }
    }
    conn.reset();
  }
  return {};
}

Error run_client(const ClientOptions& o) {
  sockaddr_storage addr{};
  socklen_t addr_len = 0;
  if (Error e = resolve(o.host, o.port, false, addr, addr_len)) return e;
  const std::string where = peer_text(addr);
  Fd fd(socket(addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) return Error{ErrorCode::io, "socket: " + errno_text(errno)};
  const int one = 1;
  if (o.keepalive_idle_s > 0) {
    setsockopt(fd.get(), SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
    setsockopt(fd.get(), IPPROTO_TCP, TCP_KEEPIDLE, &o.keepalive_idle_s, sizeof o.keepalive_idle_s);
    setsockopt(fd.get(), IPPROTO_TCP, TCP_KEEPINTVL, &o.keepalive_idle_s, sizeof o.keepalive_idle_s);
  }
  if (o.local_port != 0) {
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_storage local{};
    local.ss_family = addr.ss_family;
    if (addr.ss_family == AF_INET6)
      reinterpret_cast<sockaddr_in6*>(&local)->sin6_port = htons(o.local_port);
    else
      reinterpret_cast<sockaddr_in*>(&local)->sin_port = htons(o.local_port);
    if (bind(fd.get(), reinterpret_cast<sockaddr*>(&local), addr_len) != 0)
      return Error{ErrorCode::io,
                   "cannot bind source port " + std::to_string(o.local_port) + ": " + errno_text(errno)};
  }
  if (connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), addr_len) != 0 && errno != EINPROGRESS)
    return Error{ErrorCode::io, "cannot connect to " + where + ": " + errno_text(errno)};
  const WaitResult w = wait_for(fd.get(), POLLOUT, o.connect_timeout_ms, o.stop);
  if (w == WaitResult::timeout)
    return Error{ErrorCode::io, "cannot connect to " + where + ": no answer within " +
                                    std::to_string(o.connect_timeout_ms) + " ms (timeout)"};
  if (w != WaitResult::ready) return Error{ErrorCode::io, "connect to " + where + " interrupted"};
  int so_error = 0;
  socklen_t so_len = sizeof so_error;
  getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &so_error, &so_len);
  if (so_error == ECONNREFUSED)
    return Error{ErrorCode::io, "cannot connect to " + where + ": connection refused (nobody listens there)"};
  if (so_error != 0) return Error{ErrorCode::io, "cannot connect to " + where + ": " + errno_text(so_error)};

  std::string message;
  message.reserve(o.message.size() * o.message_repeat);
  for (std::size_t i = 0; i < o.message_repeat; ++i) message += o.message;
  if (Error e = write_all(fd.get(), message, o.io_timeout_ms, o.stop)) return e;
  if (o.close == CloseMode::shutdown) ::shutdown(fd.get(), SHUT_WR);
  std::string reply;
  bool reset = false;
  const bool until_eof = o.read_until_eof || o.close == CloseMode::shutdown;
  if (Error e = read_some(fd.get(), 1024, until_eof, o.io_timeout_ms, o.stop, reply, reset)) return e;
  emit(o.log, "client: received from server " + where + ": " + preview(reply) +
                  (reset ? " (connection reset by the server)" : ""));
  sleep_ms(o.hold_before_close_ms, o.stop);
  if (o.before_close) o.before_close();
  if (o.close == CloseMode::abort) set_linger_zero(fd.get());
  fd.reset();
  return {};
}

}  // namespace tcpscope::lab
