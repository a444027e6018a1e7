#!/usr/bin/env bash
# Issue 6's benchmark, re-runnable by a user (not a test):
#
#   sudo bash bench/run.sh          (root on Debian: it installs nginx-light, wrk, tcptrace,
#                                    tshark if missing, and captures on lo)
#
# 1. Builds tcpscope, bench/pcap_floor and bench/capture_gen in $BUILD_DIR (RelWithDebInfo).
# 2. Records once, with `tcpscope -i lo -B 131072 -w`, real loopback HTTP traffic between wrk and
#    nginx (kept in bench/out/run/, git-ignored; RECAPTURE=1 records again):
#      big.pcap   >= 3,000,000 packets and >= 1 GiB: rounds of one connection per request
#                 (handshake and teardown each), keep-alive requests and 4 MiB bulk
#                 transfers (while the file is under 1 GiB), until both sizes are reached;
#      many.pcap  >= 200,000 short connections (Connection: close, 128 at once).
# 3. Measures, alternating the commands in each of $RUNS rounds (median of the rounds):
#    tcpscope print -S -nn -vvv / -nn, conns --format ndjson, explain; tcpdump -S -nn -vvv /
#    -nn (with TZ=UTC and with TZ unset: glibc re-reads /etc/localtime per packet without
#    it); tcptrace -n; tshark -q -z conv,tcp on the whole capture (TSHARK_CUT=N: on its
#    first 1/N only, extrapolated to the whole file by packet count and marked so; tshark's
#    time per packet grows with the file, so a cut flatters it); the reading floors
#    (bench/pcap_floor mmap and pcap_next_ex). Wall and user+sys CPU time, peak RSS.
# 4. Runs bench/scale.sh (memory per tracked connection, steady memory on a 10 GB file,
#    live capture drops against tcpdump) unless SCALE=0.
# 5. Prints a Markdown table with the ratios against issue 6's targets, marked met / not
#    met, and writes it to bench/out/run/results.md.
#
# Environment: RUNS (3), RECAPTURE (0), BUILD_DIR (build), SCALE (1), PORT (the first
# free one from 18190; nginx listens on 127.0.0.1 there and the recorder filters on it),
# TSHARK_CUT (1: the whole file), METRIC (auto: wall if the 1-minute load average is below 1.0 at the
# start, else user+sys CPU; or wall, cpu) - the time the ratios use. RECORD_ONLY=1 stops
# after recording (on a busy machine: record now, measure when it is quiet). For a quick trial
# of the script itself: BENCH_OUT (bench/out/run), BIG_PACKETS, BIG_BYTES, MANY_CONNS,
# and scale.sh's SCALE_GB, LIVE_SECONDS.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
# shellcheck source=bench/lib.sh
source bench/lib.sh
BENCH_NAME=run.sh
build=${BUILD_DIR:-build}
runs=${RUNS:-3}
port=${PORT:-$(bench_free_port 18190)}
tshark_cut=${TSHARK_CUT:-1}
out=${BENCH_OUT:-$repo/bench/out/run}
big=$out/big.pcap
many=$out/many.pcap
big_packets_min=${BIG_PACKETS:-3000000}
big_bytes_min=${BIG_BYTES:-$((1 << 30))}
many_conns_min=${MANY_CONNS:-200000}
record_limit_s=1800

bench_require_root
mkdir -p "$out"
trap bench_cleanup EXIT
bench_install_missing nginx=nginx-light wrk=wrk tcpdump=tcpdump tcptrace=tcptrace tshark=tshark
[[ -x /usr/bin/time ]] || bench_install_missing /usr/bin/time=time
bench_build "$build" tcpscope pcap_floor capture_gen
tcpscope=$repo/$build/tcpscope
floor=$repo/$build/bench/pcap_floor
[[ -x $floor ]] || bench_die "$floor was not built (bench/ is built only with libbenchmark-dev)"

metric=${METRIC:-auto}
if [[ $metric == auto ]]; then
  metric=$(awk '{print ($1 < 1.0) ? "wall" : "cpu"}' /proc/loadavg)
fi
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ------------------------------------------------------------------ recording
packets_and_bytes() { "$floor" mmap "$1" 2>/dev/null | awk '{print $1, $3}'; }

recorder_start() { # OUT.part STDERR
  rm -f "$1"
  bench_recorder_start "$2" "$tcpscope" -i lo -B 131072 -w "$1" "tcp port $port" ||
    bench_die "tcpscope -i lo -w did not start: $(cat "$2")"
}

