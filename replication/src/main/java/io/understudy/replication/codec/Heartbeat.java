package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/** HEARTBEAT body: {@code monotonicNanos u64 | lastSent u64 | lastApplied u64}. */
public final class Heartbeat {
    static final int MONOTONIC_NANOS = 0, LAST_SENT = 8, LAST_APPLIED = 16, LENGTH = 24;
    private ByteBuffer buf; private int at;

    public Heartbeat wrap(ByteBuffer buf, int at) { this.buf = buf; this.at = at; return this; }
    public Heartbeat wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset()); }
    public long monotonicNanos() { return buf.getLong(at + MONOTONIC_NANOS); }
    /** Newest record sequence the sender has sent (primary). */
    public long lastSent() { return buf.getLong(at + LAST_SENT); }
    /** Newest record sequence the sender has applied (standby). */
    public long lastApplied() { return buf.getLong(at + LAST_APPLIED); }

    static boolean validLength(int length) { return length == LENGTH; }

    static int write(ByteBuffer buf, int at, long monotonicNanos, long lastSent, long lastApplied) {
        buf.putLong(at + MONOTONIC_NANOS, monotonicNanos);
        buf.putLong(at + LAST_SENT, lastSent);
        buf.putLong(at + LAST_APPLIED, lastApplied);
        return LENGTH;
    }
}
