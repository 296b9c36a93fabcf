#!/usr/bin/env bash
# Measures, in one run, from the lab's client namespace: nginx (on kernel TCP), Understudy solo
# (`serve --lab`) and Understudy replicated (`pair --lab`: a primary and an in-sync standby), on
# the same workloads, and prints figure | nginx | solo | replicated | solo/nginx | replicated/solo;
# then a second table, figure | kernel (nginx's address) | solo | replicated | solo/kernel |
# replicated/kernel, with the ping RTT through each stack (p50 / p99 / max) and the server memory
# per idle keep-alive connection with BENCH_IDLE_CONNECTIONS of them open (Understudy: Java heap
# in use after a full GC, jcmd GC.run + GC.heap_info, after minus before; nginx: RSS growth); then,
# with the pair still running, kills the primary BENCH_KILLS times in the middle of a download and
# prints the distribution of the pause the client saw (p50 / p99 / max).
#
#   sudo bench/http-bench.sh [--record]
#
# --record appends the tables, the date, the commit, the machine and the commands to
# docs/BENCHMARKS.md. Environment: BENCH_SECONDS (wrk duration, default 10), BENCH_BIG_BYTES
# (size of the big file, default 1 GiB), BENCH_PINGS (pings per server, 10 ms apart, default 200),
# BENCH_IDLE_CONNECTIONS (idle keep-alive connections per server, default 10000, at most 10000:
# the HTTP server's cap; 0 skips them), BENCH_KILLS (failovers, default 50; 0 skips them),
# BENCH_FAILOVER_BYTES (the file downloaded during each kill, default 256 MiB), BENCH_SEED (the
# random kill points; default: from the clock, printed), BENCH_KEEP_DIR=1 (keep the work directory
# with the pair's and nodes' logs and failovers.jsonl, and print where), BENCH_ACCESS_LOG=1 (keep Understudy's
# access log on; off by default), BENCH_NO_BUILD=1 (use launcher/target/understudy.jar as it is,
# never build; by default bin/understudy builds it when the sources are newer).
#
# Layout: Understudy runs at 10.201.0.2, solo on TAP us-tap0, then as a pair (primary us-tap0,
# standby us-tap1), in us-server. nginx runs in a namespace of its own, us-bench, on a veth
# us-bench0 (10.201.0.3/24) whose peer us-bench0-br is a port of the lab bridge us-br0, so all are
# reached by the same path shape: us-client -> veth -> bridge us-br0 -> server. nginx runs with
# worker_processes 1, to match the stack's single protocol thread. The solo node runs with the
# JVM options the pair gives its nodes. Exit status: non-zero when a failover failed (curl error,
# wrong bytes, no kill, no new in-sync standby). Everything this script creates (us-bench, its
# veth, the stack, the pair and its nodes, nginx, the helpers and their connections, the temp
# dir, unless BENCH_KEEP_DIR=1) is removed on exit, on failure and Ctrl-C too; processes are stopped by their PIDs only;
# us-client's net.ipv4.ip_local_port_range, if it had to be widened for the idle connections, is
# put back; the standard lab is left up or down as it was found. Traffic stays inside the lab
# namespaces.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
us="$root/bin/understudy"
jar="$root/launcher/target/understudy.jar"
gap_py="$root/bench/failover-gap.py"
idle_py="$root/bench/idle-conns.py"
record=0
for a in "$@"; do
  case "$a" in
    --record) record=1 ;;
    -h|--help) sed -n '2,35p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "http-bench: unknown argument '$a' (only --record)" >&2; exit 2 ;;
  esac
done

