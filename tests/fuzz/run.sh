#!/usr/bin/env bash
# Runs every libFuzzer target (or those named) for SECONDS each and prints a summary
# (executions, libFuzzer's coverage `cov:`, features `ft:`, crashes).
#
#   tests/fuzz/run.sh SECONDS [TARGET...]
#
# Builds build-fuzz/ with clang and -DTCPSCOPE_FUZZ=ON when needed ($FUZZ_BUILD_DIR
# overrides the folder). Seeds come at run time from tests/fuzz/regressions/<target>/,
# examples/ and ../shared/corpus/ (never copied into the repository); the inputs the
# fuzzer adds are kept in the build tree (build-fuzz/fuzz-work/<target>/corpus), so
# later runs go on from there. A crash stops that target: its input is copied to
# tests/fuzz/regressions/<target>/crash-<sha1> (replayed by ctest from then on) and
# the script exits 1. Without clang it says so and exits 77 (skip).
# $FUZZ_JOBS > 1 runs that many targets at once.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${1:?usage: tests/fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
((${#targets[@]})) || targets=(decode_fuzz tcp_options_fuzz tcp_fuzz print_fuzz track_fuzz pcap_file_fuzz)
build=${FUZZ_BUILD_DIR:-$root/build-fuzz}
corpus=$root/../shared/corpus
jobs=${FUZZ_JOBS:-1}

if ! command -v clang++ >/dev/null; then
  echo "SKIP: fuzzing needs clang++ and libFuzzer (apt-get install clang libclang-rt-14-dev)"
  exit 77
fi
if [[ ! -d $corpus ]]; then
  if [[ ${CI:-} == true ]]; then
    echo "FAIL: reference corpus missing at $corpus (CI=true)"
    exit 1
  fi
  echo "note: reference corpus missing at $corpus; seeding from the repository only"
fi
if [[ ! -f $build/CMakeCache.txt ]]; then
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DTCPSCOPE_FUZZ=ON -DTCPSCOPE_BUILD_BENCH=OFF \
    >"$build.configure.log" 2>&1 || { cat "$build.configure.log"; exit 1; }
fi
cmake --build "$build" -j 2 --target "${targets[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -50 "$build/fuzz-build.log"; echo "FAIL: the fuzz targets do not build"; exit 1; }

run_target() {
  local t=$1 work=$build/fuzz-work/$1
  mkdir -p "$work/corpus" "$work/seeds" "$work/artifacts"
  local seeds=("$here/regressions/$t")
  case $t in
    pcap_file_fuzz)
      seeds+=("$root/examples")
      [[ -d $corpus ]] && seeds+=("$corpus/tcpdump/pcaps" "$corpus/zeek/traces") ;;
    decode_fuzz | print_fuzz | tcp_fuzz | tcp_options_fuzz)
      if [[ ! -f $work/seeds/.made ]]; then
        python3 "$here/seeds.py" "$t" "$work/seeds" "$root/examples" $([[ -d $corpus ]] && echo "$corpus") \
          >"$work/seeds.log" 2>&1 && touch "$work/seeds/.made"
      fi
      seeds+=("$work/seeds") ;;
  esac
  local max_len=4096
  [[ $t == pcap_file_fuzz ]] && max_len=65536
  # -rss_limit_mb bounds each target; leaks are reported (LeakSanitizer) and fail.
  "$build/tests/$t" -max_total_time="$seconds" -max_len=$max_len -rss_limit_mb=2048 -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" "$work/corpus" "${seeds[@]}" \
    >"$work/last-run.log" 2>&1
  echo $? >"$work/last-run.rc"
}

rm -f "$build"/fuzz-work/*/last-run.rc
running=0
for t in "${targets[@]}"; do
  [[ -x $build/tests/$t ]] || { echo "FAIL: no fuzz target $t"; exit 1; }
  rm -f "$build/fuzz-work/$t/artifacts/"* 2>/dev/null
  run_target "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then wait -n; running=$((running - 1)); fi
done
wait

status=0
printf '%-18s %12s %8s %8s %10s  %s\n' target execs cov ft corpus result
for t in "${targets[@]}"; do
  work=$build/fuzz-work/$t log=$work/last-run.log
  rc=$(cat "$work/last-run.rc" 2>/dev/null || echo 1)
  execs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | grep -o '[0-9]*')
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | grep -o '[0-9]*')
  inputs=$(find "$work/corpus" -type f | wc -l)
  result=ok
  if [[ $rc != 0 ]]; then
    result="FAILED (exit $rc)"
    status=1
    for a in "$work/artifacts/"*; do
      [[ -f $a ]] || continue
      name=$(basename "$a")
      kind=${name%%-*}
      dest=$here/regressions/$t/$kind-$(sha1sum "$a" | cut -c1-16)
      cp "$a" "$dest"
      result+="; input kept as ${dest#"$root"/}"
    done
    grep -m3 -E 'ERROR: |SUMMARY: |runtime error' "$log" | sed 's/^/    /'
  fi
  printf '%-18s %12s %8s %8s %10s  %s\n' "$t" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$inputs" "$result"
done
exit $status
