// libFuzzer target for connection tracking and what is rendered from it: the tracker
// (flow table, port reuse, --max-conns eviction, Zeek timers and history, the RFC 9293
// inference of both endpoints, per-connection timelines), Wireshark's analysis flags,
// the explain timeline builder, and every renderer of a connection that ends: conns
// (table, JSON, Zeek conn.log), explain text (en, zh) and JSON, the diagram's text
// ladder, Mermaid, SVG and the HTML report.
//
// The input is a header byte (cap on tracked connections, timeline on/off) and then
// 12-byte segment records that the target turns into real IPv4/IPv6 + TCP frames
// (DLT_RAW), decoded by decode::decode() as a capture would be:
//   0: tuple (bits 0-2 client port, 3 IPv6, 4 server->client), 1-2: flags (12 bits),
//   3-4: seq step (bit 15 of byte 3: absolute from a small set), 5-6: ack step,
//   7: payload length, 8: window, 9: time step (0xff: back in time), 10: options, 11: wire excess.
#include <fmt/format.h>

#include "core/tcp_flags.hpp"
#include "decode/packet.hpp"
#include "fuzz_input.hpp"
#include "render/conns_table.hpp"
#include "render/diagrams.hpp"
#include "render/explain_json.hpp"
#include "render/explain_text.hpp"
#include "render/json.hpp"
#include "render/ladder_text.hpp"
#include "render/zeek_log.hpp"
#include "track/timeline.hpp"
#include "track/tracker.hpp"
#include "track/wireshark_analysis.hpp"

using namespace tcpscope;

namespace {

void put16(std::vector<std::uint8_t>& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}

// TCP options picked by the bits of one byte: MSS, window scale, SACK-permitted,
// timestamps, one SACK block; padded with NOPs to a multiple of 4.
std::vector<std::uint8_t> tcp_options(std::uint8_t bits, std::uint32_t seq, std::uint32_t ack) {
  std::vector<std::uint8_t> o;
  if (bits & 1) o.insert(o.end(), {2, 4, 0x05, 0xb4});
  if (bits & 2) o.insert(o.end(), {3, 3, static_cast<std::uint8_t>(bits >> 5)});
  if (bits & 4) o.insert(o.end(), {4, 2});
  if (bits & 8) {
    o.insert(o.end(), {8, 10});
    put32(o, seq ^ 0x5a5a);
    put32(o, ack);
  }
  if (bits & 16) {
    o.insert(o.end(), {5, 10});
    put32(o, ack + 1000);
    put32(o, ack + 2000);
  }
  while (o.size() % 4) o.push_back(1);
  return o;
}

struct Direction {
  std::uint32_t seq = 0;
  std::uint32_t ack = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::InputReader in(data, size);
  const std::uint8_t header = in.u8();
  track::TrackerOptions options;
  options.max_conns = header & 7;  // 0: no cap
  options.keep_timeline = (header & 8) != 0;
  options.zeek.validate_checksums = (header & 16) != 0;

