# shellcheck shell=bash
# Pieces shared by the whole-process benchmarks (bench/run.sh, bench/scale.sh):
# tool installation, the build, a local nginx serving small, 4 KiB and bulk files on
# loopback, a live recorder, and one timed run of a command. Source it; it defines
# functions and sets nothing else. Callers set BENCH_NAME (for messages) and call
# bench_cleanup from their EXIT trap.

bench_log() { echo "${BENCH_NAME:-bench}: $*" >&2; }
bench_die() {
  bench_log "$*"
  exit 1
}

bench_require_root() {
  [[ $(id -u) -eq 0 ]] || bench_die "needs root (live capture on lo, apt-get for nginx-light, wrk, tcptrace)"
}

# bench_install_missing COMMAND=PACKAGE ...: apt-get installs the packages whose command is missing.
bench_install_missing() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%=*}" >/dev/null || need+=("${pair#*=}")
  done
  ((${#need[@]})) || return 0
  bench_log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
}

# bench_build BUILD_DIR TARGET...: configures (RelWithDebInfo by default) and builds the targets.
bench_build() {
  local build=$1
  shift
  if [[ ! -f $build/CMakeCache.txt ]]; then
    local generator=()
    command -v ninja >/dev/null && generator=(-G Ninja)
    cmake -S . -B "$build" "${generator[@]}" >/dev/null
  fi
  bench_log "building $* in $build"
  cmake --build "$build" -j 2 --target "$@" >/dev/null
}

# ------------------------------------------------------------------ nginx on loopback
BENCH_NGINX_PID=
BENCH_RECORDER_PID=

# bench_free_port FIRST: prints the first TCP port from FIRST on that nothing listens on
# (other benchmarks may be running nginx on loopback: their traffic must not mix with ours).
bench_free_port() {
  local port=$1
  while ss -Htln "sport = :$port" | grep -q .; do port=$((port + 1)); done
  echo "$port"
}

# bench_nginx_start ROOT PORT: nginx on 127.0.0.1:PORT serving
#   /small.html (600 B), /page.html (4 KiB), /bulk.bin (4 MiB, sent at 16 MB/s per connection
#   so that a bulk transfer does not outrun the recorder).
bench_nginx_start() {
  local root=$1 port=$2
  mkdir -p "$root/html" "$root/tmp" "$root/logs"
  head -c 600 /dev/zero | tr '\0' 'a' >"$root/html/small.html"
  head -c 4096 /dev/zero | tr '\0' 'b' >"$root/html/page.html"
  [[ -s $root/html/bulk.bin ]] || head -c $((4 << 20)) /dev/urandom >"$root/html/bulk.bin"
  cat >"$root/nginx.conf" <<EOF
worker_processes 1;
daemon off;
user root;
pid $root/nginx.pid;
error_log $root/logs/error.log warn;
worker_rlimit_nofile 65536;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $root/tmp/body;
  proxy_temp_path $root/tmp/proxy;
  fastcgi_temp_path $root/tmp/fastcgi;
  uwsgi_temp_path $root/tmp/uwsgi;
  scgi_temp_path $root/tmp/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;
    root $root/html;
    location = /bulk.bin { limit_rate 16m; }
  }
}
EOF
  nginx -c "$root/nginx.conf" -p "$root" &
  BENCH_NGINX_PID=$!
  local _
  for _ in $(seq 50); do
    kill -0 "$BENCH_NGINX_PID" 2>/dev/null || break # could not start (port taken?)
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  bench_die "nginx did not start on 127.0.0.1:$port (see $root/logs/error.log)"
}

bench_nginx_stop() {
  [[ -n $BENCH_NGINX_PID ]] || return 0
  kill "$BENCH_NGINX_PID" 2>/dev/null || true
  wait "$BENCH_NGINX_PID" 2>/dev/null || true
  BENCH_NGINX_PID=
}

# bench_wrk_requests ARGS...: runs wrk and prints how many requests it completed.
bench_wrk_requests() {
  local report
  report=$(wrk "$@" 2>&1) || true
  awk '/requests in/ {print $1; found=1} END {if (!found) print 0}' <<<"$report"
}

# bench_recorder_start STDERR_FILE CMD...: starts a live recorder in the background;
# fails unless it is still running a second later.
bench_recorder_start() {
  local stderr_file=$1
  shift
  "$@" 2>"$stderr_file" &
  BENCH_RECORDER_PID=$!
  sleep 1
  kill -0 "$BENCH_RECORDER_PID" 2>/dev/null
}

# Stops the recorder as Ctrl-C would (it completes its file and prints its counters).
bench_recorder_stop() {
  [[ -n $BENCH_RECORDER_PID ]] || return 0
  kill -INT "$BENCH_RECORDER_PID" 2>/dev/null || true
  wait "$BENCH_RECORDER_PID" 2>/dev/null || true
  BENCH_RECORDER_PID=
}

bench_cleanup() {
  bench_recorder_stop
  bench_nginx_stop
  local children
  children=$(jobs -p)
  # shellcheck disable=SC2086 # one process id per word
  [[ -z $children ]] || kill $children 2>/dev/null || true
  wait 2>/dev/null || true
}

# bench_dropped_by_kernel STDERR_FILE: the "N packets dropped by kernel" count (tcpdump's wording).
bench_dropped_by_kernel() {
  awk '/dropped by kernel/ {n=$1} END {print (n == "" ? "?" : n)}' "$1"
}

# ------------------------------------------------------------------ one timed run
# bench_time RESULT_FILE KEY RUN CMD...: runs CMD with stdout to /dev/null and appends
# "KEY RUN wall_s user_s sys_s max_rss_kib exit_status" (tab-separated) to RESULT_FILE.
# Set BENCH_ENV (an array, e.g. (env TZ=UTC)) to prefix the command.
bench_time() {
  local results=$1 key=$2 run=$3
  shift 3
  local timing status=0
  timing=$(mktemp)
  /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$timing" "${BENCH_ENV[@]}" "$@" >/dev/null 2>"$timing.stderr" || status=$?
  printf '%s\t%s\t%s\t%s\n' "$key" "$run" "$(grep -v '^Command' "$timing" | tail -1)" "$status" >>"$results"
  ((status == 0)) || bench_log "$key (run $run) exited $status: $(tail -2 "$timing.stderr" | tr '\n' ' ')"
  rm -f "$timing" "$timing.stderr"
}
