// The flow table (track/flow_table.hpp) at the sizes a large capture reaches: insert,
// lookups that hit and miss, and the insert/erase churn of many short connections;
// and the whole tracker (track/tracker.hpp) fed the packets of short connections.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

#include "decode/packet.hpp"
#include "synthetic_frames.hpp"
#include "track/flow_table.hpp"
#include "track/tracker.hpp"

namespace {

using namespace tcpscope;

// Client i: 10.a.b.c:port -> 192.0.2.1:80, every 4-tuple distinct.
FourTuple client_tuple(std::uint32_t i) {
  const std::uint8_t client[4] = {10, static_cast<std::uint8_t>(i >> 16), static_cast<std::uint8_t>(i >> 8),
                                  static_cast<std::uint8_t>(i)};
  const std::uint8_t server[4] = {192, 0, 2, 1};
  bool reversed = false;
  return FourTuple::canonical(Endpoint{IpAddr::v4(client), static_cast<std::uint16_t>(32768 + (i % 28000))},
                              Endpoint{IpAddr::v4(server), 80}, reversed);
}

struct Keys {
  std::vector<FourTuple> tuples;
  std::vector<std::uint64_t> hashes;
  explicit Keys(std::size_t n, std::uint32_t first = 0) {
    tuples.reserve(n);
    hashes.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
      tuples.push_back(client_tuple(first + i));
      hashes.push_back(FourTupleHash{}(tuples.back()));
    }
  }
  // The table's hash_of for slots that index these keys.
  auto hash_of() const {
    return [this](std::uint32_t slot) { return hashes[slot]; };
  }
};

// Fills a table with slots 0..n-1 of `keys`.
void fill(track::FlowTable& table, const Keys& keys) {
  for (std::uint32_t i = 0; i < keys.tuples.size(); ++i) table.insert(keys.hashes[i], i, keys.hash_of());
}

