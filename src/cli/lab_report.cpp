// The lab's printout: the capture (tcpdump -S -nn -vvv), then each connection's
// segments with both endpoints' inferred states and, in time order beside them,
// the kernel's own transitions; then the per-side comparison and the verdict.
#include "cli/lab_report.hpp"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <map>
#include <vector>

#include "capture/source.hpp"
#include "core/tcp_flags.hpp"
#include "decode/packet.hpp"
#include "lab/kernel_compare.hpp"
#include "print/tcpdump_printer.hpp"
#include "track/inference.hpp"
#include "track/tracker.hpp"

namespace tcpscope::cli {
namespace {

struct Texts {
  const char* explanation;
  const char* connection;
  const char* client;
  const char* server;
  const char* close_kind;
  const char* header;
  const char* kernel;
  const char* listener;
  const char* compare;
  const char* kernel_seq;
  const char* inferred_seq;
  const char* from;
  const char* agree;
  const char* disagree;
  const char* no_events;
  const char* mapped;
  const char* verdict_agree;
  const char* verdict_disagree;
  const char* verdict_no_kernel;
  const char* fins_crossed;
  const char* fins_not_crossed;
};

constexpr Texts kEnglish = {
    "Explanation (inferred from the wire; the kernel's own transitions beside them)",
    "Connection",
    "client",
    "server",
    "closed by",
    "   time(s)  #   segment                         client            server",
    "kernel",
    "listening socket",
    "Inferred vs kernel (Linux's view of each endpoint):",
    "kernel  ",
    "inferred",
    "from",
    "agree",
    "DISAGREE",
    "(no events)",
    "Linux differences mapped:",
    "Verdict: agree - the states inferred from the wire match the kernel's for both endpoints",
    "Verdict: disagree - ",
    "Verdict: no kernel column (the kernel's states were not available)",
    "The FINs crossed: a real simultaneous close.",
    "The FINs did not cross this time (best effort): one side's FIN arrived before the other closed.",
};

constexpr Texts kChinese = {
    "解释（从报文推断；旁边是内核自己记录的状态变化）",
    "连接",
    "客户端",
    "服务端",
    "关闭方式",
    "   时间(秒)  #   报文段                          客户端            服务端",
    "内核",
    "监听套接字",
    "推断与内核对比（按 Linux 的视角）：",
    "内核    ",
    "推断    ",
    "来自",
    "一致",
    "不一致",
    "（无事件）",
    "已映射的 Linux 差异：",
    "结论：一致 —— 从报文推断出的两端状态与内核记录的一致",
    "结论：不一致 —— ",
    "结论：没有内核列（无法读取内核状态）",
    "两个 FIN 交叉了：真正的同时关闭。",
    "这次两个 FIN 没有交叉（尽力而为）：一方的 FIN 在另一方关闭之前就到达了。",
};

std::string flags_text(std::uint16_t f) {
  std::string s;
  if (f & tcp_flag::syn) s += 'S';
  if (f & tcp_flag::fin) s += 'F';
  if (f & tcp_flag::psh) s += 'P';
  if (f & tcp_flag::rst) s += 'R';
  if (f & tcp_flag::urg) s += 'U';
  if (f & tcp_flag::ack) s += '.';
  return s.empty() ? "none" : s;
}

std::string endpoint_text(const Endpoint& e) {
  return e.addr.is_v6() ? "[" + e.addr.to_string() + "]:" + std::to_string(e.port)
                        : e.addr.to_string() + ":" + std::to_string(e.port);
}

struct Row {
  std::uint64_t frame = 0;
  Timestamp ts;
  bool from_client = true;
  std::uint16_t flags = 0;
  std::uint32_t payload_len = 0;
  track::EndpointView client;
  track::EndpointView server;
};

struct ConnReport {
  std::uint64_t id = 0;
  Endpoint client;
  Endpoint server;
  track::ConnectionInference inference;
  std::vector<Row> rows;
  std::vector<lab::InferredStep> client_steps;
  std::vector<lab::InferredStep> server_steps;
};

std::string confidence_mark(const track::EndpointView& v) {
  switch (v.confidence) {
    case track::Confidence::observed:
      return "";
    case track::Confidence::inferred:
      return "*";
    case track::Confidence::assumed:
      return "?";
  }
  return "";
}

std::string join_states(const std::vector<LinuxTcpState>& states, const Texts& t) {
  if (states.empty()) return t.no_events;
  std::string s;
  for (auto st : states) s += (s.empty() ? "" : " -> ") + std::string(linux_state_name(st));
  return s;
}

std::string join_expected(const std::vector<lab::ExpectedKernelState>& states, const Texts& t) {
  if (states.empty()) return t.no_events;
  std::string s;
  for (const auto& st : states) s += (s.empty() ? "" : " -> ") + std::string(linux_state_name(st.state));
  return s;
}

std::string join_rfc(const std::vector<lab::InferredStep>& steps) {
  std::string s;
  TcpState last{};
  bool first = true;
  for (const auto& st : steps) {
    if (!first && st.state == last) continue;
    s += (first ? "" : " -> ") + std::string(to_string(st.state));
    last = st.state;
    first = false;
  }
  return s;
}

}  // namespace

std::string fins_not_crossed_text(LabLang lang) {
  return (lang == LabLang::zh ? kChinese : kEnglish).fins_not_crossed;
}

bool print_capture_tcpdump_style(const std::string& pcap_path, fmt::memory_buffer& out) {
  capture::OpenedSource opened = capture::open_capture_file(pcap_path);
  if (!opened.source) {
    std::fprintf(stderr, "tcpscope lab: %s\n", opened.error.message.c_str());
    return false;
  }
  print::PrintOptions po;
  po.numeric = 2;
  po.absolute_seq = true;
  po.verbose = 3;
  print::TcpdumpPrinter printer(po);
  decode::Packet packet;
  Frame frame;
  std::uint64_t number = 0;
  while (opened.source->next(frame) == capture::NextResult::frame) {
    frame.number = ++number;
    decode::decode(frame, packet);
    printer.print(frame, packet, out);
  }
  return true;
}

LabVerdict print_lab_explanation(const lab::LabResult& result, LabLang lang, fmt::memory_buffer& out) {
  const Texts& t = lang == LabLang::zh ? kChinese : kEnglish;
  auto o = std::back_inserter(out);
  LabVerdict verdict;
  verdict.kernel_available = result.kernel_available;

  // Connections and both endpoints' inferred states, segment by segment.
  std::map<std::uint64_t, ConnReport> conns;
  {
    capture::OpenedSource opened = capture::open_capture_file(result.pcap_path);
    if (!opened.source) {
      fmt::format_to(o, "{}\n", opened.error.message);
      return verdict;
    }
    track::Tracker tracker(track::TrackerOptions{}, [](const track::Connection&) {});
    tracker.set_segment_observer(
        [&conns](const track::Connection& c, int side, const Frame& frame, const decode::Packet& packet) {
          ConnReport& r = conns[c.id];
          if (r.id == 0) {
            r.id = c.id;
            r.client = c.client();
            r.server = c.server();
          }
          const decode::TcpFacts& tcp = packet.tcp;
          const bool from_client = tcp.src == r.client;
          (void)side;
          const track::SegmentEvent ev{
              .dir = from_client ? track::Direction::from_client : track::Direction::from_server,
              .flags = tcp.flags,
              .seq = tcp.seq,
              .ack = tcp.ack,
              .payload_len = tcp.payload_len,
              .window = tcp.window,
              .ts = frame.ts,
              .frame = frame.number,
          };
          const bool first = !r.inference.started();
          const track::SegmentInference si = r.inference.on_segment(ev);
          if (first) {
            r.client_steps.push_back({0, frame.ts, si.client_before.state});
            r.server_steps.push_back({0, frame.ts, si.server_before.state});
          }
          r.client_steps.push_back({frame.number, frame.ts, si.client.state});
          r.server_steps.push_back({frame.number, frame.ts, si.server.state});
          r.rows.push_back(
              Row{frame.number, frame.ts, from_client, tcp.flags, tcp.payload_len, si.client, si.server});
        });
    decode::Packet packet;
    Frame frame;
    std::uint64_t number = 0;
    while (opened.source->next(frame) == capture::NextResult::frame) {
      frame.number = ++number;
      decode::decode(frame, packet);
      tracker.feed(frame, packet);
    }
    tracker.flush();
  }

  const std::vector<lab::KernelSocket> sockets = lab::group_by_socket(result.kernel_events);
  fmt::format_to(o, "\n{}\n", t.explanation);
  if (!result.kernel_available)
    fmt::format_to(o, "(kernel column off: {})\n", result.kernel_unavailable_reason);
  for (const auto& s : sockets) {
    if (!s.listener) continue;
    fmt::format_to(o, "  {} {} port {}: {}\n", t.kernel, t.listener, s.local_port,
                   join_states(s.states(), t));
  }

  std::map<std::pair<std::uint16_t, std::uint16_t>, std::size_t> tuple_seen;
  for (auto& [id, c] : conns) {
    ++verdict.connections;
    const track::InferenceEnd end = c.inference.finish();
    const std::size_t k = tuple_seen[{c.client.port, c.server.port}]++;
    const lab::KernelSocket* kc = lab::find_socket(sockets, c.client.port, c.server.port, k);
    const lab::KernelSocket* ks = lab::find_socket(sockets, c.server.port, c.client.port, k);

    fmt::format_to(o, "\n{} {}  {} ({}) -> {} ({})\n", t.connection, id, endpoint_text(c.client), t.client,
                   endpoint_text(c.server), t.server);
    fmt::format_to(o, "  {} {}: {}\n", t.close_kind, track::close_kind_name(end.kind),
                   track::close_kind_meaning(end.kind));
    std::string notes;
    for (std::size_t i = 0; i < track::kInferenceNoteCount; ++i) {
      const auto n = static_cast<track::InferenceNote>(i);
      if (end.notes.has(n)) notes += (notes.empty() ? "" : ", ") + std::string(track::note_name(n));
    }
    if (!notes.empty()) fmt::format_to(o, "  notes: {}\n", notes);
    if (end.kind == track::CloseKind::simultaneous_close) {
      verdict.simultaneous_close = true;
      fmt::format_to(o, "  {}\n", t.fins_crossed);
    }

    // Segments and kernel events, merged in time order.
    struct Item {
      std::int64_t ns;
      const Row* row;
      const KernelStateEvent* event;
      bool client_socket;
    };
    std::vector<Item> items;
    for (const auto& r : c.rows) items.push_back({r.ts.ns(), &r, nullptr, false});
    if (kc)
      for (const auto& e : kc->events) items.push_back({e.ts.ns(), nullptr, &e, true});
    if (ks)
      for (const auto& e : ks->events) items.push_back({e.ts.ns(), nullptr, &e, false});
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.ns < b.ns; });
    const std::int64_t t0 = c.rows.empty() ? 0 : c.rows.front().ts.ns();
    fmt::format_to(o, "{}\n", t.header);
    for (const auto& it : items) {
      const double rel = static_cast<double>(it.ns - t0) * 1e-9;
      if (it.row) {
        const Row& r = *it.row;
        std::string seg = std::string(r.from_client ? "client -> server" : "client <- server") + " [" +
                          flags_text(r.flags) + "]";
        if (r.payload_len) seg += " " + std::to_string(r.payload_len) + "B";
        fmt::format_to(o, "  {:9.6f}  {:<3} {:<31} {:<17} {}\n", rel, r.frame, seg,
                       std::string(to_string(r.client.state)) + confidence_mark(r.client),
                       std::string(to_string(r.server.state)) + confidence_mark(r.server));
      } else {
        const KernelStateEvent& e = *it.event;
        const std::string what =
            std::string(linux_state_name(e.old_state)) + " -> " + std::string(linux_state_name(e.new_state));
        const std::string label = std::string("  (") + t.kernel + ")";
        fmt::format_to(o, "  {:9.6f}  {:<3} {:<31} {:<17} {}\n", rel, "", label, it.client_socket ? what : "",
                       it.client_socket ? "" : what);
      }
    }
    fmt::format_to(o, "  (* inferred from a segment assumed delivered, ? assumed; others observed)\n");

