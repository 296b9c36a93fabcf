#!/usr/bin/env python3
"""Many idle keep-alive HTTP connections, for bench/http-bench.sh (standard library only).

Run it inside the client namespace (`ip netns exec us-client python3 bench/idle-conns.py ...`).
It opens --count TCP connections to --host:--port with non-blocking sockets and one selector, at
most --concurrency of them in set-up at a time; on each one it sends one small keep-alive GET
(HTTP/1.1) and reads the whole response (Content-Length), then leaves the connection open and
idle. When every connection is done (or --open-timeout has passed), it writes a JSON line to
--status-file (written whole, then renamed into place) and holds the connections, watching them
for a close by the server, until --release-file exists or --max-hold seconds have passed. Then it
closes every socket with an RST (SO_LINGER 0: no TIME-WAIT left behind in the client namespace,
nothing left on the server) and prints the final JSON line on stdout:

  count, opened      connections asked for, and those that got a 200 and were held
  rejected           responses other than 200 (e.g. a 503 beyond a server's connection cap)
  failed             connect errors, resets, timeouts, malformed responses (first error kept)
  open_s             from the first connect to the last response
  held_s             how long the connections were held after that
  closed_in_hold     held connections the server closed (or reset) while they were idle
  open_at_release    held connections still open when released

It raises its RLIMIT_NOFILE as needed (root may raise the hard limit up to fs.nr_open). Exit
status 0 when every connection was opened and still open at release, 1 otherwise, 2 on bad use.
"""
import argparse
import errno
import json
import os
import resource
import selectors
import signal
import socket
import struct
import sys
import time


def raise_nofile(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= need:
        return soft
    if hard != resource.RLIM_INFINITY and hard < need:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (need, need))
            return need
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
            return hard
    resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    return need


class Conn:
    __slots__ = ("sock", "buf", "sent", "deadline", "state")

    def __init__(self, sock, deadline):
        self.sock = sock
        self.buf = b""
        self.sent = 0
        self.deadline = deadline
        self.state = "connecting"


def response_done(buf):
    """(status, complete) of the response in buf, or (None, False) while the head is incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None, False
    head = buf[:end].decode("latin-1").split("\r\n")
    parts = head[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/") or not parts[1].isdigit():
        raise ValueError("malformed status line %r" % head[0][:80])
    length = 0
    for h in head[1:]:
        name, _, value = h.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return int(parts[1]), len(buf) - (end + 4) >= length


def rst_close(sock):
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", required=True)
    ap.add_argument("--port", type=int, default=80)
    ap.add_argument("--path", default="/")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--concurrency", type=int, default=256, help="connections in set-up at once")
    ap.add_argument("--conn-timeout", type=float, default=10.0, help="seconds for one connection's connect + response")
    ap.add_argument("--open-timeout", type=float, default=60.0, help="seconds for opening all of them")
    ap.add_argument("--max-hold", type=float, default=60.0, help="seconds to hold them at most")
    ap.add_argument("--status-file", required=True)
    ap.add_argument("--release-file", required=True)
    a = ap.parse_args()
    if a.count < 1 or a.concurrency < 1:
        print("idle-conns: --count and --concurrency must be positive", file=sys.stderr)
        return 2

    res = {"count": a.count, "opened": 0, "rejected": 0, "failed": 0}
    res["nofile"] = raise_nofile(a.count + 64)
    held = []
    live = {}                          # fd -> Conn, connections in set-up
    sel = selectors.DefaultSelector()
    request = ("GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: understudy-idle-bench\r\n\r\n"
               % (a.path, a.host)).encode()

    def stop(signum, frame):
        for c in list(live.values()):
            rst_close(c.sock)
        for s in held:
            rst_close(s)
        sys.exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    def fail(c, why):
        res["failed"] += 1
        res.setdefault("first_error", why)
        drop(c)

    def drop(c):
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        live.pop(c.sock.fileno(), None)
        rst_close(c.sock)

    started = 0
    t0 = time.monotonic()
    open_deadline = t0 + a.open_timeout
    while (started < a.count or live) and time.monotonic() < open_deadline:
        while started < a.count and len(live) < a.concurrency:
            started += 1
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            c = Conn(s, time.monotonic() + a.conn_timeout)
            rc = s.connect_ex((a.host, a.port))
            if rc not in (0, errno.EINPROGRESS):
                res["failed"] += 1
                res.setdefault("first_error", "connect: " + os.strerror(rc))
                s.close()
                continue
            live[s.fileno()] = c
            sel.register(s, selectors.EVENT_WRITE, c)
        for key, ev in sel.select(timeout=0.05):
            c = key.data
            try:
                if c.state == "connecting":
                    err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    if err:
                        fail(c, "connect: " + os.strerror(err))
                        continue
                    c.state = "sending"
                if c.state == "sending":
                    c.sent += c.sock.send(request[c.sent:])
                    if c.sent == len(request):
                        c.state = "reading"
                        sel.modify(c.sock, selectors.EVENT_READ, c)
                    continue
                data = c.sock.recv(65536)
                if not data:
                    fail(c, "closed by the server before a whole response")
                    continue
                c.buf += data
                status, done = response_done(c.buf)
                if done:
                    sel.unregister(c.sock)
                    live.pop(c.sock.fileno(), None)
                    if status == 200:
                        held.append(c.sock)
                        res["opened"] += 1
                    else:
                        res["rejected"] += 1
                        res.setdefault("first_rejection", status)
                        rst_close(c.sock)
            except (OSError, ValueError) as e:
                fail(c, "%s: %s" % (c.state, e))
        now = time.monotonic()
        for c in [c for c in live.values() if now > c.deadline]:
            fail(c, "no whole response within %.0f s" % a.conn_timeout)
    for c in list(live.values()):
        fail(c, "not done within the %.0f s open timeout" % a.open_timeout)
    res["not_started"] = a.count - started
    t_open = time.monotonic()
    res["open_s"] = round(t_open - t0, 2)

    tmp = a.status_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(json.dumps(res) + "\n")
    os.rename(tmp, a.status_file)

    # Hold: a held socket becomes readable only if the server closes it (EOF, RST) or sends
    # something unasked.
    sel.close()
    sel = selectors.DefaultSelector()
    for s in held:
        sel.register(s, selectors.EVENT_READ)
    closed = 0
    hold_deadline = t_open + a.max_hold
    while not os.path.exists(a.release_file) and time.monotonic() < hold_deadline:
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                closed += 1
                sel.unregister(s)
    res["released"] = os.path.exists(a.release_file)
    res["held_s"] = round(time.monotonic() - t_open, 2)
    res["closed_in_hold"] = closed
    res["open_at_release"] = res["opened"] - closed
    sel.close()
    for s in held:
        rst_close(s)
    held.clear()
    print(json.dumps(res), flush=True)
    return 0 if res["opened"] == a.count and closed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
