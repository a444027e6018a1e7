#!/usr/bin/env bash
# Whole-process benchmark (not a test): tcpscope vs tcpdump printing a large capture
# of real loopback HTTP traffic.
#
#   bash bench/print.sh            (as root: it installs nginx-light and wrk, captures on lo)
#
# 1. Builds tcpscope and bench/pcap_floor (Release-like RelWithDebInfo, in $BUILD_DIR).
# 2. Once (kept in bench/out/, git-ignored): records >= $PACKETS packets of HTTP traffic
#    between wrk and nginx on 127.0.0.1 with `tcpscope -i lo -w` (or `tcpdump -i lo -w`
#    while tcpscope cannot capture live; the script says which), half of it one
#    connection per request (many connections, reused client 4-tuples), half keep-alive.
# 3. In the same run, alternating the commands, $RUNS times each: wall time of every
#    command reading the file from the page cache with stdout to /dev/null, peak RSS from
#    /usr/bin/time -v; prints a Markdown table of medians with packets/s and ratios.
#    tcpdump and tcpscope run both with TZ unset (the machine's /etc/localtime: glibc
#    re-checks it for every packet) and with TZ=UTC; each ratio compares the same options
#    and the same TZ setting.
#
#    Besides wall time, user+sys CPU time of each command (more telling when the
#    machine is busy with other work; tcpscope reads and decodes on a second thread,
#    so its wall time can be below its CPU time). One extra row runs tcpscope on one
#    thread (TCPSCOPE_THREADS=1).
#
# Environment: BUILD_DIR (build), RUNS (3), PACKETS (2200000), PORT (the first free one from 18080),
# BENCH_OUT (bench/out: where the capture and results go), RECAPTURE=1 to record a new
# capture, BIG_PCAP=path to measure an existing capture
# instead (read only; nothing is recorded).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${BUILD_DIR:-build}
runs=${RUNS:-3}
packets_wanted=${PACKETS:-2200000}
port=${PORT:-}
out=${BENCH_OUT:-$repo/bench/out}
big=${BIG_PCAP:-$out/big.pcap}
record_limit_s=600

# shellcheck source=bench/lib.sh
source bench/lib.sh
BENCH_NAME=print.sh
log() { bench_log "$@"; }
die() { bench_die "$@"; }

[[ -n ${BIG_PCAP:-} || $(id -u) -eq 0 ]] || die "needs root (live capture on lo, apt-get for nginx-light and wrk)"
mkdir -p "$out"
trap bench_cleanup EXIT

bench_install_missing nginx=nginx-light wrk=wrk tcpdump=tcpdump
[[ -x /usr/bin/time ]] || bench_install_missing /usr/bin/time=time
bench_build "$build" tcpscope pcap_floor
tcpscope=$repo/$build/tcpscope
floor=$repo/$build/bench/pcap_floor
[[ -x $floor ]] || die "$floor was not built (is libbenchmark-dev installed? bench/ is built only with it)"

# ------------------------------------------------------------------ the capture
# Half of it one connection per request (handshakes and teardowns), half keep-alive 4 KiB pages.
record_capture() {
  [[ -n $port ]] || port=$(bench_free_port 18080)
  local part=$big.part filter="tcp port $port" stderr_file=$out/recorder.stderr
  rm -f "$part"
  bench_nginx_start "$out/nginx" "$port"
  local recorder=tcpscope
  if ! bench_recorder_start "$stderr_file" "$tcpscope" -i lo -B 262144 -c "$packets_wanted" -w "$part" "$filter"; then
    log "tcpscope -i lo -w cannot capture yet ($(tail -1 "$stderr_file")); recording with tcpdump -w instead"
    recorder=tcpdump
    rm -f "$part"
    bench_recorder_start "$stderr_file" tcpdump -i lo -B 262144 -c "$packets_wanted" -w "$part" "$filter" ||
      die "tcpdump -i lo -w did not start: $(cat "$stderr_file")"
  fi
  log "recording $packets_wanted packets of $filter with $recorder -w"
  local started=$SECONDS round=0
  while kill -0 "$BENCH_RECORDER_PID" 2>/dev/null; do
    ((SECONDS - started < record_limit_s)) || die "the capture did not reach $packets_wanted packets in ${record_limit_s}s"
    if ((round % 2 == 0)); then
      wrk -t 1 -c 32 -d 5s -H 'Connection: close' "http://127.0.0.1:$port/small.html" >/dev/null 2>&1 || true
    else
      wrk -t 1 -c 16 -d 5s "http://127.0.0.1:$port/page.html" >/dev/null 2>&1 || true
    fi
    round=$((round + 1))
  done
  wait "$BENCH_RECORDER_PID" || true
  BENCH_RECORDER_PID=
  bench_nginx_stop
  sed 's/^/  /' "$stderr_file" >&2
  echo "$recorder" >"$out/big.recorder"
  mv "$part" "$big"
}

