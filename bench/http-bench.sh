#!/usr/bin/env bash
# Measures Understudy's HTTP server and nginx (on kernel TCP) side by side, in one run, from the
# lab's client namespace, and prints figure | understudy | nginx | ratio.
#
#   sudo bench/http-bench.sh [--record]
#
# --record appends the table, the date, the commit, the machine and the commands to
# docs/BENCHMARKS.md. Environment: BENCH_SECONDS (wrk duration, default 10),
# BENCH_BIG_BYTES (size of the big file, default 1 GiB).
#
# Layout: Understudy runs as `serve --lab` (10.201.0.2 on TAP us-tap0 in us-server). nginx runs
# in a namespace of its own, us-bench, on a veth us-bench0 (10.201.0.3/24) whose peer
# us-bench0-br is a port of the lab bridge us-br0, so both servers are reached by the same path
# shape: us-client -> veth -> bridge us-br0 -> server. nginx runs with worker_processes 1, to
# match the stack's single protocol thread. Everything this script creates (us-bench, its veth,
# the stack, nginx, the temp dir) is removed on exit, on failure too; the standard lab is left
# up or down as it was found. Traffic stays inside the lab namespaces.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
us="$root/bin/understudy"
record=0
for a in "$@"; do
  case "$a" in
    --record) record=1 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "http-bench: unknown argument '$a' (only --record)" >&2; exit 2 ;;
  esac
done

