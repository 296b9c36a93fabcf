package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * View over a TCP segment (RFC 9293 §3.1): header, options and payload. Wrap exactly the IPv4
 * payload ({@link Ipv4Header#payloadLength()} bytes): the checksum covers the whole segment.
 * Once {@link #validate} returns {@link Problem#NONE}, no accessor throws.
 *
 * <p>Sequence and acknowledgment numbers are raw 32-bit values that wrap: compare them only
 * with {@link Seq}, never with {@code <}.
 */
public final class TcpHeader {
    /** Field offsets from the start of the header. */
    public static final int SRC_PORT = 0, DST_PORT = 2, SEQ_NUMBER = 4, ACK_NUMBER = 8, DATA_OFFSET = 12, FLAGS = 13,
                            WINDOW = 14, CHECKSUM = 16, URGENT_POINTER = 18;
    /** Bytes in a header without options. */
    public static final int MIN_LENGTH = 20;
    /** Bytes in a header with the most options (data offset 15). */
    public static final int MAX_LENGTH = 60;
    /** Flag: no more data from sender. */
    public static final int FIN = 0x01;
    /** Flag: synchronize sequence numbers. */
    public static final int SYN = 0x02;
    /** Flag: reset the connection. */
    public static final int RST = 0x04;
    /** Flag: push. */
    public static final int PSH = 0x08;
    /** Flag: acknowledgment field is significant. */
    public static final int ACK = 0x10;
    /** Flag: urgent pointer is significant. */
    public static final int URG = 0x20;
    /** Flag: ECN echo (RFC 3168). */
    public static final int ECE = 0x40;
    /** Flag: congestion window reduced (RFC 3168). */
    public static final int CWR = 0x80;

    private static final int DATA_OFFSET_SHIFT = 2;
    private static final int DATA_OFFSET_MASK = 0xF0;

    /** Why a segment was rejected, in the order the checks run. */
    public enum Problem {
        /** Valid. */
        NONE,
        /** Shorter than {@link #MIN_LENGTH}. */
        TRUNCATED,
        /** Data offset below 5, or the header runs past the segment. */
        BAD_HEADER_LENGTH,
        /** Checksum over pseudo header and segment does not verify. */
        BAD_CHECKSUM,
        /** SYN together with FIN or RST: contradictory, rejected at the edge. */
        BAD_FLAGS
    }

    private ByteBuffer buf;
    private int at;
    private int length;

    /** The buffer this view is over. */
    public ByteBuffer buffer() {
        return buf;
    }

    /** Points this view at the {@code length}-byte segment of {@code buf} starting at absolute index {@code at}. */
    public TcpHeader wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.at = at;
        this.length = length;
        return this;
    }

    /** Checks length, header length, checksum (with the IPv4 addresses it arrived with), then flags. */
    public Problem validate(int srcIp, int dstIp) {
        if (length < MIN_LENGTH) {
            return Problem.TRUNCATED;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_LENGTH || headerLength > length) {
            return Problem.BAD_HEADER_LENGTH;
        }
        if (!checksumValid(srcIp, dstIp)) {
            return Problem.BAD_CHECKSUM;
        }
        int flags = flags();
        if ((flags & SYN) != 0 && (flags & (FIN | RST)) != 0) {
            return Problem.BAD_FLAGS;
        }
        return Problem.NONE;
    }

    /** True when the checksum verifies over the pseudo header and all wrapped bytes. */
    public boolean checksumValid(int srcIp, int dstIp) {
        return Checksum.finish(sumWithPseudoHeader(srcIp, dstIp)) == 0;
    }

    /** Source port. */
    public int srcPort() {
        return buf.getShort(at + SRC_PORT) & 0xFFFF;
    }

    /** Destination port. */
    public int dstPort() {
        return buf.getShort(at + DST_PORT) & 0xFFFF;
    }

    /** Sequence number; compare with {@link Seq} only. */
    public int seq() {
        return buf.getInt(at + SEQ_NUMBER);
    }

    /** Acknowledgment number; compare with {@link Seq} only. */
    public int ack() {
        return buf.getInt(at + ACK_NUMBER);
    }

    /** Header length in bytes (data offset × 4), options included. */
    public int headerLength() {
        return (buf.get(at + DATA_OFFSET) & DATA_OFFSET_MASK) >>> DATA_OFFSET_SHIFT;
    }

    /** The eight flag bits ({@link #FIN} … {@link #CWR}). */
    public int flags() {
        return buf.get(at + FLAGS) & 0xFF;
    }

    /** True when any of the flags in {@code mask} is set. */
    public boolean hasFlag(int mask) {
        return (flags() & mask) != 0;
    }

    /** Window, unscaled. */
    public int window() {
        return buf.getShort(at + WINDOW) & 0xFFFF;
    }

    /** Checksum field as stored, 0..0xFFFF. */
    public int checksum() {
        return buf.getShort(at + CHECKSUM) & 0xFFFF;
    }

    /** Urgent pointer. */
    public int urgentPointer() {
        return buf.getShort(at + URGENT_POINTER) & 0xFFFF;
    }

    /** Absolute index of the options. */
    public int optionsOffset() {
        return at + MIN_LENGTH;
    }

    /** Bytes of options (padding included). */
    public int optionsLength() {
        return headerLength() - MIN_LENGTH;
    }

    /** Absolute index of the payload. */
    public int payloadOffset() {
        return at + headerLength();
    }

    /** Bytes of payload. */
    public int payloadLength() {
        return length - headerLength();
    }

    /** Sets the source port. */
    public TcpHeader srcPort(int port) {
        buf.putShort(at + SRC_PORT, (short) port);
        return this;
    }

    /** Sets the destination port. */
    public TcpHeader dstPort(int port) {
        buf.putShort(at + DST_PORT, (short) port);
        return this;
    }

    /** Sets the sequence number. */
    public TcpHeader seq(int seq) {
        buf.putInt(at + SEQ_NUMBER, seq);
        return this;
    }

    /** Sets the acknowledgment number. */
    public TcpHeader ack(int ack) {
        buf.putInt(at + ACK_NUMBER, ack);
        return this;
    }

    /** Sets the header length in bytes (a multiple of 4, 20..60), clearing the reserved bits. */
    public TcpHeader headerLength(int bytes) {
        buf.put(at + DATA_OFFSET, (byte) (bytes << DATA_OFFSET_SHIFT));
        return this;
    }

    /** Sets the flags. */
    public TcpHeader flags(int flags) {
        buf.put(at + FLAGS, (byte) flags);
        return this;
    }

    /** Sets the window, already scaled down. */
    public TcpHeader window(int window) {
        buf.putShort(at + WINDOW, (short) window);
        return this;
    }

    /** Sets the urgent pointer. */
    public TcpHeader urgentPointer(int pointer) {
        buf.putShort(at + URGENT_POINTER, (short) pointer);
        return this;
    }

    /** Computes the checksum over the pseudo header and all wrapped bytes and stores it; call last. */
    public TcpHeader writeChecksum(int srcIp, int dstIp) {
        buf.putShort(at + CHECKSUM, (short) 0);
        buf.putShort(at + CHECKSUM, Checksum.finish(sumWithPseudoHeader(srcIp, dstIp)));
        return this;
    }

    /**
     * Writes the partial checksum a checksum offload completes: the folded, uncomplemented sum of
     * the pseudo header (as Linux's {@code __tcp_v4_send_check} for CHECKSUM_PARTIAL).
     */
    public TcpHeader writePartialChecksum(int srcIp, int dstIp) {
        int s = Checksum.pseudoHeader(srcIp, dstIp, Ipv4Header.PROTO_TCP, length);
        buf.putShort(at + CHECKSUM, (short) ~Checksum.finish(s));
        return this;
    }

    /** {@link #validate(int, int)}, without the checksum when {@code checksumTrusted} (the link verified it, or it is partial). */
    public Problem validate(int srcIp, int dstIp, boolean checksumTrusted) {
        if (!checksumTrusted) {
            return validate(srcIp, dstIp);
        }
        if (length < MIN_LENGTH) {
            return Problem.TRUNCATED;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_LENGTH || headerLength > length) {
            return Problem.BAD_HEADER_LENGTH;
        }
        int flags = flags();
        if ((flags & SYN) != 0 && (flags & (FIN | RST)) != 0) {
            return Problem.BAD_FLAGS;
        }
        return Problem.NONE;
    }

    private int sumWithPseudoHeader(int srcIp, int dstIp) {
        return Checksum.sum(buf, at, length, Checksum.pseudoHeader(srcIp, dstIp, Ipv4Header.PROTO_TCP, length));
    }
}
