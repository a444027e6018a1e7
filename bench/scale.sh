#!/usr/bin/env bash
# Issue 6's scale measurements, called by bench/run.sh (or alone, as root):
#
#   bash bench/scale.sh BIG.pcap RESULTS.tsv
#
# 1. Memory per tracked connection: `tcpscope conns` (and the printer's relative-seq
#    table: `tcpscope -nn`; tcpdump's own table, 919 hash chains, makes `tcpdump -nn`
#    quadratic here, so it is left out) on generated captures of 100,000 and
#    1,000,000 connections open at the same time (bench/capture_gen concurrent); the
#    bytes per connection are the difference of the peak RSS over the 900,000 extra.
# 2. Steady memory on a 10 GB capture: BIG.pcap repeated with shifted time stamps and
#    addresses (bench/capture_gen repeat) into $SCALE_TMP (default /tmp; skipped with a
#    message when the disk lacks the room), read by `tcpscope conns`, `-nn` and `-S -nn`
#    (and `tcpdump -nn`, whose relative-seq table grows too, for comparison);
#    the peak RSS is compared with the same commands on BIG.pcap alone (and `-S -nn`,
#    which keeps no relative-seq table, tells the reader's memory from that table's).
#    Deleted after.
# 3. Live capture keeping up: `tcpscope -i lo -w` and `tcpdump -i lo -w` at the same time
#    on the same loopback load (wrk against nginx, keep-alive and one connection per
#    request), each with its default kernel buffer (tcpscope 8 MiB, tcpdump libpcap's
#    2 MiB); their "dropped by kernel" counts and
#    CPU time, summed over LIVE_ROUNDS rounds (which one starts first alternates).
#
# Appends "key<TAB>value" lines to RESULTS.tsv (bench/report.py reads them).
# Environment: BUILD_DIR (build), PORT (the first free one from 18290), SCALE_TMP (/tmp),
# SCALE_GB (10), LIVE_SECONDS (10), LIVE_ROUNDS (2), SCALE_PARTS ("conns steady live": which parts to run).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
# shellcheck source=bench/lib.sh
source bench/lib.sh
BENCH_NAME=scale.sh
[[ $# -eq 2 ]] || bench_die "usage: bench/scale.sh BIG.pcap RESULTS.tsv"
big=$(realpath "$1")
results=$(realpath "$2")
build=${BUILD_DIR:-build}
port=${PORT:-$(bench_free_port 18290)}
scale_gb=${SCALE_GB:-10}
live_seconds=${LIVE_SECONDS:-10}
live_rounds=${LIVE_ROUNDS:-2}
bench_require_root
bench_build "$build" tcpscope capture_gen
tcpscope=$repo/$build/tcpscope
gen=$repo/$build/bench/capture_gen
work=$(mktemp -d "${SCALE_TMP:-/tmp}/tcpscope-scale.XXXXXX")
cleanup() {
  bench_cleanup
  rm -rf "$work"
}
trap cleanup EXIT

put() { printf '%s\t%s\n' "$1" "$2" >>"$results"; }
# peak_rss_kib CMD...: runs CMD (stdout to /dev/null, TZ=UTC) and prints its peak RSS in KiB.
peak_rss_kib() {
  /usr/bin/time -f '%M' -o "$work/rss" env TZ=UTC "$@" >/dev/null 2>"$work/stderr" ||
    bench_log "$* failed: $(tail -1 "$work/stderr")"
  tail -1 "$work/rss"
}
free_kib() { df -Pk "$1" | awk 'NR == 2 {print $4}'; }

parts=" ${SCALE_PARTS:-conns steady live} "

# ------------------------------------------------------------------ 1. per connection
if [[ $parts == *" conns "* ]]; then
bench_log "memory per tracked connection: 100,000 and 1,000,000 concurrent connections"
for n in 100000 1000000; do
  "$gen" concurrent "$n" "$work/concurrent$n.pcap" 2>/dev/null
  put "concurrent${n}_conns_rss_kib" "$(peak_rss_kib "$tcpscope" conns --format ndjson --stats -r "$work/concurrent$n.pcap")"
  put "concurrent${n}_conns_peak_tracked" "$(sed -n 's/.*peak \([0-9]*\) tracked.*/\1/p' "$work/stderr")"
  put "concurrent${n}_print_rss_kib" "$(peak_rss_kib "$tcpscope" -nn -r "$work/concurrent$n.pcap")"
  rm -f "$work/concurrent$n.pcap"
done
fi

# ------------------------------------------------------------------ 2. a 10 GB file
size=$(stat -c %s "$big")
copies=$(((scale_gb * 1000000000 + size - 1) / size))
need_kib=$((size * (copies + 1) / 1024))
if [[ $parts != *" steady "* ]]; then
  :
elif (($(free_kib "$work") < need_kib)); then
  bench_log "SKIP steady memory: $work has $(($(free_kib "$work") >> 20)) GiB free, needs $((need_kib >> 20)) GiB"
  put steady_skipped "not enough disk in $work"
else
  bench_log "steady memory: $copies copies of $(basename "$big") ($((size * copies >> 20)) MiB) in $work"
  "$gen" repeat "$big" "$copies" "$work/repeated.pcap" 2>"$work/gen.txt"
  put steady_bytes "$(stat -c %s "$work/repeated.pcap")"
  put steady_packets "$(awk '{print $1}' "$work/gen.txt")"
  put steady_copies "$copies"
  put steady_conns_rss_kib "$(peak_rss_kib "$tcpscope" conns --format ndjson --stats -r "$work/repeated.pcap")"
  put steady_conns_peak_tracked "$(sed -n 's/.*peak \([0-9]*\) tracked.*/\1/p' "$work/stderr")"
  put steady_print_rss_kib "$(peak_rss_kib "$tcpscope" -nn -r "$work/repeated.pcap")"
  put steady_print_absolute_rss_kib "$(peak_rss_kib "$tcpscope" -S -nn -r "$work/repeated.pcap")"
  put steady_tcpdump_rss_kib "$(peak_rss_kib tcpdump -nn -r "$work/repeated.pcap")"
  rm -f "$work/repeated.pcap"
  put single_conns_rss_kib "$(peak_rss_kib "$tcpscope" conns --format ndjson -r "$big")"
  put single_print_rss_kib "$(peak_rss_kib "$tcpscope" -nn -r "$big")"
  put single_print_absolute_rss_kib "$(peak_rss_kib "$tcpscope" -S -nn -r "$big")"
  put single_tcpdump_rss_kib "$(peak_rss_kib tcpdump -nn -r "$big")"
fi

# ------------------------------------------------------------------ 3. live capture
[[ $parts == *" live "* ]] || exit 0
bench_log "live capture: tcpscope -i lo -w and tcpdump -i lo -w on the same load, $live_rounds rounds of ${live_seconds}s"
bench_nginx_start "$work/nginx" "$port"
filter="tcp port $port"
declare -A cpu=([tcpscope]=0 [tcpdump]=0) captured=([tcpscope]=0 [tcpdump]=0) received=([tcpscope]=0 [tcpdump]=0) \
  dropped=([tcpscope]=0 [tcpdump]=0) rss=([tcpscope]=0 [tcpdump]=0)
# start_live TOOL: TOOL -i lo -w under /usr/bin/time (CPU time and peak RSS), in the background.
start_live() {
  local argv=(tcpdump)
  [[ $1 == tcpscope ]] && argv=("$tcpscope")
  /usr/bin/time -f '%U %S %M' -o "$work/live-$1.time" \
    "${argv[@]}" -i lo -w "$work/live-$1.pcap" "$filter" 2>"$work/live-$1.txt" &
  timers+=($!)
}
for round in $(seq "$live_rounds"); do
  # Which recorder opens its socket first alternates from round to round.
  order=(tcpscope tcpdump)
  ((round % 2 == 0)) && order=(tcpdump tcpscope)
  timers=()
  start_live "${order[0]}"
  start_live "${order[1]}"
  sleep 1
  # Ctrl-C goes to the recorders themselves (GNU time ignores it while it waits).
  recorders=("$(pgrep -n -f "^$tcpscope -i lo -w $work/live-tcpscope.pcap")"
    "$(pgrep -n -f "^tcpdump -i lo -w $work/live-tcpdump.pcap")")
  wrk -t 1 -c 64 -d "${live_seconds}s" "http://127.0.0.1:$port/page.html" >/dev/null 2>&1 &
  keepalive=$!
  wrk -t 1 -c 64 -d "${live_seconds}s" -H 'Connection: close' "http://127.0.0.1:$port/small.html" >/dev/null 2>&1 || true
  wait "$keepalive" || true
  sleep 1
  kill -INT "${recorders[@]}" 2>/dev/null || true
  wait "${timers[@]}" || true
  for tool in tcpscope tcpdump; do
    read -r user sys peak <"$work/live-$tool.time" || true
    cpu[$tool]=$(awk -v a="${cpu[$tool]}" -v u="$user" -v s="$sys" 'BEGIN {print a + u + s}')
    ((peak > rss[$tool])) && rss[$tool]=$peak
    captured[$tool]=$((captured[$tool] + $(awk '/packets? captured/ {print $1}' "$work/live-$tool.txt")))
    received[$tool]=$((received[$tool] + $(awk '/received by filter/ {print $1}' "$work/live-$tool.txt")))
    dropped[$tool]=$((dropped[$tool] + $(bench_dropped_by_kernel "$work/live-$tool.txt")))
    rm -f "$work/live-$tool.pcap"
  done
done
bench_nginx_stop
for tool in tcpscope tcpdump; do
  put "live_${tool}_cpu_s" "${cpu[$tool]}"
  put "live_${tool}_rss_kib" "${rss[$tool]}"
  put "live_${tool}_captured" "${captured[$tool]}"
  put "live_${tool}_received" "${received[$tool]}"
  put "live_${tool}_dropped" "${dropped[$tool]}"
done
put live_seconds "$((live_seconds * live_rounds))"