SECS="${BENCH_SECONDS:-10}"
BIG="${BENCH_BIG_BYTES:-1073741824}"
[[ "$SECS" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_SECONDS must be a positive integer" >&2; exit 2; }
[[ "$BIG" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_BIG_BYTES must be a positive integer" >&2; exit 2; }

CLIENT_NS=us-client SERVER_NS=us-server BRIDGE=us-br0
BENCH_NS=us-bench BENCH_VETH=us-bench0 BENCH_PEER=us-bench0-br
US_IP=10.201.0.2 NGINX_IP=10.201.0.3
CURL_MAX=40                        # seconds, bound on one big-file download

[ "$(id -u)" -eq 0 ] || { echo "http-bench: run as root (namespaces, TAP)" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  echo "http-bench: installing nginx (apt-get) for the baseline ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
for t in ip wrk curl nginx awk; do
  command -v "$t" >/dev/null || { echo "http-bench: '$t' is missing (sudo bin/install-deps)" >&2; exit 1; }
done

log() { echo "http-bench: $*" >&2; }

tmp="" us_pid="" ngx_pid="" bench_ns_created=0 lab_was_up=1 lab_touched=0
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  if [ -n "$ngx_pid" ] && kill -0 "$ngx_pid" 2>/dev/null; then
    kill -TERM "$ngx_pid"; for _ in $(seq 50); do kill -0 "$ngx_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$ngx_pid" 2>/dev/null && kill -KILL "$ngx_pid"
    wait "$ngx_pid" 2>/dev/null
  fi
  if [ -n "$tmp" ] && [ -s "$tmp/nginx.pid" ]; then       # the master from the pid file, if still there
    local p; p="$(cat "$tmp/nginx.pid" 2>/dev/null)"
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill -KILL "$p"
  fi
  if [ -n "$us_pid" ] && kill -0 "$us_pid" 2>/dev/null; then
    kill -TERM "$us_pid"; for _ in $(seq 100); do kill -0 "$us_pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$us_pid" 2>/dev/null && { log "stack did not stop on TERM, killing"; kill -KILL "$us_pid"; }
    wait "$us_pid" 2>/dev/null
  fi
  if [ "$bench_ns_created" -eq 1 ]; then
    ip -n "$SERVER_NS" link del "$BENCH_PEER" 2>/dev/null
    ip netns del "$BENCH_NS" 2>/dev/null
  fi
  if [ "$lab_touched" -eq 1 ] && [ "$lab_was_up" -eq 0 ]; then
    "$us" lab down >/dev/null 2>&1 || log "lab down failed; run bin/understudy lab down"
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- set-up ---------------------------------------------------------------------------------
"$us" --help >/dev/null                               # builds the jar when needed
if ip netns list | awk '{print $1}' | grep -qx "$BENCH_NS"; then
  echo "http-bench: namespace $BENCH_NS already exists (another run? a leftover: ip netns del $BENCH_NS)" >&2
  exit 1
fi
if "$us" lab status >/dev/null 2>&1; then lab_was_up=1; else lab_was_up=0; fi
lab_touched=1
lab_out="$("$us" lab up 2>&1)" || { echo "$lab_out" >&2; exit 1; }

tmp="$(mktemp -d -t understudy-bench.XXXXXX)"
doc="$tmp/www"; mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
log "writing a $BIG-byte file ..."
head -c "$BIG" /dev/urandom >"$doc/big.bin"
chmod 755 "$tmp" "$doc"; chmod 644 "$doc"/*.bin      # nginx workers run as nobody

# ---- Understudy -----------------------------------------------------------------------------
"$us" serve --lab --docroot "$doc" --log-level warn >"$tmp/understudy.log" 2>&1 &
us_pid=$!
ready() { ip netns exec "$CLIENT_NS" curl -s -m 2 -o /dev/null -f "http://$1/1k.bin"; }
deadline=$((SECONDS + 30))
until ready "$US_IP"; do
  kill -0 "$us_pid" 2>/dev/null || { log "understudy exited:"; cat "$tmp/understudy.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "understudy not answering after 30 s"; tail "$tmp/understudy.log" >&2; exit 1; }
  sleep 0.1
done

# ---- nginx in us-bench, bridged into us-br0 --------------------------------------------------
mtu="$(ip -n "$SERVER_NS" -o link show "$BRIDGE" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p')"
[ -n "$mtu" ] || mtu=1500
ip netns add "$BENCH_NS"; bench_ns_created=1
ip link add "$BENCH_VETH" netns "$BENCH_NS" mtu "$mtu" type veth peer name "$BENCH_PEER" netns "$SERVER_NS" mtu "$mtu"
ip -n "$SERVER_NS" link set "$BENCH_PEER" master "$BRIDGE" up
ip -n "$BENCH_NS" link set lo up
ip -n "$BENCH_NS" addr add "$NGINX_IP/24" dev "$BENCH_VETH"
ip -n "$BENCH_NS" link set "$BENCH_VETH" up

mkdir -p "$tmp/nginx"
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    access_log off;
    keepalive_requests 100000;
    keepalive_timeout 65;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen $NGINX_IP:80;
        root $doc;
    }
}
CONF
ip netns exec "$BENCH_NS" nginx -p "$tmp/nginx" -e "$tmp/nginx/error.log" -c "$tmp/nginx.conf" -g 'daemon off;' \
  >"$tmp/nginx/stdout.log" 2>&1 &
ngx_pid=$!                                           # ip netns exec execs nginx: this is the master
deadline=$((SECONDS + 10))
until ready "$NGINX_IP"; do
  kill -0 "$ngx_pid" 2>/dev/null || { log "nginx exited:"; cat "$tmp/nginx/stdout.log" "$tmp/nginx/error.log" >&2 2>/dev/null; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "nginx not answering after 10 s"; exit 1; }
  sleep 0.1
done

# ---- measurements -----------------------------------------------------------------------------
in_client() { ip netns exec "$CLIENT_NS" "$@"; }
# wrk latency like 123.45us / 1.23ms / 1.02s -> microseconds
to_us() { awk -v v="$1" 'BEGIN{ n=v+0; if (v ~ /us$/) f=1; else if (v ~ /ms$/) f=1000; else if (v ~ /s$/) f=1000000; else f=1; printf "%.1f", n*f }'; }
CMD_RPS="wrk -t2 -c64 -d${SECS}s http://IP/1k.bin"
CMD_LAT="wrk -t1 -c1 -d${SECS}s --latency http://IP/1k.bin"
CMD_BIG="curl -s -o /dev/null -w '%{speed_download}' --max-time $CURL_MAX http://IP/big.bin"

declare -A R
measure() {  # name ip
  local n="$1" ip="$2" out
  log "$n: wrk -t2 -c64 -d${SECS}s (throughput) ..."
  out="$(in_client timeout $((SECS + 20)) wrk -t2 -c64 -d"${SECS}s" "http://$ip/1k.bin")" || { log "$n: wrk failed"; out=""; }
  R[$n.rps]="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$out")"
  R[$n.err]="$(awk '/Non-2xx|Socket errors/{print}' <<<"$out" | tr -s ' ' | paste -sd';' -)"
  log "$n: wrk -t1 -c1 -d${SECS}s --latency ..."
  out="$(in_client timeout $((SECS + 20)) wrk -t1 -c1 -d"${SECS}s" --latency "http://$ip/1k.bin")" || { log "$n: wrk failed"; out=""; }
  local p50 p99
  p50="$(awk '$1=="50%"{print $2}' <<<"$out")"; p99="$(awk '$1=="99%"{print $2}' <<<"$out")"
  R[$n.p50]=""; R[$n.p99]=""
  if [ -n "$p50" ]; then R[$n.p50]="$(to_us "$p50")"; fi
  if [ -n "$p99" ]; then R[$n.p99]="$(to_us "$p99")"; fi
  log "$n: curl big.bin ($BIG bytes) ..."
  local bps rc=0
  bps="$(in_client curl -s -o /dev/null -w '%{speed_download}' --max-time "$CURL_MAX" "http://$ip/big.bin")" || rc=$?
  R[$n.mbs]=""
  if [ "$rc" -eq 0 ] || { [ "$rc" -eq 28 ] && [ -n "$bps" ]; }; then
    R[$n.mbs]="$(awk -v b="$bps" 'BEGIN{printf "%.1f", b/1e6}')"
    if [ "$rc" -eq 28 ]; then log "$n: big download cut at ${CURL_MAX}s, the speed is over the part received"; R[$n.note]="big download cut at ${CURL_MAX}s (speed of the part received)"; fi
  else
    log "$n: big download failed (curl exit $rc)"
  fi
}
measure understudy "$US_IP"
kill -0 "$us_pid" 2>/dev/null || log "warning: understudy died during the run"
measure nginx "$NGINX_IP"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a=="" || b=="" || b+0==0) print "n/a"; else printf "%.2f", a/b }'; }
v() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
table="| figure | understudy | nginx | ratio |
| --- | ---: | ---: | ---: |
| 1 KiB GET, req/s (wrk -t2 -c64) | $(v "${R[understudy.rps]}") | $(v "${R[nginx.rps]}") | $(ratio "${R[understudy.rps]}" "${R[nginx.rps]}") |
| 1 KiB GET, latency p50 / p99 µs (wrk -t1 -c1; ratio of p50s) | $(v "${R[understudy.p50]}") / $(v "${R[understudy.p99]}") | $(v "${R[nginx.p50]}") / $(v "${R[nginx.p99]}") | $(ratio "${R[understudy.p50]}" "${R[nginx.p50]}") |
| $BIG-byte download, MB/s (curl, one connection) | $(v "${R[understudy.mbs]}") | $(v "${R[nginx.mbs]}") | $(ratio "${R[understudy.mbs]}" "${R[nginx.mbs]}") |"

echo
echo "$table"
for n in understudy nginx; do
  if [ -n "${R[$n.err]}" ]; then echo "note: $n wrk reported: ${R[$n.err]}"; fi
  if [ -n "${R[$n.note]:-}" ]; then echo "note: $n: ${R[$n.note]}"; fi
done
echo "(ratio = understudy / nginx; for latency lower is better, so a ratio above 1 means Understudy is slower)"

if [ "$record" -eq 1 ]; then
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "unknown (not a git checkout)")"
  md="$root/docs/BENCHMARKS.md"; mkdir -p "$root/docs"
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- commit: $commit"
    echo "- machine: $(nproc) CPUs, kernel $(uname -r), $(awk '/MemTotal/{printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "- run: \`$( [ "$SECS" != 10 ] && printf 'BENCH_SECONDS=%s ' "$SECS")$( [ "$BIG" != 1073741824 ] && printf 'BENCH_BIG_BYTES=%s ' "$BIG")bench/http-bench.sh --record\`; nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), worker_processes 1"
    echo "- commands, from namespace us-client, IP = 10.201.0.2 (Understudy) and 10.201.0.3 (nginx):"
    echo "  \`$CMD_RPS\`, \`$CMD_LAT\`, \`$CMD_BIG\`"
    echo
    echo "$table"
    for n in understudy nginx; do
      if [ -n "${R[$n.err]}" ]; then echo; echo "$n: wrk reported ${R[$n.err]}"; fi
      if [ -n "${R[$n.note]:-}" ]; then echo; echo "$n: ${R[$n.note]}"; fi
    done
  } >>"$md"
  log "appended to $md"
fi
