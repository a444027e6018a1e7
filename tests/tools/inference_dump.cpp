// inference_dump FILE.pcap
//
// Test helper: reads a capture with libpcap, decodes each frame with
// decode::decode(), groups TCP segments by 4-tuple (a new plain SYN with another
// ISN starts a new connection), runs track::ConnectionInference and
// track::PhaseTracker on each connection and prints, one line per segment:
//
//   begin CONN CLIENT_STATE/confidence SERVER_STATE/confidence   (before its first segment)
//   seg CONN FRAME c|s FLAGS CLIENT_STATE/confidence SERVER_STATE/confidence PHASE rules=side:rule,...
//   notes=id,...
//
// then per connection:
//
//   conn CONN client=ADDR:PORT server=ADDR:PORT ts=SECONDS (of its first segment)
//   end CONN client=STATE server=STATE kind=CLOSE_KIND notes=id,...
//
// Roles: the sender of the first SYN without ACK is the client, else the receiver
// of the first SYN,ACK, else the sender of the first segment.
// Used by tests/lab/kernel_states.py; not part of the product.
#include <pcap/pcap.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "core/frame.hpp"
#include "core/tcp_flags.hpp"
#include "decode/packet.hpp"
#include "track/inference.hpp"
#include "track/phases.hpp"

namespace {

using namespace tcpscope;

struct Conn {
  int id = 0;
  Endpoint client;
  Endpoint server;
  Timestamp first_ts;
  SeqNum client_isn;
  bool client_isn_known = false;
  track::ConnectionInference inference;
  track::PhaseTracker phases;
};

std::string flags_text(std::uint16_t f) {
  std::string s;
  if (f & tcp_flag::syn) s += 'S';
  if (f & tcp_flag::fin) s += 'F';
  if (f & tcp_flag::rst) s += 'R';
  if (f & tcp_flag::psh) s += 'P';
  if (f & tcp_flag::ack) s += '.';
  return s.empty() ? "none" : s;
}

std::string endpoint_text(const Endpoint& e) { return e.addr.to_string() + ":" + std::to_string(e.port); }

std::string notes_text(track::NoteSet notes) {
  std::string s;
  for (std::size_t i = 0; i < track::kInferenceNoteCount; ++i) {
    const auto n = static_cast<track::InferenceNote>(i);
    if (!notes.has(n)) continue;
    if (!s.empty()) s += ',';
    s += track::note_name(n);
  }
  return s.empty() ? "-" : s;
}

void print_end(const Conn& c) {
  const track::InferenceEnd end = c.inference.finish();
  std::printf("conn %d client=%s server=%s ts=%lld.%09lld\n", c.id, endpoint_text(c.client).c_str(),
              endpoint_text(c.server).c_str(), static_cast<long long>(c.first_ts.sec),
              static_cast<long long>(c.first_ts.nsec));
  std::printf("end %d client=%s server=%s kind=%s notes=%s\n", c.id,
              std::string(to_string(end.client.state)).c_str(),
              std::string(to_string(end.server.state)).c_str(),
              std::string(track::close_kind_name(end.kind)).c_str(), notes_text(end.notes).c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: inference_dump FILE.pcap\n");
    return 2;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(argv[1], PCAP_TSTAMP_PRECISION_NANO, errbuf);
  if (pcap == nullptr) {
    std::fprintf(stderr, "inference_dump: %s\n", errbuf);
    return 1;
  }
  const int link_type = pcap_datalink(pcap);
  std::map<FourTuple, int> current;  // tuple -> index in conns
  std::vector<Conn> conns;
  conns.reserve(4096);
  decode::Packet packet;
  pcap_pkthdr* hdr = nullptr;
  const u_char* bytes = nullptr;
  std::uint64_t number = 0;
  int rc = 0;
  while ((rc = pcap_next_ex(pcap, &hdr, &bytes)) == 1) {
    Frame frame;
    frame.ts = Timestamp{hdr->ts.tv_sec, hdr->ts.tv_usec};
    frame.caplen = hdr->caplen;
    frame.wire_len = hdr->len;
    frame.link_type = link_type;
    frame.data = ByteView(bytes, hdr->caplen);
    frame.number = ++number;
    decode::decode(frame, packet);
    if (!packet.has_tcp) continue;
    const decode::TcpFacts& t = packet.tcp;
    bool reversed = false;
    const FourTuple key = FourTuple::canonical(t.src, t.dst, reversed);
    const bool plain_syn = (t.flags & (tcp_flag::syn | tcp_flag::ack)) == tcp_flag::syn;
    auto it = current.find(key);
    if (it != current.end() && plain_syn) {
      const Conn& c = conns[static_cast<std::size_t>(it->second)];
      if (c.client_isn_known && !(c.client_isn == t.seq)) it = current.end();  // port reuse: a new connection
    }
    if (it == current.end()) {
      if (conns.size() == conns.capacity()) {
        std::fprintf(stderr, "inference_dump: too many connections\n");
        return 1;
      }
      Conn& c = conns.emplace_back();
      c.id = static_cast<int>(conns.size());
      const bool syn_ack = (t.flags & (tcp_flag::syn | tcp_flag::ack)) == (tcp_flag::syn | tcp_flag::ack);
      c.client = syn_ack ? t.dst : t.src;
      c.server = syn_ack ? t.src : t.dst;
      c.first_ts = frame.ts;
      it = current.insert_or_assign(key, c.id - 1).first;
    }
    Conn& c = conns[static_cast<std::size_t>(it->second)];
    const bool from_client = t.src == c.client;
    if (plain_syn && from_client && !c.client_isn_known) {
      c.client_isn = t.seq;
      c.client_isn_known = true;
    }
    const track::SegmentEvent ev =
        track::segment_event(from_client ? track::Direction::from_client : track::Direction::from_server, t,
                             frame.ts, frame.number);
    const bool first = !c.inference.started();
    const track::SegmentInference r = c.inference.on_segment(ev);
    if (first) {
      std::printf("begin %d %s/%s %s/%s\n", c.id, std::string(to_string(r.client_before.state)).c_str(),
                  std::string(track::confidence_name(r.client_before.confidence)).c_str(),
                  std::string(to_string(r.server_before.state)).c_str(),
                  std::string(track::confidence_name(r.server_before.confidence)).c_str());
    }
    const track::SegmentPhase p =
        c.phases.on_segment(ev, r.notes.has(track::InferenceNote::rst_out_of_window));
    std::string rules;
    for (std::size_t i = 0; i < r.rule_count; ++i) {
      if (!rules.empty()) rules += ',';
      rules += std::string(track::side_name(r.rules[i].side)) + ":" +
               std::string(track::rule_name(r.rules[i].rule));
    }
    std::printf("seg %d %llu %c %s %s/%s %s/%s %s rules=%s notes=%s\n", c.id,
                static_cast<unsigned long long>(frame.number), from_client ? 'c' : 's',
                flags_text(t.flags).c_str(), std::string(to_string(r.client.state)).c_str(),
                std::string(track::confidence_name(r.client.confidence)).c_str(),
                std::string(to_string(r.server.state)).c_str(),
                std::string(track::confidence_name(r.server.confidence)).c_str(),
                std::string(track::phase_name(p.phase)).c_str(), rules.empty() ? "-" : rules.c_str(),
                notes_text(r.notes).c_str());
  }
  if (rc == PCAP_ERROR) std::fprintf(stderr, "inference_dump: %s\n", pcap_geterr(pcap));
  pcap_close(pcap);
  for (const Conn& c : conns) print_end(c);
  return rc == PCAP_ERROR ? 1 : 0;
}
