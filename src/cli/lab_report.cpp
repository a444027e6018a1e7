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
#include "cli/explain_session.hpp"
#include "core/tcp_flags.hpp"
#include "decode/packet.hpp"
#include "lab/kernel_compare.hpp"
#include "print/tcpdump_printer.hpp"
#include "render/explain_text.hpp"
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
  const char* to_server;
  const char* to_client;
  const char* legend;
  const char* notes;
};

constexpr Texts kEnglish = {
    "Explanation (inferred from the wire; the kernel's own transitions beside them)",
    "Inferred states and the kernel's: connection",
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
    "client -> server",
    "client <- server",
    "(* inferred from a segment assumed delivered, ? assumed; others observed on the wire; ! this segment "
    "shows "
    "that an earlier segment had not arrived yet: the states before it are revised)",
    "notes",
};

constexpr Texts kChinese = {
    "解释（从报文推断；旁边是内核自己记录的状态变化）",
    "推断状态与内核状态：连接",
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
    "客户端 -> 服务端",
    "客户端 <- 服务端",
    "（* 表示假设报文已送达而推断出的状态，? 表示假定；其余为报文直接可见；! "
    "表示此报文说明之前的某个报文当时尚未到达，"
    "之前的状态已修正）",
    "备注",
};

// Chinese texts of the Linux differences (English ones come from lab/).
std::string_view difference_text(lab::LinuxDifference d, LabLang lang) {
  if (lang == LabLang::en) return lab::linux_difference_text(d);
  switch (d) {
    case lab::LinuxDifference::time_wait_minisocket:
      return "Linux 的 TIME-WAIT 是迷你套接字：进入 TIME-WAIT 时完整套接字显示为 ...->CLOSE";
    case lab::LinuxDifference::fin_ack_processed_split:
      return "同时确认了我方 FIN 的对方 FIN 被拆成先 ACK 后 FIN 处理：FIN_WAIT1->FIN_WAIT2->CLOSE";
    case lab::LinuxDifference::new_syn_recv_invisible:
      return "NEW_SYN_RECV（请求套接字）没有事件：服务端的 SYN_RECV->ESTABLISHED 在最后一个 ACK 到达时才出现";
    case lab::LinuxDifference::orphan_fin_wait2:
      return "已被应用关闭的套接字进入 FIN-WAIT-2 后立即变成迷你套接字：在对方 FIN 之前就显示 "
             "FIN_WAIT2->CLOSE";
    case lab::LinuxDifference::no_child_socket:
      return "服务端从未回复 SYN,ACK：没有创建套接字，内核没有事件";
  }
  return "?";
}

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
  std::vector<std::uint64_t> revised_frames;  // segments that revised an earlier assumed delivery
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

// Reads the lab's capture and hands every frame, decoded, to `on_packet`. An
// unreadable file gives its error message (the capture is the lab's own file).
template <typename OnPacket>
Error for_each_decoded_packet(const std::string& pcap_path, OnPacket&& on_packet) {
  capture::OpenedSource opened = capture::open_capture_file(pcap_path);
  if (!opened.source) return opened.error;
  decode::Packet packet;
  Frame frame;
  std::uint64_t number = 0;
  while (opened.source->next(frame) == capture::NextResult::frame) {
    frame.number = ++number;
    decode::decode(frame, packet);
    on_packet(frame, packet);
  }
  return {};
}

}  // namespace

std::string fins_not_crossed_text(LabLang lang) {
  return (lang == LabLang::zh ? kChinese : kEnglish).fins_not_crossed;
}