SECS="${BENCH_SECONDS:-10}"
BIG="${BENCH_BIG_BYTES:-1073741824}"
KILLS="${BENCH_KILLS:-50}"
PINGS="${BENCH_PINGS:-200}"
IDLE="${BENCH_IDLE_CONNECTIONS:-10000}"
FO_BYTES="${BENCH_FAILOVER_BYTES:-268435456}"
SEED="${BENCH_SEED:-$(( $(date +%s) % 1000000 ))}"
NO_BUILD="${BENCH_NO_BUILD:-0}"
ACCESS_LOG="${BENCH_ACCESS_LOG:-0}"
[[ "$SECS" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_SECONDS must be a positive integer" >&2; exit 2; }
[[ "$BIG" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_BIG_BYTES must be a positive integer" >&2; exit 2; }
[[ "$KILLS" =~ ^[0-9]+$ ]] && [ "$KILLS" -le 200 ] || { echo "http-bench: BENCH_KILLS must be an integer 0-200" >&2; exit 2; }
[[ "$PINGS" =~ ^[1-9][0-9]*$ ]] && [ "$PINGS" -le 10000 ] || { echo "http-bench: BENCH_PINGS must be an integer 1-10000" >&2; exit 2; }
# 10000: ServerConfig.defaults' cap on connections the HTTP server serves at once (no serve flag sets it).
[[ "$IDLE" =~ ^[0-9]+$ ]] && [ "$IDLE" -le 10000 ] || { echo "http-bench: BENCH_IDLE_CONNECTIONS must be an integer 0-10000 (the HTTP server serves at most 10000 at once)" >&2; exit 2; }
[[ "$FO_BYTES" =~ ^[1-9][0-9]*$ ]] && [ "$FO_BYTES" -ge 1048576 ] || { echo "http-bench: BENCH_FAILOVER_BYTES must be an integer >= 1048576" >&2; exit 2; }
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "http-bench: BENCH_SEED must be a non-negative integer" >&2; exit 2; }

CLIENT_NS=us-client SERVER_NS=us-server BRIDGE=us-br0
BENCH_NS=us-bench BENCH_VETH=us-bench0 BENCH_PEER=us-bench0-br
US_IP=10.201.0.2 NGINX_IP=10.201.0.3
CURL_MAX=40                        # seconds, bound on one big-file download
FO_CURL_MAX=30                     # seconds, bound on one download during a kill
SYNC_MAX=60                        # seconds, bound on waiting for a new pair's standby to get in sync
RESYNC_MAX=30                      # seconds, bound on waiting for the new standby after a kill
MAX_RESTARTS=3                     # fresh pairs after a pair that did not recover from a kill
IN_SYNC="replication: standby in sync with the primary"
PING_MAX=$((PINGS / 50 + 15))      # seconds, bound on one ping run (PINGS at 10 ms, plus slack)
IDLE_OPEN_MAX=60                   # seconds, bound on opening the idle connections
IDLE_HOLD_MAX=60                   # seconds the idle helper holds them at most (the server's idle timeout is 75 s)
IDLE_KIB_TARGET=16                 # KiB of Java heap per idle established connection (issue 6)
# The JVM options `pair` gives its nodes (PairCommand.nodeBase); the solo node gets the same.
NODE_JVM=(-XX:+UseParallelGC -Xms512m -Xmx4g)

[ "$(id -u)" -eq 0 ] || { echo "http-bench: run as root (namespaces, TAP)" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  echo "http-bench: installing nginx (apt-get) for the baseline ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
for t in ip wrk curl nginx awk java python3 sha256sum ping jcmd ps; do
  command -v "$t" >/dev/null || { echo "http-bench: '$t' is missing (sudo bin/install-deps)" >&2; exit 1; }
done

log() { echo "http-bench: $*" >&2; }

old_port_range="" tmp="" us_pid="" ngx_pid="" pair_pid="" run="" pair_log="" pairs=0 helper_pid="" bench_ns_created=0 lab_was_up=1 lab_touched=0
# Stops a process we started, by PID: TERM, up to $2 tenths of a second, then KILL.
stop_pid() {
  local p="$1" tenths="$2"
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null || return 0
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq "$tenths"); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$p" 2>/dev/null && { log "pid $p did not stop on TERM, killing it"; kill -KILL "$p" 2>/dev/null; }
  wait "$p" 2>/dev/null || true
  return 0
}
# A node the pair started, if still there: only a PID that the pair named (in its pid files or
# its log prefixes) and that still runs our jar.
kill_node_if_ours() {
  local p="$1"
  [ -n "$p" ] && [ -r "/proc/$p/cmdline" ] || return 0
  tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -qF "$jar" || return 0
  log "killing leftover node $p"; kill -KILL "$p" 2>/dev/null
  return 0
}
# Stops the current pair (if any) by its PID, then any node it started that is still there.
stop_pair() {
  [ -n "$pair_pid" ] || return 0
  stop_pid "$pair_pid" 200                                 # the pair stops its nodes by their PIDs
  local n
  for n in $(cat "$run/primary.pid" "$run/standby.pid" 2>/dev/null) \
           $(grep -o '^\[[a-z]* [0-9]* ' "$pair_log" 2>/dev/null | awk '{print $2}' | sort -u); do
    kill_node_if_ours "$n"
  done
  pair_pid=""
  return 0
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e
  stop_pid "$helper_pid" 30
  stop_pid "$ngx_pid" 50
  if [ -n "$tmp" ] && [ -s "$tmp/nginx.pid" ]; then       # the master from the pid file, if still there
    local p; p="$(cat "$tmp/nginx.pid" 2>/dev/null)"
    [ -n "$p" ] && kill -0 "$p" 2>/dev/null && kill -KILL "$p"
  fi
  stop_pid "$us_pid" 100
  stop_pair
  if [ -n "$old_port_range" ]; then
    ip netns exec "$CLIENT_NS" sysctl -q -w net.ipv4.ip_local_port_range="$old_port_range" >/dev/null 2>&1 \
      || log "could not restore $CLIENT_NS net.ipv4.ip_local_port_range to '$old_port_range'"
  fi
  if [ "$bench_ns_created" -eq 1 ]; then
    ip -n "$SERVER_NS" link del "$BENCH_PEER" 2>/dev/null
    ip netns del "$BENCH_NS" 2>/dev/null
  fi
  if [ "$lab_touched" -eq 1 ] && [ "$lab_was_up" -eq 0 ]; then
    java -jar "$jar" lab down >/dev/null 2>&1 || log "lab down failed; run bin/understudy lab down"
  fi
  if [ "${BENCH_KEEP_DIR:-0}" = 1 ]; then
    [ -n "$tmp" ] && log "kept the work directory (pair logs, node logs, failovers.jsonl): $tmp"
  else
    [ -n "$tmp" ] && rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- set-up ---------------------------------------------------------------------------------
if [ "$NO_BUILD" = 1 ]; then
  [ -f "$jar" ] || { log "BENCH_NO_BUILD=1 but $jar is missing"; exit 1; }
  jar_note="the jar as found (BENCH_NO_BUILD=1), built $(date -u -r "$jar" '+%Y-%m-%d %H:%M:%S UTC')"
else
  "$us" --help >/dev/null                             # builds the jar when needed
  jar_note="bin/understudy's jar, built when stale"
fi
if ip netns list | awk '{print $1}' | grep -qx "$BENCH_NS"; then
  echo "http-bench: namespace $BENCH_NS already exists (another run? a leftover: ip netns del $BENCH_NS)" >&2
  exit 1
fi
if java -jar "$jar" lab status >/dev/null 2>&1; then lab_was_up=1; else lab_was_up=0; fi
lab_touched=1
lab_out="$(java -jar "$jar" lab up 2>&1)" || { echo "$lab_out" >&2; exit 1; }
if [ "$ACCESS_LOG" != 1 ]; then
  # Every JVM reads JAVA_TOOL_OPTIONS, so the pair's nodes get it too (they do not get UNDERSTUDY_JAVA_OPTS).
  export JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+$JAVA_TOOL_OPTIONS }-Dunderstudy.access.level=OFF"
fi

tmp="$(mktemp -d -t understudy-bench.XXXXXX)"
doc="$tmp/www"; mkdir -p "$doc"
head -c 1024 /dev/urandom >"$doc/1k.bin"
log "writing a $BIG-byte file ..."
head -c "$BIG" /dev/urandom >"$doc/big.bin"
if [ "$KILLS" -gt 0 ]; then
  log "writing a $FO_BYTES-byte file for the failovers ..."
  head -c "$FO_BYTES" /dev/urandom >"$doc/failover.bin"
  fo_sha="$(sha256sum "$doc/failover.bin" | awk '{print $1}')"
fi
chmod 755 "$tmp" "$doc"; chmod 644 "$doc"/*.bin      # nginx workers run as nobody

ready() { ip netns exec "$CLIENT_NS" curl -s -m 2 -o /dev/null -f "http://$1/1k.bin"; }

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
ngx_conns=$(( IDLE + 1024 ))         # room for the idle connections and the load
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
worker_rlimit_nofile $(( ngx_conns + 64 ));
pid $tmp/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections $ngx_conns; }
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

# ---- ping RTT -----------------------------------------------------------------------------------
CMD_PING="ping -c $PINGS -i 0.01 -W 1 IP"
# ping from us-client: p50 / p99 / max of the per-reply times (nearest rank), in µs, and the
# replies received.
ping_measure() {  # name ip
  local n="$1" ip="$2" out st
  log "$n: ping -c $PINGS -i 0.01 $ip ..."
  out="$(in_client timeout "$PING_MAX" ping -c "$PINGS" -i 0.01 -W 1 "$ip" 2>&1)" || log "$n: ping exited non-zero (lost replies?)"
  st="$(python3 -c 'import math, re, sys
ts = sorted(float(m) * 1000 for m in re.findall(r"time=([0-9.]+) ms", sys.stdin.read()))
q = lambda p: ts[max(0, math.ceil(p * len(ts)) - 1)]
print("%d %.1f %.1f %.1f" % (len(ts), q(.5), q(.99), ts[-1]) if ts else "0")' <<<"$out")"
  local got p50 p99 pmax
  read -r got p50 p99 pmax <<<"$st"
  R[$n.ping50]="${p50:-}" R[$n.ping99]="${p99:-}" R[$n.pingmax]="${pmax:-}" R[$n.pingrx]="${got:-0}/$PINGS"
  [ "${got:-0}" -eq "$PINGS" ] || log "$n: $((PINGS - ${got:-0})) of $PINGS pings unanswered"
}

# ---- idle keep-alive connections and the server's memory per connection -------------------------
CMD_IDLE="python3 bench/idle-conns.py --host IP --path /1k.bin --count $IDLE (one GET each, then idle)"
jcmd_q() { env -u JAVA_TOOL_OPTIONS timeout 60 jcmd "$@" 2>/dev/null; }
rss_kib() { awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null || true; }
# Java heap in use after a full GC, bytes: jcmd GC.run, then the sum of the generations' "used"
# in GC.heap_info; also keeps GC.class_histogram (another full GC) in $tmp/hist-$2.txt.
java_snap() {  # pid tag -> R[tag.heap] (bytes), R[tag.rss] (KiB)
  local p="$1" t="$2" out
  R[$t.heap]="" R[$t.rss]=""
  if jcmd_q "$p" GC.run >/dev/null && out="$(jcmd_q "$p" GC.heap_info)"; then
    R[$t.heap]="$(awk '/ total [0-9]+K, used [0-9]+K/ { for (i = 1; i < NF; i++) if ($i == "used") { v = $(i + 1); sub(/K.*/, "", v); s += v } }
                      END { if (s > 0) printf "%d", s * 1024 }' <<<"$out")"
  else
    log "jcmd $p failed (GC.run / GC.heap_info)"
  fi
  jcmd_q "$p" GC.class_histogram >"$tmp/hist-$t.txt" || true
  R[$t.rss]="$(rss_kib "$p")"
}
# nginx: RSS of the master and its workers, KiB.
nginx_snap() {  # tag
  local t="$1" s=0 p r
  for p in "$ngx_pid" $(ps -o pid= --ppid "$ngx_pid" 2>/dev/null); do
    r="$(rss_kib "$p")"; s=$((s + ${r:-0}))
  done
  R[$t.rss]="$s"
}
# us-client's ephemeral port range, widened (and put back on exit) if it has fewer ports than
# the idle connections need on top of what else is going on.
widen_ports() {
  local cur lo hi
  [ -z "$old_port_range" ] || return 0
  cur="$(in_client sysctl -n net.ipv4.ip_local_port_range 2>/dev/null | tr -s ' \t' ' ')" || return 0
  read -r lo hi <<<"$cur"
  if [ -n "$lo" ] && [ -n "$hi" ] && [ $((hi - lo + 1)) -lt $((IDLE + 4000)) ]; then
    log "widening $CLIENT_NS net.ipv4.ip_local_port_range from '$cur' to '1024 65000' for this run"
    old_port_range="$cur"
    in_client sysctl -q -w net.ipv4.ip_local_port_range="1024 65000" >/dev/null
  fi
}
# Opens IDLE keep-alive connections from us-client (one GET of 1k.bin each, then idle), takes the
# server's memory before and after, releases them (RST), and fills R[name.idle*].
idle_measure() {  # name ip nginx|java [pid [standby-pid]]
  local n="$1" ip="$2" kind="$3" pid="${4:-}" spid="${5:-}" st="$tmp/idle-$1.status" rel="$tmp/idle-$1.release" hrc=0 deadline
  [ "$IDLE" -gt 0 ] || return 0
  widen_ports
  rm -f "$st" "$rel"
  if [ "$kind" = java ]; then java_snap "$pid" "$n.b"; [ -z "$spid" ] || java_snap "$spid" "$n.sb"; else nginx_snap "$n.b"; fi
  log "$n: opening $IDLE idle keep-alive connections to $ip ..."
  in_client python3 "$idle_py" --host "$ip" --path /1k.bin --count "$IDLE" --open-timeout "$IDLE_OPEN_MAX" \
    --max-hold "$IDLE_HOLD_MAX" --status-file "$st" --release-file "$rel" >"$tmp/idle-$n.json" 2>>"$tmp/idle-helper.err" &
  helper_pid=$!                                      # ip netns exec execs python3: this is the helper
  deadline=$((SECONDS + IDLE_OPEN_MAX + 15))
  while [ ! -s "$st" ] && kill -0 "$helper_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  if [ -s "$st" ] && kill -0 "$helper_pid" 2>/dev/null; then
    log "$n: $(cat "$st")"
    sleep 1                                          # the last ACKs, the server's timers settle
    if [ "$kind" = java ]; then java_snap "$pid" "$n.a"; [ -z "$spid" ] || java_snap "$spid" "$n.sa"; else nginx_snap "$n.a"; fi
  else
    log "$n: the idle-connection helper did not report its connections open"
  fi
  touch "$rel"
  deadline=$((SECONDS + IDLE_HOLD_MAX + 15))
  while kill -0 "$helper_pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  stop_pid "$helper_pid" 30                          # only if still there
  wait "$helper_pid" 2>/dev/null || hrc=$?
  helper_pid=""
  local out; out="$(tail -n 1 "$tmp/idle-$n.json" 2>/dev/null || true)"
  [ -n "$out" ] || { log "$n: no result from the idle-connection helper"; tail -3 "$tmp/idle-helper.err" >&2 2>/dev/null; return 0; }
  log "$n: idle connections: $out"
  local f
  f="$(python3 -c 'import json, sys
r = json.loads(sys.argv[1])
print(r["opened"], r["open_s"], r.get("open_at_release", 0), r["rejected"], r["failed"])' "$out")" || return 0
  local opened secs kept rej fail
  read -r opened secs kept rej fail <<<"$f"
  R[$n.idle_open]="$opened" R[$n.idle_secs]="$secs" R[$n.idle_kept]="$kept" R[$n.idle_rej]="$rej" R[$n.idle_fail]="$fail"
  local per="${R[$n.idle_open]}"
  [ "$per" -gt 0 ] 2>/dev/null || return 0
  kib() { awk -v a="$1" -v b="$2" -v d="$3" -v n="$per" 'BEGIN{ if (a == "" || b == "") print ""; else printf "%.2f", (b - a) / d / n }'; }
  R[$n.rsskib]="$(kib "${R[$n.b.rss]:-}" "${R[$n.a.rss]:-}" 1)"
  if [ "$kind" = java ]; then
    R[$n.memkib]="$(kib "${R[$n.b.heap]:-}" "${R[$n.a.heap]:-}" 1024)"
    R[$n.membefore]="$(awk -v b="${R[$n.b.heap]:-}" 'BEGIN{ if (b != "") printf "%.1f", b / 1048576 }')"
    R[$n.memafter]="$(awk -v b="${R[$n.a.heap]:-}" 'BEGIN{ if (b != "") printf "%.1f", b / 1048576 }')"
    if [ -n "$spid" ]; then R[$n.stbkib]="$(kib "${R[$n.sb.heap]:-}" "${R[$n.sa.heap]:-}" 1024)"; fi
    # What grew, by class (live objects after a full GC), per connection.
    R[$n.hist]="$(python3 - "$tmp/hist-$n.b.txt" "$tmp/hist-$n.a.txt" "$per" <<'PY' 2>/dev/null || true
import re, sys
def load(p):
    d, total = {}, None
    for line in open(p):
        m = re.match(r"\s*\d+:\s+(\d+)\s+(\d+)\s+(\S+)", line)
        if m:
            d[m.group(3)] = d.get(m.group(3), (0, 0))
            d[m.group(3)] = (d[m.group(3)][0] + int(m.group(1)), d[m.group(3)][1] + int(m.group(2)))
        m = re.match(r"Total\s+(\d+)\s+(\d+)", line)
        if m:
            total = int(m.group(2))
    return d, total
b, tb = load(sys.argv[1]); a, ta = load(sys.argv[2]); n = int(sys.argv[3])
grew = sorted(((a[k][1] - b.get(k, (0, 0))[1], a[k][0] - b.get(k, (0, 0))[0], k) for k in a), reverse=True)
parts = ["%s %.2f KiB (%.1f objects)" % (k, db / 1024 / n, di / n) for db, di, k in grew[:8] if db > 0]
head = "histogram total %.2f KiB per connection; " % ((ta - tb) / 1024 / n) if ta is not None and tb is not None else ""
print(head + "; ".join(parts))
PY
)"
  else
    R[$n.memkib]="${R[$n.rsskib]}"
    R[$n.membefore]="$(awk -v b="${R[$n.b.rss]:-}" 'BEGIN{ if (b != "") printf "%.1f", b / 1024 }')"
    R[$n.memafter]="$(awk -v b="${R[$n.a.rss]:-}" 'BEGIN{ if (b != "") printf "%.1f", b / 1024 }')"
  fi
  return 0
}

