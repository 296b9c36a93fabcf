package io.understudy.replication.codec;

import java.nio.ByteBuffer;

/**
 * Writes frames of the replication link. All integers are big-endian; buffers must be in the
 * default (big-endian) byte order. Only absolute get/put are used: the buffer's position and
 * limit are left as they were. One instance per thread (it holds a CRC32C).
 *
 * <pre>
 * offset  size  field
 *  0      4     length   u32, bytes after this field (= 16 + body length)
 *  4      1     type     u8, {@link MessageType#code}
 *  5      1     version  u8, {@link #VERSION}
 *  6      2     flags    u16
 *  8      8     sequence u64
 * 16      n     body
 * 16+n    4     crc32c   u32 over bytes 4 .. 16+n
 * </pre>
 *
 * Writers do not check capacity for the caller: a buffer too small is a programming error and
 * throws {@link IndexOutOfBoundsException}. Readers never throw.
 */
public final class FrameCodec {
    /** 2: TCB images carry the peer's MAC. */
    public static final int VERSION = 2;
    /** RECORD flag: the record's last fragment (acknowledge the record after applying it). */
    public static final int FLAG_LAST_FRAGMENT = 1;
    /**
     * RECORD flag: the record is a full snapshot of every connection; the standby builds a new
     * shadow table from it and replaces its old one when the snapshot's last fragment arrives.
     * Set on every fragment of the record.
     */
    public static final int FLAG_SNAPSHOT = 2;
    static final int LENGTH = 0, TYPE = 4, FRAME_VERSION = 5, FLAGS = 6, SEQUENCE = 8, BODY = 16;
    /** Bytes before the body. */
    public static final int HEADER_LENGTH = BODY;
    /** Bytes after the body. */
    public static final int TRAILER_LENGTH = 4;
    /** Smallest legal value of the length field (empty body). */
    public static final int MIN_LENGTH_FIELD = HEADER_LENGTH - 4 + TRAILER_LENGTH;

    private final Crc crc = new Crc();

    /** Writes type, version, flags and sequence at {@code at}; returns the offset of the body. */
    public int begin(ByteBuffer buf, int at, MessageType type, int flags, long sequence) {
        buf.put(at + TYPE, (byte) type.code);
        buf.put(at + FRAME_VERSION, (byte) VERSION);
        buf.putShort(at + FLAGS, (short) flags);
        buf.putLong(at + SEQUENCE, sequence);
        return at + BODY;
    }

    /** Rewrites the flags of a frame begun at {@code at} (before {@link #finish}). */
    public void setFlags(ByteBuffer buf, int at, int flags) {
        buf.putShort(at + FLAGS, (short) flags);
    }

    /** Patches the length and appends the CRC of a frame begun at {@code at}; returns the whole frame's length. */
    public int finish(ByteBuffer buf, int at, int bodyLength) {
        int lengthField = HEADER_LENGTH - 4 + bodyLength + TRAILER_LENGTH;
        buf.putInt(at + LENGTH, lengthField);
        int crcAt = at + BODY + bodyLength;
        buf.putInt(crcAt, crc.of(buf, at + TYPE, crcAt - (at + TYPE)));
        return 4 + lengthField;
    }

    public int ack(ByteBuffer buf, int at, long sequence, long acknowledged) {
        int body = begin(buf, at, MessageType.ACK, 0, sequence);
        return finish(buf, at, Ack.write(buf, body, acknowledged));
    }

    public int heartbeat(ByteBuffer buf, int at, long sequence, long monotonicNanos, long lastSent, long lastApplied) {
        int body = begin(buf, at, MessageType.HEARTBEAT, 0, sequence);
        return finish(buf, at, Heartbeat.write(buf, body, monotonicNanos, lastSent, lastApplied));
    }

    /** @param serviceMac the 48-bit MAC in the low bits, first octet most significant */
    public int hello(ByteBuffer buf, int at, long sequence, int protocolVersion, Role role, int serviceIpv4,
                     long serviceMac, long configFingerprint, int[] ports, int portCount) {
        int body = begin(buf, at, MessageType.HELLO, 0, sequence);
        return finish(buf, at, Hello.write(buf, body, protocolVersion, role, serviceIpv4, serviceMac,
                configFingerprint, ports, portCount));
    }

    /** The primary's acceptance of a standby: its clock, its TCP secret and the next record number. */
    public int welcome(ByteBuffer buf, int at, long sequence, long monotonicNanos, long nextRecord, byte[] secret) {
        int body = begin(buf, at, MessageType.WELCOME, 0, sequence);
        return finish(buf, at, Welcome.write(buf, body, monotonicNanos, nextRecord, secret));
    }

    /** @param textUtf8 at most {@link HelloReject#MAX_TEXT} bytes */
    public int helloReject(ByteBuffer buf, int at, long sequence, int reasonCode, byte[] textUtf8) {
        int body = begin(buf, at, MessageType.HELLO_REJECT, 0, sequence);
        return finish(buf, at, HelloReject.write(buf, body, reasonCode, textUtf8));
    }
}
