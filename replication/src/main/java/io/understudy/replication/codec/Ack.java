package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/** ACK body: {@code acknowledged u64} — the newest record sequence the standby holds. */
public final class Ack {
    static final int ACKNOWLEDGED = 0, LENGTH = 8;
    private ByteBuffer buf; private int at;

    public Ack wrap(ByteBuffer buf, int at) { this.buf = buf; this.at = at; return this; }
    public Ack wrap(Frame frame) { return wrap(frame.buffer(), frame.bodyOffset()); }
    public long acknowledged() { return buf.getLong(at + ACKNOWLEDGED); }

    static boolean validLength(int length) { return length == LENGTH; }

    static int write(ByteBuffer buf, int at, long acknowledged) {
        buf.putLong(at + ACKNOWLEDGED, acknowledged);
        return LENGTH;
    }
}
