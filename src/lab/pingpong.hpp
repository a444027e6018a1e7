// The article's ping/pong programs (server.php, client.php) in C++, with the
// close modes the lab scenarios need. Used by `tcpscope server|client` and, in
// threads inside network namespaces, by `tcpscope lab`.
//
// Every wait is bounded: accept/read/write/connect poll in slices and give up
// at their time limit or when `stop` becomes true.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.hpp"

namespace tcpscope::lab {

enum class CloseMode : std::uint8_t {
  normal,    // close(): FIN (or RST when unread data is left, as Linux does)
  abort,     // SO_LINGER {on, 0} then close(): RST
  shutdown,  // shutdown(SHUT_WR) first (half-close: FIN, keep reading), then close()
};
std::optional<CloseMode> parse_close_mode(std::string_view text);
std::string_view close_mode_name(CloseMode mode);

// Parses "2s", "1500ms", "0.5s" or a plain number of seconds into milliseconds.
std::optional<int> parse_duration_ms(std::string_view text);

using LogFn = std::function<void(const std::string& line)>;

struct ServerOptions {
  std::string bind = "0.0.0.0";  // an IPv6 address (or "::") makes an IPv6 server
  std::uint16_t port = 1234;
  std::string reply = "pong";
  int hold_ms = 2000;  // sleep between the reply and close (server.php: sleep(2))
  CloseMode close = CloseMode::normal;
  int backlog = 5;
  int max_connections = 0;             // 0: serve forever, as server.php does
  int accept_timeout_ms = 0;           // 0: no limit (a stop request still ends the wait)
  int io_timeout_ms = 10000;           // per read/write
  bool read_until_eof = false;         // read until the client's FIN before replying (half-close)
  int delay_before_read_ms = 0;        // stop reading for a while (zero window)
  int receive_buffer = 0;              // SO_RCVBUF for the listener (0: default)
  std::function<void()> on_listening;  // called once the socket listens
  std::function<void()> before_close;  // called just before the close step (simultaneous close)
  LogFn log;                           // "received ..." lines (default: stdout)
  const std::atomic<bool>* stop = nullptr;
};

struct ClientOptions {
  std::string host;  // numeric IPv4 or IPv6 address, or a name
  std::uint16_t port = 1234;
  std::string message = "ping";
  std::size_t message_repeat = 1;  // send the message this many times in one go (zero window)
  CloseMode close = CloseMode::normal;
  std::uint16_t local_port = 0;  // bind this source port first (SO_REUSEADDR; port reuse)
  int connect_timeout_ms = 5000;
  int io_timeout_ms = 10000;
  bool read_until_eof = false;   // read until the server's FIN before closing (server closes first)
  int hold_before_close_ms = 0;  // sleep after the reply, before the close step
  int keepalive_idle_s = 0;      // SO_KEEPALIVE with this TCP_KEEPIDLE/TCP_KEEPINTVL (0: off)
  std::function<void()> before_close;
  LogFn log;
  const std::atomic<bool>* stop = nullptr;
};

// Serves until max_connections were handled, the accept limit passes or a stop
// is requested. Errors: bind (port in use), listen, accept.
Error run_server(const ServerOptions& options);

// One exchange: connect, write, read and print the reply, close. Errors: refused,
// timeout, unreachable, name resolution.
Error run_client(const ClientOptions& options);

}  // namespace tcpscope::lab
