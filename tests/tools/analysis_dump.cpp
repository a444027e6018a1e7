// Test helper: prints tcpscope's Wireshark-style analysis of every TCP frame of
// a capture, one line per frame, in the shape the tshark comparison reads:
//   frame<TAB>stream<TAB>flag ids (comma-separated)<TAB>dupack_num<TAB>dupack_frame
// dupack fields are empty unless the frame is a duplicate ACK (as in tshark).
// With --extra, three more columns: relative seq, relative ack (raw without the
// ACK bit, as tshark's tcp.ack), and the iRTT in seconds once known.
// A last line on stderr gives the analyzer's counters.
#include <pcap/pcap.h>

#include <cstdio>
#include <string>

#include "core/frame.hpp"
#include "decode/packet.hpp"
#include "track/wireshark_analysis.hpp"

namespace {

using tcpscope::Frame;
using tcpscope::Timestamp;
using tcpscope::track::AnalysisFlag;
using tcpscope::track::WiresharkAnalyzer;

int run(const char* path, bool extra) {
  char err[PCAP_ERRBUF_SIZE] = {};
  pcap_t* pcap = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
  if (pcap == nullptr) {
    std::fprintf(stderr, "analysis_dump: %s\n", err);
    return 2;
  }
  const int link_type = pcap_datalink(pcap);
  WiresharkAnalyzer analyzer;
  tcpscope::decode::Packet packet;
  std::string line;
  std::uint64_t number = 0;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int rc = 0;
  while ((rc = pcap_next_ex(pcap, &header, &data)) == 1) {
    Frame frame;
    frame.ts = Timestamp{header->ts.tv_sec, header->ts.tv_usec};  // nanoseconds with PRECISION_NANO
    frame.caplen = header->caplen;
    frame.wire_len = header->len;
    frame.link_type = link_type;
    frame.data = tcpscope::ByteView(data, header->caplen);
    frame.number = ++number;
    tcpscope::decode::decode(frame, packet);
    const auto seg = analyzer.analyze(frame, packet);
    if (!seg.is_tcp) continue;
    line.clear();
    line += std::to_string(frame.number);
    line += '\t';
    line += std::to_string(seg.stream);
    line += '\t';
    bool first = true;
    seg.flags.for_each([&](AnalysisFlag f) {
      if (!first) line += ',';
      first = false;
      line += tcpscope::track::to_id(f);
    });
    line += '\t';
    if (seg.flags.has(AnalysisFlag::duplicate_ack)) {
      line += std::to_string(seg.dupack_num);
      line += '\t';
      line += std::to_string(seg.dupack_frame);
    } else {
      line += '\t';
    }
    if (extra) {
      line += '\t';
      line += std::to_string(seg.rel_seq);
      line += '\t';
      line += std::to_string(seg.rel_ack);
      line += '\t';
      if (seg.has_irtt) {
        char irtt[32];
        std::snprintf(irtt, sizeof irtt, "%.9f", static_cast<double>(seg.irtt_ns) * 1e-9);
        line += irtt;
      }
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  if (rc == PCAP_ERROR)
    std::fprintf(stderr, "analysis_dump: %s: %s (after frame %llu)\n", path, pcap_geterr(pcap),
                 static_cast<unsigned long long>(number));
  pcap_close(pcap);
  const auto& st = analyzer.stats();
  std::fprintf(
      stderr, "analysis_dump: segments=%llu conversations=%llu evicted_idle=%llu evicted_cap=%llu\n",
      static_cast<unsigned long long>(st.segments), static_cast<unsigned long long>(st.conversations_created),
      static_cast<unsigned long long>(st.evicted_idle), static_cast<unsigned long long>(st.evicted_cap));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const bool extra = argc == 3 && std::string(argv[1]) == "--extra";
  if (argc != 2 && !extra) {
    std::fprintf(stderr, "usage: analysis_dump [--extra] CAPTURE\n");
    return 2;
  }
  return run(argv[argc - 1], extra);
}