  fmt::memory_buffer out;
  track::TimelineBuilder timelines;
  track::ConnectionTimeline timeline;
  render::HtmlReport html(header & 32);
  const render::Messages messages(render::Lang::en);
  auto render = [&](const track::Connection& c) {
    out.clear();
    render::conns_table_row(out, c);
    render::conn_json(out, c);
    render::zeek_log_row(out, c);
    if (!timelines.finish(c, timeline)) return;
    out.clear();
    render::explain_text(out, timeline,
                         {.lang = render::Lang::en, .color = (header & 64) != 0, .relative = false});
    render::explain_text(out, timeline,
                         {.lang = render::Lang::zh, .color = false, .relative = (header & 32) != 0});
    render::explain_json(out, timeline);
    const render::LadderLayout layout = render::layout_ladder(timeline, (header & 32) != 0);
    render::ladder_text(out, layout, 0, layout.rows.size(), messages, (header & 64) != 0, 2);  // diagram text
    render::mermaid(out, timeline, (header & 32) != 0);
    render::svg(out, timeline, (header & 32) != 0, true);
    html.add(timeline);
    timelines.recycle(timeline);  // its buffers serve a later connection, as in explain
  };
  track::Tracker tracker(options, render);
  track::WiresharkAnalyzer wireshark;
  track::WiresharkSegment wireshark_result;
  tracker.set_segment_observer(
      [&](const track::Connection& c, int side, const Frame& f, const decode::Packet& p) {
        timelines.on_segment(c, side, f, p, wireshark_result, tracker.segment_inference(), "tcpdump text");
      });
  decode::Packet packet;
  Direction dirs[8][2];
  constexpr std::uint32_t kSeqBases[] = {0,          1,          0x7fffffff, 0x80000000,
                                         0xfffffff0, 0xffffffff, 1000,       0x12345678};
  Timestamp now{1700000000, 0};
  std::uint64_t number = 0;
  while (in.remaining() >= 12 && number < 2000) {
    const std::uint8_t tuple = in.u8();
    const std::uint16_t flags = in.u16() & 0x0fff;
    const std::uint16_t seq_step = in.u16();
    const std::uint16_t ack_step = in.u16();
    const std::uint8_t payload_len = in.u8();
    const std::uint16_t window = static_cast<std::uint16_t>(in.u8() * 257);
    const std::uint8_t time_step = in.u8();
    const std::uint8_t option_bits = in.u8();
    const std::uint8_t extra = in.u8();

    const int conn = tuple & 7;
    const bool v6 = (tuple & 8) != 0;
    const int side = (tuple >> 4) & 1;
    Direction& d = dirs[conn][side];
    if (seq_step & 0x8000)
      d.seq = kSeqBases[seq_step & 7];
    else
      d.seq += seq_step;
    d.ack += ack_step & 0x8000 ? dirs[conn][side ^ 1].seq + (ack_step & 0xff) : ack_step;
    if (time_step == 0xff)
      now.sec -= 1;  // captures are not always in time order
    else
      now.nsec += std::int64_t{time_step} * 7'000'000;
    if (now.nsec >= 1'000'000'000) {
      now.sec += now.nsec / 1'000'000'000;
      now.nsec %= 1'000'000'000;
    }

    const std::uint16_t client_port = static_cast<std::uint16_t>(40000 + conn);
    const std::uint16_t sport = side ? 80 : client_port;
    const std::uint16_t dport = side ? client_port : 80;
    const std::vector<std::uint8_t> opts = tcp_options(option_bits, d.seq, d.ack);
    std::vector<std::uint8_t> tcp;
    put16(tcp, sport);
    put16(tcp, dport);
    put32(tcp, d.seq);
    put32(tcp, d.ack);
    tcp.push_back(static_cast<std::uint8_t>(((20 + opts.size()) / 4) << 4 | (flags >> 8)));
    tcp.push_back(static_cast<std::uint8_t>(flags));
    put16(tcp, window);
    put16(tcp, 0);  // checksum: left wrong on purpose half the time (offload looks like this)
    put16(tcp, 0);
    tcp.insert(tcp.end(), opts.begin(), opts.end());
    tcp.insert(tcp.end(), payload_len, 'x');

    std::vector<std::uint8_t> frame_bytes;
    const std::uint8_t a = static_cast<std::uint8_t>(side ? 2 : 1);
    const std::uint8_t b = static_cast<std::uint8_t>(side ? 1 : 2);
    if (!v6) {
      frame_bytes = {0x45, 0};
      put16(frame_bytes, static_cast<std::uint16_t>(20 + tcp.size()));
      frame_bytes.insert(frame_bytes.end(), {0, 1, 0x40, 0, 64, 6, 0, 0, 10, 0, 0, a, 10, 0, 0, b});
    } else {
      frame_bytes = {0x60, 0, 0, 0};
      put16(frame_bytes, static_cast<std::uint16_t>(tcp.size()));
      frame_bytes.insert(frame_bytes.end(), {6, 64});
      for (std::uint8_t last : {a, b}) {
        frame_bytes.insert(frame_bytes.end(), {0x20, 0x01, 0x0d, 0xb8});
        frame_bytes.insert(frame_bytes.end(), 11, 0);
        frame_bytes.push_back(last);
      }
    }
    frame_bytes.insert(frame_bytes.end(), tcp.begin(), tcp.end());
    // A snapped capture: `extra` bytes of the wire frame were not captured.
    const std::size_t cut = extra & 0x80 ? std::min<std::size_t>(extra & 0x7f, frame_bytes.size()) : 0;
    frame_bytes.resize(frame_bytes.size() - cut);

    Frame frame = fuzz::make_frame(frame_bytes, decode::dlt::raw, static_cast<std::uint8_t>(cut), ++number);
    frame.ts = now;
    decode::decode(frame, packet);
    wireshark_result = wireshark.analyze(frame, packet);
    tracker.feed(frame, packet);
    if (options.max_conns != 0 && tracker.tracked() > options.max_conns) __builtin_trap();
  }
  tracker.flush();
  if (tracker.tracked() != 0) __builtin_trap();
  out.clear();
  html.write(out);
  return 0;
}