measure nginx "$NGINX_IP"
ping_measure nginx "$NGINX_IP"
idle_measure nginx "$NGINX_IP" nginx

# ---- Understudy solo --------------------------------------------------------------------------
java "${NODE_JVM[@]}" -jar "$jar" serve --lab --docroot "$doc" >"$tmp/solo.log" 2>&1 &
us_pid=$!
deadline=$((SECONDS + 30))
until ready "$US_IP"; do
  kill -0 "$us_pid" 2>/dev/null || { log "understudy exited:"; cat "$tmp/solo.log" >&2; exit 1; }
  [ "$SECONDS" -lt "$deadline" ] || { log "understudy not answering after 30 s"; tail "$tmp/solo.log" >&2; exit 1; }
  sleep 0.1
done
measure solo "$US_IP"
ping_measure solo "$US_IP"
idle_measure solo "$US_IP" java "$us_pid"
kill -0 "$us_pid" 2>/dev/null || log "warning: understudy solo died during the run"
stop_pid "$us_pid" 100; us_pid=""                     # frees us-tap0 and 10.201.0.2 for the pair

# ---- Understudy replicated: a pair --------------------------------------------------------------
# Starts a pair with a fresh run directory and log (pair-N, pair-N.log).
start_pair() {
  pairs=$((pairs + 1))
  run="$tmp/pair-$pairs"; pair_log="$tmp/pair-$pairs.log"
  java -jar "$jar" pair --lab --docroot "$doc" --run-dir "$run" >"$pair_log" 2>&1 &
  pair_pid=$!
}
# Waits until the current standby has said it is in sync and the primary is not $1 (the last PID
# killed, or empty); $2 = what for, in the log line. Returns 1 after SYNC_MAX seconds.
wait_in_sync() {
  local not="$1" max="${3:-$SYNC_MAX}" sp pp
  local deadline=$((SECONDS + max))
  while :; do
    kill -0 "$pair_pid" 2>/dev/null || { log "the pair process exited; see its log below"; tail -20 "$pair_log" >&2; return 1; }
    sp="$(cat "$run/standby.pid" 2>/dev/null || true)"; pp="$(cat "$run/primary.pid" 2>/dev/null || true)"
    if [ -n "$sp" ] && [ -n "$pp" ] && [ "$pp" != "$not" ] && kill -0 "$pp" 2>/dev/null \
       && grep -F "[standby $sp " "$pair_log" | grep -qF "$IN_SYNC"; then
      return 0
    fi
    [ "$SECONDS" -lt "$deadline" ] || { log "no in-sync standby after ${max}s ($2)"; tail -20 "$pair_log" >&2; return 1; }
    sleep 0.05
  done
}
start_pair
wait_in_sync "" "pair start" || exit 1
deadline=$((SECONDS + 30))
until ready "$US_IP"; do
  [ "$SECONDS" -lt "$deadline" ] || { log "the pair does not answer on $US_IP after 30 s"; tail -20 "$pair_log" >&2; exit 1; }
  sleep 0.1
