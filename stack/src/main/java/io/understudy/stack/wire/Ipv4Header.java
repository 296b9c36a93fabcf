package io.understudy.stack.wire;

import java.nio.ByteBuffer;

/**
 * View over an IPv4 header (RFC 791). Once {@link #validate()} returns {@link Problem#NONE},
 * no accessor throws.
 *
 * <p>The wrapped length may exceed {@link #totalLength()}: short packets arrive with
 * Ethernet padding after them. Callers take the packet's extent from {@code totalLength()}
 * (as {@link #payloadLength()} does), never from the wrapped length.
 */
public final class Ipv4Header {
    /** Field offsets from the start of the header. */
    public static final int VERSION_IHL = 0, TOS = 1, TOTAL_LENGTH = 2, IDENTIFICATION = 4, FLAGS_FRAGMENT = 6,
                            TTL = 8, PROTOCOL = 9, CHECKSUM = 10, SRC = 12, DST = 16;
    /** Bytes in a header without options. */
    public static final int MIN_LENGTH = 20;
    /** Bytes in a header with the most options (IHL 15). */
    public static final int MAX_LENGTH = 60;
    /** Largest datagram, and the largest a reassembled one may be. */
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;
    /** The version this view accepts. */
    public static final int VERSION = 4;
    /** Protocol number of ICMP. */
    public static final int PROTO_ICMP = 1;
    /** Protocol number of TCP. */
    public static final int PROTO_TCP = 6;
    /** Protocol number of UDP. */
    public static final int PROTO_UDP = 17;

    private static final int DF = 0x4000;
    private static final int MF = 0x2000;
    private static final int OFFSET_MASK = 0x1FFF;
    private static final int OFFSET_UNIT_SHIFT = 3;
    private static final int NIBBLE = 4;
    private static final int IHL_UNIT_SHIFT = 2;

    /** Why a packet was rejected, in the order the checks run. */
    public enum Problem {
        /** Valid. */
        NONE,
        /** Shorter than {@link #MIN_LENGTH}. */
        TRUNCATED,
        /** Version field is not 4. */
        BAD_VERSION,
        /** IHL below 5, or the header runs past the wrapped bytes. */
        BAD_HEADER_LENGTH,
        /** Total length below the header length, or beyond the wrapped bytes. */
        BAD_TOTAL_LENGTH,
        /** Header checksum does not verify. */
        BAD_CHECKSUM,
        /** Fragment offset plus payload would exceed 65535 bytes. */
        BAD_FRAGMENT
    }

    private ByteBuffer buf;
    private int at;
    private int length;

    /** Points this view at {@code length} bytes of {@code buf} starting at absolute index {@code at}. */
    public Ipv4Header wrap(ByteBuffer buf, int at, int length) {
        this.buf = buf;
        this.at = at;
        this.length = length;
        return this;
    }

    /** Checks length, version, header length, total length, checksum, then fragment bounds. */
    public Problem validate() {
        if (length < MIN_LENGTH) {
            return Problem.TRUNCATED;
        }
        if (version() != VERSION) {
            return Problem.BAD_VERSION;
        }
        int headerLength = headerLength();
        if (headerLength < MIN_LENGTH || headerLength > length) {
            return Problem.BAD_HEADER_LENGTH;
        }
        int totalLength = totalLength();
        if (totalLength < headerLength || totalLength > length) {
            return Problem.BAD_TOTAL_LENGTH;
        }
        if (Checksum.finish(Checksum.sum(buf, at, headerLength, 0)) != 0) {
            return Problem.BAD_CHECKSUM;
        }
        if (fragmentOffset() + totalLength - headerLength > MAX_TOTAL_LENGTH) {
            return Problem.BAD_FRAGMENT;
        }
        return Problem.NONE;
    }

    /** Version field. */
    public int version() {
        return (buf.get(at + VERSION_IHL) & 0xFF) >>> NIBBLE;
    }

    /** Header length in bytes (IHL × 4). */
    public int headerLength() {
        return (buf.get(at + VERSION_IHL) & 0x0F) << IHL_UNIT_SHIFT;
    }

    /** Type of service byte (DSCP and ECN). */
    public int tos() {
        return buf.get(at + TOS) & 0xFF;
    }

    /** Total length of the datagram in bytes, header included. */
    public int totalLength() {
        return buf.getShort(at + TOTAL_LENGTH) & 0xFFFF;
    }

