#!/usr/bin/env bash
# Shared functions of the benchmark scripts (sourced by bench/run, bench/jvm-flags, bench/profile).
# Everything listens on 127.0.0.1 only; every process started here is stopped by its pid on exit.
# shellcheck disable=SC2034 # the globals below are read by the scripts that source this file

BENCH_DIR=$(CDPATH='' cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname -- "$BENCH_DIR")
CLK_TCK=$(getconf CLK_TCK)

# Ports (override the base with BENCH_PORT_BASE): upstream, nginx proxy, agent proxy, agent admin, stub.
PORT_BASE=${BENCH_PORT_BASE:-18600}
UPSTREAM_PORT=$((PORT_BASE + 1))
NGINX_PORT=$((PORT_BASE + 2))
AGENT_PORT=$((PORT_BASE + 3))
ADMIN_PORT=$((PORT_BASE + 4))
STUB_PORT=$((PORT_BASE + 5))

STARTED_PIDS=()

log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
  printf 'bench: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'bench: fix: %s\n' "$2" >&2
  exit 1
}

# Installs wrk, nginx and nginx's echo module with apt-get when missing (as root), else says how.
ensure_tools() {
  local missing=()
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  [ -f /usr/lib/nginx/modules/ngx_http_echo_module.so ] || missing+=(libnginx-mod-http-echo)
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
  if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      die "missing tools: ${missing[*]}" "sudo apt-get install -y ${missing[*]}"
    fi
    log "installing ${missing[*]} with apt-get"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_ports_free() {
  local p
  for p in "$@"; do
    if port_in_use "$p"; then
      die "port 127.0.0.1:$p is already in use" "stop what listens there or pick other ports with BENCH_PORT_BASE=<n>"
    fi
  done
}

# wait_http URL STATUS TIMEOUT_S: polls every 10 ms until URL answers STATUS.
wait_http() {
  local url=$1 want=$2 timeout=$3 deadline code
  deadline=$(($(date +%s%N) + timeout * 1000000000))
  while [ "$(date +%s%N)" -lt "$deadline" ]; do
    code=$(curl -s -o /dev/null -m 1 -w '%{http_code}' "$url" || true)
    [ "$code" = "$want" ] && return 0
    sleep 0.01
  done
  return 1
}

# CPU time (user + system, clock ticks) of the given pids, from /proc/<pid>/stat fields 14 and 15.
cpu_ticks() {
  local total=0 pid stat f
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    # Fields after "pid (comm) ": f[0] is field 3 (state), so utime (14) is f[11] and stime (15) f[12].
    read -r -a f <<<"${stat##*) }"
    total=$((total + f[11] + f[12]))
  done
  echo "$total"
}

# Per-thread CPU ticks of a process, one "ticks<TAB>thread name" line per thread (names from /proc).
thread_ticks() {
  local task stat name f
  for task in /proc/"$1"/task/*; do
    stat=$(cat "$task/stat" 2>/dev/null) || continue
    name=${stat#*(}
    name=${name%) *}
    read -r -a f <<<"${stat##*) }"
    printf '%s\t%s\n' "$((f[11] + f[12]))" "$name"
  done
}

# CPU seconds by thread group between two thread_ticks snapshots (numbers in names folded: proxy-io-3 -> proxy-io-N).
thread_cpu_delta() {
  awk -F'\t' -v hz="$CLK_TCK" '
    { name = $2; gsub(/[0-9]+/, "N", name) }
    FNR == NR { before[name] += $1; next }
    { after[name] += $1 }
    END { for (n in after) { d = (after[n] - before[n]) / hz; if (d > 0) printf "%8.2f s  %s\n", d, n } }' "$1" "$2" | sort -rn
}

# Sum of VmRSS (KiB) of the given pids.
rss_kib() {
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Sum of Pss (KiB): memory of a multi-process server (nginx) without counting shared pages twice.
pss_kib() {
  local total=0 pid v
  for pid in "$@"; do
    v=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null || true)
    total=$((total + ${v:-0}))
  done
  echo "$total"
}

# Peak memory sampler: sample_peak_start FILE PID... samples every 0.2 s; sample_peak_stop stops it, and
# FILE then holds "peak_rss_kib peak_pss_kib".
SAMPLER_PID=
sample_peak_start() {
  local file=$1
  shift
  # A first sample now, so the file exists even if the run ends before the sampler's first turn.
  echo "$(rss_kib "$@") $(pss_kib "$@")" >"$file"
  (
    peak_rss=0 peak_pss=0
    while :; do
      r=$(rss_kib "$@")
      p=$(pss_kib "$@")
      [ "$r" -gt "$peak_rss" ] && peak_rss=$r
      [ "$p" -gt "$peak_pss" ] && peak_pss=$p
      echo "$peak_rss $peak_pss" >"$file"
      sleep 0.2
    done
  ) &
  SAMPLER_PID=$!
}
sample_peak_stop() {
  [ -n "$SAMPLER_PID" ] || return 0
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=
}

# Processes of an nginx started by us: the master (from its pid file) and its workers.
nginx_pids() {
  local master
  master=$(cat "$1" 2>/dev/null) || return 0
  echo "$master"
  pgrep -P "$master" || true
}

# start_nginx NAME TEMPLATE PORT [UPSTREAM_PORT]: renders bench/nginx/TEMPLATE into the run dir, starts it.
start_nginx() {
  local name=$1 template=$2 port=$3 upstream=${4:-0} conf
  conf="$RUN_DIR/$name.conf"
  mkdir -p "$RUN_DIR/$name-tmp"
  sed -e "s#@RUN_DIR@#$RUN_DIR#g" -e "s#@PORT@#$port#g" -e "s#@UPSTREAM_PORT@#$upstream#g" \
    "$BENCH_DIR/nginx/$template" >"$conf"
  nginx -p "$RUN_DIR" -c "$conf" -e "$RUN_DIR/$name-error.log" \
    || die "nginx ($name) did not start" "see $RUN_DIR/$name-error.log"
  wait_http "http://127.0.0.1:$port/" 200 10 || die "nginx ($name) does not answer on 127.0.0.1:$port" "see $RUN_DIR/$name-error.log"
}

stop_nginx() {
  local pidfile="$RUN_DIR/$1.pid" master
  master=$(cat "$pidfile" 2>/dev/null) || return 0
  kill -QUIT "$master" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$master" 2>/dev/null || return 0; sleep 0.1; done
}

start_stub() {
  python3 "$BENCH_DIR/stub-consul.py" "$STUB_PORT" >"$RUN_DIR/stub-consul.log" 2>&1 &
  STUB_PID=$!
  STARTED_PIDS+=("$STUB_PID")
  wait_http "http://127.0.0.1:$STUB_PORT/v1/status/leader" 200 10 || die "stub Consul did not start" "see $RUN_DIR/stub-consul.log"
}

# ensure_cds_archive LAUNCHER: the AppCDS archive the image ships (agent/Dockerfile writes it with a short
# training run), written the same way beside the jar when it is missing or older than the jar, so the
# benchmarks measure the start-up and footprint of what is deployed. BENCH_CDS=0 skips it (and removes
# nothing: the launcher uses an archive only when it exists). A training run that fails costs start-up
# time, never the benchmark.
ensure_cds_archive() {
  local launcher=$1 jar archive
  [ "${BENCH_CDS:-1}" = 0 ] && { log "BENCH_CDS=0: no class-data archive written"; return 0; }
  jar=${FILEWCOUNT_AGENT_JAR:-$ROOT/agent/target/filewcount-agent.jar}
  archive=${FILEWCOUNT_AGENT_CDS:-$(dirname -- "$jar")/filewcount-agent.jsa}
  if [ -f "$archive" ] && [ "$archive" -nt "$jar" ]; then
    return 0
  fi
  log "writing the class-data archive $archive (a training run, as agent/Dockerfile does)"
  FILEWCOUNT_AGENT_CDS_DUMP=$archive timeout -s TERM 8 "$launcher" run --app-url http://127.0.0.1:9 \
    --consul http://127.0.0.1:9 --listen "127.0.0.1:$AGENT_PORT" --admin "127.0.0.1:$ADMIN_PORT" --drain 0s \
    >"$RUN_DIR/cds-training.log" 2>&1 || true
  [ -f "$archive" ] || log "no archive was written (see $RUN_DIR/cds-training.log): the agent starts without one"
}

# The agent's `run` in front of the bench upstream, registering with the stub. AGENT_CMD is the
# launcher (or a java command line for bench/jvm-flags); its JVM flags come from there.
AGENT_PID=
AGENT_START_MS=
AGENT_START_CPU_MS=
start_agent() {
  local logfile=$1 t0 t1
  shift
  t0=$(date +%s%N)
  env OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$STUB_PORT" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
    "$@" run --service bench --service-version bench \
    --app-url "http://127.0.0.1:$UPSTREAM_PORT" --listen "127.0.0.1:$AGENT_PORT" \
    --admin "127.0.0.1:$ADMIN_PORT" --consul "http://127.0.0.1:$STUB_PORT" --drain 1s \
    >"$logfile" 2>&1 &
  AGENT_PID=$!
  STARTED_PIDS+=("$AGENT_PID")
  if ! wait_http "http://127.0.0.1:$ADMIN_PORT/health/live" 200 60; then
    tail -20 "$logfile" >&2
    die "the agent did not answer /health/live within 60 s" "see $logfile"
  fi
  t1=$(date +%s%N)
  AGENT_START_MS=$(((t1 - t0) / 1000000))
  # CPU the JVM burnt to get there: unlike the wall time, barely moved by other load on the machine.
  AGENT_START_CPU_MS=$(($(cpu_ticks "$AGENT_PID") * 1000 / CLK_TCK))
  [ "${WAIT_FOR_PROXY:-1}" = 0 ] && return 0
  wait_http "http://127.0.0.1:$AGENT_PORT/" 200 30 || die "the agent's proxy does not answer on 127.0.0.1:$AGENT_PORT" "see $logfile"
}

# stop_agent [SECONDS]: SIGTERM (drain, deregister), then SIGKILL if still running after SECONDS (default 15).
stop_agent() {
  local limit=${1:-15}
  [ -n "$AGENT_PID" ] || return 0
  kill -TERM "$AGENT_PID" 2>/dev/null || true
  for _ in $(seq $((limit * 10))); do kill -0 "$AGENT_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$AGENT_PID" 2>/dev/null || true
  wait "$AGENT_PID" 2>/dev/null || true
  AGENT_PID=
}

cleanup() {
  local pid
  sample_peak_stop
  stop_agent 15
  stop_nginx proxy
  stop_nginx upstream
  for pid in "${STARTED_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# run_wrk OUT_VAR URL BODY_BYTES RATE CONNECTIONS SECONDS: runs wrk once; sets OUT_VAR to its BENCH_RESULT
# line (key=value pairs). Bounded: wrk stops after SECONDS, with a 2 s socket timeout per request.
run_wrk() {
  local __out=$1 url=$2 body=$3 rate=$4 conns=$5 secs=$6 line
  line=$(BENCH_BODY_BYTES=$body BENCH_RATE=$rate BENCH_THREADS=1 \
    wrk -t1 -c"$conns" -d"${secs}s" --timeout 2s -s "$BENCH_DIR/wrk/load.lua" "$url" | grep '^BENCH_RESULT' || true)
  [ -n "$line" ] || die "wrk printed no result for $url" "run the same wrk command by hand to see why"
  printf -v "$__out" '%s' "${line#BENCH_RESULT }"
}

# kv KEY LINE: the value of KEY in a "k=v k=v" line.
kv() {
  local key=$1 pair
  for pair in $2; do
    [ "${pair%%=*}" = "$key" ] && { echo "${pair#*=}"; return 0; }
  done
  echo ""
}

machine_facts() {
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "nproc=$(nproc)"
  echo "memory=$(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  echo "kernel=$(uname -r)"
  echo "java=$("${JAVA_HOME:+$JAVA_HOME/bin/}java" -version 2>&1 | head -1)"
  echo "nginx=$(nginx -v 2>&1 | sed 's/^nginx version: //')"
  echo "wrk=$(wrk --version 2>&1 | head -1 | awk '{print $2}')"
  echo "load=$(cut -d' ' -f1-3 /proc/loadavg)"
}