bool print_capture_tcpdump_style(const std::string& pcap_path, fmt::memory_buffer& out) {
  print::PrintOptions po;
  po.numeric = 2;
  po.absolute_seq = true;
  po.verbose = 3;
  print::TcpdumpPrinter printer(po);
  const Error error = for_each_decoded_packet(
      pcap_path,
      [&](const Frame& frame, const decode::Packet& packet) { printer.print(frame, packet, out); });
  if (error) {
    std::fprintf(stderr, "tcpscope: lab: %s\n", error.message.c_str());
    return false;
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
    track::Tracker tracker(track::TrackerOptions{}, [](const track::Connection&) {});
    tracker.set_segment_observer([&conns](const track::Connection& c, int side, const Frame& frame,
                                          const decode::Packet& packet) {
      ConnReport& r = conns[c.id()];
      if (r.id == 0) {
        r.id = c.id();
        r.client = c.client();
        r.server = c.server();
      }
      const decode::TcpFacts& tcp = packet.tcp;
      const bool from_client = tcp.src == r.client;
      (void)side;
      const track::SegmentEvent ev =
          track::segment_event(from_client ? track::Direction::from_client : track::Direction::from_server,
                               tcp, frame.ts, frame.number);
      const bool first = !r.inference.started();
      const track::SegmentInference si = r.inference.on_segment(ev);
      if (first) {
        r.client_steps.push_back({0, frame.ts, si.client_before.state});
        r.server_steps.push_back({0, frame.ts, si.server_before.state});
      }
      // A revision says an assumed delivery had not happened yet: the states recorded
      // since then were really the revised one. Then every transition applied by this
      // segment, in order (one segment may move a side twice), then the state after it.
      auto record = [&](std::vector<lab::InferredStep>& steps, bool revised,
                        const track::EndpointView& before, track::Side who,
                        const track::EndpointView& after) {
        if (revised && !steps.empty()) {
          const TcpState wrong = steps.back().state;
          for (auto it = steps.rbegin(); it != steps.rend() && it->state == wrong; ++it)
            it->state = before.state;
        }
        for (std::size_t i = 0; i < si.rule_count; ++i)
          if (si.rules[i].side == who) steps.push_back({frame.number, frame.ts, si.rules[i].to});
        steps.push_back({frame.number, frame.ts, after.state});
      };
      record(r.client_steps, si.client_revised, si.client_before, track::Side::client, si.client);
      record(r.server_steps, si.server_revised, si.server_before, track::Side::server, si.server);
      if (si.client_revised || si.server_revised) r.revised_frames.push_back(frame.number);
      r.rows.push_back(
          Row{frame.number, frame.ts, from_client, tcp.flags, tcp.payload_len, si.client, si.server});
    });
    const Error error = for_each_decoded_packet(
        result.pcap_path,
        [&](const Frame& frame, const decode::Packet& packet) { tracker.feed(frame, packet); });
    if (error) {
      fmt::format_to(o, "{}\n", error.message);
      return verdict;
    }
    tracker.flush();
  }

  // The explain renderer's view of each connection (the article's three phases).
  std::map<std::uint64_t, track::ConnectionTimeline> timelines;
  {
    ExplainSession session(0, false, false,
                           [&timelines](const track::ConnectionTimeline& tl) { timelines[tl.id] = tl; });
    // (the file was read above: an error here leaves the explanation empty)
    (void)for_each_decoded_packet(result.pcap_path, [&](const Frame& frame, const decode::Packet& packet) {
      session.on_packet(frame, packet);
    });
    session.finish();
  }
  render::ExplainTextOptions explain_options;
  explain_options.lang = lang == LabLang::zh ? render::Lang::zh : render::Lang::en;

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

    if (const auto tl = timelines.find(id); tl != timelines.end()) {
      fmt::format_to(o, "\n");
      render::explain_text(out, tl->second, explain_options);
    }
    fmt::format_to(o, "\n{} {}  {} ({}) -> {} ({})\n", t.connection, id, endpoint_text(c.client), t.client,
                   endpoint_text(c.server), t.server);
    fmt::format_to(o, "  {} {}: {}\n", t.close_kind, track::close_kind_name(end.kind),
                   track::close_kind_meaning(end.kind));
    std::string notes;
    for (std::size_t i = 0; i < track::kInferenceNoteCount; ++i) {
      const auto n = static_cast<track::InferenceNote>(i);
      if (end.notes.has(n)) notes += (notes.empty() ? "" : ", ") + std::string(track::note_name(n));
    }
    if (!notes.empty()) fmt::format_to(o, "  {}: {}\n", t.notes, notes);
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
        std::string seg =
            std::string(r.from_client ? t.to_server : t.to_client) + " [" + flags_text(r.flags) + "]";
        if (r.payload_len) seg += " " + std::to_string(r.payload_len) + "B";
        if (std::find(c.revised_frames.begin(), c.revised_frames.end(), r.frame) != c.revised_frames.end())
          seg += " !";
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
    fmt::format_to(o, "  {}\n", t.legend);

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
        fmt::format_to(o, "    {:<7}    {} {}\n", "", t.mapped, difference_text(d, lang));
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
