#!/usr/bin/env python3
"""Opens N concurrent connections to HOST:PORT (an echo service), sends a short message on each,
checks each echo, then closes them all. Prints one JSON line. Bounded by --timeout seconds."""
import json
import resource
import socket
import sys
import time


def main() -> None:
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 120
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, count + 256)), hard))
    start = time.monotonic()
    socks = []
    for i in range(count):
        s = socket.create_connection((host, port), timeout=timeout)
        socks.append(s)
    opened = time.monotonic()
    for i, s in enumerate(socks):
        s.sendall(b"hello %d\n" % i)
    bad = 0
    for i, s in enumerate(socks):
        expected = b"hello %d\n" % i
        got = b""
        while len(got) < len(expected):
            data = s.recv(len(expected) - len(got))
            if not data:
                break
            got += data
        bad += got != expected
    for s in socks:
        s.close()
    print(json.dumps({"connections": count, "bad_echoes": bad, "open_seconds": round(opened - start, 3),
                      "seconds": round(time.monotonic() - start, 3)}), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}), flush=True)
        sys.exit(1)
