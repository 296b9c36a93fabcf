#!/usr/bin/env bash
# Measures, in one run, from the lab's client namespace: nginx (on kernel TCP), Understudy solo
# (`serve --lab`) and Understudy replicated (`pair --lab`: a primary and an in-sync standby), on
# the same workloads, and prints figure | nginx | solo | replicated | solo/nginx | replicated/solo;
# then, with the pair still running, kills the primary BENCH_KILLS times in the middle of a
# download and prints the distribution of the pause the client saw (p50 / p99 / max).
#
#   sudo bench/http-bench.sh [--record]
#
# --record appends the tables, the date, the commit, the machine and the commands to
# docs/BENCHMARKS.md. Environment: BENCH_SECONDS (wrk duration, default 10), BENCH_BIG_BYTES
# (size of the big file, default 1 GiB), BENCH_KILLS (failovers, default 20; 0 skips them),
# BENCH_FAILOVER_BYTES (the file downloaded during each kill, default 256 MiB), BENCH_SEED (the
# random kill points; default: from the clock, printed), BENCH_ACCESS_LOG=1 (keep Understudy's
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
# veth, the stack, the pair and its nodes, nginx, the temp dir) is removed on exit, on failure
# and Ctrl-C too; processes are stopped by their PIDs only; the standard lab is left up or down as
# it was found. Traffic stays inside the lab namespaces.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
us="$root/bin/understudy"
jar="$root/launcher/target/understudy.jar"
gap_py="$root/bench/failover-gap.py"
record=0
for a in "$@"; do
  case "$a" in
    --record) record=1 ;;
    -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "http-bench: unknown argument '$a' (only --record)" >&2; exit 2 ;;
  esac
done

SECS="${BENCH_SECONDS:-10}"
BIG="${BENCH_BIG_BYTES:-1073741824}"
KILLS="${BENCH_KILLS:-20}"
FO_BYTES="${BENCH_FAILOVER_BYTES:-268435456}"
SEED="${BENCH_SEED:-$(( $(date +%s) % 1000000 ))}"
NO_BUILD="${BENCH_NO_BUILD:-0}"
ACCESS_LOG="${BENCH_ACCESS_LOG:-0}"
[[ "$SECS" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_SECONDS must be a positive integer" >&2; exit 2; }
[[ "$BIG" =~ ^[1-9][0-9]*$ ]] || { echo "http-bench: BENCH_BIG_BYTES must be a positive integer" >&2; exit 2; }
[[ "$KILLS" =~ ^[0-9]+$ ]] && [ "$KILLS" -le 200 ] || { echo "http-bench: BENCH_KILLS must be an integer 0-200" >&2; exit 2; }
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
# The JVM options `pair` gives its nodes (PairCommand.nodeBase); the solo node gets the same.
NODE_JVM=(-XX:+UseParallelGC -Xms512m -Xmx4g)

[ "$(id -u)" -eq 0 ] || { echo "http-bench: run as root (namespaces, TAP)" >&2; exit 1; }
if ! command -v nginx >/dev/null; then
  echo "http-bench: installing nginx (apt-get) for the baseline ..." >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
for t in ip wrk curl nginx awk java python3 sha256sum; do
  command -v "$t" >/dev/null || { echo "http-bench: '$t' is missing (sudo bin/install-deps)" >&2; exit 1; }
done

log() { echo "http-bench: $*" >&2; }

tmp="" us_pid="" ngx_pid="" pair_pid="" run="" pair_log="" pairs=0 helper_pid="" bench_ns_created=0 lab_was_up=1 lab_touched=0
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
  if [ "$bench_ns_created" -eq 1 ]; then
    ip -n "$SERVER_NS" link del "$BENCH_PEER" 2>/dev/null
    ip netns del "$BENCH_NS" 2>/dev/null
  fi
  if [ "$lab_touched" -eq 1 ] && [ "$lab_was_up" -eq 0 ]; then
    java -jar "$jar" lab down >/dev/null 2>&1 || log "lab down failed; run bin/understudy lab down"
  fi
  [ -n "$tmp" ] && rm -rf "$tmp"
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

measure nginx "$NGINX_IP"

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
  [ "${BENCH_KILLS:-20}" != 20 ] && envs+="BENCH_KILLS=$BENCH_KILLS "
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
    echo "  \`$CMD_BIG\`, \`$CMD_RPS\`, \`$CMD_LAT\`"
    echo
    echo "$table"
    for n in nginx solo replicated; do
      if [ -n "${R[$n.err]}" ]; then echo; echo "$n: wrk reported ${R[$n.err]}"; fi
      if [ -n "${R[$n.note]:-}" ]; then echo; echo "$n: ${R[$n.note]}"; fi
    done
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