if [[ -n ${BIG_PCAP:-} ]]; then
  [[ -s $big ]] || die "BIG_PCAP=$big is not a capture file"
elif [[ ! -s $big || ${RECAPTURE:-0} == 1 ]]; then
  record_capture
fi
read -r packets _ < <("$floor" mmap "$big")
((packets >= 2000000)) || log "warning: $big holds only $packets packets (wanted >= 2,000,000; RECAPTURE=1 to redo)"
recorder=$(cat "${big%.pcap}.recorder" 2>/dev/null || echo unknown)
bytes=$(stat -c %s "$big")
cat "$big" >/dev/null # into the page cache

# ------------------------------------------------------------------ measurements
# Each entry: label | TZ (unset or UTC) | packets it reads | command...
tenth=$((packets / 10))
commands=(
  "floor: mmap record walk|unset|$packets|$floor mmap $big"
  "floor: libpcap pcap_next_ex loop|unset|$packets|$floor pcap_next_ex $big"
  "tcpdump -S -nn -vvv|unset|$packets|tcpdump -S -nn -vvv -r $big"
  "tcpscope -S -nn -vvv|unset|$packets|$tcpscope -S -nn -vvv -r $big"
  "tcpdump -S -nn -vvv|UTC|$packets|tcpdump -S -nn -vvv -r $big"
  "tcpscope -S -nn -vvv|UTC|$packets|$tcpscope -S -nn -vvv -r $big"
  "tcpdump -nn|unset|$packets|tcpdump -nn -r $big"
  "tcpscope -nn|unset|$packets|$tcpscope -nn -r $big"
  "tcpdump -nn|UTC|$packets|tcpdump -nn -r $big"
  "tcpscope -nn|UTC|$packets|$tcpscope -nn -r $big"
  "tcpscope -S -nn -vvv, one thread (TCPSCOPE_THREADS=1)|UTC|$packets|env TCPSCOPE_THREADS=1 $tcpscope -S -nn -vvv -r $big"
  "tcpscope -S -nn -vvv -c $tenth (first tenth: does memory grow with the file?)|UTC|$tenth|$tcpscope -S -nn -vvv -c $tenth -r $big"
)
results=$out/results.tsv
: >"$results"
now_ns() { date +%s%N; }
measure() { # label tz packets cmd...
  local label=$1 tz=$2 count=$3
  shift 3
  local envset=(env -u TZ)
  [[ $tz == UTC ]] && envset=(env TZ=UTC)
  local start end status=0
  start=$(now_ns)
  /usr/bin/time -v -o "$out/time.txt" "${envset[@]}" "$@" >/dev/null 2>"$out/cmd.stderr" || status=$?
  end=$(now_ns)
  local rss_kib cpu_s
  rss_kib=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")
  cpu_s=$(awk -F': ' '/User time|System time/ {s += $2} END {print s}' "$out/time.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$tz" "$count" "$(((end - start) / 1000))" "$rss_kib" "$status" "$cpu_s" >>"$results"
  ((status == 0)) || log "$label (TZ $tz) exited $status: $(grep -v '^Command exited' "$out/cmd.stderr" | tail -1)"
}
log "measuring ${#commands[@]} commands x $runs runs on $big ($packets packets), alternating"
for run in $(seq "$runs"); do
  for entry in "${commands[@]}"; do
    IFS='|' read -r label tz count cmd <<<"$entry"
    read -ra argv <<<"$cmd"
    measure "$label" "$tz" "$count" "${argv[@]}"
  done
  log "run $run of $runs done"
done

# Are the outputs the same? (a fast printer that prints something else proves nothing)
same_output() { # tz options...
  local envset=(env TZ=UTC)
  [[ $1 == unset ]] && envset=(env -u TZ)
  shift
  if cmp -s <("${envset[@]}" "$tcpscope" "$@" -r "$big" 2>/dev/null) <("${envset[@]}" tcpdump "$@" -r "$big" 2>/dev/null); then
    echo identical
  else
    echo DIFFERENT
  fi
}
verdict_vvv=$(same_output UTC -S -nn -vvv)
verdict_nn=$(same_output UTC -nn)
verdict_vvv_local=$(same_output unset -S -nn -vvv)
verdict_nn_local=$(same_output unset -nn)

python3 - "$results" "$packets" "$bytes" "$recorder" "$runs" "$verdict_vvv" "$verdict_nn" "$verdict_vvv_local" "$verdict_nn_local" <<'EOF' | tee "$out/results.md"
import statistics, sys
path, packets, size, recorder, runs, verdict_vvv, verdict_nn, verdict_vvv_local, verdict_nn_local = sys.argv[1:]
packets, size = int(packets), int(size)
rows = {}
for line in open(path):
    label, tz, count, usec, rss, status, cpu = line.rstrip("\n").split("\t")
    r = rows.setdefault((label, tz), {"usec": [], "rss": [], "cpu": [], "failed": 0, "packets": int(count)})
    if status == "0":
        r["usec"].append(int(usec)); r["rss"].append(int(rss)); r["cpu"].append(float(cpu))
    else:
        r["failed"] += 1
def rate(key):
    r = rows.get(key)
    return r["packets"] / (statistics.median(r["usec"]) / 1e6) if r and r["usec"] else None
def cpu(key):
    r = rows.get(key)
    return statistics.median(r["cpu"]) if r and r["cpu"] else None
print(f"Capture: {size / 2**20:,.0f} MiB, {packets:,} packets of loopback HTTP (nginx + wrk), "
      f"recorded with `{recorder} -w`; median of {runs} runs each, commands alternating, "
      f"file in the page cache, stdout to /dev/null.\n")
print("| command | TZ | median wall (s) | packets/s | peak RSS (MiB) | vs tcpdump, same options and TZ (wall) | user+sys CPU (s) | vs tcpdump (CPU) |")
print("|---|---|---:|---:|---:|---:|---:|---:|")
for (label, tz), r in rows.items():
    if not r["usec"]:
        print(f"| `{label}` | {tz} | failed | | | | | |")
        continue
    wall = statistics.median(r["usec"]) / 1e6
    pps = rate((label, tz))
    rss = max(r["rss"]) / 1024
    ratio = cpu_ratio = ""
    own_cpu = cpu((label, tz))
    if label.startswith("tcpscope") and "(first tenth" not in label:
        ref_label = label.split(",")[0].replace("tcpscope", "tcpdump")
        ref = rate((ref_label, tz))
        ratio = f"{pps / ref:.1f}x" if ref else ""
        ref_cpu = cpu((ref_label, tz))
        cpu_ratio = f"{ref_cpu / own_cpu:.1f}x" if ref_cpu and own_cpu else ""
    elif label.startswith("tcpdump"):
        ratio = cpu_ratio = "1.0x"
    failed = f" ({r['failed']} failed)" if r["failed"] else ""
    cpu_text = f"{own_cpu:.2f}" if own_cpu is not None else ""
    print(f"| `{label}` | {tz} | {wall:.2f}{failed} | {pps:,.0f} | {rss:.1f} | {ratio} | {cpu_text} | {cpu_ratio} |")
print("\nThe mmap walk's RSS counts the file's pages it maps (page cache), not heap. CPU ratios compare user+sys CPU time (tcpdump's over tcpscope's).")
print(f"\nOutput of tcpscope vs tcpdump on this file: TZ=UTC `-S -nn -vvv` {verdict_vvv}, `-nn` {verdict_nn}; "
      f"TZ unset `-S -nn -vvv` {verdict_vvv_local}, `-nn` {verdict_nn_local}.")
EOF