done
log "replicated: the pair answers $(( SECONDS - deadline + 30 )) s after its standby got in sync"
measure replicated "$US_IP"
ping_measure replicated "$US_IP"
idle_measure replicated "$US_IP" java "$(cat "$run/primary.pid" 2>/dev/null || true)" "$(cat "$run/standby.pid" 2>/dev/null || true)"
takeovers_during_measure="$(grep -c 'takeover:' "$pair_log" || true)"
[ "$takeovers_during_measure" -eq 0 ] || log "warning: $takeovers_during_measure takeover line(s) during the replicated measurements"

# ---- failovers ----------------------------------------------------------------------------------
fo_results="$tmp/failovers.jsonl"; : >"$fo_results"
fo_fail=0 fo_dl_fail=0 fo_done=0 fo_stuck=0 last_killed=""
if [ "$KILLS" -gt 0 ]; then
  log "failovers: $KILLS kills of the primary, each at a random point of a $FO_BYTES-byte download (seed $SEED)"
  wait_in_sync "" "before the first kill" || { fo_fail=$((fo_fail + 1)); KILLS=0; }
fi
for i in $(seq 1 "$KILLS"); do
  frac="$(awk -v s="$SEED" -v i="$i" 'BEGIN{ srand(s * 1000 + i); printf "%.3f", 0.1 + 0.8 * rand() }')"
  hrc=0
  python3 "$gap_py" --netns "$CLIENT_NS" --url "http://$US_IP/failover.bin" --out "$tmp/download.bin" \
    --size "$FO_BYTES" --sha256 "$fo_sha" --pid-file "$run/primary.pid" --kill-frac "$frac" \
    --max-time "$FO_CURL_MAX" --pair-log "$pair_log" >>"$fo_results" 2>>"$tmp/failover-helper.err" &
  helper_pid=$!
  wait "$helper_pid" || hrc=$?
  helper_pid=""
  fo_done=$((fo_done + 1))
  line="$(tail -n 1 "$fo_results")"
  summary="$(python3 -c 'import json,sys
