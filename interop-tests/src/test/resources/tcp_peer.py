#!/usr/bin/env python3
"""Kernel-TCP peer for the interop tests: moves bytes and reports their SHA-256 as JSON.

  tcp_peer.py client HOST PORT --send N [--receive-limit M] [--expect chargen]
      Connect, send N pseudo-random bytes (then half-close) while reading until the server
      closes (or M bytes were read, then close). --expect chargen also checks the bytes read
      against RFC 864's pattern.
  tcp_peer.py server PORT --send N
      Accept one connection, send N pseudo-random bytes (then half-close) while reading until
      the client closes.

Every run is bounded by --timeout seconds (default 600) and prints one JSON line:
  {"sent": N, "sent_sha256": ..., "received": M, "received_sha256": ..., "seconds": S, ...}
"""
import argparse
import hashlib
import json
import random
import socket
import sys
import threading
import time

BLOCK = random.Random(7).randbytes(1 << 20)


def chargen_period() -> bytes:
    lines = []
    for line in range(95):
        lines.append("".join(chr(32 + (line + i) % 95) for i in range(72)) + "\r\n")
    return "".join(lines).encode("ascii")


def send_all(sock: socket.socket, n: int, result: dict) -> None:
    digest = hashlib.sha256()
    left = n
    view = memoryview(BLOCK)
    while left > 0:
        chunk = view[: min(left, len(BLOCK))]
        sock.sendall(chunk)
        digest.update(chunk)
        left -= len(chunk)
    if n > 0:  # with nothing to send, keep our side open (chargen stops when the client half-closes)
        sock.shutdown(socket.SHUT_WR)
    result["sent"] = n
    result["sent_sha256"] = digest.hexdigest()


def receive_all(sock: socket.socket, limit: int, expect: str, result: dict) -> None:
    digest = hashlib.sha256()
    total = 0
    period = chargen_period() if expect == "chargen" else None
    # The pattern repeated past 1 MiB, so each received chunk compares as one slice.
    pattern = period * ((1 << 20) // len(period) + 2) if period else None
    mismatch_at = -1
    while limit < 0 or total < limit:
        data = sock.recv(min(1 << 20, limit - total) if limit >= 0 else 1 << 20)
        if not data:
            break
        if pattern is not None and mismatch_at < 0:
            offset = total % len(period)
            if data != pattern[offset:offset + len(data)]:
                mismatch_at = total + next(i for i, b in enumerate(data) if b != pattern[offset + i])
        digest.update(data)
        total += len(data)
    result["received"] = total
    result["received_sha256"] = digest.hexdigest()
    if pattern is not None:
        result["pattern_ok"] = mismatch_at < 0 and total > 0
        result["mismatch_at"] = mismatch_at


def exchange(sock: socket.socket, args) -> dict:
    result = {}
    start = time.monotonic()
    sender = threading.Thread(target=send_all, args=(sock, args.send, result), daemon=True)
    sender.start()
    receive_all(sock, args.receive_limit, args.expect, result)
    sender.join(args.timeout)
    if sender.is_alive():
        raise TimeoutError("sending did not finish")
    result["seconds"] = round(time.monotonic() - start, 3)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["client", "server"])
    parser.add_argument("where", nargs="+")
    parser.add_argument("--send", type=int, default=0)
    parser.add_argument("--receive-limit", type=int, default=-1)
    parser.add_argument("--expect", default="")
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if args.role == "client":
        sock = socket.create_connection((args.where[0], int(args.where[1])), timeout=args.timeout)
    else:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", int(args.where[0])))
        listener.listen(1)
        listener.settimeout(args.timeout)
        print(json.dumps({"listening": int(args.where[0])}), flush=True)
        sock, _ = listener.accept()
    sock.settimeout(args.timeout)
    result = exchange(sock, args)
    sock.close()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # one line the test can show
        print(json.dumps({"error": "%s: %s" % (type(e).__name__, e)}), flush=True)
        sys.exit(1)
