package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/**
 * WELCOME body, the primary's acceptance of a standby's HELLO:
 * {@code monotonicNanos u64 | nextRecord u64 | tcpSecret 16 bytes}. The clock lets the standby keep
 * its offset to the primary's; the secret is the key of the primary's ISNs and SYN cookies, which
 * the standby must use after a takeover. The link is assumed private (a Unix socket, or a
 * dedicated network): the secret travels in the clear.
 */
public final class Welcome {
    static final int MONOTONIC_NANOS = 0, NEXT_RECORD = 8, SECRET = 16, SECRET_LENGTH = 16, LENGTH = 32;
    private ByteBuffer buf; private int at;

    public Welcome wrap(ByteBuffer buf, int at) { this.buf = buf; this.at = at; return this; }
    public Welcome wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset()); }
    /** The primary's engine clock when it sent this. */
    public long monotonicNanos() { return buf.getLong(at + MONOTONIC_NANOS); }
    /** The number of the first record the standby will receive (a snapshot). */
    public long nextRecord() { return buf.getLong(at + NEXT_RECORD); }
    /** The 16 secret bytes (allocates; once per handshake). */
    public byte[] secret() {
        byte[] key = new byte[SECRET_LENGTH];
        buf.get(at + SECRET, key);
        return key;
    }

    static boolean validLength(int length) { return length == LENGTH; }

    static int write(ByteBuffer buf, int at, long monotonicNanos, long nextRecord, byte[] secret) {
        if (secret.length != SECRET_LENGTH) throw new IllegalArgumentException("secret of " + secret.length + " bytes");
        buf.putLong(at + MONOTONIC_NANOS, monotonicNanos);
        buf.putLong(at + NEXT_RECORD, nextRecord);
        buf.put(at + SECRET, secret);
        return LENGTH;
    }
}