try: r=json.loads(sys.argv[1])
except Exception: print("no result"); sys.exit()
print("pid %s killed at %s bytes (%.0f%%): takeover pause %s ms, new standby in sync after %s ms, pause then %s ms; longest %s ms, ended %s ms after the kill (before the kill: first byte after %s ms, longest pause %s ms), curl exit %s, sha256 %s%s" % (
  r.get("killed_pid","-"), r.get("kill_at_bytes","-"), 100*r["kill_frac"], r.get("takeover_ms","-"), r.get("sync_ms","-"), r.get("rejoin_ms","-"), r.get("stall_ms","-"), r.get("resume_ms","-"), r.get("first_data_ms","-"), r.get("before_ms","-"),
  r.get("curl_rc","-"), "ok" if r.get("sha_ok") else "WRONG", ("; " + r["error"]) if "error" in r else ""))' "$line" 2>/dev/null || echo "no result")"
  last_killed="$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("killed_pid",""))' "$line" 2>/dev/null || true)"
  if [ "$hrc" -ne 0 ]; then
    fo_fail=$((fo_fail + 1)); fo_dl_fail=$((fo_dl_fail + 1)); log "kill $i/$KILLS: FAILED: $summary"
    [ -s "$tmp/failover-helper.err" ] && tail -3 "$tmp/failover-helper.err" >&2
  else
    log "kill $i/$KILLS: $summary"
  fi
  if ! wait_in_sync "$last_killed" "after kill $i" "$RESYNC_MAX"; then
    # Counted as a failure (on top of the download's, if it failed too); then, so that the
    # remaining kills still measure something, a fresh pair replaces this one (at most MAX_RESTARTS).
    fo_fail=$((fo_fail + 1)); fo_stuck=$((fo_stuck + 1))
    grep -hE 'WARN|ERROR|takeover|pair: ' "$pair_log" | tail -8 | sed 's/^/    /' >&2 || true
    if [ "$fo_stuck" -gt "$MAX_RESTARTS" ] || [ "$i" -eq "$KILLS" ]; then
      log "kill $i/$KILLS: the pair did not recover an in-sync standby; no more kills"
      break
    fi
    log "kill $i/$KILLS: the pair did not recover an in-sync standby; replacing it with a fresh pair"
    stop_pair; start_pair; last_killed=""
    wait_in_sync "" "fresh pair after kill $i" || { log "the fresh pair did not get in sync; no more kills"; break; }
  fi
