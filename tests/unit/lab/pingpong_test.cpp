// The ping/pong programs over loopback (no privileges needed): the exchange in
// both directions, close modes, and the errors a user sees.
#include "lab/pingpong.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <mutex>
#include <thread>
#include <vector>

namespace tcpscope::lab {
namespace {

std::uint16_t free_port(int family) {
  const int fd = socket(family, SOCK_STREAM, 0);
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (family == AF_INET6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_addr = in6addr_loopback;
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *a;
  }
  bind(fd, reinterpret_cast<sockaddr*>(&ss), len);
  getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len);
  close(fd);
  return family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port)
                            : ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

struct Exchange {
  Error server_error;
  Error client_error;
  std::vector<std::string> lines;
};

Exchange exchange(const std::string& host, int family, CloseMode client_close, bool server_until_eof) {
  Exchange ex;
  std::mutex mu;
  auto log = [&](const std::string& l) {
    std::lock_guard lk(mu);
    ex.lines.push_back(l);
  };
  ServerOptions so;
  so.bind = host;
  so.port = free_port(family);
  so.hold_ms = 10;
  so.max_connections = 1;
  so.accept_timeout_ms = 5000;
  so.io_timeout_ms = 5000;
  so.read_until_eof = server_until_eof;
  so.log = log;
  std::promise<void> listening;
  so.on_listening = [&] { listening.set_value(); };
  std::thread server([&] { ex.server_error = run_server(so); });
  listening.get_future().wait_for(std::chrono::seconds(5));
  ClientOptions co;
  co.host = host;
  co.port = so.port;
  co.close = client_close;
  co.connect_timeout_ms = 5000;
  co.io_timeout_ms = 5000;
  co.log = log;
  ex.client_error = run_client(co);
  server.join();
  return ex;
}

TEST(PingPong, ArticleExchangeOverIpv4) {
  const Exchange ex = exchange("127.0.0.1", AF_INET, CloseMode::normal, false);
  EXPECT_FALSE(ex.server_error) << ex.server_error.message;
  EXPECT_FALSE(ex.client_error) << ex.client_error.message;
  ASSERT_EQ(ex.lines.size(), 2u);
  EXPECT_NE(ex.lines[0].find("server: received from client 127.0.0.1:"), std::string::npos);
  EXPECT_NE(ex.lines[0].find(": ping"), std::string::npos);
  EXPECT_NE(ex.lines[1].find("client: received from server 127.0.0.1:"), std::string::npos);
  EXPECT_NE(ex.lines[1].find(": pong"), std::string::npos);
}

TEST(PingPong, HalfCloseOverIpv6) {
  // The server reads until the client's FIN (shutdown) and only then replies.
  const Exchange ex = exchange("::1", AF_INET6, CloseMode::shutdown, true);
  EXPECT_FALSE(ex.server_error) << ex.server_error.message;
  EXPECT_FALSE(ex.client_error) << ex.client_error.message;
  ASSERT_EQ(ex.lines.size(), 2u);
  EXPECT_NE(ex.lines[0].find("[::1]:"), std::string::npos);
  EXPECT_NE(ex.lines[1].find(": pong"), std::string::npos);
}

TEST(PingPong, RefusedSaysSo) {
  ClientOptions co;
  co.host = "127.0.0.1";
  co.port = free_port(AF_INET);
  const Error e = run_client(co);
  ASSERT_TRUE(e);
  EXPECT_NE(e.message.find("connection refused"), std::string::npos) << e.message;
}

TEST(PingPong, PortInUseSaysSo) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ServerOptions so;
  so.bind = "127.0.0.1";
  so.port = ntohs(a.sin_port);
  const Error e = run_server(so);
  close(fd);
  ASSERT_TRUE(e);
  EXPECT_NE(e.message.find("already in use"), std::string::npos) << e.message;
}

TEST(PingPong, AcceptWaitIsBounded) {
  ServerOptions so;
  so.bind = "127.0.0.1";
  so.port = free_port(AF_INET);
  so.accept_timeout_ms = 150;
  so.max_connections = 1;
  const Error e = run_server(so);
  ASSERT_TRUE(e);
  EXPECT_NE(e.message.find("no client connected within 150 ms"), std::string::npos) << e.message;
}

TEST(ParseOptions, DurationsAndCloseModes) {
  EXPECT_EQ(parse_duration_ms("2s"), 2000);
  EXPECT_EQ(parse_duration_ms("1500ms"), 1500);
  EXPECT_EQ(parse_duration_ms("0.25s"), 250);
  EXPECT_EQ(parse_duration_ms("3"), 3000);
  EXPECT_FALSE(parse_duration_ms("soon").has_value());
  EXPECT_FALSE(parse_duration_ms("-1s").has_value());
  EXPECT_EQ(parse_close_mode("abort"), CloseMode::abort);
  EXPECT_EQ(parse_close_mode("shutdown"), CloseMode::shutdown);
  EXPECT_FALSE(parse_close_mode("rst").has_value());
}

}  // namespace
}  // namespace tcpscope::lab