    /** Identification. */
    public int identification() {
        return buf.getShort(at + IDENTIFICATION) & 0xFFFF;
    }

    /** The DF flag. */
    public boolean dontFragment() {
        return (buf.getShort(at + FLAGS_FRAGMENT) & DF) != 0;
    }

    /** The MF flag. */
    public boolean moreFragments() {
        return (buf.getShort(at + FLAGS_FRAGMENT) & MF) != 0;
    }

    /** Fragment offset in bytes (the field × 8). */
    public int fragmentOffset() {
        return (buf.getShort(at + FLAGS_FRAGMENT) & OFFSET_MASK) << OFFSET_UNIT_SHIFT;
    }

    /** True when this datagram is a fragment: MF set or a non-zero offset. */
    public boolean isFragment() {
        return (buf.getShort(at + FLAGS_FRAGMENT) & (MF | OFFSET_MASK)) != 0;
    }

    /** Time to live. */
    public int ttl() {
        return buf.get(at + TTL) & 0xFF;
    }

    /** Protocol of the payload ({@link #PROTO_TCP} and friends). */
    public int protocol() {
        return buf.get(at + PROTOCOL) & 0xFF;
    }

    /** Header checksum field as stored, 0..0xFFFF. */
    public int headerChecksum() {
        return buf.getShort(at + CHECKSUM) & 0xFFFF;
    }

    /** Source address. */
    public int src() {
        return buf.getInt(at + SRC);
    }

    /** Destination address. */
    public int dst() {
        return buf.getInt(at + DST);
    }

    /** Absolute index of the options. */
    public int optionsOffset() {
        return at + MIN_LENGTH;
    }

    /** Bytes of options. */
    public int optionsLength() {
        return headerLength() - MIN_LENGTH;
    }

    /** Absolute index of the payload. */
    public int payloadOffset() {
        return at + headerLength();
    }

    /** Bytes of payload according to the total length (Ethernet padding excluded). */
    public int payloadLength() {
        return totalLength() - headerLength();
    }

    /** Sets version 4 and the header length in bytes (a multiple of 4, 20..60). */
    public Ipv4Header headerLength(int bytes) {
        buf.put(at + VERSION_IHL, (byte) ((VERSION << NIBBLE) | (bytes >>> IHL_UNIT_SHIFT)));
        return this;
    }

    /** Sets the type of service byte. */
    public Ipv4Header tos(int tos) {
        buf.put(at + TOS, (byte) tos);
        return this;
    }

    /** Sets the total length. */
    public Ipv4Header totalLength(int bytes) {
        buf.putShort(at + TOTAL_LENGTH, (short) bytes);
        return this;
    }

    /** Sets the identification. */
    public Ipv4Header identification(int id) {
        buf.putShort(at + IDENTIFICATION, (short) id);
        return this;
    }

    /** Sets the DF and MF flags and the fragment offset in bytes (a multiple of 8). */
    public Ipv4Header fragment(boolean dontFragment, boolean moreFragments, int offsetBytes) {
        int field = (dontFragment ? DF : 0) | (moreFragments ? MF : 0) | ((offsetBytes >>> OFFSET_UNIT_SHIFT) & OFFSET_MASK);
        buf.putShort(at + FLAGS_FRAGMENT, (short) field);
        return this;
    }

    /** Sets the time to live. */
    public Ipv4Header ttl(int ttl) {
        buf.put(at + TTL, (byte) ttl);
        return this;
    }

    /** Sets the protocol. */
    public Ipv4Header protocol(int protocol) {
        buf.put(at + PROTOCOL, (byte) protocol);
        return this;
    }

    /** Sets the source address. */
    public Ipv4Header src(int addr) {
        buf.putInt(at + SRC, addr);
        return this;
    }

    /** Sets the destination address. */
    public Ipv4Header dst(int addr) {
        buf.putInt(at + DST, addr);
        return this;
    }

    /** Computes the header checksum over {@link #headerLength()} bytes and stores it; call last. */
    public Ipv4Header writeChecksum() {
        buf.putShort(at + CHECKSUM, (short) 0);
        buf.putShort(at + CHECKSUM, Checksum.finish(Checksum.sum(buf, at, headerLength(), 0)));
        return this;
    }
}