done
fo_takeovers="$(cat "$tmp"/pair-*.log 2>/dev/null | grep -c 'takeover: primary lost' || true)"

# ---- tables -------------------------------------------------------------------------------------
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a=="" || b=="" || b+0==0) print "n/a"; else printf "%.2f", a/b }'; }
diff_us() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a=="" || b=="") print "n/a"; else printf "%+.1f", a-b }'; }
v() { [ -n "$1" ] && echo "$1" || echo "n/a"; }
row() {  # label key [diff]
  local k="$2"
  echo "| $1 | $(v "${R[nginx.$k]}") | $(v "${R[solo.$k]}") | $(v "${R[replicated.$k]}") | $(ratio "${R[solo.$k]}" "${R[nginx.$k]}") | $(ratio "${R[replicated.$k]}" "${R[solo.$k]}") | ${3:+$(diff_us "${R[replicated.$k]}" "${R[solo.$k]}")} |"
}
table="| figure | nginx | solo | replicated | solo/nginx | replicated/solo | replicated − solo |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
$(row "$BIG-byte download, MB/s (curl, one connection)" mbs)
$(row "1 KiB GET, req/s (wrk -t2 -c64)" rps)
$(row "1 KiB GET, latency p50, µs (wrk -t1 -c1)" p50 diff)
$(row "1 KiB GET, latency p99, µs (wrk -t1 -c1)" p99 diff)"

# Second table: ping and idle connections, against the kernel (nginx's address, us-bench).
rv() { local x="${R[$1]:-}"; [ -n "$x" ] && echo "$x" || echo "n/a"; }
row2() {  # label key [noratio]
  local k="$2"
  if [ -n "${3:-}" ]; then
    echo "| $1 | $(rv "nginx.$k") | $(rv "solo.$k") | $(rv "replicated.$k") | | |"
  else
    echo "| $1 | $(rv "nginx.$k") | $(rv "solo.$k") | $(rv "replicated.$k") | $(ratio "${R[solo.$k]:-}" "${R[nginx.$k]:-}") | $(ratio "${R[replicated.$k]:-}" "${R[nginx.$k]:-}") |"
  fi
}
for n in nginx solo replicated; do
  if [ -n "${R[$n.membefore]:-}" ] && [ -n "${R[$n.memafter]:-}" ]; then R[$n.memba]="${R[$n.membefore]} → ${R[$n.memafter]}"; fi