    if (!result.kernel_available) continue;
    fmt::format_to(o, "  {}\n", t.compare);
    for (int side = 0; side < 2; ++side) {
      const bool is_server = side == 1;
      const auto& steps = is_server ? c.server_steps : c.client_steps;
      const lab::EndpointComparison cmp = lab::compare_endpoint(steps, is_server, is_server ? ks : kc);
      ++verdict.compared_sides;
      const char* who = is_server ? t.server : t.client;
      fmt::format_to(o, "    {:<7} {} {}\n", who, t.kernel_seq, join_states(cmp.kernel, t));
      fmt::format_to(o, "    {:<7} {} {}   ({} {})\n", "", t.inferred_seq, join_expected(cmp.inferred, t),
                     t.from, join_rfc(steps));
      fmt::format_to(o, "    {:<7} -> {}\n", "", cmp.agree ? t.agree : t.disagree);
      for (auto d : cmp.differences)
        fmt::format_to(o, "    {:<7}    {} {}\n", "", t.mapped, lab::linux_difference_text(d));
      if (!cmp.agree) {
        ++verdict.disagreements;
        if (verdict.first_disagreement.empty()) {
          const std::string inferred = cmp.mismatch < cmp.inferred.size()
                                           ? std::string(linux_state_name(cmp.inferred[cmp.mismatch].state))
                                           : "(nothing more)";
          const std::string kernel = cmp.mismatch < cmp.kernel.size()
                                         ? std::string(linux_state_name(cmp.kernel[cmp.mismatch]))
                                         : "(nothing more)";
          verdict.first_disagreement =
              fmt::format("connection {}, {} side, segment #{}: inferred {}, kernel {}", id,
                          is_server ? "server" : "client", cmp.mismatch_frame, inferred, kernel);
        }
      }
    }
  }
  fmt::format_to(o, "\n");
  if (!result.kernel_available)
    fmt::format_to(o, "{}\n", t.verdict_no_kernel);
  else if (verdict.disagreements == 0)
    fmt::format_to(o, "{} ({} connection(s), {} endpoint sides)\n", t.verdict_agree, verdict.connections,
                   verdict.compared_sides);
  else
    fmt::format_to(o, "{}{} ({} of {} endpoint sides differ)\n", t.verdict_disagree,
                   verdict.first_disagreement, verdict.disagreements, verdict.compared_sides);
  return verdict;
}

}  // namespace tcpscope::cli