// One iteration inserts N connections into an empty table (growing it as it goes).
void BM_FlowTableInsert(benchmark::State& state) {
  const Keys keys(static_cast<std::size_t>(state.range(0)));
  for (auto _ : state) {
    track::FlowTable table;
    fill(table, keys);
    benchmark::DoNotOptimize(table.size());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_FlowTableInsert)->Arg(1000)->Arg(100000)->Arg(1000000)->Unit(benchmark::kMillisecond);

// Lookups of present keys in random order (the table is larger than the caches at 1 M).
void BM_FlowTableFindHit(benchmark::State& state) {
  const Keys keys(static_cast<std::size_t>(state.range(0)));
  track::FlowTable table;
  fill(table, keys);
  std::vector<std::uint32_t> order(keys.tuples.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), std::mt19937(42));
  auto key_of = [&keys](std::uint32_t slot) -> const FourTuple& { return keys.tuples[slot]; };
  std::size_t next = 0;
  std::uint64_t found = 0;
  for (auto _ : state) {
    const std::uint32_t i = order[next];
    next = next + 1 == order.size() ? 0 : next + 1;
    found += table.find(keys.tuples[i], keys.hashes[i], key_of) == i;
  }
  if (found != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("a present key was not found");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FlowTableFindHit)->Arg(1000)->Arg(100000)->Arg(1000000);

// Lookups of absent keys (the first segment of every new connection).
void BM_FlowTableFindMiss(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const Keys keys(n);
  const Keys absent(n, 1u << 23);
  track::FlowTable table;
  fill(table, keys);
  auto key_of = [&keys](std::uint32_t slot) -> const FourTuple& { return keys.tuples[slot]; };
  std::size_t next = 0;
  std::uint64_t missed = 0;
  for (auto _ : state) {
    missed += table.find(absent.tuples[next], absent.hashes[next], key_of) == track::FlowTable::kNone;
    next = next + 1 == n ? 0 : next + 1;
  }
  if (missed != static_cast<std::uint64_t>(state.iterations()))
    state.SkipWithError("an absent key was found");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FlowTableFindMiss)->Arg(1000)->Arg(100000)->Arg(1000000);

// Steady churn at N live connections: each iteration ends the oldest and starts a new one.
void BM_FlowTableChurn(benchmark::State& state) {
  const auto live = static_cast<std::uint32_t>(state.range(0));
  const Keys keys(live * 2u);  // the ring of keys: slot i holds keys[i % (2 * live)]
  track::FlowTable table;
  for (std::uint32_t i = 0; i < live; ++i) table.insert(keys.hashes[i], i, keys.hash_of());
  const auto ring = static_cast<std::uint32_t>(keys.tuples.size());
  std::uint32_t oldest = 0;
  for (auto _ : state) {
    table.erase(keys.hashes[oldest], oldest, keys.hash_of());
    const std::uint32_t fresh = (oldest + live) % ring;
    table.insert(keys.hashes[fresh], fresh, keys.hash_of());
    oldest = oldest + 1 == ring ? 0 : oldest + 1;
  }
  if (table.size() != live) state.SkipWithError("the table lost or gained entries");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_FlowTableChurn)->Arg(1000)->Arg(100000);

// The packets of one short HTTP-like connection from `client`: handshake, a
// 100-byte request, a 600-byte response with its ACK, and a four-way teardown (9).
std::vector<bench::OwnedFrame> short_connection(std::uint32_t client) {
  const std::uint32_t c = 0x0a000000u | client, s = 0xc0000201u;
  const std::uint16_t cport = static_cast<std::uint16_t>(32768 + client % 28000), sport = 80;
  const std::uint32_t ci = 1000u * client, si = 7000000u + client;
  struct Seg {
    bool from_client;
    std::uint32_t seq, ack;
    std::uint16_t flags;
    std::size_t len;
  };
  const Seg segs[] = {
      {true, ci, 0, 0x002, 0},
      {false, si, ci + 1, 0x012, 0},
      {true, ci + 1, si + 1, 0x010, 0},
      {true, ci + 1, si + 1, 0x018, 100},
      {false, si + 1, ci + 101, 0x018, 600},
      {true, ci + 101, si + 601, 0x010, 0},
      {false, si + 601, ci + 101, 0x011, 0},
      {true, ci + 101, si + 602, 0x011, 0},
      {false, si + 602, ci + 102, 0x010, 0},
  };
  std::vector<bench::OwnedFrame> frames;
  for (const Seg& g : segs) {
    bench::TcpSpec spec;
    spec.sport = g.from_client ? cport : sport;
    spec.dport = g.from_client ? sport : cport;
    spec.seq = g.seq;
    spec.ack = g.ack;
    spec.flags = g.flags;
    spec.options = (g.flags & 0x002) ? bench::syn_options() : bench::timestamp_options();
    spec.payload_len = g.len;
    const bench::Bytes ip = g.from_client ? bench::ipv4(6, bench::tcp_segment(spec), c, s)
                                          : bench::ipv4(6, bench::tcp_segment(spec), s, c);
    frames.push_back({bench::ethernet(bench::kEtherIpv4, ip), decode::dlt::en10mb});
  }
  return frames;
}

// Tracker::feed per packet, on interleaved short connections (range(0) of them at
// once, 9 packets each), timestamps 10 us apart; every round reuses the 4-tuples a
// simulated 10 s later, as loopback load generators do. Decoding is done beforehand.
void BM_TrackerFeedShortConnections(benchmark::State& state) {
  const auto concurrent = static_cast<std::uint32_t>(state.range(0));
  std::vector<bench::OwnedFrame> owned;
  std::vector<std::vector<bench::OwnedFrame>> conns;
  for (std::uint32_t i = 0; i < concurrent; ++i) conns.push_back(short_connection(i + 1));
  for (std::size_t k = 0; k < conns[0].size(); ++k)  // round-robin: packet k of every connection
    for (auto& conn : conns) owned.push_back(std::move(conn[k]));
  std::vector<Frame> frames(owned.size());
  std::vector<decode::Packet> packets(owned.size());
  for (std::size_t i = 0; i < owned.size(); ++i) {
    frames[i] = owned[i].frame(1700000000, static_cast<std::int64_t>(i) * 10000);
    frames[i].number = i + 1;
    decode::decode(frames[i], packets[i]);
  }
  std::uint64_t ended = 0;
  track::Tracker tracker(track::TrackerOptions{}, [&ended](const track::Connection&) { ++ended; });
  std::int64_t round = 0;
  for (auto _ : state) {
    for (std::size_t i = 0; i < frames.size(); ++i) {
      frames[i].ts.sec = 1700000000 + round * 10;
      tracker.feed(frames[i], packets[i]);
    }
    ++round;
  }
  tracker.flush();
  if (ended != static_cast<std::uint64_t>(round) * concurrent) state.SkipWithError("connections were lost");
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * frames.size()));
  state.counters["connections"] = static_cast<double>(ended);
}
BENCHMARK(BM_TrackerFeedShortConnections)->Arg(16)->Arg(4096)->Unit(benchmark::kMicrosecond);

}  // namespace