record_big() {
  bench_log "recording $big: >= $big_packets_min packets and >= $big_bytes_min bytes of loopback HTTP"
  bench_nginx_start "$out/nginx" "$port"
  recorder_start "$big.part" "$out/big.recorder.txt"
  local started=$SECONDS packets=0 bytes=0 rounds=0
  while ((packets < big_packets_min * 102 / 100 || bytes < big_bytes_min * 102 / 100)); do
    ((SECONDS - started < record_limit_s)) || bench_die "big.pcap did not reach its size in ${record_limit_s}s"
    if ((packets < big_packets_min * 102 / 100 || rounds == 0)); then
      # one connection per request: a handshake and a teardown each
      wrk -t 1 -c 32 -d 3s -H 'Connection: close' "http://127.0.0.1:$port/small.html" >/dev/null 2>&1 || true
      # keep-alive, small pages (the bulk transfers below bring the bytes)
      wrk -t 1 -c 16 -d 3s "http://127.0.0.1:$port/small.html" >/dev/null 2>&1 || true
    fi
    if ((bytes < big_bytes_min * 102 / 100 || rounds == 0)); then
      # bulk: 4 MiB responses at 16 MB/s per connection
      wrk -t 1 -c 4 -d 2s "http://127.0.0.1:$port/bulk.bin" >/dev/null 2>&1 || true
    fi
    read -r packets bytes < <(packets_and_bytes "$big.part")
    rounds=$((rounds + 1))
    bench_log "  round $rounds: $packets packets, $((bytes >> 20)) MiB"
  done
  bench_recorder_stop
  bench_nginx_stop
  mv "$big.part" "$big"
}

record_many() {
  bench_log "recording $many: >= $many_conns_min short connections (Connection: close)"
  bench_nginx_start "$out/nginx" "$port"
  recorder_start "$many.part" "$out/many.recorder.txt"
  local started=$SECONDS requests=0 n
  while ((requests < many_conns_min * 105 / 100)); do
    ((SECONDS - started < record_limit_s)) || bench_die "many.pcap did not reach $many_conns_min connections"
    n=$(bench_wrk_requests -t 1 -c 128 -d 5s -H 'Connection: close' "http://127.0.0.1:$port/small.html")
    requests=$((requests + n))
    bench_log "  $requests requests (one connection each) so far"
  done
  bench_recorder_stop
  bench_nginx_stop
  mv "$many.part" "$many"
}

# Connections with a SYN (handshake seen) and all the connections tcpscope reports.
count_syns() { TZ=UTC "$tcpscope" -nn -q -r "$1" 'tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn' 2>/dev/null | wc -l; }
count_conns() { "$tcpscope" conns --format ndjson -r "$1" 2>/dev/null | wc -l; }

[[ -s $big && ${RECAPTURE:-0} != 1 ]] || record_big
read -r big_packets big_bytes < <(packets_and_bytes "$big")
((big_packets >= big_packets_min && big_bytes >= big_bytes_min)) ||
  bench_log "warning: $big holds $big_packets packets, $big_bytes bytes (RECAPTURE=1 to record again)"
[[ -s $many && ${RECAPTURE:-0} != 1 ]] || record_many
read -r many_packets many_bytes < <(packets_and_bytes "$many")
many_syns=$(count_syns "$many")
((many_syns >= many_conns_min)) ||
  bench_log "warning: $many holds $many_syns connections with a SYN (wanted >= $many_conns_min; RECAPTURE=1)"

if [[ ${RECORD_ONLY:-0} == 1 ]]; then
  bench_log "recorded: big $big_packets packets, $big_bytes bytes; many $many_packets packets, $many_syns connections with a SYN"
  exit 0
fi

# The files tshark reads: each capture, or its first 1/TSHARK_CUT.
cut_of() { # capture packets -> prints the cut's path
  local cut
  if ((tshark_cut <= 1)); then
    echo "$1"
    return
  fi
  cut=$out/$(basename "$1" .pcap).cut$tshark_cut.pcap
  if [[ ! -s $cut || $cut -ot $1 ]]; then
    "$tcpscope" -r "$1" -c $(($2 / tshark_cut)) -w "$cut" 2>/dev/null
  fi
  echo "$cut"
}
big_cut=$(cut_of "$big" "$big_packets")
many_cut=$(cut_of "$many" "$many_packets")
read -r big_cut_packets _ < <(packets_and_bytes "$big_cut")
read -r many_cut_packets _ < <(packets_and_bytes "$many_cut")
cat "$big" "$many" >/dev/null # into the page cache
((tshark_cut <= 1)) || cat "$big_cut" "$many_cut" >/dev/null

