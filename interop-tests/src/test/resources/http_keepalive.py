#!/usr/bin/env python3
"""HTTP/1.1 keep-alive client for HttpInteropTest: COUNT sequential requests on ONE connection.

usage: http_keepalive.py HOST PORT DOCROOT COUNT

Even requests GET a file of DOCROOT (hello.txt, small.bin, index.html in turn) and compare the
body with the file; odd requests GET /bytes/N?seed=S and compare with the SplitMix64 stream of
httpd's SeededBytes. Fails if http.client had to reconnect (the socket or local port changed)
or if any response is not 200 with the exact bytes. Prints one JSON line.
"""
import http.client
import json
import os
import sys
import time

MASK = (1 << 64) - 1


def seeded_bytes(seed, n):
    out = bytearray()
    for index in range((n + 7) // 8):
        z = (seed + index * 0x9E3779B97F4A7C15) & MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        z ^= z >> 31
        out += z.to_bytes(8, "little")
    return bytes(out[:n])


def main():
    host, port, docroot, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    files = ["hello.txt", "small.bin", "index.html"]
    conn = http.client.HTTPConnection(host, port, timeout=20)
    conn.connect()
    sock = conn.sock
    local = sock.getsockname()
    ok = bad = reconnects = 0
    first_error = ""
    start = time.monotonic()
    for i in range(count):
        if i % 2 == 0:
            name = files[(i // 2) % len(files)]
            path = "/" + name
            with open(os.path.join(docroot, name), "rb") as f:
                expected = f.read()
        else:
            n, seed = 1000 + 37 * i, i - 25
            path = "/bytes/%d?seed=%d" % (n, seed)
            expected = seeded_bytes(seed, n)
        conn.request("GET", path)
        resp = conn.getresponse()
        body = resp.read()
        if conn.sock is not sock or (conn.sock is not None and conn.sock.getsockname() != local):
            reconnects += 1
        if resp.status == 200 and body == expected and resp.getheader("Connection", "") != "close":
            ok += 1
        else:
            bad += 1
            if not first_error:
                first_error = "%s: status %d, %d bytes, expected %d" % (path, resp.status, len(body), len(expected))
    conn.close()
    print(json.dumps({"requests": count, "ok": ok, "bad": bad, "reconnects": reconnects,
                      "first_error": first_error, "seconds": round(time.monotonic() - start, 3)}))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one JSON line either way
        print(json.dumps({"error": repr(e)}))
        sys.exit(1)
