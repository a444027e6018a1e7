#!/usr/bin/env bash
# Whole-process benchmark (not a test): `tcpscope explain` against `tcpscope conns` on
# the large capture of bench/print.sh (issue #4: explain within 3x the time of conns).
#
#   bash bench/explain.sh [CAPTURE]     (default: bench/out/big.pcap; bench/print.sh records it)
#
# In the same run, alternating the commands, $RUNS times each, stdout to /dev/null, the
# file read from the page cache: user+sys CPU seconds, wall seconds and peak RSS from
# /usr/bin/time (both times: the benchmark machines are shared, so CPU is the steadier
# measure), then the medians and the ratios explain/conns for the text and the JSON output. Everything runs with TZ=UTC.
#
# Environment: BUILD_DIR (build), RUNS (3), TCPSCOPE (a tcpscope binary: skips the build).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${BUILD_DIR:-build}
runs=${RUNS:-3}
capture=${1:-$repo/bench/out/big.pcap}

log() { echo "explain.sh: $*" >&2; }
die() {
  log "$*"
  exit 1
}

[[ -f $capture ]] || die "no capture at $capture (record one with bench/print.sh, or pass a file)"
[[ -x /usr/bin/time ]] || die "needs /usr/bin/time (apt-get install time)"
if [[ -n ${TCPSCOPE:-} ]]; then
  tcpscope=$TCPSCOPE
else
  log "building tcpscope in $build"
  if [[ ! -f $build/CMakeCache.txt ]]; then
    generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S . -B "$build" "${generator[@]}" >/dev/null
  fi
  cmake --build "$build" -j 2 --target tcpscope >/dev/null
  tcpscope=$repo/$build/tcpscope
fi
export TZ=UTC

names=(conns explain explain_json)
declare -A cmdline=(
  [conns]="conns --format ndjson"
  [explain]="explain"
  [explain_json]="explain --format json"
)
declare -A cpu wall rss
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
cat "$capture" >/dev/null # into the page cache
for ((i = 1; i <= runs; i++)); do
  for name in "${names[@]}"; do
    # shellcheck disable=SC2086
    /usr/bin/time -o "$tmp" -f '%U %S %M %e' "$tcpscope" ${cmdline[$name]} -r "$capture" --quiet \
      >/dev/null 2>/dev/null || die "$name failed"
    read -r user sys maxrss elapsed <"$tmp"
    cpu[$name]+="$(echo "$user + $sys" | bc) "
    wall[$name]+="$elapsed "
    rss[$name]+="$maxrss "
    log "run $i $name: $(echo "$user + $sys" | bc) s CPU, $elapsed s wall, $((maxrss / 1024)) MiB"
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
echo "capture: $capture ($(du -h "$capture" | cut -f1)), $runs runs each, TZ=UTC"
echo
echo "| command | median CPU s (user+sys) | ratio to conns | median wall s | ratio to conns | peak RSS MiB |"
echo "|---|---|---|---|---|---|"
base=$(echo "${cpu[conns]}" | median)
base_wall=$(echo "${wall[conns]}" | median)
for name in "${names[@]}"; do
  m=$(echo "${cpu[$name]}" | median)
  w=$(echo "${wall[$name]}" | median)
  r=$(echo "${rss[$name]}" | median)
  echo "| tcpscope ${cmdline[$name]} | $m | $(echo "scale=2; $m / $base" | bc)x | $w | $(echo "scale=2; $w / $base_wall" | bc)x | $((r / 1024)) |"
done
