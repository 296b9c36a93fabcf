#!/usr/bin/env python3
"""HTTP clients for the failover interop tests, run in us-client (kernel TCP).

usage: failover_client.py MODE HOST PORT DOCROOT READY_FILE GO_FILE

Each mode requests files f0.bin .. f9.bin of DOCROOT (the pair serves the same directory) and
checks every body byte-exact against the file. At the point where the test should kill the
primary, the script creates READY_FILE; where it must wait for the test (after the kill, or
after the test changed the network), it waits until GO_FILE exists. It prints "OK <n>" and
exits 0 when every response was right; anything else is a failure with a message.

modes:
  keepalive  one keep-alive connection, 300 sequential GETs; READY after 40
  pipelined  one connection, 60 GETs written at once; READY right after writing them
  many       200 keep-alive connections, one GET each; READY; wait GO; one more GET each
  closes     400 GETs, each on a new connection with "Connection: close"; READY after 40
  handshake  connect; READY; wait GO; then one GET
  pending    connect and send one GET; READY; wait GO; then read the response
"""
import os
import socket
import sys
import time
import http.client

MODE, HOST, PORT, DOCROOT, READY, GO = sys.argv[1:7]
PORT = int(PORT)
FILES = [open(os.path.join(DOCROOT, "f%d.bin" % i), "rb").read() for i in range(10)]
TIMEOUT = 60


def ready():
    open(READY, "w").close()


def wait_go():
    deadline = time.time() + TIMEOUT
    while not os.path.exists(GO):
        if time.time() > deadline:
            fail("the test never said go")
        time.sleep(0.005)


def fail(msg):
    print("FAIL " + msg, flush=True)
    sys.exit(1)


def check(i, body):
    want = FILES[i % 10]
    if body != want:
        fail("response %d: %d bytes, expected %d bytes of f%d.bin%s" % (
            i, len(body), len(want), i % 10, "" if len(body) != len(want) else " (content differs)"))


def request(i, close=False):
    return ("GET /f%d.bin HTTP/1.1\r\nHost: %s\r\n%s\r\n" % (
        i % 10, HOST, "Connection: close\r\n" if close else "")).encode()


def read_response(sock, buf):
    """Reads one response from sock (buf holds bytes already read); returns (status, body, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(65536)
        if not chunk:
            fail("connection closed in a response head")
        buf += chunk
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    while len(buf) < length:
        chunk = sock.recv(max(65536, length - len(buf)))
        if not chunk:
            fail("connection closed after %d of %d body bytes" % (len(buf), length))
        buf += chunk
    return status, buf[:length], buf[length:]


def connect():
    s = socket.create_connection((HOST, PORT), timeout=TIMEOUT)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def main():
    n = 0
    if MODE == "keepalive":
        conn = http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT)
        for i in range(300):
            conn.request("GET", "/f%d.bin" % (i % 10))
            r = conn.getresponse()
            body = r.read()
            if r.status != 200:
                fail("response %d: status %d" % (i, r.status))
            check(i, body)
            n += 1
            if i == 40:
                ready()
    elif MODE == "pipelined":
        s = connect()
        s.sendall(b"".join(request(i) for i in range(60)))
        ready()
        buf = b""
        for i in range(60):
            status, body, buf = read_response(s, buf)
            if status != 200:
                fail("response %d: status %d" % (i, status))
            check(i, body)
            n += 1
    elif MODE == "many":
        conns = [http.client.HTTPConnection(HOST, PORT, timeout=TIMEOUT) for _ in range(200)]
        for round_ in range(2):
            if round_ == 1:
                ready()
                wait_go()
            for k, conn in enumerate(conns):
                conn.request("GET", "/f%d.bin" % (k % 10))
                r = conn.getresponse()
                body = r.read()
                if r.status != 200:
                    fail("connection %d round %d: status %d" % (k, round_, r.status))
                check(k, body)
                n += 1
    elif MODE == "closes":
        for i in range(400):
            s = connect()
            s.sendall(request(i, close=True))
            status, body, rest = read_response(s, b"")
            if status != 200:
                fail("response %d: status %d" % (i, status))
            check(i, body)
            while True:  # the server closes after the response
                chunk = s.recv(65536)
                if not chunk:
                    break
                rest += chunk
            if rest:
                fail("response %d: %d bytes after the body" % (i, len(rest)))
            s.close()
            n += 1
            if i == 40:
                ready()
    elif MODE in ("handshake", "pending"):
        s = connect()
        if MODE == "pending":
            s.sendall(request(3))
        ready()
        wait_go()
        if MODE == "handshake":
            s.sendall(request(3))
        status, body, _ = read_response(s, b"")
        if status != 200:
            fail("status %d" % status)
        check(3, body)
        n = 1
    else:
        fail("unknown mode " + MODE)
    print("OK %d" % n, flush=True)


main()
