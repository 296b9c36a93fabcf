#!/usr/bin/env python3
"""One failover measurement for bench/http-bench.sh (standard library only).

Starts a curl download from the client namespace, samples the size of the file it writes about
every millisecond, sends SIGKILL to the current primary (the PID in the pair's primary.pid, and
only after checking that this PID is a node of the pair: `serve --role ...` from understudy.jar) once the file has reached
--kill-frac of its size, lets curl finish, checks curl's exit status, the size and the SHA-256,
and prints one JSON line:

  stall_ms        the longest time the file did not grow, over the intervals that end after the
                  kill (the interval that contains the kill counts whole: this is what the client
                  sees, the pause around the kill)
  resume_ms       from the kill to the end of that pause: when the client got bytes again
  takeover_ms     the same as stall_ms, over the intervals that end before a new standby said it
                  was in sync (--pair-log): the pause of the takeover itself
  rejoin_ms       the same over the intervals that end after that line (null when the download
                  ended before it): the pause when the new standby joins the new primary
  sync_ms         from the kill to that in-sync line (seen while the download ran; else null)
  first_byte_ms   from the kill to the first growth seen after it (bytes already on their way,
                  e.g. in the client's socket buffer, still arrive just after the kill)
  killed_at_unix  when the SIGKILL was sent (wall clock, seconds), to line up with node logs
  before_ms       the longest time the file did not grow before the kill, from its first byte
                  (the noise floor)
  first_data_ms   from curl's start to the first byte in the file (start, connect, request)

Sample times are when a poll saw the size change, so each figure is good to about a poll
interval (~1 ms, more when the machine is busy). Exit status 0 when the download was complete and
correct and the kill happened, 1 otherwise.
"""
import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

IN_SYNC = b"replication: standby in sync with the primary"


def is_pair_node(pid):
    """An Understudy node started by `pair` (`serve ... --role primary|standby`): after a takeover
    the primary is a node that was started as the standby, so the role on its command line says
    nothing; primary.pid does."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = f.read().split(b"\0")
    except OSError:
        return False
    return b"serve" in argv and b"--role" in argv and any(a.endswith(b"understudy.jar") for a in argv)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--netns", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--sha256", required=True)
    ap.add_argument("--pid-file", required=True)
    ap.add_argument("--kill-frac", type=float, required=True)
    ap.add_argument("--max-time", type=int, default=60)
    ap.add_argument("--poll-ms", type=float, default=1.0)
    ap.add_argument("--pair-log", help="the pair's output: notes when a new standby says it is in sync")
    a = ap.parse_args()

    res = {"ok": False, "kill_frac": a.kill_frac}
    try:
        os.unlink(a.out)
    except FileNotFoundError:
        pass
    curl = subprocess.Popen(["ip", "netns", "exec", a.netns, "curl", "-sS", "-o", a.out,
                             "-w", "%{http_code} %{size_download}", "--max-time", str(a.max_time), a.url],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def stop(signum, frame):
        if curl.poll() is None:
            curl.kill()
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    threshold = int(a.size * a.kill_frac)
    samples = []          # (monotonic ns, size) at each change
    last = -1
    kill_at = None
    sync_at = None          # when, after the kill, a standby's in-sync line showed up in the pair's log
    log_pos = None
    poll = a.poll_ms / 1000.0

    def log_size():
        try:
            return os.stat(a.pair_log).st_size
        except (OSError, TypeError):
            return 0

    def in_sync_since(pos):
        try:
            with open(a.pair_log, "rb") as f:
                f.seek(pos)
                return IN_SYNC in f.read()
        except (OSError, TypeError):
            return False

    while True:
        alive = curl.poll() is None
        try:
            size = os.stat(a.out).st_size
        except FileNotFoundError:
            size = 0
        now = time.monotonic_ns()
        if size != last:
            samples.append((now, size))
            last = size
        if kill_at is not None and sync_at is None and a.pair_log and log_size() > log_pos \
                and in_sync_since(log_pos):
            sync_at = time.monotonic_ns()
        if not alive:
            break
        if kill_at is None and size >= threshold:
            try:
                with open(a.pid_file) as f:
                    pid = int(f.read().strip())
            except (OSError, ValueError) as e:
                res["error"] = f"cannot read {a.pid_file}: {e}"
                break
            if not is_pair_node(pid):
                res["error"] = f"pid {pid} from {a.pid_file} is not an Understudy pair node; not killing it"
                break
            log_pos = log_size()
            os.kill(pid, signal.SIGKILL)
            kill_at = time.monotonic_ns()
            res["killed_at_unix"] = round(time.time(), 6)
            res["killed_pid"] = pid
            res["kill_at_bytes"] = size
        time.sleep(poll)

    if curl.poll() is None:          # we broke out early: do not leave curl behind
        curl.kill()
    out, err = curl.communicate()
    res["curl_rc"] = curl.returncode
    res["curl"] = out.decode(errors="replace").strip()
    if err.strip():
        res["curl_err"] = err.decode(errors="replace").strip()[-300:]
    try:
        got = os.stat(a.out).st_size
    except FileNotFoundError:
        got = 0
    res["bytes"] = got
    sha = hashlib.sha256()
    if got:
        with open(a.out, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                sha.update(chunk)
    res["sha_ok"] = got == a.size and sha.hexdigest() == a.sha256
    try:
        os.unlink(a.out)
    except FileNotFoundError:
        pass

    if kill_at is not None:
        stall = 0
        resume = None
        before = 0
        first = None
        for (t0, b0), (t1, _) in zip(samples, samples[1:]):
            if t1 > kill_at:
                if t1 - t0 > stall:
                    stall, resume = t1 - t0, t1 - kill_at
                if first is None:
                    first = t1 - kill_at
            elif b0 > 0:             # not the wait for the first byte (curl start, connect, request)
                before = max(before, t1 - t0)
        res["first_data_ms"] = round((samples[1][0] - samples[0][0]) / 1e6, 2) if len(samples) > 1 else None
        res["stall_ms"] = round(stall / 1e6, 2)
        # Split at the new standby's in-sync line: the pause of the takeover itself, and the one
        # (if any) when the new standby joined while this download was still running.
        takeover = rejoin = 0
        for (t0, _), (t1, _) in zip(samples, samples[1:]):
            if t1 > kill_at:
                if sync_at is None or t1 <= sync_at:
                    takeover = max(takeover, t1 - t0)
                else:
                    rejoin = max(rejoin, t1 - t0)
        res["takeover_ms"] = round(takeover / 1e6, 2)
        res["sync_ms"] = round((sync_at - kill_at) / 1e6, 1) if sync_at is not None else None
        res["rejoin_ms"] = round(rejoin / 1e6, 2) if sync_at is not None else None
        res["first_byte_ms"] = round(first / 1e6, 2) if first is not None else None
        res["resume_ms"] = round(resume / 1e6, 2) if resume is not None else None
        res["before_ms"] = round(before / 1e6, 2)
        res["samples"] = len(samples)
    elif "error" not in res:
        res["error"] = "the download ended before the kill point"
    res["ok"] = kill_at is not None and res["curl_rc"] == 0 and res["sha_ok"] and res.get("first_byte_ms") is not None
    print(json.dumps(res), flush=True)
    return 0 if res["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
