// The scenario table (`tcpscope lab --list`).
#include "lab/scenarios.hpp"

#include <array>

namespace tcpscope::lab {
namespace {

constexpr std::array kScenarios = {
    Scenario{
        .name = "article",
        .summary_en =
            "the article's server.php/client.php: ping, pong, client closes first, server's FIN 2 s later",
        .summary_zh = "文章里的 server.php/client.php：ping、pong，客户端先关闭，服务端 2 秒后发 FIN",
        .server_hold_ms = 2000},
    Scenario{.name = "server-first",
             .summary_en = "the server closes right after its reply; the client closes when it reads the FIN",
             .summary_zh = "服务端回复后立即关闭，客户端读到 FIN 后再关闭",
             .server_hold_ms = 0,
             .client_read_until_eof = true,
             .client_hold_ms = 100},
    Scenario{.name = "reset",
             .summary_en = "the client aborts with SO_LINGER 0: RST instead of FIN",
             .summary_zh = "客户端设置 SO_LINGER 0 后关闭：发送 RST 而不是 FIN",
             .server_hold_ms = 300,
             .client_close = CloseMode::abort,
             .client_hold_ms = 50},
    Scenario{.name = "refused",
             .summary_en = "nobody listens on the port: the SYN is answered by RST (connection refused)",
             .summary_zh = "端口上没有监听者：SYN 被 RST 拒绝（connection refused）",
             .listen = false},
    Scenario{.name = "half-close",
             .summary_en =
                 "the client sends ping and shutdown(SHUT_WR); the server replies after the FIN, then closes",
             .summary_zh = "客户端发送 ping 后 shutdown(SHUT_WR) 半关闭；服务端收到 FIN 后再回复并关闭",
             .server_hold_ms = 100,
             .server_read_until_eof = true,
             .client_close = CloseMode::shutdown},
    Scenario{.name = "simultaneous-close",
             .summary_en = "both close at the same instant (best effort: the FINs may not cross)",
             .summary_zh = "双方同时关闭（尽力而为：两个 FIN 不一定交叉）",
             .server_hold_ms = 0,
             .client_hold_ms = 0,
             .close_together = true,
             .deterministic = false},
    Scenario{.name = "lost-syn",
             .summary_en =
                 "an nftables rule in the server namespace drops the first SYN; the client retransmits it",
             .summary_zh = "服务端命名空间里的 nftables 规则丢弃第一个 SYN，客户端重传",
             .drop = DropRule::first_syn},
    Scenario{.name = "lost-data",
             .summary_en = "an nftables rule drops the client's first data segment once; it is retransmitted",
             .summary_zh = "nftables 规则丢弃客户端的第一个数据段一次，随后重传",
             .drop = DropRule::first_data},
    Scenario{
        .name = "zero-window",
        .summary_en = "the server stops reading for 1 s with a small buffer: its window closes, then reopens",
        .summary_zh = "服务端用小缓冲区并暂停读取 1 秒：窗口降为零，然后重新打开",
        .server_hold_ms = 0,
        .server_read_until_eof = true,
        .server_delay_before_read_ms = 1000,
        .server_receive_buffer = 2048,
        .client_close = CloseMode::shutdown,
        .message_repeat = 16384},
    Scenario{.name = "keepalive",
             .summary_en = "the client idles with SO_KEEPALIVE (1 s): keep-alive probes and their ACKs",
             .summary_zh = "客户端开启 SO_KEEPALIVE（1 秒）后空闲：保活探测及其 ACK",
             .server_hold_ms = 3000,
             .client_hold_ms = 2500,
             .keepalive_idle_s = 1},
    Scenario{.name = "port-reuse",
             .summary_en = "two connections from the same client port (the server closes first each time)",
             .summary_zh = "同一个客户端端口先后建立两个连接（每次都由服务端先关闭）",
             .server_hold_ms = 0,
             .client_read_until_eof = true,
             .client_hold_ms = 100,
             .connections = 2},
    Scenario{.name = "ipv6",
             .summary_en = "the article's exchange over IPv6",
             .summary_zh = "文章中的交互，使用 IPv6",
             .ipv6 = true},
};

}  // namespace

std::span<const Scenario> all_scenarios() { return kScenarios; }

const Scenario* find_scenario(std::string_view name) {
  for (const auto& s : kScenarios)
    if (s.name == name) return &s;
  return nullptr;
}

}  // namespace tcpscope::lab
