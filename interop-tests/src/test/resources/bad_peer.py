#!/usr/bin/env python3
"""Connects to a replication socket (unix:PATH) as a bad standby would, three times: random
garbage; a frame header cut short before the peer closes; a well-formed frame (good CRC32C) of
an unsupported version. Prints one line per attempt with what the primary answered (if anything).

usage: bad_peer.py SOCKET_PATH
"""
import os
import socket
import struct
import sys

PATH = sys.argv[1]


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def attempt(name, payload, close_early=False):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(PATH)
    s.sendall(payload)
    if close_early:
        s.shutdown(socket.SHUT_WR)
    answer = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                break
            answer += chunk
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    print("%s: primary answered %d bytes and closed" % (name, len(answer)), flush=True)


attempt("garbage", os.urandom(64))
attempt("truncated", struct.pack(">I", 40) + bytes([1, 1, 0, 0]) + b"\0" * 6, close_early=True)
body = b""
head = bytes([1, 9]) + struct.pack(">HQ", 0, 0)  # type HELLO, version 9, flags, sequence
frame_wo_len = head + body
frame = struct.pack(">I", len(frame_wo_len) + 4) + frame_wo_len + struct.pack(">I", crc32c(frame_wo_len))
attempt("wrong-version", frame)