done
R[replicated.stbcol]="${R[replicated.stbkib]:-}"
table2="| figure | kernel (nginx's address) | solo | replicated | solo/kernel | replicated/kernel |
| --- | ---: | ---: | ---: | ---: | ---: |
$(row2 "ping RTT p50, µs (ping -c $PINGS -i 0.01)" ping50)
$(row2 "ping RTT p99, µs" ping99)
$(row2 "ping RTT max, µs" pingmax)
$(row2 "ping replies" pingrx x)"
if [ "$IDLE" -gt 0 ]; then
  table2+="
$(row2 "idle keep-alive connections open (of $IDLE; one GET of 1k.bin each, then idle)" idle_open x)
$(row2 "time to open them, s (256 in set-up at once)" idle_secs)
$(row2 "**memory per idle connection, KiB** (Understudy: Java heap in use after a full GC; nginx: RSS)" memkib)
$(row2 "that memory before → after, MiB" memba x)
$(row2 "process RSS growth per idle connection, KiB" rsskib)
$(row2 "replicated: the standby's Java heap per connection (its replicas), KiB" stbcol x)"
fi
idle_notes=""
if [ "$IDLE" -gt 0 ]; then
  for n in nginx solo replicated; do
    if [ -z "${R[$n.idle_open]:-}" ]; then idle_notes+="note: $n: no idle-connection result"$'\n'; continue; fi
    if [ "${R[$n.idle_rej]:-0}" != 0 ] || [ "${R[$n.idle_fail]:-0}" != 0 ] || [ "${R[$n.idle_kept]:-}" != "${R[$n.idle_open]}" ]; then
      idle_notes+="note: $n: of $IDLE idle connections ${R[$n.idle_open]} opened, ${R[$n.idle_rej]:-?} answered other than 200, ${R[$n.idle_fail]:-?} failed, ${R[$n.idle_kept]:-?} still open when released (details: the helper's JSON line in the log above)"$'\n'
    fi
  done
  verdict() { awk -v x="$1" -v t="$IDLE_KIB_TARGET" 'BEGIN{ if (x == "") print "n/a"; else if (x + 0 <= t) print "met"; else print "NOT met" }'; }
  idle_notes+="Java heap per idle connection (target ≤ $IDLE_KIB_TARGET KiB): solo $(rv solo.memkib) KiB ($(verdict "${R[solo.memkib]:-}")), replicated primary $(rv replicated.memkib) KiB ($(verdict "${R[replicated.memkib]:-}")), its standby $(rv replicated.stbkib) KiB"$'\n'
  for n in solo replicated; do
    if [ -n "${R[$n.hist]:-}" ]; then idle_notes+="heap growth by class, $n$( [ "$n" = replicated ] && echo " primary" || true), per connection: ${R[$n.hist]}"$'\n'; fi
  done
  idle_notes+="(memory: Understudy = jcmd GC.run, then the generations' \"used\" in jcmd GC.heap_info, after minus before, over the connections open; the by-class split is jcmd GC.class_histogram, live objects after a full GC. nginx = VmRSS of the master and its worker, after minus before: user-space memory only, not the kernel's socket structures, and not nginx's connection and event arrays, allocated for worker_connections at start. Connections closed with an RST at the end.)"
fi

fo_table=""
if [ "$fo_done" -gt 0 ] || [ "$fo_fail" -gt 0 ]; then
  fo_table="$(python3 - "$fo_results" "$fo_done" "$fo_dl_fail" "$fo_stuck" <<'PY'
import json, math, sys
path, done, failed, stuck = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rs = []
for line in open(path):
    try: rs.append(json.loads(line))
    except ValueError: pass
ok = [r for r in rs if r.get("ok")]
def q(xs, p):   # nearest rank
    xs = sorted(xs)
    return xs[max(0, math.ceil(p * len(xs)) - 1)]
def row(label, key):
    xs = [r[key] for r in ok if r.get(key) is not None]
    if not xs:
        return f"| {label} | n/a | n/a | n/a |"
    return f"| {label} | {q(xs, .5):.1f} | {q(xs, .99):.1f} | {max(xs):.1f} |"
print(f"| failover: {done} kills, {len(ok)} good; {failed} failed download(s), {stuck} without a new in-sync standby | p50 | p99 | max |")
print("| --- | ---: | ---: | ---: |")
print(row("takeover pause at the client, ms (longest time without a new byte, from the kill to the new standby's in-sync line)", "takeover_ms"))
rj = [r for r in ok if r.get("rejoin_ms") is not None]
print(row(f"pause when the new standby joins during the download, ms ({len(rj)} of {len(ok)} downloads lasted that long)", "rejoin_ms"))
print(row("longest pause at the client after the kill, either of the two, ms", "stall_ms"))
print(row("kill → end of that longest pause, ms", "resume_ms"))
print(row("kill → new standby in sync, ms (when the download lasted that long)", "sync_ms"))
print(row("longest pause before the kill, from the first byte, ms (noise floor)", "before_ms"))
print(row("curl start → first byte of the download, ms (connection set-up and request)", "first_data_ms"))
print()
print("takeover pauses, ms, sorted: " + (", ".join(f"{x:.0f}" for x in sorted(r["takeover_ms"] for r in ok if r.get("takeover_ms") is not None)) or "none"))
print("pauses when the new standby joined, ms, sorted: " + (", ".join(f"{x:.0f}" for x in sorted(r["rejoin_ms"] for r in rj)) or "none"))
PY
)"
fi