# ------------------------------------------------------------------ measurements
# key|capture|packets it reads|packets it stands for|env|command
commands=(
  "floor_mmap|big|$big_packets|$big_packets|UTC|$floor mmap $big"
  "floor_pcap|big|$big_packets|$big_packets|UTC|$floor pcap_next_ex $big"
  "tcpscope_vvv|big|$big_packets|$big_packets|UTC|$tcpscope -S -nn -vvv -r $big"
  "tcpdump_vvv|big|$big_packets|$big_packets|UTC|tcpdump -S -nn -vvv -r $big"
  "tcpscope_nn|big|$big_packets|$big_packets|UTC|$tcpscope -nn -r $big"
  "tcpdump_nn|big|$big_packets|$big_packets|UTC|tcpdump -nn -r $big"
  "tcpscope_vvv_notz|big|$big_packets|$big_packets|unset|$tcpscope -S -nn -vvv -r $big"
  "tcpdump_vvv_notz|big|$big_packets|$big_packets|unset|tcpdump -S -nn -vvv -r $big"
  "tcpscope_nn_notz|big|$big_packets|$big_packets|unset|$tcpscope -nn -r $big"
  "tcpdump_nn_notz|big|$big_packets|$big_packets|unset|tcpdump -nn -r $big"
  "conns|big|$big_packets|$big_packets|UTC|$tcpscope conns --format ndjson -r $big"
  "explain|big|$big_packets|$big_packets|UTC|$tcpscope explain -r $big"
  "tcptrace|big|$big_packets|$big_packets|UTC|tcptrace -n $big"
  "tshark|big|$big_cut_packets|$big_packets|UTC|tshark -q -z conv,tcp -r $big_cut"
  "floor_pcap|many|$many_packets|$many_packets|UTC|$floor pcap_next_ex $many"
  "conns|many|$many_packets|$many_packets|UTC|$tcpscope conns --format ndjson -r $many"
  "explain|many|$many_packets|$many_packets|UTC|$tcpscope explain -r $many"
  "tcptrace|many|$many_packets|$many_packets|UTC|tcptrace -n $many"
  "tshark|many|$many_cut_packets|$many_packets|UTC|tshark -q -z conv,tcp -r $many_cut"
)
results=$out/results.tsv
: >"$results"
bench_log "measuring ${#commands[@]} commands x $runs rounds, alternating (load average at start: $load_at_start)"
for run in $(seq "$runs"); do
  for entry in "${commands[@]}"; do
    IFS='|' read -r key capture count stands_for tz cmd <<<"$entry"
    read -ra argv <<<"$cmd"
    BENCH_ENV=(env TZ=UTC)
    [[ $tz == unset ]] && BENCH_ENV=(env -u TZ)
    bench_time "$results.raw" "$key|$capture|$count|$stands_for|$tz" "$run" "${argv[@]}"
  done
  bench_log "round $run of $runs done"
done
tr '|' '\t' <"$results.raw" >"$results"
rm -f "$results.raw"

# ------------------------------------------------------------------ facts beside the times
facts=$out/facts.tsv
{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'machine\t%s cores, %s GiB RAM, %s\n' "$(nproc)" "$(awk '/MemTotal/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)" \
    "$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'commit\t%s\n' "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  printf 'versions\ttcpscope %s; tcpdump %s; tshark %s; tcptrace %s\n' \
    "$("$tcpscope" --version 2>&1 | awk '/^tcpscope/ {print $NF; exit}')" \
    "$(tcpdump --version 2>&1 | awk '/^tcpdump/ {print $NF; exit}')" \
    "$(tshark --version 2>&1 | awk '/^TShark/ {print $3; exit}')" \
    "$(dpkg-query -W -f '${Version}' tcptrace 2>/dev/null || echo '?')"
  printf 'metric\t%s\n' "$metric"
  printf 'load\t%s\n' "$load_at_start"
  printf 'runs\t%s\n' "$runs"
  printf 'tshark_cut\t%s\n' "$tshark_cut"
  printf 'big_packets\t%s\nbig_bytes\t%s\n' "$big_packets" "$big_bytes"
  printf 'many_packets\t%s\nmany_bytes\t%s\n' "$many_packets" "$many_bytes"
  printf 'big_conns\t%s\n' "$(count_conns "$big")"
  printf 'big_syns\t%s\n' "$(count_syns "$big")"
  printf 'many_conns\t%s\n' "$(count_conns "$many")"
  printf 'many_syns\t%s\n' "$many_syns"
  printf 'big_tcptrace_conns\t%s\n' "$(tcptrace -n "$big" 2>/dev/null | grep -c '^ *[0-9][0-9]*: ')"
  printf 'many_tcptrace_conns\t%s\n' "$(tcptrace -n "$many" 2>/dev/null | grep -c '^ *[0-9][0-9]*: ')"
  for f in big many; do
    [[ -f $out/$f.recorder.txt ]] && printf '%s_recorder_drops\t%s\n' "$f" "$(bench_dropped_by_kernel "$out/$f.recorder.txt")"
  done
  # A fast printer that prints something else proves nothing: same bytes as tcpdump?
  for opts in "-S -nn -vvv" "-nn"; do
    read -ra o <<<"$opts"
    verdict=identical
    cmp -s <(TZ=UTC "$tcpscope" "${o[@]}" -r "$big" 2>/dev/null) <(TZ=UTC tcpdump "${o[@]}" -r "$big" 2>/dev/null) ||
      verdict=DIFFERENT
    printf 'same_output %s\t%s\n' "$opts" "$verdict"
  done
} >"$facts"

# ------------------------------------------------------------------ scale
scale=$out/scale.tsv
: >"$scale"
if [[ ${SCALE:-1} != 0 ]]; then
  BUILD_DIR=$build bash bench/scale.sh "$big" "$scale" || bench_log "scale.sh failed (see above)"
fi

python3 bench/report.py "$results" "$facts" "$scale" | tee "$out/results.md"
