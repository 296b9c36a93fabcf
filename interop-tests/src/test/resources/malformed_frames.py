#!/usr/bin/env python3
"""Sends malformed frames to the stack from a raw socket in the client namespace.

Usage: malformed_frames.py IFACE DST_MAC DST_IP SRC_IP COUNT

Each kind of frame goes out COUNT times; the stack must count and drop every one. Prints the
kinds it sent, one per line, as KIND=COUNT. The frames go only to the lab's service MAC on the
lab's own interface.
"""
import socket
import struct
import sys


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def ipv4(src: bytes, dst: bytes, payload: bytes, proto=1, ihl=5, total=None, version=4, good_sum=True) -> bytes:
    total = 20 + len(payload) if total is None else total
    header = struct.pack("!BBHHHBBH4s4s", (version << 4) | ihl, 0, total, 0x1234, 0, 64, proto, 0, src, dst)
    s = checksum(header)
    if not good_sum:
        s ^= 0x5555
    return header[:10] + struct.pack("!H", s) + header[12:]


def echo(good_sum=True) -> bytes:
    body = struct.pack("!BBHHH", 8, 0, 0, 0x4242, 1) + b"understudy-malformed"
    s = checksum(body)
    if not good_sum:
        s ^= 0x00FF
    return body[:2] + struct.pack("!H", s) + body[4:]


def arp(hlen=6, oper=1, src_mac=b"", src_ip=b"", dst_ip=b"") -> bytes:
    return struct.pack("!HHBBH", 1, 0x0800, hlen, 4, oper) + src_mac + src_ip + b"\0" * 6 + dst_ip


def main() -> None:
    iface, dst_mac, dst_ip, src_ip, count = sys.argv[1:6]
    count = int(count)
    dst_mac = bytes.fromhex(dst_mac.replace(":", ""))
    dst, src = socket.inet_aton(dst_ip), socket.inet_aton(src_ip)
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    src_mac = sock.getsockname()[4]

    def eth(ethertype: int, payload: bytes) -> bytes:
        return dst_mac + src_mac + struct.pack("!H", ethertype) + payload

    good_echo = echo()
    frames = {
        "drop_ip_truncated": eth(0x0800, ipv4(src, dst, good_echo)[:12]),
        "drop_ip_bad_checksum": eth(0x0800, ipv4(src, dst, good_echo, good_sum=False) + good_echo),
        "drop_ip_bad_header_length": eth(0x0800, ipv4(src, dst, good_echo, ihl=3) + good_echo),
        "drop_ip_bad_version": eth(0x0800, ipv4(src, dst, good_echo, version=6) + good_echo),
        "drop_ip_bad_total_length": eth(0x0800, ipv4(src, dst, good_echo, total=1400) + good_echo),
        "drop_icmp_bad_checksum": eth(0x0800, ipv4(src, dst, good_echo) + echo(good_sum=False)),
        "drop_arp_bad_format": eth(0x0806, arp(hlen=7, src_mac=src_mac + b"\0", src_ip=src, dst_ip=dst)),
        "drop_arp_bad_operation": eth(0x0806, arp(oper=9, src_mac=src_mac, src_ip=src, dst_ip=dst)),
        "drop_arp_truncated": eth(0x0806, arp(src_mac=src_mac, src_ip=src, dst_ip=dst)[:20]),
    }
    for _ in range(count):
        for frame in frames.values():
            sock.send(frame)
    for kind in frames:
        print("%s=%d" % (kind, count))


if __name__ == "__main__":
    main()