echo
echo "$table"
for n in nginx solo replicated; do
  if [ -n "${R[$n.err]}" ]; then echo "note: $n wrk reported: ${R[$n.err]}"; fi
  if [ -n "${R[$n.note]:-}" ]; then echo "note: $n: ${R[$n.note]}"; fi
done
echo "(for MB/s and req/s a ratio below 1 means slower; for latency a ratio above 1 means slower; replicated − solo in µs)"
echo
echo "$table2"
echo "(the kernel column is nginx's address 10.201.0.3, answered by Linux in us-bench: ping by the kernel, the idle connections by nginx; a ratio above 1 means slower or bigger)"
[ -z "$idle_notes" ] || printf '%s\n' "$idle_notes"
if [ -n "$fo_table" ]; then
  echo
  echo "$fo_table"
  echo "(kills at a random 10–90 % of a $FO_BYTES-byte download of failover.bin, seed $SEED; takeover lines in the pair log: $fo_takeovers; p99 is nearest-rank, so with fewer than 100 kills it is the largest or close to it)"
fi
if [ "$fo_fail" -gt 0 ]; then echo "FAILOVER FAILURES: $fo_fail (see the lines above); pairs that did not recover an in-sync standby (replaced): $fo_stuck"; fi

if [ "$record" -eq 1 ]; then
  commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo "unknown (not a git checkout)")"
  dirty="$(git -C "$root" status --porcelain 2>/dev/null | grep -v '^??' | grep -q . && echo " (with uncommitted changes in the tree)" || true)"
  md="$root/docs/BENCHMARKS.md"; mkdir -p "$root/docs"
  envs=""
  [ "$SECS" != 10 ] && envs+="BENCH_SECONDS=$SECS "
  [ "$BIG" != 1073741824 ] && envs+="BENCH_BIG_BYTES=$BIG "
  [ "$PINGS" != 200 ] && envs+="BENCH_PINGS=$PINGS "
  [ "$IDLE" != 10000 ] && envs+="BENCH_IDLE_CONNECTIONS=$IDLE "
  [ "${BENCH_KILLS:-50}" != 50 ] && envs+="BENCH_KILLS=$BENCH_KILLS "
  [ "$FO_BYTES" != 268435456 ] && envs+="BENCH_FAILOVER_BYTES=$FO_BYTES "
  envs+="BENCH_SEED=$SEED "
  [ "$NO_BUILD" = 1 ] && envs+="BENCH_NO_BUILD=1 "
  [ "$ACCESS_LOG" = 1 ] && envs+="BENCH_ACCESS_LOG=1 "
  {
    echo
    echo "## $(date -u '+%Y-%m-%d %H:%M UTC') — solo vs replicated and failover gaps"
    echo
    echo "- commit: $commit$dirty; $jar_note"
    echo "- machine: $(nproc) CPUs, kernel $(uname -r), $(awk '/MemTotal/{printf "%.1f GiB RAM", $2/1048576}' /proc/meminfo)"
    echo "- run: \`${envs}bench/http-bench.sh --record\`; nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), worker_processes 1; Understudy's access log $( [ "$ACCESS_LOG" = 1 ] && echo on || echo off)"
    echo "- servers: nginx at 10.201.0.3; solo: \`java ${NODE_JVM[*]} -jar understudy.jar serve --lab --docroot DIR\`; replicated: \`understudy pair --lab --docroot DIR --run-dir DIR\` (primary on us-tap0, standby on us-tap1, in sync before the measurements), both at 10.201.0.2"
    echo "- commands, from namespace us-client, IP = 10.201.0.2 (Understudy) or 10.201.0.3 (nginx):"
    cmds="\`$CMD_BIG\`, \`$CMD_RPS\`, \`$CMD_LAT\`, \`$CMD_PING\`"
    [ "$IDLE" -eq 0 ] || cmds+=", \`$CMD_IDLE\`"
    echo "  $cmds"
    echo
    echo "$table"
    for n in nginx solo replicated; do
      if [ -n "${R[$n.err]}" ]; then echo; echo "$n: wrk reported ${R[$n.err]}"; fi
      if [ -n "${R[$n.note]:-}" ]; then echo; echo "$n: ${R[$n.note]}"; fi
    done
    echo
    echo "$table2"
    [ -z "$idle_notes" ] || { echo; printf '%s\n' "$idle_notes" | sed '/^$/d; s/$/  /'; }
    if [ "$takeovers_during_measure" -gt 0 ]; then echo; echo "warning: $takeovers_during_measure takeover line(s) during the replicated measurements"; fi
    if [ -n "$fo_table" ]; then
      echo
      echo "Failovers, with the same pair after the measurements: each one \`curl -sS -o FILE --max-time $FO_CURL_MAX http://10.201.0.2/failover.bin\` ($FO_BYTES random bytes) from us-client, SIGKILL to the PID in primary.pid at a random 10–90 % of the bytes (seed $SEED), curl exit 0 and the SHA-256 checked, then a wait for the new standby's in-sync line (bench/failover-gap.py samples the file's size every ~1 ms):"
      echo
      echo "$fo_table"
      if [ "$fo_fail" -gt 0 ]; then echo; echo "**$fo_fail failure(s)**, of which $fo_stuck time(s) the pair did not get an in-sync standby back within ${RESYNC_MAX}s (replaced by a fresh pair to go on)"; fi
    fi
  } >>"$md"
  log "appended to $md"
fi
[ "$fo_fail" -eq 0 ] || exit 1
