package io.understudy.stack.ip;

import java.nio.ByteBuffer;

/**
 * A received datagram as the IP layer hands it to a protocol: one reused instance, valid only
 * during the call.
 */
public final class Ipv4Datagram {
    /** Source address. */
    public int src;
    /** Destination address: ours, or a broadcast address. */
    public int dst;
    /** IP protocol number. */
    public int protocol;
    /** Buffer holding the payload. */
    public ByteBuffer buf;
    /** Index of the payload in {@link #buf}. */
    public int payloadAt;
    /** Payload length. */
    public int payloadLength;
    /** Index of the IP header in {@link #buf}, or -1 for a reassembled datagram (no single header to quote). */
    public int headerAt;
    /** True when sent to a broadcast address: never answer it with an ICMP error (RFC 1122 §3.2.2). */
    public boolean broadcast;
    /** The link verified the transport checksum, or left it partial (virtio-net header): do not check it. */
    public boolean checksumTrusted;
}
