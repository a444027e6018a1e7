// The state machines: one RFC 9293 endpoint step (track/endpoint_fsm.hpp), and the
// inference of both endpoints' states (track/inference.hpp) over the article's
// connection: handshake, ping, pong, four-way teardown (11 segments).
#include <benchmark/benchmark.h>

#include <array>
#include <cstdint>
#include <vector>

#include "core/tcp_flags.hpp"
#include "track/endpoint_fsm.hpp"
#include "track/inference.hpp"

namespace {

using namespace tcpscope;
using namespace tcpscope::track;
namespace f = tcpscope::tcp_flag;

struct Step {
  TcpState state;
  EndpointEvent event;
  TcpState expected;
};

EndpointEvent arrives(std::uint16_t flags, bool acks_syn = false, bool acks_fin = false) {
  EndpointEvent e;
  e.kind = EndpointEventKind::segment_arrives;
  e.flags = flags;
  e.acks_our_syn = acks_syn;
  e.acks_our_fin = acks_fin;
  return e;
}
EndpointEvent user(EndpointEventKind kind) {
  EndpointEvent e;
  e.kind = kind;
  return e;
}

// The client's and the server's lives in the article, one step at a time.
std::vector<Step> article_steps() {
  using K = EndpointEventKind;
  using S = TcpState;
  return {
      {S::Closed, user(K::active_open), S::SynSent},
      {S::Closed, user(K::passive_open), S::Listen},
      {S::Listen, arrives(f::syn), S::SynReceived},
      {S::SynSent, arrives(f::syn | f::ack, true), S::Established},
      {S::SynReceived, arrives(f::ack, true), S::Established},
      {S::Established, arrives(f::psh | f::ack, true), S::Established},
      {S::Established, user(K::close), S::FinWait1},
      {S::Established, arrives(f::fin | f::ack, true), S::CloseWait},
      {S::FinWait1, arrives(f::ack, true, true), S::FinWait2},
      {S::CloseWait, user(K::close), S::LastAck},
      {S::FinWait2, arrives(f::fin | f::ack, true, true), S::TimeWait},
      {S::LastAck, arrives(f::ack, true, true), S::Closed},
  };
}

void BM_EndpointFsmStep(benchmark::State& state) {
  const std::vector<Step> steps = article_steps();
  for (const Step& s : steps) {
    if (step(s.state, s.event).next != s.expected) {
      state.SkipWithError("a step of the article's endpoints did not reach the expected state");
      return;
    }
  }
  std::size_t i = 0;
  for (auto _ : state) {
    const Step& s = steps[i];
    benchmark::DoNotOptimize(step(s.state, s.event));
    i = i + 1 == steps.size() ? 0 : i + 1;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_EndpointFsmStep);

// The article's 11 segments (client 117.25.25.144:12896, server 172.17.0.9:1234).
std::vector<SegmentEvent> article_segments() {
  const std::uint32_t c = 2099912037, s = 2547375254;
  struct Row {
    Direction dir;
    std::uint16_t flags;
    std::uint32_t seq, ack, len;
  };
  const Direction C = Direction::from_client, S = Direction::from_server;
  const Row rows[] = {
      {C, f::syn, c, 0, 0},
      {S, f::syn | f::ack, s, c + 1, 0},
      {C, f::ack, c + 1, s + 1, 0},
      {C, f::psh | f::ack, c + 1, s + 1, 4},
      {S, f::ack, s + 1, c + 5, 0},
      {S, f::psh | f::ack, s + 1, c + 5, 4},
      {C, f::ack, c + 5, s + 5, 0},
      {C, f::fin | f::ack, c + 5, s + 5, 0},
      {S, f::fin | f::ack, s + 5, c + 6, 0},
      {C, f::ack, c + 6, s + 6, 0},
      {S, f::ack, s + 6, c + 6, 0},
  };
  std::vector<SegmentEvent> out;
  std::uint64_t frame = 1;
  for (const Row& r : rows) {
    SegmentEvent e;
    e.dir = r.dir;
    e.flags = r.flags;
    e.seq = SeqNum(r.seq);
    e.ack = SeqNum(r.ack);
    e.payload_len = r.len;
    e.window = 221;
    e.ts = Timestamp{1606304140, static_cast<std::int64_t>(frame) * 1000000};
    e.frame = frame++;
    out.push_back(e);
  }
  return out;
}

// Per segment: both endpoints' transitions, notes and the revision check.
void BM_InferenceArticleConnection(benchmark::State& state) {
  const std::vector<SegmentEvent> segments = article_segments();
  InferenceEnd end;
  for (auto _ : state) {
    ConnectionInference inference;
    for (const SegmentEvent& seg : segments) benchmark::DoNotOptimize(inference.on_segment(seg));
    end = inference.finish();
    benchmark::DoNotOptimize(end.kind);
  }
  if (end.client.state != TcpState::TimeWait || end.server.state != TcpState::Closed)
    state.SkipWithError("the article's connection did not end in TIME-WAIT / CLOSED");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * segments.size()));
}
BENCHMARK(BM_InferenceArticleConnection);

}  // namespace
